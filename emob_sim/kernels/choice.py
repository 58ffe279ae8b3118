"""Choice of a public charging site by generalised cost.

A car at point ``cur`` heading for ``dest`` with state of charge ``soc`` considers every site
it has not tried yet during this trip, that it reaches with at least ``reserve_soc`` left
(distance ``cur -> site``) and below ``target_soc`` (else there is nothing to charge), and where
charging to ``target_soc`` takes a finite time. Its cost in seconds is::

    detour   = t(cur, site) + t(site, dest) - t(cur, dest)
    wait     = 0 if a plug is free (busy + queued < plugs)
               else (queued + 1) * mean_session_s / plugs
    cost     = detour + wait_weight * wait + charge_time(soc on arrival -> target_soc)

The cheapest site wins; ties go to the lower site index.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from emob_sim.kernels.charging import charge_time

__all__ = ["choose_site"]


@njit(cache=True)
def choose_site(
    cur: int,
    dest: int,
    soc: float,
    battery_kwh: float,
    consumption_kwh_per_km: float,
    curve_soc: np.ndarray,
    curve_frac: np.ndarray,
    max_dc_kw: float,
    max_ac_kw: float,
    time_s: np.ndarray,
    dist_km: np.ndarray,
    site_point: np.ndarray,
    site_is_dc: np.ndarray,
    site_plug_kw: np.ndarray,
    site_plugs: np.ndarray,
    site_busy: np.ndarray,
    site_queued: np.ndarray,
    site_mean_s: np.ndarray,
    tried: np.ndarray,
    reserve_soc: float,
    target_soc: float,
    wait_weight: float,
) -> tuple[int, float]:
    """Return ``(site index, cost_s)`` of the cheapest acceptable site, ``(-1, inf)`` if none.

    Parameters
    ----------
    cur, dest
        Point indices (rows/columns of ``time_s`` and ``dist_km``).
    soc, battery_kwh, consumption_kwh_per_km, curve_soc, curve_frac, max_dc_kw, max_ac_kw
        The car.
    time_s, dist_km
        Travel matrices between points.
    site_point, site_is_dc, site_plug_kw, site_plugs
        Per site: its point index, plug kind, power per plug, number of plugs.
    site_busy, site_queued, site_mean_s
        Per site: plugs in use, cars queueing, mean session duration so far (or the prior).
    tried
        Per site: already tried during this trip (skipped).
    reserve_soc, target_soc, wait_weight
        Behaviour parameters (see the module docstring).
    """
    best = -1
    best_cost = np.inf
    for s in range(site_point.shape[0]):
        if tried[s]:
            continue
        p = site_point[s]
        soc_arr = soc - dist_km[cur, p] * consumption_kwh_per_km / battery_kwh
        if soc_arr < reserve_soc or soc_arr >= target_soc:
            continue
        t_charge, _ = charge_time(
            soc_arr,
            target_soc,
            battery_kwh,
            curve_soc,
            curve_frac,
            max_dc_kw,
            max_ac_kw,
            site_plug_kw[s],
            site_is_dc[s],
        )
        if not np.isfinite(t_charge):
            continue
        detour = time_s[cur, p] + time_s[p, dest] - time_s[cur, dest]
        wait = 0.0
        if site_busy[s] + site_queued[s] >= site_plugs[s]:
            wait = (site_queued[s] + 1) * site_mean_s[s] / site_plugs[s]
        cost = detour + wait_weight * wait + t_charge
        if cost < best_cost:
            best_cost = cost
            best = s
    return best, best_cost
