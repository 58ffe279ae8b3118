"""The industrial areas' cars: commuters driving home -> work -> home on working days, and the
vehicles based at an area's depot.

For each area (:data:`emob_sim.region.AREA_COLUMNS`) of ``employees`` of whom ``car_share``
arrive by car and ``ev_share`` of those cars are electric (None: ``fleet.ev_share``), the
number of electric commuters is ``employees * car_share * ev_share``, rounded stochastically.
Each commuter:

- lives in a zone of the region (kind ``zone``) drawn with probability proportional to its
  population times ``exp(-beta * minutes)`` to the area's zone (``beta`` the work gravity
  decay of the chains, ``demand.work_gravity_beta_per_min``);
- has a vehicle type, home charging and initial state of charge drawn as the resident fleet's
  (:mod:`emob_sim.demand.fleet`);
- on each working day (Monday to Friday; day 0 is a Monday) leaves home at the work departure
  time of the chains and stays at work the chains' work duration
  (``demand.work_departure_*``, ``demand.work_duration_*``, fitted into the day as the chains
  are), then drives home (``last_of_day``).

An area's ``depot_vehicles`` (electric company vehicles) are based at its depot: their home
is the area's zone and they charge at the depot's plugs between their last trip of a day and
their next departure; by day they drive the chains of the zone's residents
(:func:`~emob_sim.demand.chains.generate_chains`; ASSUMPTION: a company vehicle's day looks
like a resident car's), with the fleet's vehicle types and initial charge. The car simulation
charges them at the depot as it charges cars at home (``home_charging``, so that their later
trips see the energy); the site energy stage then decides the depot's power under its
strategy and reports what it could not deliver by the next departure.

ASSUMPTION: the commuters are drawn in addition to the resident fleet, whose work trips go to
zones by population (the chains' gravity model has no workplaces); they do not take part in
the modal shift to e-bikes (``car_share`` already says how many come by car).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.config.models import Scenario
from emob_sim.demand.chains import (
    DAY_END_S,
    PURPOSES,
    destination_mass,
    fit_into_day,
    generate_chains,
)
from emob_sim.demand.fleet import TypeArrays, draw_types, stochastic_round, vehicle_frame
from emob_sim.demand.intrazonal import IntrazonalTrips
from emob_sim.errors import DataError
from emob_sim.seeds import children

__all__ = ["generate_area_cars", "commuter_counts", "WORKING_DAYS"]

#: days of the week with work trips to the areas (0 = Monday)
WORKING_DAYS = frozenset(range(5))


def commuter_counts(scenario: Scenario, areas: pd.DataFrame) -> NDArray[np.float64]:
    """Expected electric commuters of each area (``employees * car_share * ev_share``)."""
    ev = areas["ev_share"].astype(float).fillna(scenario.fleet.ev_share).to_numpy()
    return areas["employees"].to_numpy(float) * areas["car_share"].to_numpy(float) * ev


def generate_area_cars(
    scenario: Scenario,
    areas: pd.DataFrame,
    zones: pd.DataFrame,
    time_s: NDArray[np.float64],
    dist_km: NDArray[np.float64],
    types: TypeArrays,
    seed_seq: np.random.SeedSequence,
) -> tuple[pd.DataFrame, dict[str, NDArray], NDArray[np.int64], NDArray[np.bool_]]:
    """The areas' electric commuters, then their depot vehicles, with their trips.

    Parameters
    ----------
    scenario
        Uses ``fleet``, ``demand``, ``zones`` and ``time.days``.
    areas
        The region's industrial areas (``zone_idx``, ``employees``, ``car_share``,
        ``ev_share``, ``depot_vehicles``).
    zones, time_s, dist_km
        The zones and the zone block of the travel matrices.
    types
        The fleet's vehicle types.
    seed_seq
        The stream of the areas' cars.

    Returns
    -------
    vehicles, trips, area, depot
        The vehicle table (:data:`~emob_sim.demand.tables.VEHICLE_COLUMNS`, ``vehicle_id``
        from 0), trip arrays as :func:`~emob_sim.demand.chains.generate_chains` returns them
        (``vehicle`` from 0), the index of each vehicle's area, and whether it is a depot
        vehicle.
    """
    commute_ss, depot_ss, chains_ss = children(seed_seq, 3)
    rng = np.random.Generator(np.random.PCG64(commute_ss))
    demand, fleet = scenario.demand, scenario.fleet
    counts = stochastic_round(commuter_counts(scenario, areas), rng)
    area = np.repeat(np.arange(len(areas), dtype=np.int64), counts)
    zone_of_area = areas["zone_idx"].to_numpy(np.int64)
    work_zone = zone_of_area[area]
    population = np.nan_to_num(zones["population"].to_numpy(dtype=float), nan=0.0)
    resident = (zones["kind"].to_numpy() == "zone") & (population > 0)
    beta = demand.work_gravity_beta_per_min or demand.gravity_beta_per_min
    home = np.empty(area.size, dtype=np.int64)
    for a, zone in enumerate(zone_of_area):
        rows = np.flatnonzero(area == a)
        if not rows.size:
            continue
        minutes = time_s[:, zone] / 60.0
        ok = resident & np.isfinite(minutes)
        weight = np.where(ok, population * np.exp(-beta * np.where(ok, minutes, 0.0)), 0.0)
        if not weight.sum() > 0:
            raise DataError(
                f"energy: area {areas['area_id'].iloc[a]!r}: no zone with residents reaches its "
                f"zone {zones['zone_id'].iloc[zone]!r} by road, expected its commuters to live "
                "somewhere"
            )
        cdf = np.cumsum(weight) / weight.sum()
        home[rows] = np.minimum(
            np.searchsorted(cdf, rng.random(rows.size), side="right"), len(cdf) - 1
        )
    n = area.size
    commuters = vehicle_frame(
        type_idx=draw_types(types.share, n, rng),
        home_zone=home,
        resident=np.ones(n, dtype=bool),
        home_charging=rng.random(n) < fleet.home_charging_share,
        initial_soc=rng.uniform(fleet.initial_soc_min, fleet.initial_soc_max, n),
        types=types,
    )
    commute_trips = _work_trips(scenario, home, work_zone, time_s, dist_km, rng)
    # depot vehicles: at home in the area's zone, charging at the depot
    rng = np.random.Generator(np.random.PCG64(depot_ss))
    depot_area = np.repeat(
        np.arange(len(areas), dtype=np.int64), areas["depot_vehicles"].to_numpy(np.int64)
    )
    m = depot_area.size
    depot = vehicle_frame(
        type_idx=draw_types(types.share, m, rng),
        home_zone=zone_of_area[depot_area],
        resident=np.ones(m, dtype=bool),
        home_charging=np.ones(m, dtype=bool),
        initial_soc=rng.uniform(fleet.initial_soc_min, fleet.initial_soc_max, m),
        types=types,
    )
    depot_trips = generate_chains(
        demand,
        days=scenario.time.days,
        home_zone=zone_of_area[depot_area],
        mass=destination_mass(zones, external_attraction=demand.external_attraction),
        time_s=time_s,
        dist_km=dist_km,
        seed_seq=chains_ss,
        intrazonal=IntrazonalTrips.of_zones(zones, scenario.zones),
    )
    depot_trips["vehicle"] = depot_trips["vehicle"] + n
    trips = {
        k: np.concatenate([commute_trips[k], depot_trips[k]]).astype(_DTYPES[k]) for k in _KEYS
    }
    vehicles = pd.concat([commuters, depot], ignore_index=True)
    is_depot = np.concatenate([np.zeros(n, dtype=bool), np.ones(m, dtype=bool)])
    return vehicles, trips, np.concatenate([area, depot_area]), is_depot


def _work_trips(
    scenario: Scenario,
    home: NDArray[np.int64],
    work: NDArray[np.int64],
    time_s: NDArray[np.float64],
    dist_km: NDArray[np.float64],
    rng: np.random.Generator,
) -> dict[str, NDArray]:
    """Home -> work -> home on every working day, as trip arrays (two legs a day)."""
    demand, h = scenario.demand, 3600.0
    days = [d for d in range(scenario.time.days) if d % 7 in WORKING_DAYS]
    n = home.size
    travel = np.column_stack([time_s[home, work], time_s[work, home]])
    km = np.column_stack([dist_km[home, work], dist_km[work, home]])
    parts: dict[str, list[NDArray]] = {k: [] for k in _KEYS}
    for day in days:
        t0 = np.clip(
            rng.normal(demand.work_departure_mean_h * h, demand.work_departure_sd_h * h, n),
            0.0,
            DAY_END_S,
        )
        min_dwell = np.array([demand.min_work_duration_h * h])
        dwell = np.maximum(
            rng.normal(demand.work_duration_mean_h * h, demand.work_duration_sd_h * h, n),
            min_dwell[0],
        )[:, None]
        t0, dwell, _ = fit_into_day(t0, travel, dwell, min_dwell)
        start = day * 86400.0 + t0
        back = start + travel[:, 0] + dwell[:, 0]
        for leg, (depart, purpose) in enumerate(((start, "work"), (back, "home"))):
            parts["vehicle"].append(np.arange(n, dtype=np.int64))
            parts["day"].append(np.full(n, day, dtype=np.int64))
            parts["seq"].append(np.full(n, leg, dtype=np.int64))
            parts["origin"].append(home if leg == 0 else work)
            parts["dest"].append(work if leg == 0 else home)
            parts["depart_s"].append(depart)
            parts["distance_km"].append(km[:, leg])
            parts["duration_s"].append(travel[:, leg])
            parts["purpose_code"].append(np.full(n, PURPOSES.index(purpose), dtype=np.int64))
            parts["last_of_day"].append(np.full(n, leg == 1))
    if not parts["vehicle"]:
        return {k: np.empty(0, dtype=_DTYPES[k]) for k in _KEYS}
    return {k: np.concatenate(v).astype(_DTYPES[k]) for k, v in parts.items()}


_DTYPES = {
    "vehicle": np.int64,
    "day": np.int64,
    "seq": np.int64,
    "origin": np.int64,
    "dest": np.int64,
    "depart_s": np.float64,
    "distance_km": np.float64,
    "duration_s": np.float64,
    "purpose_code": np.int64,
    "last_of_day": np.bool_,
}
_KEYS = tuple(_DTYPES)
