"""Named inputs of the kernels: what a car, the sites and a rule are, field by field.

Each structure is a :class:`typing.NamedTuple` of arrays and scalars, which numba takes as one
argument (and in ``.py_func``, plain Python, as the same tuple). Build them with the ``make_*``
functions, which give every field its one type (``float`` for scalars, ``float64``, ``int64`` or
``bool`` arrays): numba compiles a kernel once per combination of field types, so a field that is
an ``int`` in one call and a ``float`` in another would compile (and cache) it twice.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from emob_sim.kernels.site_structs import (
    BucketQueue,
    CsrGraph,
    PluggedCars,
    SiteBattery,
    SiteSteps,
    TargetSlots,
    make_plugged_cars,
    make_site_battery,
    make_site_steps,
)

__all__ = [
    "Car",
    "Travel",
    "Sites",
    "ChoiceRule",
    "Curves",
    "ProfileSessions",
    "Chains",
    "Batteries",
    "ChainCars",
    "PlugRule",
    "EbikeRule",
    "PluggedCars",
    "CsrGraph",
    "TargetSlots",
    "BucketQueue",
    "SiteSteps",
    "SiteBattery",
    "make_car",
    "make_travel",
    "make_sites",
    "make_choice_rule",
    "make_curves",
    "make_profile_sessions",
    "make_chains",
    "make_chain_cars",
    "make_plug_rule",
    "make_ebike_rule",
    "make_plugged_cars",
    "make_site_steps",
    "make_site_battery",
]


class Car(NamedTuple):
    """One car as the charging and choice kernels see it."""

    #: usable battery capacity
    battery_kwh: float
    #: DC charging curve: state of charge points, ascending from 0 to 1
    curve_soc: np.ndarray
    #: DC charging curve: share of ``max_dc_kw`` at each point
    curve_frac: np.ndarray
    #: DC power limit
    max_dc_kw: float
    #: on-board AC charger's power limit
    max_ac_kw: float
    #: energy drawn per km driven
    consumption_kwh_per_km: float


class Travel(NamedTuple):
    """Travel matrices between points (zones, then sites)."""

    #: travel time from row point to column point
    time_s: np.ndarray
    #: road distance from row point to column point
    dist_km: np.ndarray


class Sites(NamedTuple):
    """Per public charging site: what it is and how busy it is (the last three change)."""

    #: its point index (row and column of the travel matrices)
    point: np.ndarray
    #: whether its plugs are DC
    is_dc: np.ndarray
    #: power per plug
    plug_kw: np.ndarray
    #: number of plugs
    plugs: np.ndarray
    #: plugs in use now
    busy: np.ndarray
    #: cars queueing now
    queued: np.ndarray
    #: mean session duration so far (or the prior)
    mean_s: np.ndarray


class ChoiceRule(NamedTuple):
    """The drivers' site-choice parameters (see :mod:`emob_sim.kernels.choice`)."""

    #: a site must be reached with at least this state of charge
    reserve_soc: float
    #: charging stops here
    target_soc: float
    #: weight of the expected wait against detour and charging time
    wait_weight: float


class Curves(NamedTuple):
    """Charging curves, one row per vehicle type (rows padded by repeating the last point)."""

    #: state of charge points, ascending from 0 to 1
    curve_soc: np.ndarray
    #: share of the DC power limit at each point
    curve_frac: np.ndarray


class ProfileSessions(NamedTuple):
    """Per charging session: where and when, the state of charge, the car and the plug."""

    #: site index (row of the load profile)
    site_idx: np.ndarray
    #: plug-in time
    start_s: np.ndarray
    #: plug-out time
    end_s: np.ndarray
    #: state of charge at plug-in
    soc_start: np.ndarray
    #: state of charge at plug-out
    soc_end: np.ndarray
    #: the car's usable capacity
    battery_kwh: np.ndarray
    #: the car's type (row of :class:`Curves`)
    type_idx: np.ndarray
    #: the car's DC power limit
    max_dc_kw: np.ndarray
    #: the car's AC power limit
    max_ac_kw: np.ndarray
    #: power per plug
    plug_kw: np.ndarray
    #: whether the plug is DC
    is_dc: np.ndarray


class Chains(NamedTuple):
    """Trip chains: vehicle ``v`` owns trips ``trip_ptr[v]:trip_ptr[v + 1]`` (by departure)."""

    #: per vehicle and one more: where its trips start in the per-trip arrays
    trip_ptr: np.ndarray
    #: per trip: planned departure
    depart_s: np.ndarray
    #: per trip: travel time
    duration_s: np.ndarray
    #: per trip: energy needed, in the unit of the batteries (kWh for cars, Wh for e-bikes)
    energy: np.ndarray
    #: per trip: whether the vehicle is home after it (its last trip of the day)
    last_of_day: np.ndarray


class Batteries(NamedTuple):
    """Per vehicle: its battery and home charging, as the one chain walk sees them."""

    #: capacity, in the unit of :attr:`Chains.energy`
    battery: np.ndarray
    #: state of charge at time 0
    initial_soc: np.ndarray
    #: home charging power
    home_kw: np.ndarray
    #: charges at home after its last trip of a day when its state of charge is below this
    #: (``inf``: always, ``-inf``: no home charging)
    home_below_soc: np.ndarray
    #: home charging stops here
    home_target_soc: float
    #: battery units per kWh (1 for kWh, 1000 for Wh)
    units_per_kwh: float
    #: a battery that cannot cover a trip runs flat (state of charge 0) instead of going below
    runs_flat: bool


class ChainCars(NamedTuple):
    """Per car: what the chain kernel of cars needs."""

    #: usable capacity
    battery_kwh: np.ndarray
    #: state of charge at time 0
    initial_soc: np.ndarray
    #: whether it charges at home
    home_charging: np.ndarray
    #: home charging power (home charger limited by the on-board AC charger)
    home_kw: np.ndarray
    #: on-board AC charger's power
    max_ac_kw: np.ndarray


class PlugRule(NamedTuple):
    """When a parked car plugs in at public AC (see :func:`~emob_sim.kernels.wants_to_plug`)."""

    #: at a destination: only below this state of charge
    max_soc: float
    #: at a destination: only for a stay of at least this long
    min_dwell_s: float
    #: charging stops here
    target_soc: float
    #: overnight (no home charging): only below this state of charge
    overnight_soc: float
    #: only when the stay gains at least this much
    min_gain_kwh: float


class EbikeRule(NamedTuple):
    """The e-bike riders' charging behaviour (see :mod:`emob_sim.kernels.ebike`)."""

    #: home charging power (the bike's own charger)
    home_kw: float
    #: charges at home overnight only below this state of charge
    home_below_soc: float
    #: looks for a public point below this state of charge
    public_below_soc: float
    #: the destination rule: tops up below this state of charge (0: never) ...
    destination_below_soc: float
    #: ... during a stay of at least this long (inf: never)
    min_dwell_s: float


def make_car(
    *,
    battery_kwh: float,
    curve_soc: np.ndarray,
    curve_frac: np.ndarray,
    max_dc_kw: float,
    max_ac_kw: float,
    consumption_kwh_per_km: float = 0.0,
) -> Car:
    """A :class:`Car` with typed fields (``consumption_kwh_per_km`` only matters for choice).

    Parameters
    ----------
    battery_kwh : float
        Usable battery capacity, kWh.
    curve_soc : numpy.ndarray
        DC charging curve: state-of-charge points (0-1), ascending.
    curve_frac : numpy.ndarray
        DC charging curve: share of ``max_dc_kw`` (0-1) at each point of ``curve_soc``.
    max_dc_kw : float
        The car's DC charging power limit, kW.
    max_ac_kw : float
        The on-board AC charger's power limit, kW.
    consumption_kwh_per_km : float
        Energy drawn per km driven, kWh/km (0 when only charging is computed).

    Returns
    -------
    Car
        Scalars as ``float``, the curve as ``float64`` arrays.
    """
    return Car(
        float(battery_kwh),
        np.asarray(curve_soc, dtype=np.float64),
        np.asarray(curve_frac, dtype=np.float64),
        float(max_dc_kw),
        float(max_ac_kw),
        float(consumption_kwh_per_km),
    )


def make_travel(*, time_s: np.ndarray, dist_km: np.ndarray) -> Travel:
    """A :class:`Travel` of two ``float64`` matrices.

    Parameters
    ----------
    time_s : numpy.ndarray
        Travel time from row point to column point, s (points: zones, then sites).
    dist_km : numpy.ndarray
        Road distance from row point to column point, km.

    Returns
    -------
    Travel
        Both matrices as ``float64``.
    """
    return Travel(np.asarray(time_s, dtype=np.float64), np.asarray(dist_km, dtype=np.float64))


def make_sites(
    *,
    point: np.ndarray,
    is_dc: np.ndarray,
    plug_kw: np.ndarray,
    plugs: np.ndarray,
    busy: np.ndarray,
    queued: np.ndarray,
    mean_s: np.ndarray,
) -> Sites:
    """A :class:`Sites` with typed arrays.

    ``busy``, ``queued`` and ``mean_s`` are kept as given when they already have their type
    (``int64``, ``int64``, ``float64``), so that a caller updating its arrays in place updates
    the structure too.

    Parameters
    ----------
    point : numpy.ndarray
        Per site: its point index (row and column of the travel matrices).
    is_dc : numpy.ndarray
        Per site: whether its plugs are DC.
    plug_kw : numpy.ndarray
        Per site: power per plug, kW.
    plugs : numpy.ndarray
        Per site: number of plugs.
    busy : numpy.ndarray
        Per site: plugs in use now.
    queued : numpy.ndarray
        Per site: cars queueing now.
    mean_s : numpy.ndarray
        Per site: mean session duration so far (or the prior), s.

    Returns
    -------
    Sites
        Indices and counts as ``int64``, flags as ``bool``, powers and durations as ``float64``.
    """
    return Sites(
        np.asarray(point, dtype=np.int64),
        np.asarray(is_dc, dtype=np.bool_),
        np.asarray(plug_kw, dtype=np.float64),
        np.asarray(plugs, dtype=np.int64),
        np.asarray(busy, dtype=np.int64),
        np.asarray(queued, dtype=np.int64),
        np.asarray(mean_s, dtype=np.float64),
    )


def make_choice_rule(*, reserve_soc: float, target_soc: float, wait_weight: float) -> ChoiceRule:
    """A :class:`ChoiceRule` of three floats.

    Parameters
    ----------
    reserve_soc : float
        A site must be reached with at least this state of charge (0-1).
    target_soc : float
        State of charge (0-1) at which charging stops.
    wait_weight : float
        Weight of the expected wait against detour and charging time (dimensionless).

    Returns
    -------
    ChoiceRule
        The three values as ``float``.
    """
    return ChoiceRule(float(reserve_soc), float(target_soc), float(wait_weight))


def make_curves(*, curve_soc: np.ndarray, curve_frac: np.ndarray) -> Curves:
    """A :class:`Curves` of two C-ordered ``float64`` matrices (type x point).

    Parameters
    ----------
    curve_soc : numpy.ndarray
        Per vehicle type (row): state-of-charge points (0-1), ascending, rows padded by
        repeating the last point.
    curve_frac : numpy.ndarray
        Per vehicle type (row): share of the DC power limit (0-1) at each point.

    Returns
    -------
    Curves
        Both matrices C-ordered ``float64``.
    """
    return Curves(
        np.ascontiguousarray(curve_soc, dtype=np.float64),
        np.ascontiguousarray(curve_frac, dtype=np.float64),
    )


def make_profile_sessions(
    *,
    site_idx: np.ndarray,
    start_s: np.ndarray,
    end_s: np.ndarray,
    soc_start: np.ndarray,
    soc_end: np.ndarray,
    battery_kwh: np.ndarray,
    type_idx: np.ndarray,
    max_dc_kw: np.ndarray,
    max_ac_kw: np.ndarray,
    plug_kw: np.ndarray,
    is_dc: np.ndarray,
) -> ProfileSessions:
    """A :class:`ProfileSessions` with typed arrays (indices ``int64``, flags ``bool``).

    Parameters
    ----------
    site_idx : numpy.ndarray
        Per session: the site's index (row of the load profile).
    start_s : numpy.ndarray
        Per session: plug-in time, s since the start of the simulation.
    end_s : numpy.ndarray
        Per session: plug-out time, s since the start of the simulation.
    soc_start : numpy.ndarray
        Per session: state of charge (0-1) at plug-in.
    soc_end : numpy.ndarray
        Per session: state of charge (0-1) at plug-out.
    battery_kwh : numpy.ndarray
        Per session: the car's usable capacity, kWh.
    type_idx : numpy.ndarray
        Per session: the car's vehicle type (row of :class:`Curves`).
    max_dc_kw : numpy.ndarray
        Per session: the car's DC power limit, kW.
    max_ac_kw : numpy.ndarray
        Per session: the car's on-board AC charger limit, kW.
    plug_kw : numpy.ndarray
        Per session: the plug's power, kW.
    is_dc : numpy.ndarray
        Per session: whether the plug is DC.

    Returns
    -------
    ProfileSessions
        Indices as ``int64``, flags as ``bool``, the rest as ``float64``.
    """

    def f(a: np.ndarray) -> np.ndarray:
        return np.asarray(a, dtype=np.float64)

    def i(a: np.ndarray) -> np.ndarray:
        return np.asarray(a, dtype=np.int64)

    return ProfileSessions(
        i(site_idx),
        f(start_s),
        f(end_s),
        f(soc_start),
        f(soc_end),
        f(battery_kwh),
        i(type_idx),
        f(max_dc_kw),
        f(max_ac_kw),
        f(plug_kw),
        np.asarray(is_dc, dtype=np.bool_),
    )


def make_chains(
    *,
    trip_ptr: np.ndarray,
    depart_s: np.ndarray,
    duration_s: np.ndarray,
    energy: np.ndarray,
    last_of_day: np.ndarray,
) -> Chains:
    """A :class:`Chains` with typed arrays.

    Parameters
    ----------
    trip_ptr : numpy.ndarray
        Per vehicle and one more: where its trips start in the per-trip arrays (vehicle ``v``
        owns trips ``trip_ptr[v]:trip_ptr[v + 1]``).
    depart_s : numpy.ndarray
        Per trip: planned departure, s since the start of the simulation.
    duration_s : numpy.ndarray
        Per trip: travel time, s.
    energy : numpy.ndarray
        Per trip: energy needed, in the unit of the batteries (kWh for cars, Wh for e-bikes).
    last_of_day : numpy.ndarray
        Per trip: whether the vehicle is home after it (its last trip of the day).

    Returns
    -------
    Chains
        ``trip_ptr`` as ``int64``, ``last_of_day`` as ``bool``, the rest as ``float64``.
    """
    return Chains(
        np.asarray(trip_ptr, dtype=np.int64),
        np.asarray(depart_s, dtype=np.float64),
        np.asarray(duration_s, dtype=np.float64),
        np.asarray(energy, dtype=np.float64),
        np.asarray(last_of_day, dtype=np.bool_),
    )


def make_chain_cars(
    *,
    battery_kwh: np.ndarray,
    initial_soc: np.ndarray,
    home_charging: np.ndarray,
    home_kw: np.ndarray,
    max_ac_kw: np.ndarray,
) -> ChainCars:
    """A :class:`ChainCars` with typed arrays.

    Parameters
    ----------
    battery_kwh : numpy.ndarray
        Per car: usable capacity, kWh.
    initial_soc : numpy.ndarray
        Per car: state of charge (0-1) at time 0.
    home_charging : numpy.ndarray
        Per car: whether it charges at home.
    home_kw : numpy.ndarray
        Per car: home charging power, kW (home charger limited by the on-board AC charger).
    max_ac_kw : numpy.ndarray
        Per car: the on-board AC charger's power, kW.

    Returns
    -------
    ChainCars
        ``home_charging`` as ``bool``, the rest as ``float64``.
    """
    return ChainCars(
        np.asarray(battery_kwh, dtype=np.float64),
        np.asarray(initial_soc, dtype=np.float64),
        np.asarray(home_charging, dtype=np.bool_),
        np.asarray(home_kw, dtype=np.float64),
        np.asarray(max_ac_kw, dtype=np.float64),
    )


def make_plug_rule(
    *,
    max_soc: float,
    min_dwell_s: float,
    target_soc: float,
    overnight_soc: float,
    min_gain_kwh: float,
) -> PlugRule:
    """A :class:`PlugRule` of five floats.

    Parameters
    ----------
    max_soc : float
        At a destination, a car plugs in only below this state of charge (0-1).
    min_dwell_s : float
        At a destination, a car plugs in only for a stay of at least this long, s.
    target_soc : float
        State of charge (0-1) at which charging stops.
    overnight_soc : float
        Overnight (cars without home charging): plugs in only below this state of charge (0-1).
    min_gain_kwh : float
        A car plugs in only when the stay gains at least this much energy, kWh.

    Returns
    -------
    PlugRule
        The five values as ``float``.
    """
    return PlugRule(
        float(max_soc),
        float(min_dwell_s),
        float(target_soc),
        float(overnight_soc),
        float(min_gain_kwh),
    )


def make_ebike_rule(
    *,
    home_kw: float,
    home_below_soc: float,
    public_below_soc: float,
    destination_below_soc: float,
    min_dwell_s: float,
) -> EbikeRule:
    """An :class:`EbikeRule` of five floats.

    Parameters
    ----------
    home_kw : float
        Home charging power (the bike's own charger), kW.
    home_below_soc : float
        The bike charges at home overnight only below this state of charge (0-1).
    public_below_soc : float
        The rider looks for a public charging point below this state of charge (0-1).
    destination_below_soc : float
        At a destination, the bike tops up below this state of charge (0-1; 0: never) ...
    min_dwell_s : float
        ... during a stay of at least this long, s (``inf``: never).

    Returns
    -------
    EbikeRule
        The five values as ``float``.
    """
    return EbikeRule(
        float(home_kw),
        float(home_below_soc),
        float(public_below_soc),
        float(destination_below_soc),
        float(min_dwell_s),
    )
