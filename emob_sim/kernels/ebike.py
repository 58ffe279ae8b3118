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

A parked rider wants a public charge (:func:`ebike_public_reason`) after a trip that is not the
last of its day and whose destination has a public point within walking distance
(``seek_site``), when

- the state of charge is below ``public_below_soc`` or cannot cover the next trip
  (:data:`PUBLIC_EN_ROUTE`: charging for the journey, as a car's en-route stop), or else
- the stay until the next departure lasts at least ``min_dwell_s`` and the state of charge is
  below ``destination_below_soc`` (:data:`PUBLIC_DESTINATION`: a top-up during the activity).

:func:`ebike_chain` walks every e-bike without public charging (the chain loop of cars,
:func:`~emob_sim.kernels.energy.walk_chains`, with batteries that run flat) and tells which
e-bikes would look for a public point (the first such trip).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from emob_sim.kernels.energy import ebike_ride, walk_chains
from emob_sim.kernels.structs import Batteries, Chains, EbikeRule

__all__ = [
    "ebike_ride",
    "ebike_wants_charge",
    "ebike_public_reason",
    "ebike_chain",
    "PUBLIC_NONE",
    "PUBLIC_EN_ROUTE",
    "PUBLIC_DESTINATION",
]

#: :func:`ebike_public_reason`: no public charge; the next trip needs it; a long stay
PUBLIC_NONE, PUBLIC_EN_ROUTE, PUBLIC_DESTINATION = 0, 1, 2


@njit(cache=True)
def ebike_wants_charge(
    soc: float, battery_wh: float, next_trip_wh: float, public_below_soc: float
) -> bool:
    """Whether a parked rider wants a public charge: low battery or not enough for the next trip."""
    return soc < public_below_soc or soc * battery_wh < next_trip_wh


@njit(cache=True)
def ebike_public_reason(
    soc: float,
    battery_wh: float,
    next_trip_wh: float,
    dwell_s: float,
    public_below_soc: float,
    destination_below_soc: float,
    min_dwell_s: float,
) -> int:
    """Why a parked rider near a public point plugs in (the rule is in the module docstring).

    Returns
    -------
    int
        :data:`PUBLIC_EN_ROUTE`, :data:`PUBLIC_DESTINATION` or :data:`PUBLIC_NONE`.
    """
    if ebike_wants_charge(soc, battery_wh, next_trip_wh, public_below_soc):
        return PUBLIC_EN_ROUTE
    if dwell_s >= min_dwell_s and soc < destination_below_soc:
        return PUBLIC_DESTINATION
    return PUBLIC_NONE


@njit(cache=True)
def ebike_chain(
    chains: Chains,
    seek_site: np.ndarray,
    battery_wh: np.ndarray,
    initial_soc: np.ndarray,
    rule: EbikeRule,
    horizon_s: float,
) -> tuple[np.ndarray, ...]:
    """Walk every e-bike's trips without public charging (:func:`~emob_sim.kernels.walk_chains`).

    Parameters
    ----------
    chains
        The trips (:class:`~emob_sim.kernels.structs.Chains`, energy in Wh).
    seek_site
        Per trip: its destination has a public e-bike point within walking distance.
    battery_wh, initial_soc
        Per e-bike.
    rule
        Behaviour (:class:`~emob_sim.kernels.structs.EbikeRule`; see the module docstring;
        ``destination_below_soc`` 0 and ``min_dwell_s`` inf: no destination rule).
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
    batteries = Batteries(
        battery_wh,
        initial_soc,
        np.full(n, rule.home_kw),
        np.full(n, rule.home_below_soc),
        1.0,
        1000.0,
        True,
    )
    walk = walk_chains(chains, batteries, horizon_s)
    dep_s, arr_s, soc_before, soc_after, used_wh, depleted, soc_home, home_end_s, final_soc = walk
    trip_ptr, depart_s, trip_wh = chains.trip_ptr, chains.depart_s, chains.energy
    first_need = np.full(n, -1, dtype=np.int64)
    for v in range(n):
        k1 = trip_ptr[v + 1]
        for k in range(trip_ptr[v], k1 - 1):  # a rider looks only before a next trip
            if chains.last_of_day[k] or not seek_site[k]:
                continue
            t = arr_s[k]
            t_next = depart_s[k + 1]
            if t_next > t and (
                ebike_public_reason(
                    soc_after[k],
                    battery_wh[v],
                    trip_wh[k + 1],
                    t_next - t,
                    rule.public_below_soc,
                    rule.destination_below_soc,
                    rule.min_dwell_s,
                )
                != PUBLIC_NONE
            ):
                first_need[v] = k
                break
    return (
        dep_s,
        arr_s,
        soc_before,
        soc_after,
        used_wh,
        depleted,
        soc_home,
        home_end_s,
        first_need,
        final_soc,
    )
