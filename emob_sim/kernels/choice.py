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
from emob_sim.kernels.structs import Car, ChoiceRule, Sites, Travel

__all__ = ["choose_site"]


@njit(cache=True)
def choose_site(
    cur: int,
    dest: int,
    soc: float,
    car: Car,
    travel: Travel,
    sites: Sites,
    tried: np.ndarray,
    rule: ChoiceRule,
) -> tuple[int, float]:
    """Return ``(site index, cost_s)`` of the cheapest acceptable site, ``(-1, inf)`` if none.

    Parameters
    ----------
    cur, dest
        Point indices (rows/columns of the travel matrices).
    soc
        The car's state of charge now.
    car
        The car (:class:`~emob_sim.kernels.structs.Car`, with its consumption).
    travel
        Travel matrices between points (:class:`~emob_sim.kernels.structs.Travel`).
    sites
        Per site: its point, plugs and how busy it is (:class:`~emob_sim.kernels.structs.Sites`).
    tried
        Per site: already tried during this trip (skipped).
    rule
        ``reserve_soc``, ``target_soc``, ``wait_weight``
        (:class:`~emob_sim.kernels.structs.ChoiceRule`; see the module docstring).

    Returns
    -------
    tuple[int, float]
        The chosen site's index (``-1``: none reachable and useful) and its cost, s (detour,
        charging time and weighted expected wait).
    """
    time_s, dist_km = travel.time_s, travel.dist_km
    site_point, site_plugs = sites.point, sites.plugs
    site_busy, site_queued, site_mean_s = sites.busy, sites.queued, sites.mean_s
    reserve_soc, target_soc, wait_weight = rule.reserve_soc, rule.target_soc, rule.wait_weight
    battery_kwh, consumption_kwh_per_km = car.battery_kwh, car.consumption_kwh_per_km
    best = -1
    best_cost = np.inf
    for s in range(site_point.shape[0]):
        if tried[s]:
            continue
        p = site_point[s]
        soc_arr = soc - dist_km[cur, p] * consumption_kwh_per_km / battery_kwh
        if soc_arr < reserve_soc or soc_arr >= target_soc:
            continue
        t_charge, _ = charge_time(soc_arr, target_soc, car, sites.plug_kw[s], sites.is_dc[s])
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
