"""State of charge along trip chains without public charging, with home charging between days.

Model
-----
A vehicle starts at time 0 with ``initial_soc``. Trip ``k`` departs at
``max(depart_s[k], arrival of the previous trip)`` (a late car departs late and delays cascade),
takes ``duration_s[k]`` and draws ``trip_kwh[k]`` (distance x consumption) from the battery:
``soc_after = soc_before - trip_kwh / battery_kwh``. After a trip with ``last_of_day`` a vehicle
with home charging charges from its arrival until the next planned departure (the end of the
horizon after its final trip) at ``home_kw`` (home power limited by the on-board AC charger),
flat, up to ``home_target_soc`` (never lowering a higher state of charge); see
:func:`home_charge`. Public charging is ignored here: :func:`chain_energy` tells which vehicles
would need it (the first trip after which the state of charge would fall below ``need_soc``,
the drivers' comfort level, which lies above the reserve) so that the others can be settled in
bulk. Charging losses are ignored (ASSUMPTION).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["home_charge", "chain_energy"]


@njit(cache=True)
def home_charge(
    soc: float,
    t_from_s: float,
    t_until_s: float,
    power_kw: float,
    battery_kwh: float,
    target_soc: float,
) -> tuple[float, float]:
    """Charge at home from ``t_from_s`` until at most ``t_until_s``.

    Returns
    -------
    tuple of float
        ``(soc, t_end_s)``: the new state of charge (``min(target_soc, soc + gain)``, unchanged
        when already at or above the target or when there is no time) and when charging stopped.
    """
    if soc >= target_soc or t_until_s <= t_from_s or power_kw <= 0.0:
        return soc, t_from_s
    gain = power_kw * (t_until_s - t_from_s) / 3600.0 / battery_kwh
    new_soc = soc + gain
    if new_soc >= target_soc:
        return target_soc, t_from_s + (target_soc - soc) * battery_kwh * 3600.0 / power_kw
    return new_soc, t_until_s


@njit(cache=True)
def chain_energy(
    trip_ptr: np.ndarray,
    depart_s: np.ndarray,
    duration_s: np.ndarray,
    trip_kwh: np.ndarray,
    last_of_day: np.ndarray,
    battery_kwh: np.ndarray,
    initial_soc: np.ndarray,
    home_charging: np.ndarray,
    home_kw: np.ndarray,
    home_target_soc: float,
    need_soc: float,
    horizon_s: float,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray
]:
    """Walk every vehicle's trip chain assuming no public charging.

    Parameters
    ----------
    trip_ptr
        Vehicle ``v`` owns trips ``trip_ptr[v]:trip_ptr[v + 1]`` (trips sorted by vehicle, then
        departure).
    depart_s, duration_s, trip_kwh, last_of_day
        Per trip: planned departure, travel time, energy drawn, whether the car is home after it.
    battery_kwh, initial_soc, home_charging, home_kw
        Per vehicle.
    home_target_soc
        Home charging stops here.
    need_soc
        A trip after which the state of charge would be below this needs public charging.
    horizon_s
        End of the simulated period (home charging after a vehicle's final trip stops here).

    Returns
    -------
    tuple of arrays
        Per trip: ``dep_s`` (actual departure), ``arr_s``, ``soc_before``, ``soc_after``,
        ``soc_home`` (after home charging following the trip, = ``soc_after`` without),
        ``home_end_s`` (when that home charging stopped, = ``arr_s`` without); per vehicle:
        ``first_need`` (trip index, -1 = never needs public charging) and ``final_soc``.
    """
    n_veh = battery_kwh.shape[0]
    m = depart_s.shape[0]
    dep_s = np.empty(m)
    arr_s = np.empty(m)
    soc_before = np.empty(m)
    soc_after = np.empty(m)
    soc_home = np.empty(m)
    home_end_s = np.empty(m)
    first_need = np.full(n_veh, -1, dtype=np.int64)
    final_soc = np.empty(n_veh)
    for v in range(n_veh):
        soc = initial_soc[v]
        b = battery_kwh[v]
        t = 0.0
        k1 = trip_ptr[v + 1]
        for k in range(trip_ptr[v], k1):
            d = depart_s[k]
            if d < t:
                d = t
            dep_s[k] = d
            soc_before[k] = soc
            soc = soc - trip_kwh[k] / b
            soc_after[k] = soc
            t = d + duration_s[k]
            arr_s[k] = t
            if first_need[v] < 0 and soc < need_soc:
                first_need[v] = k
            t_end = t
            if last_of_day[k] and home_charging[v]:
                t_next = depart_s[k + 1] if k + 1 < k1 else horizon_s
                soc, t_end = home_charge(soc, t, t_next, home_kw[v], b, home_target_soc)
            soc_home[k] = soc
            home_end_s[k] = t_end
        final_soc[v] = soc
    return dep_s, arr_s, soc_before, soc_after, soc_home, home_end_s, first_need, final_soc
