"""The demand stage: fleet, daily chains and through trips of one scenario and seed."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.config.models import Scenario
from emob_sim.demand.areas import generate_area_cars
from emob_sim.demand.chains import PURPOSES, destination_mass, generate_chains
from emob_sim.demand.fleet import TypeArrays, sample_fleet, type_arrays, vehicle_frame
from emob_sim.demand.intrazonal import IntrazonalTrips
from emob_sim.demand.od import od_demand
from emob_sim.demand.sizes import check_demand_size
from emob_sim.demand.tables import TRIP_COLUMNS, Demand
from emob_sim.demand.through import corridor_zone_indices, generate_through
from emob_sim.demand.triptable import trip_table_demand
from emob_sim.errors import DataError
from emob_sim.seeds import children

if TYPE_CHECKING:
    from emob_sim.region import Region

__all__ = ["generate_demand", "demand_streams"]

logger = logging.getLogger(__name__)

#: component streams of the demand stage, in spawn-key order
STREAM_NAMES: tuple[str, ...] = ("fleet", "chains", "through", "commuters", "files")
# extra spawn-key element that keeps the demand streams apart from any children a caller
# spawns from the same SeedSequence ("DEM" in ASCII)
_STREAM_TAG = 0x44454D


def demand_streams(seed_seq: np.random.SeedSequence) -> dict[str, np.random.SeedSequence]:
    """Child SeedSequences of the demand components (see :data:`STREAM_NAMES`).

    The children extend ``seed_seq.spawn_key`` by ``(_STREAM_TAG, i)`` instead of calling
    ``seed_seq.spawn()``, so they do not depend on (or advance) the spawn counter of
    ``seed_seq``: the same SeedSequence always yields the same demand, and each component has
    its own stream (changing the corridor volumes leaves the resident fleet and chains as
    they were).

    Parameters
    ----------
    seed_seq : numpy.random.SeedSequence
        The run's ``demand`` stream (:func:`emob_sim.seeds.seed_streams`).

    Returns
    -------
    dict[str, numpy.random.SeedSequence]
        Component name (:data:`STREAM_NAMES`) -> its stream.
    """
    streams = children(seed_seq, len(STREAM_NAMES), tag=_STREAM_TAG)
    return dict(zip(STREAM_NAMES, streams, strict=True))


def _check_region(region: Region) -> None:
    n = region.n_zones
    for key in ("time_s", "dist_km"):
        shape = np.shape(getattr(region, key))
        if len(shape) != 2 or shape[0] < n or shape[1] < n:
            raise DataError(
                f"region.{key}: expected a matrix of at least {n} x {n} points (the zones), "
                f"got shape {shape}"
            )
    missing = {"zone_id", "kind", "population"} - set(region.zones.columns)
    if missing:
        raise DataError(f"region.zones: missing columns {sorted(missing)}")


def generate_demand(scenario: Scenario, region: Region, seed_seq: np.random.SeedSequence) -> Demand:
    """Sample the electric-car fleet and its trips for one scenario and seed.

    Resident cars come first (ordered by home zone; :mod:`emob_sim.demand.fleet`), through
    vehicles after them (:mod:`emob_sim.demand.through`), then the commuters of the
    region's industrial areas and their depot vehicles (:mod:`emob_sim.demand.areas`);
    ``vehicle_id`` is the row number.
    Resident cars drive daily chains (:mod:`emob_sim.demand.chains`). With
    ``demand.source`` ``od_matrix`` or ``trips`` the cars and trips of the file take the
    residents' place (:mod:`emob_sim.demand.od`, :mod:`emob_sim.demand.triptable`; their
    destinations may be site points); through traffic and the areas' cars stay.
    Trips are sorted by (vehicle_id, depart_s) and ``trip_id`` is the row number. Origins
    and destinations are zone indices; distance and duration come from the zone block of the
    region's matrices, except for trips inside a zone (drawn from the zone's area, see
    :mod:`emob_sim.demand.chains`).

    Parameters
    ----------
    scenario
        Uses ``fleet``, ``demand``, ``time.days`` and ``zones.file`` (in error messages).
    region
        Zones (``zone_id``, ``kind``, ``population``) and the travel matrices.
    seed_seq
        Source of all randomness; the fleet, chain and through streams are derived from it
        by :func:`demand_streams`.

    Returns
    -------
    Demand
        Vehicles, trips and the vehicle types' DC curves.

    Raises
    ------
    ConfigError
        A corridor names a zone that the region does not have, or the run would hold more
        vehicles or trips than :mod:`emob_sim.demand.sizes` allows.
    DataError
        The region's matrices do not cover its zones, or a zone's population is absurd.
    """
    _check_region(region)
    check_demand_size(scenario, region.zones, region.areas)  # before anything is allocated
    zones = region.zones.reset_index(drop=True)
    n_zones = region.n_zones
    time_s = np.asarray(region.time_s, dtype=np.float64)[:n_zones, :n_zones]
    dist_km = np.asarray(region.dist_km, dtype=np.float64)[:n_zones, :n_zones]
    ends = corridor_zone_indices(scenario, zones)
    streams = demand_streams(seed_seq)
    types = type_arrays(scenario.fleet)

    residents, chain_trips = _resident_demand(
        scenario, region, zones, time_s, dist_km, types=types, streams=streams
    )
    through_vehicles, through_trips = generate_through(
        scenario, ends=ends, types=types, seed_seq=streams["through"]
    )
    n_through = through_vehicles["type_idx"].shape[0]
    through = vehicle_frame(
        type_idx=through_vehicles["type_idx"],
        home_zone=through_vehicles["home_zone"],
        resident=np.zeros(n_through, dtype=bool),
        home_charging=np.zeros(n_through, dtype=bool),
        initial_soc=through_vehicles["initial_soc"],
        types=types,
    )
    through_trips["vehicle"] = through_trips["vehicle"] + len(residents)
    through_trips["distance_km"] = dist_km[through_trips["origin"], through_trips["dest"]]
    through_trips["duration_s"] = time_s[through_trips["origin"], through_trips["dest"]]
    parts, trip_parts = [residents, through], [chain_trips, through_trips]
    workplace = depot = None
    areas = region.areas
    if areas is not None and len(areas):
        area_cars, area_trips, area, at_depot = generate_area_cars(
            scenario, areas, zones, time_s, dist_km, types, streams["commuters"]
        )
        area_trips["vehicle"] = area_trips["vehicle"] + len(residents) + n_through
        parts.append(area_cars)
        trip_parts.append(area_trips)
        others = len(residents) + n_through
        workplace = np.concatenate([np.full(others, -1, np.int64), area])
        depot = np.concatenate([np.zeros(others, dtype=bool), at_depot])
    vehicles = pd.concat(parts, ignore_index=True)
    vehicles["vehicle_id"] = np.arange(len(vehicles), dtype=np.int64)

    trips = _trip_frame({k: np.concatenate([p[k] for p in trip_parts]) for k in chain_trips})
    logger.info(
        "demand: %d %s and %d through vehicles, %d trips over %d day(s)",
        len(residents),
        "resident" if scenario.demand.source == "chains" else f"{scenario.demand.source} file",
        n_through,
        len(trips),
        scenario.time.days,
    )
    return Demand(
        vehicles=vehicles,
        trips=trips,
        type_ids=list(types.ids),
        curve_soc=types.curve_soc,
        curve_frac=types.curve_frac,
        workplace=workplace,
        depot=depot,
    )


def _resident_demand(
    scenario: Scenario,
    region: Region,
    zones: pd.DataFrame,
    time_s: NDArray[np.float64],
    dist_km: NDArray[np.float64],
    *,
    types: TypeArrays,
    streams: dict[str, np.random.SeedSequence],
) -> tuple[pd.DataFrame, dict[str, NDArray]]:
    """The residents' cars and trips: drawn chains, or the demand file of ``demand.source``."""
    source = scenario.demand.source
    if source != "chains":
        rng = np.random.Generator(np.random.PCG64(streams["files"]))
        make = od_demand if source == "od_matrix" else trip_table_demand
        return make(scenario, region, types=types, rng=rng)
    residents = sample_fleet(
        scenario.fleet,
        zones,
        np.random.Generator(np.random.PCG64(streams["fleet"])),
        types=types,
        home_start_soc=scenario.charging.home_target_soc,
    )
    chain_trips = generate_chains(
        scenario.demand,
        days=scenario.time.days,
        home_zone=residents["home_zone"].to_numpy(),
        mass=destination_mass(zones, external_attraction=scenario.demand.external_attraction),
        time_s=time_s,
        dist_km=dist_km,
        seed_seq=streams["chains"],
        intrazonal=IntrazonalTrips.of_zones(zones, scenario.zones),
    )
    return residents, chain_trips


def _trip_frame(arrays: dict[str, NDArray]) -> pd.DataFrame:
    """Sort trip arrays by (vehicle, depart_s, seq) and build the :data:`TRIP_COLUMNS` table.

    The generators emit each vehicle's trips in time order (days ascending, legs of a chain
    consecutive), so a stable sort by vehicle (a fast radix sort) is enough; the full
    lexicographic sort is the fallback should that ever not hold.
    """
    order = np.argsort(arrays["vehicle"], kind="stable")
    vid, dep = arrays["vehicle"][order], arrays["depart_s"][order]
    if np.any((vid[1:] == vid[:-1]) & (dep[1:] < dep[:-1])):
        order = np.lexsort((arrays["seq"], arrays["depart_s"], arrays["vehicle"]))
    origin = arrays["origin"][order]
    dest = arrays["dest"][order]
    frame = pd.DataFrame(
        {
            "trip_id": np.arange(order.shape[0], dtype=np.int64),
            "vehicle_id": arrays["vehicle"][order].astype(np.int64),
            "day": arrays["day"][order].astype(np.int64),
            "seq": arrays["seq"][order].astype(np.int64),
            "origin": origin.astype(np.int64),
            "dest": dest.astype(np.int64),
            "depart_s": arrays["depart_s"][order].astype(np.float64),
            "distance_km": arrays["distance_km"][order].astype(np.float64),
            "duration_s": arrays["duration_s"][order].astype(np.float64),
            "purpose": np.asarray(PURPOSES, dtype=object)[arrays["purpose_code"][order]],
            "last_of_day": arrays["last_of_day"][order].astype(bool),
        }
    )
    return frame[TRIP_COLUMNS]
