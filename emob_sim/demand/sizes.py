"""The size of a run's demand, estimated before anything is allocated, and its limits.

The demand stage draws every vehicle and trip as rows of numpy arrays; a value off by orders
of magnitude (a zone population of 1e19, corridors of 500,000 vehicles a day over 28 days)
would ask numpy for petabytes, or overflow its counts, long after the scenario was read.
:func:`check_demand_size` estimates the vehicles and trips from the scenario and the zone table
(expected values, as the generators draw them) and refuses a run above the limits below with
one line naming the keys, the estimate and the limit.

The limits are engineering bounds of this implementation, not model figures: the demand
tables take about half a kilobyte per trip (measured: 14 million through trips took 7.3 GB in
``emob-sim validate``) and the simulation holds more per vehicle and trip. A full month of
the shipped Zemgale region with every car electric (about 92,000 cars, 2.9 trips a day) is
7.5 million trips: within them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from emob_sim.config.models import Scenario
from emob_sim.demand.areas import commuter_counts
from emob_sim.demand.chains import CHAIN_STOPS
from emob_sim.errors import ConfigError, DataError

__all__ = [
    "MAX_TRIPS",
    "MAX_VEHICLES",
    "MAX_ZONE_POPULATION",
    "DemandSize",
    "check_demand_size",
    "estimate_demand_size",
]

#: at most this many trips (cars, through traffic, commuters and e-bikes) in one run
MAX_TRIPS = 10_000_000
#: at most this many vehicles (cars and e-bikes) in one run
MAX_VEHICLES = 10_000_000
#: a zone with more residents than this is a wrong value (the largest cities hold a few 1e7)
MAX_ZONE_POPULATION = 1e9


@dataclass
class DemandSize:
    """Expected vehicles and trips of a run, with the part each key adds.

    ``parts`` holds ``(keys, what, vehicles, trips, error)``: the scenario keys (or file) that
    set the part, what it is, its expected vehicles and trips over the run, and the error
    class to raise when it is the largest part of a refused run.
    """

    parts: list[tuple[str, str, float, float, type[Exception]]] = field(default_factory=list)

    @property
    def vehicles(self) -> float:
        return float(sum(p[2] for p in self.parts))

    @property
    def trips(self) -> float:
        return float(sum(p[3] for p in self.parts))


def _count(x: float) -> str:
    """A count for a message: 14,000,000; in powers of ten when it is absurdly large."""
    return f"{x:,.0f}" if x < 1e13 else f"{x:.3g}"


def _trips_per_day(chain_shares: dict[str, float]) -> float:
    """Expected trips a day of a vehicle riding ``chain_shares`` (a chain of n stops: n + 1)."""
    return float(sum(share * (len(CHAIN_STOPS[c]) + 1) for c, share in chain_shares.items()))


def _zones_key(scenario: Scenario) -> str:
    if scenario.zones.file is not None:
        return f"zones.file {scenario.zones.file}"
    return "zones.auto.population_total"


def _resident_population(scenario: Scenario, zones: pd.DataFrame) -> float:
    """Residents of the zones of kind ``zone``; a population above
    :data:`MAX_ZONE_POPULATION` (or infinite) is refused naming its zone."""
    population = pd.to_numeric(zones["population"], errors="coerce").to_numpy(dtype=np.float64)
    population = np.nan_to_num(population, nan=0.0, posinf=np.inf, neginf=0.0)
    bad = np.flatnonzero(population > MAX_ZONE_POPULATION)
    if bad.size:
        i = int(bad[0])
        raise DataError(
            f"{_zones_key(scenario)}: zone {zones['zone_id'].iloc[i]!r} has population "
            f"{_count(population[i])}, expected at most {MAX_ZONE_POPULATION:.0e} residents "
            "per zone"
        )
    resident = zones["kind"].to_numpy() == "zone"
    return float(np.maximum(population[resident], 0.0).sum())


def estimate_demand_size(
    scenario: Scenario, zones: pd.DataFrame, areas: pd.DataFrame | None = None
) -> DemandSize:
    """Expected vehicles and trips of a run of ``scenario`` on these zones (and areas).

    Residents' chains (``demand.source: chains``), through traffic, the industrial areas'
    commuters and depot vehicles, and e-bike owners are counted; the cars of an OD matrix or a
    trip table are counted when their file is read.

    Raises
    ------
    DataError
        A zone's population is above :data:`MAX_ZONE_POPULATION`.
    """
    days = scenario.time.days
    fleet, demand = scenario.fleet, scenario.demand
    population = _resident_population(scenario, zones)
    size = DemandSize()
    if demand.source == "chains":
        cars = population * fleet.cars_per_1000 / 1000.0 * fleet.ev_share
        trips = cars * _trips_per_day(demand.chain_shares) * days
        what = (
            f"{_count(cars)} resident electric cars (population {_count(population)} x "
            f"fleet.cars_per_1000 {fleet.cars_per_1000:g} / 1000 x fleet.ev_share "
            f"{fleet.ev_share:g}) driving {_count(trips)} trips"
        )
        size.parts.append((_zones_key(scenario), what, cars, trips, DataError))
    ev = demand.through_ev_share if demand.through_ev_share is not None else fleet.ev_share
    per_day = float(sum(c.vehicles_per_day for c in demand.corridors))
    through = per_day * ev * days
    what = f"{_count(through)} through trips ({_count(per_day)} vehicles a day x ev share {ev:g})"
    size.parts.append(("demand.corridors", what, through, through, ConfigError))
    if areas is not None and len(areas):
        commuters = float(commuter_counts(scenario, areas).sum())
        depot = float(areas["depot_vehicles"].to_numpy(float).sum())
        what = f"{_count(commuters)} commuters and {_count(depot)} depot vehicles"
        vehicles = commuters + depot
        size.parts.append(("energy.areas", what, vehicles, 2.0 * vehicles * days, ConfigError))
    bikes = scenario.ebike
    if bikes.enabled:
        owners = population * bikes.ownership_per_1000 / 1000.0
        trips = owners * _trips_per_day(bikes.chain_shares) * days
        what = (
            f"{_count(owners)} e-bikes (ebike.ownership_per_1000 {bikes.ownership_per_1000:g}) "
            f"riding {_count(trips)} trips"
        )
        size.parts.append((f"{_zones_key(scenario)}, ebike", what, owners, trips, DataError))
    return size


def check_demand_size(
    scenario: Scenario, zones: pd.DataFrame, areas: pd.DataFrame | None = None
) -> DemandSize:
    """The estimate of :func:`estimate_demand_size`, refused above :data:`MAX_TRIPS` trips or
    :data:`MAX_VEHICLES` vehicles.

    Raises
    ------
    ConfigError, DataError
        The run would exceed a limit (the message names the largest part's keys, the estimate
        over ``time.days`` and the limit), or a zone's population is absurd.
    """
    size = estimate_demand_size(scenario, zones, areas)
    for what, value, limit, name in (
        ("trips", size.trips, MAX_TRIPS, "MAX_TRIPS"),
        ("vehicles", size.vehicles, MAX_VEHICLES, "MAX_VEHICLES"),
    ):
        if not value <= limit:  # also NaN
            index = 3 if what == "trips" else 2
            keys, part, _, _, error = max(size.parts, key=lambda p: p[index])
            raise error(
                f"{keys}: about {_count(value)} {what} in {scenario.time.days} day(s) (time.days), "
                f"of them {part}; expected at most {limit:,} {what} in a run "
                f"(emob_sim.demand.sizes.{name})"
            )
    return size
