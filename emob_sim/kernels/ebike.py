"""E-bike batteries along trip chains: riding, running flat, charging at home.

Model
-----
An e-bike's battery holds ``battery_wh``; its state of charge ``soc`` is a share of that. A trip
needs ``trip_wh`` (distance x consumption of the rider's assistance level, plus the climb; see
:mod:`emob_sim.demand.ebike`). When the battery holds at least that, the trip is ridden with
assistance and ``soc`` falls by ``trip_wh / battery_wh``. Otherwise the battery runs flat on the
way: the rest of the trip is ridden without assistance (the trip is still completed and counts
as *battery depleted*); ``soc`` becomes 0 and only the energy that was left is drawn
(:func:`ebike_ride`). ASSUMPTION: riding the rest unassisted takes as long as riding it
assisted (short trips; no speed penalty is modelled).

A trip departs at ``max(depart_s, arrival of the previous trip)`` and takes ``duration_s``.
After the last trip of a day the rider takes the removable battery in and charges it
overnight with the bike's own charger (``home_kw``, flat) up to full, but only when the
evening state of charge is below ``home_below_soc`` (riders top up every few days; see
:func:`emob_sim.kernels.energy.home_charge` for the arithmetic). Charging losses are ignored.

:func:`ebike_chain` walks every e-bike without public charging and tells which e-bikes would
look for a public e-bike point: after a trip that is not the last of its day, whose destination
has a public point within walking distance (``seek_site``), and when the state of charge is
below ``public_below_soc`` or cannot cover the next trip.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from emob_sim.kernels.energy import home_charge

__all__ = ["ebike_ride", "ebike_wants_charge", "ebike_chain"]


@njit(cache=True)
def ebike_ride(soc: float, battery_wh: float, trip_wh: float) -> tuple[float, float, bool]:
    """Ride one trip.

    Returns
    -------
    tuple
        ``(soc_after, used_wh, depleted)``: the battery runs flat (``depleted``) when it holds
        less than ``trip_wh``; then ``soc_after`` is 0 and ``used_wh`` what was left.
    """
    have_wh = soc * battery_wh
    if trip_wh <= have_wh:
        return soc - trip_wh / battery_wh, trip_wh, False
    return 0.0, have_wh, True


@njit(cache=True)
def ebike_wants_charge(
    soc: float, battery_wh: float, next_trip_wh: float, public_below_soc: float
) -> bool:
    """Whether a parked rider wants a public charge: low battery or not enough for the next trip."""
    return soc < public_below_soc or soc * battery_wh < next_trip_wh


@njit(cache=True)
def ebike_chain(
    trip_ptr: np.ndarray,
    depart_s: np.ndarray,
    duration_s: np.ndarray,
    trip_wh: np.ndarray,
    last_of_day: np.ndarray,
    seek_site: np.ndarray,
    battery_wh: np.ndarray,
    initial_soc: np.ndarray,
    home_kw: float,
    home_below_soc: float,
    public_below_soc: float,
    horizon_s: float,
) -> tuple[
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
]:
    """Walk every e-bike's trips without public charging.

    Parameters
    ----------
    trip_ptr
        E-bike ``v`` owns trips ``trip_ptr[v]:trip_ptr[v + 1]`` (sorted by departure).
    depart_s, duration_s, trip_wh, last_of_day
        Per trip: planned departure, riding time, energy needed, whether the bike is home after.
    seek_site
        Per trip: its destination has a public e-bike point within walking distance.
    battery_wh, initial_soc
        Per e-bike.
    home_kw, home_below_soc, public_below_soc
        Behaviour (see the module docstring).
    horizon_s
        End of the simulated period (home charging after a bike's final trip stops here).

    Returns
    -------
    tuple of arrays
        Per trip: ``dep_s``, ``arr_s``, ``soc_before``, ``soc_after``, ``used_wh``,
        ``depleted``, ``soc_home`` (after home charging following the trip, = ``soc_after``
        without) and ``home_end_s`` (when that charging stopped, = ``arr_s`` without); per
        e-bike: ``first_need`` (first trip after which the rider would look for a public
        point, -1 = never) and ``final_soc``.
    """
    n = battery_wh.shape[0]
    m = depart_s.shape[0]
    dep_s = np.empty(m)
    arr_s = np.empty(m)
    soc_before = np.empty(m)
    soc_after = np.empty(m)
    used_wh = np.empty(m)
    depleted = np.zeros(m, dtype=np.bool_)
    soc_home = np.empty(m)
    home_end_s = np.empty(m)
    first_need = np.full(n, -1, dtype=np.int64)
    final_soc = np.empty(n)
    for v in range(n):
        soc = initial_soc[v]
        b = battery_wh[v]
        t = 0.0
        k1 = trip_ptr[v + 1]
        for k in range(trip_ptr[v], k1):
            d = depart_s[k]
            if d < t:
                d = t
            dep_s[k] = d
            soc_before[k] = soc
            soc, used, flat = ebike_ride(soc, b, trip_wh[k])
            soc_after[k] = soc
            used_wh[k] = used
            depleted[k] = flat
            t = d + duration_s[k]
            arr_s[k] = t
            t_end = t
            t_next = depart_s[k + 1] if k + 1 < k1 else horizon_s
            if last_of_day[k]:
                if soc < home_below_soc:
                    soc, t_end = home_charge(soc, t, t_next, home_kw, b / 1000.0, 1.0)
            elif (
                first_need[v] < 0
                and seek_site[k]
                and k + 1 < k1
                and t_next > t
                and ebike_wants_charge(soc, b, trip_wh[k + 1], public_below_soc)
            ):
                first_need[v] = k
            soc_home[k] = soc
            home_end_s[k] = t_end
        final_soc[v] = soc
    return (
        dep_s, arr_s, soc_before, soc_after, used_wh, depleted, soc_home, home_end_s,
        first_need, final_soc,
    )  # fmt: skip
