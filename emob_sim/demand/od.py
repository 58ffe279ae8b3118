"""Demand from an origin-destination matrix (``demand.source: od_matrix``).

File (``demand.od_file``, CSV or Parquet; one row per zone pair, other columns ignored)
-------------------------------------------------------------------------------------------
``origin``, ``destination``
    zone_ids of the zones table (any kind: zone, external, gateway).
``trips_per_day``
    trips on every simulated day (a number >= 0, need not be whole); their departure hours
    follow ``demand.od_departure_profile`` (24 weights). *Or*, when the file has an ``hour``
    column: ``hour`` (a whole number 0-23) and ``trips`` (>= 0), the trips departing in that
    hour of every day.

Rows add up (a pair may appear on several rows).

Model
-----
The expected electric-car trips of a row on a day are its count times ``demand.od_ev_share``
(None: ``fleet.ev_share``; 1 for a matrix of electric-car trips), rounded stochastically
(:func:`~emob_sim.demand.fleet.stochastic_round`: the count of a pair on a day is never more
than one away from its expectation, and the expectation is exact). Each trip departs in an
hour drawn from the profile (or its row's hour) at a uniform minute of that hour.

ASSUMPTION: every trip is its own electric car (one vehicle per OD trip, no return trip: a
matrix from a travel-demand model already counts the trips home). Its vehicle type, home
charging and initial state of charge are drawn as the resident fleet's
(:mod:`emob_sim.demand.fleet`; with home charging it starts at ``charging.home_target_soc``);
its home zone is its origin, so it charges at home after its trip only when the trip stays in
that zone. Distance and duration are the region's matrices (a trip inside a zone: the
matrix diagonal, the zone's typical intrazonal trip).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.config.models import Scenario
from emob_sim.demand.chains import DAY_S
from emob_sim.demand.files import file_vehicles, trip_arrays
from emob_sim.demand.fleet import TypeArrays, draw_types, stochastic_round
from emob_sim.demand.readers import DemandTable, read_demand_table
from emob_sim.demand.sizes import MAX_TRIPS
from emob_sim.errors import DataError

if TYPE_CHECKING:
    from emob_sim.region import Region

__all__ = ["read_od_matrix", "od_demand", "MAX_OD_TRIPS"]

logger = logging.getLogger(__name__)

#: plausibility limit of the electric-car trips an OD matrix may give over the simulated days:
#: the limit of a whole run (:data:`emob_sim.demand.sizes.MAX_TRIPS`)
MAX_OD_TRIPS = MAX_TRIPS


def read_od_matrix(
    path: object, zones: pd.DataFrame, *, zones_file: object = "the zones table"
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Read and check an OD matrix file.

    Returns
    -------
    origin, destination, hour, trips
        Per row: zone indices, the departure hour (-1: per day, spread by the profile) and the
        trips (per day, or in that hour of each day).

    Raises
    ------
    DataError
        A missing column, an unknown zone, a negative or non-numeric count, an hour outside
        0-23: the file, row and column are named.
    """
    table = read_demand_table(path, key="demand.od_file")
    return _parse(table, zones, zones_file=zones_file)


def _parse(
    table: DemandTable, zones: pd.DataFrame, *, zones_file: object
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    hourly = table.has("hour")
    needed = ["origin", "destination", *(("hour", "trips") if hourly else ("trips_per_day",))]
    table.require(needed, "origin, destination and trips_per_day (or hour and trips)")
    zone_ids = zones["zone_id"].to_numpy(dtype=object)
    ends = []
    for column in ("origin", "destination"):
        idx = table.zone_indices(column, zone_ids, zones_file=zones_file)
        empty = np.flatnonzero(idx < 0)
        if empty.size:
            raise table.fail(int(empty[0]), column, "empty, expected a zone_id")
        ends.append(idx)
    count_col = "trips" if hourly else "trips_per_day"
    trips = table.numbers(count_col)
    table.check(count_col, trips >= 0, "a count >= 0")
    if hourly:
        hour_f = table.numbers("hour")
        ok = (hour_f >= 0) & (hour_f <= 23) & (hour_f == np.round(hour_f))
        table.check("hour", ok, "a whole hour 0-23")
        hour = hour_f.astype(np.int64)
    else:
        hour = np.full(len(table), -1, dtype=np.int64)
    return ends[0], ends[1], hour, trips


def od_demand(
    scenario: Scenario,
    region: Region,
    *,
    types: TypeArrays,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, dict[str, NDArray]]:
    """The electric cars and trips of ``demand.od_file`` (see the module docstring).

    Returns
    -------
    vehicles, trips
        :data:`~emob_sim.demand.tables.VEHICLE_COLUMNS` (``vehicle_id`` from 0) and the
        chain-style trip arrays (``vehicle`` indexing ``vehicles``).
    """
    demand = scenario.demand
    origin, dest, hour, count = read_od_matrix(
        demand.od_file, region.zones, zones_file=scenario.zones.file or "the zones table"
    )
    share = demand.od_ev_share if demand.od_ev_share is not None else scenario.fleet.ev_share
    days = scenario.time.days
    expected = float(count.sum()) * share * days
    if expected > MAX_OD_TRIPS:
        raise DataError(
            f"{demand.od_file}: {expected:.4g} electric-car trips over the simulated days, "
            f"expected at most {MAX_OD_TRIPS:,} (check the counts and demand.od_ev_share)"
        )
    counts = stochastic_round(np.repeat(count[:, None] * share, days, axis=1), rng)
    n = int(counts.sum())
    row = np.repeat(np.repeat(np.arange(len(count)), days), counts.ravel())
    day = np.repeat(np.tile(np.arange(days, dtype=np.int64), len(count)), counts.ravel())
    profile = np.asarray(demand.od_departure_profile, dtype=np.float64)
    drawn = draw_types(profile / profile.sum(), n, rng)
    trip_hour = np.where(hour[row] >= 0, hour[row], drawn)
    depart = day * DAY_S + trip_hour * 3600.0 + rng.uniform(0.0, 3600.0, n)
    order = np.argsort(depart, kind="stable")  # vehicles numbered by departure
    origin, dest, depart = origin[row][order], dest[row][order], depart[order]
    vehicle = np.arange(n, dtype=np.int64)
    trips = trip_arrays(region, vehicle=vehicle, origin=origin, dest=dest, depart_s=depart)
    vehicles = file_vehicles(
        scenario,
        types=types,
        rng=rng,
        home_zone=origin,
        visitor=np.zeros(n, dtype=bool),
        type_idx=np.full(n, -1, dtype=np.int64),
        initial_soc=np.full(n, np.nan),
        zones=region.zones,
    )
    logger.info(
        "demand: %d electric-car trips from the OD matrix %s (%.1f expected)",
        n,
        demand.od_file,
        expected,
    )
    return vehicles, trips
