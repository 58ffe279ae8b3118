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
bulk. It also finds each vehicle's first plug-in opportunity where it parks
(:func:`wants_to_plug`: a trip ending in a zone with public AC sites after which the driver's
rule says "plug in"); that too is where a vehicle's public charging may begin. Charging losses
are ignored (ASSUMPTION).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from emob_sim.kernels.structs import Batteries, ChainCars, Chains, PlugRule

__all__ = ["home_charge", "chain_energy", "walk_chains", "wants_to_plug", "ebike_ride"]


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

    Parameters
    ----------
    soc : float
        State of charge (0-1) on arrival home.
    t_from_s : float
        When charging starts, s since the start of the simulation.
    t_until_s : float
        When the vehicle leaves again, s since the start of the simulation.
    power_kw : float
        Home charging power, kW.
    battery_kwh : float
        Usable battery capacity, kWh (an e-bike's Wh converted).
    target_soc : float
        State of charge (0-1) at which charging stops.

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
def ebike_ride(soc: float, battery_wh: float, trip_wh: float) -> tuple[float, float, bool]:
    """Ride one e-bike trip (see :mod:`emob_sim.kernels.ebike`).

    Parameters
    ----------
    soc : float
        State of charge (0-1) at departure.
    battery_wh : float
        Battery capacity, Wh.
    trip_wh : float
        Energy the trip needs, Wh.

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
def wants_to_plug(
    soc: float,
    dwell_s: float,
    overnight: bool,
    home_charging: bool,
    battery_kwh: float,
    power_kw: float,
    rule: PlugRule,
) -> bool:
    """Whether a car parked where public AC sites are plugs in (the decision rule).

    A stay of ``dwell_s`` seconds (until the next planned departure) after a trip; ``overnight``
    when the trip is the car's last of the day; ``power_kw`` the charging power there
    (``min(site kW, the car's on-board AC kW)``); ``rule`` a
    :class:`~emob_sim.kernels.structs.PlugRule`. The car plugs in if it would gain at least
    ``rule.min_gain_kwh`` during its stay (``min(target_soc - soc, power x stay)``), and

    - overnight: it has no home charging and ``soc < rule.overnight_soc``;
    - otherwise (a destination): ``dwell_s >= rule.min_dwell_s`` and ``soc < rule.max_soc``.

    Parameters
    ----------
    soc : float
        State of charge (0-1) on arrival.
    dwell_s : float
        Length of the stay, s (until the next planned departure).
    overnight : bool
        Whether the trip is the car's last of the day.
    home_charging : bool
        Whether the car charges at home.
    battery_kwh : float
        The car's usable capacity, kWh.
    power_kw : float
        The charging power there, kW.
    rule : PlugRule
        The plug-in thresholds.

    Returns
    -------
    bool
        Whether the car plugs in.
    """
    gain_kwh = min((rule.target_soc - soc) * battery_kwh, power_kw * dwell_s / 3600.0)
    if dwell_s <= 0.0 or gain_kwh < rule.min_gain_kwh:
        return False
    if overnight:
        return (not home_charging) and soc < rule.overnight_soc
    return dwell_s >= rule.min_dwell_s and soc < rule.max_soc


@njit(cache=True)
def walk_chains(chains: Chains, batteries: Batteries, horizon_s: float) -> tuple[np.ndarray, ...]:
    """Walk every vehicle's trip chain without public charging: the one chain loop.

    Trip ``k`` departs at ``max(depart_s[k], previous arrival)`` and draws ``energy[k]``; after
    the last trip of a day a vehicle below ``home_below_soc`` charges at home (:func:`home_charge`)
    until its next planned departure (the end of the horizon after its final trip). Cars
    (:func:`chain_energy`) and e-bikes (:func:`~emob_sim.kernels.ebike.ebike_chain`) both walk
    here; they differ only in their :class:`~emob_sim.kernels.structs.Batteries`.

    Parameters
    ----------
    chains : Chains
        The trip chains: per vehicle its trips' departures, durations, energies, last-of-day
        flags.
    batteries : Batteries
        Per vehicle: battery, initial state of charge and home charging.
    horizon_s : float
        End of the simulated period, s (home charging after a vehicle's final trip stops here).

    Returns
    -------
    tuple of arrays
        Per trip: ``dep_s``, ``arr_s``, ``soc_before``, ``soc_after``, ``used`` (energy drawn,
        less than needed when the battery ran flat), ``depleted``, ``soc_home`` (after home
        charging following the trip, = ``soc_after`` without), ``home_end_s`` (when that
        charging stopped, = ``arr_s`` without); per vehicle: ``final_soc``.
    """
    trip_ptr, depart_s, duration_s = chains.trip_ptr, chains.depart_s, chains.duration_s
    energy, last_of_day = chains.energy, chains.last_of_day
    n_veh = batteries.battery.shape[0]
    m = depart_s.shape[0]
    dep_s = np.empty(m)
    arr_s = np.empty(m)
    soc_before = np.empty(m)
    soc_after = np.empty(m)
    used = np.empty(m)
    depleted = np.zeros(m, dtype=np.bool_)
    soc_home = np.empty(m)
    home_end_s = np.empty(m)
    final_soc = np.empty(n_veh)
    for v in range(n_veh):
        soc = batteries.initial_soc[v]
        b = batteries.battery[v]
        t = 0.0
        k1 = trip_ptr[v + 1]
        for k in range(trip_ptr[v], k1):
            d = depart_s[k]
            if d < t:
                d = t
            dep_s[k] = d
            soc_before[k] = soc
            if batteries.runs_flat:
                soc, used[k], depleted[k] = ebike_ride(soc, b, energy[k])
            else:
                soc = soc - energy[k] / b
                used[k] = energy[k]
            soc_after[k] = soc
            t = d + duration_s[k]
            arr_s[k] = t
            t_end = t
            if last_of_day[k] and soc < batteries.home_below_soc[v]:
                t_next = depart_s[k + 1] if k + 1 < k1 else horizon_s
                soc, t_end = home_charge(
                    soc,
                    t,
                    t_next,
                    batteries.home_kw[v],
                    b / batteries.units_per_kwh,
                    batteries.home_target_soc,
                )
            soc_home[k] = soc
            home_end_s[k] = t_end
        final_soc[v] = soc
    return dep_s, arr_s, soc_before, soc_after, used, depleted, soc_home, home_end_s, final_soc


@njit(cache=True)
def chain_energy(
    chains: Chains,
    cars: ChainCars,
    dest_kw: np.ndarray,
    home_target_soc: float,
    need_soc: float,
    horizon_s: float,
    plug_rule: PlugRule,
) -> tuple[np.ndarray, ...]:
    """Walk every car's trip chain assuming no public charging (:func:`walk_chains`).

    Parameters
    ----------
    chains
        The trips (:class:`~emob_sim.kernels.structs.Chains`, energy in kWh).
    cars
        Per car (:class:`~emob_sim.kernels.structs.ChainCars`).
    dest_kw
        Per trip: the power per plug of the best public AC site where the car parks after it
        (0 = none there).
    home_target_soc
        Home charging stops here.
    need_soc
        A trip after which the state of charge would be below this needs public charging.
    horizon_s
        End of the simulated period (home charging after a vehicle's final trip stops here).
    plug_rule
        The parameters of :func:`wants_to_plug`.

    Returns
    -------
    tuple of arrays
        Per trip: ``dep_s`` (actual departure), ``arr_s``, ``soc_before``, ``soc_after``,
        ``soc_home`` (after home charging following the trip, = ``soc_after`` without),
        ``home_end_s`` (when that home charging stopped, = ``arr_s`` without); per vehicle:
        ``first_need`` (trip index, -1 = never needs public charging), ``final_soc`` and
        ``first_plug`` (the first trip after which it would plug in where it parks, -1 = none).
    """
    n_veh = cars.battery_kwh.shape[0]
    home_below = np.empty(n_veh)
    for v in range(n_veh):
        home_below[v] = np.inf if cars.home_charging[v] else -np.inf
    batteries = Batteries(
        cars.battery_kwh, cars.initial_soc, cars.home_kw, home_below, home_target_soc, 1.0, False
    )
    walk = walk_chains(chains, batteries, horizon_s)
    dep_s, arr_s, soc_before, soc_after, _, _, soc_home, home_end_s, final_soc = walk
    trip_ptr, depart_s = chains.trip_ptr, chains.depart_s
    first_need = np.full(n_veh, -1, dtype=np.int64)
    first_plug = np.full(n_veh, -1, dtype=np.int64)
    for v in range(n_veh):
        k1 = trip_ptr[v + 1]
        for k in range(trip_ptr[v], k1):
            soc = soc_after[k]
            if first_need[v] < 0 and soc < need_soc:
                first_need[v] = k
            if first_plug[v] < 0 and dest_kw[k] > 0.0:
                t_next = depart_s[k + 1] if k + 1 < k1 else horizon_s
                if wants_to_plug(
                    soc,
                    t_next - arr_s[k],
                    chains.last_of_day[k],
                    cars.home_charging[v],
                    cars.battery_kwh[v],
                    min(dest_kw[k], cars.max_ac_kw[v]),
                    plug_rule,
                ):
                    first_plug[v] = k
    return (
        dep_s,
        arr_s,
        soc_before,
        soc_after,
        soc_home,
        home_end_s,
        first_need,
        final_soc,
        first_plug,
    )
