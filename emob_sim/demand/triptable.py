"""Demand from a trip table (``demand.source: trips``), replayed exactly.

File (``demand.trips_file``, CSV or Parquet; one row per car trip, other columns ignored)
-----------------------------------------------------------------------------------------
``vehicle``
    any label; the rows with the same label are one car. Vehicles are numbered
    (``vehicle_id`` 0, 1, ...) in the order of their first row.
``depart_s``, or ``depart_time`` with ``day``
    the departure: seconds from midnight of day 0, or a clock time ``HH:MM[:SS]`` (hours may
    exceed 23, as in MATSim plans) on ``day`` (0-based; empty = 0). It must lie in the
    simulated period ``[0, time.days * 86400)``.
``origin``, or ``origin_lon`` and ``origin_lat``
    a zone_id, or WGS84 coordinates: the point must lie within ``zones.max_snap_distance_m``
    of the road network and belongs to the zone with the nearest centre.
``destination``, or ``dest_lon`` and ``dest_lat``, or ``dest_site``
    as the origin, or the site_id of a car charging site: the trip ends at that site's point
    (a one-site arrival stream studies a charging hub in isolation).
``vehicle_type`` (optional)
    an id of ``fleet.vehicle_types``; empty = drawn by the catalogue's shares.
``initial_soc`` (optional)
    the car's state of charge at its first departure, in [0, 1]; empty = drawn as the fleet's.

Each row must give exactly one form of its origin and of its destination; a car's rows must
not disagree on its vehicle type or initial charge. A car's trips are replayed as given, in
the order of their departures (same vehicles, departures, origins and destinations); the
simulation starts each trip at its departure or, when the car arrives later from its
previous trip or a charging stop, at that arrival. Vehicles, charging at home and the trips'
days, distances and purposes: :mod:`emob_sim.demand.files`.
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
from emob_sim.demand.fleet import TypeArrays
from emob_sim.demand.readers import DemandTable, nearest_zone, read_demand_table
from emob_sim.errors import DataError

if TYPE_CHECKING:
    from emob_sim.region import Region

__all__ = ["trip_table_demand", "TRIP_TABLE_COLUMNS"]

logger = logging.getLogger(__name__)

#: the columns a trip table may have (see the module docstring)
TRIP_TABLE_COLUMNS = [
    "vehicle",
    "depart_s",
    "day",
    "depart_time",
    "origin",
    "origin_lon",
    "origin_lat",
    "destination",
    "dest_lon",
    "dest_lat",
    "dest_site",
    "vehicle_type",
    "initial_soc",
]
_CLOCK = r"^(\d+):([0-5]\d)(?::([0-5]\d(?:\.\d*)?))?$"


def _departures(table: DemandTable, horizon_s: float, days: int) -> NDArray[np.float64]:
    if not (table.has("depart_s") or table.has("depart_time")):
        raise DataError(
            f"{table.path}: no departure column, expected depart_s (seconds from day 0 "
            "midnight) or depart_time (HH:MM[:SS]) with day"
        )
    depart_s = table.numbers("depart_s", required=False)
    clock = pd.Series(table.text("depart_time")).str.extract(_CLOCK).astype(float)
    text = table.text("depart_time")
    bad = np.flatnonzero(clock[0].isna().to_numpy() & (text != "") & np.isnan(depart_s))
    if bad.size:
        i = int(bad[0])
        raise table.fail(i, "depart_time", "expected a clock time HH:MM or HH:MM:SS", text[i])
    day = table.numbers("day", required=False)
    day_ok = np.isnan(day) | ((day >= 0) & (day == np.round(day)))
    table.check("day", day_ok, "a whole day number >= 0")
    of_day = clock[0].to_numpy() * 3600.0 + clock[1].to_numpy() * 60.0
    of_day += np.nan_to_num(clock[2].to_numpy(), nan=0.0)
    from_clock = np.nan_to_num(day, nan=0.0) * DAY_S + of_day
    use_clock = np.isnan(depart_s)
    depart = np.where(use_clock, from_clock, depart_s)
    empty = np.flatnonzero(np.isnan(depart))
    if empty.size:
        i = int(empty[0])
        raise table.fail(i, "depart_s", "empty, expected depart_s or depart_time")
    inside = (depart >= 0) & (depart < horizon_s)
    out = np.flatnonzero(~inside)
    if out.size:
        i = int(out[0])
        column = "depart_time" if use_clock[i] else "depart_s"
        value = text[i] if use_clock[i] else table.text("depart_s")[i]
        if use_clock[i] and day[i] >= days:  # the day is outside, not the clock time
            column, value = "day", table.text("day")[i]
        raise table.fail(
            i,
            column,
            f"departure at {depart[i]:g} s is outside the simulated period [0, {horizon_s:g}) s "
            f"(time.days = {days})",
            value,
        )
    return depart


def _ends(
    table: DemandTable,
    scenario: Scenario,
    region: Region,
    *,
    prefix: str,
    zone_column: str,
) -> NDArray[np.int64]:
    """Point index of each row's origin or destination (``prefix`` "origin" or "dest")."""
    zones = region.zones
    lon_col, lat_col = f"{prefix}_lon", f"{prefix}_lat"
    zone = table.zone_indices(
        zone_column,
        zones["zone_id"].to_numpy(dtype=object),
        zones_file=scenario.zones.file or "the zones table",
    )
    has_xy = (table.text(lon_col) != "") | (table.text(lat_col) != "")
    site_text = table.text("dest_site") if prefix == "dest" else np.full(len(table), "")
    has_site = site_text != ""
    forms = (zone >= 0).astype(int) + has_xy + has_site
    site_form = " or dest_site" if prefix == "dest" else ""
    expected = f"a zone_id in {zone_column}, or {lon_col}/{lat_col}{site_form}"
    bad = np.flatnonzero(forms != 1)
    if bad.size:
        i = int(bad[0])
        problem = "empty" if forms[i] == 0 else "more than one given"
        raise table.fail(i, zone_column, f"{problem}, expected exactly one of {expected}")
    point = zone.copy()
    rows = np.flatnonzero(has_xy)
    point[rows] = nearest_zone(
        table,
        (lon_col, lat_col),
        rows,
        network=region.network,
        zones=zones,
        max_snap_distance_m=scenario.zones.max_snap_distance_m,
    )
    rows = np.flatnonzero(has_site)
    if rows.size:
        site_ids = region.sites["site_id"].astype(str).to_numpy(dtype=object)
        idx = pd.Index(site_ids).get_indexer(site_text[rows])
        unknown = np.flatnonzero(idx < 0)
        if unknown.size:
            i = int(rows[unknown[0]])
            raise table.fail(
                i,
                "dest_site",
                "unknown site, expected a site_id of the car charging sites (charging.sites_file "
                "and charging.sites)",
                site_text[i],
            )
        point[rows] = region.n_zones + idx
    return point


def _per_vehicle(
    table: DemandTable,
    column: str,
    values: NDArray,
    given: NDArray[np.bool_],
    vidx: NDArray[np.int64],
    *,
    n_vehicles: int,
    missing: float,
) -> NDArray:
    """The value each vehicle's rows give (``missing`` where none does); rows must agree."""
    out = np.full(n_vehicles, missing, dtype=values.dtype)
    rows = np.flatnonzero(given)
    owners, pos = np.unique(vidx[rows], return_index=True)  # each vehicle's first given row
    out[owners] = values[rows[pos]]
    first_row = np.full(n_vehicles, -1, dtype=np.int64)
    first_row[owners] = rows[pos]
    clash = rows[values[rows] != out[vidx[rows]]]
    if clash.size:
        i = int(clash[0])
        text = table.text(column)
        j = int(first_row[vidx[i]])
        raise table.fail(
            i,
            column,
            f"vehicle {table.text('vehicle')[i]!r} has {text[j]!r} on row {j + 2}, expected "
            "one value per vehicle",
            text[i],
        )
    return out


def trip_table_demand(
    scenario: Scenario,
    region: Region,
    *,
    types: TypeArrays,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, dict[str, NDArray]]:
    """The cars and trips of ``demand.trips_file`` (see the module docstring).

    Returns
    -------
    vehicles, trips
        :data:`~emob_sim.demand.tables.VEHICLE_COLUMNS` (``vehicle_id`` from 0, in the order
        of the vehicles' first rows) and the chain-style trip arrays, sorted by (vehicle,
        departure).

    Raises
    ------
    DataError
        A bad row: the file, the row (header = row 1) and the column are named.
    """
    table = read_demand_table(scenario.demand.trips_file, key="demand.trips_file")
    table.require(["vehicle"], "vehicle, a departure, an origin and a destination")
    labels = table.text("vehicle")
    empty = np.flatnonzero(labels == "")
    if empty.size:
        raise table.fail(int(empty[0]), "vehicle", "empty, expected a vehicle label")
    days = scenario.time.days
    depart = _departures(table, days * DAY_S, days)
    origin = _ends(table, scenario, region, prefix="origin", zone_column="origin")
    dest = _ends(table, scenario, region, prefix="dest", zone_column="destination")
    vidx, _ = pd.factorize(pd.Series(labels), sort=False)
    vidx = np.asarray(vidx, dtype=np.int64)
    type_text = table.text("vehicle_type")
    type_idx = pd.Index(types.ids).get_indexer(type_text)
    unknown = np.flatnonzero((type_idx < 0) & (type_text != ""))
    if unknown.size:
        i = int(unknown[0])
        raise table.fail(
            i, "vehicle_type", f"unknown vehicle type, expected one of {types.ids}", type_text[i]
        )
    soc = table.numbers("initial_soc", required=False)
    table.check("initial_soc", np.isnan(soc) | ((soc >= 0) & (soc <= 1)), "a value in [0, 1]")
    n_veh = int(vidx.max()) + 1 if vidx.size else 0
    veh_type = _per_vehicle(
        table,
        "vehicle_type",
        type_idx.astype(np.int64),
        type_idx >= 0,
        vidx,
        n_vehicles=n_veh,
        missing=-1,
    )
    veh_soc = _per_vehicle(
        table, "initial_soc", soc, ~np.isnan(soc), vidx, n_vehicles=n_veh, missing=np.nan
    )
    order = np.lexsort((np.arange(len(table)), depart, vidx))
    vidx, origin, dest, depart = vidx[order], origin[order], dest[order], depart[order]
    visitor = np.zeros(n_veh, dtype=bool)
    visitor[vidx[dest >= region.n_zones]] = True
    first = np.ones(vidx.shape[0], dtype=bool)
    first[1:] = vidx[1:] != vidx[:-1]
    trips = trip_arrays(region, vehicle=vidx, origin=origin, dest=dest, depart_s=depart)
    vehicles = file_vehicles(
        scenario,
        types=types,
        rng=rng,
        home_zone=origin[first],
        visitor=visitor,
        type_idx=veh_type.astype(np.int64),
        initial_soc=veh_soc.astype(np.float64),
        zones=region.zones,
    )
    jumps = int(np.sum(~first[1:] & (origin[1:] != dest[:-1])))
    logger.info(
        "demand: %d trips of %d vehicles (%d visiting a charging site) from %s%s",
        len(vidx),
        n_veh,
        int(visitor.sum()),
        table.path,
        f"; {jumps} trips start where the car's previous trip did not end" if jumps else "",
    )
    return vehicles, trips
