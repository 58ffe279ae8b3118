"""Synthetic regions for measuring cost as the work grows: a road grid, zones, sites, trips.

A synthetic region is a jittered square road grid (``n_nodes`` nodes, ``spacing_km`` apart)
near Zemgale with

- a road hierarchy: every :data:`TRUNK_EVERY`-th row and column is a ``trunk``, every
  :data:`PRIMARY_EVERY`-th a ``primary``, every :data:`SECONDARY_EVERY`-th a ``secondary``,
  the rest ``tertiary`` (speeds from the scenario's ``network.hwy_speeds_kph``);
- ``n_zones`` resident zones centred on distinct random nodes, population log-normal
  (median :data:`MEDIAN_POPULATION`, a few towns and many villages), area = the grid's area
  shared out by population;
- four gateways (population 0) at the middles of the grid's sides and two corridors of through
  traffic between opposite gateways;
- ``n_sites`` public charging sites at the centres of the most populous zones: DC sites
  (4-8 plugs of 50-150 kW) and AC sites (2-4 plugs of 22 kW).

:func:`synthetic_tables` draws it (from a seed); :func:`write_synthetic` writes it in the
strategic format (``nodes.csv``, ``links.csv``) with ``zones.csv``, ``sites.csv`` and a
``scenario.yaml`` that extends the base scenario, so that ``build_region`` and ``emob-sim run``
read it like any other region. :func:`synthetic_network` builds the same road network directly
as arrays (no networkx graph), for routing benchmarks on up to 200,000 nodes.
:func:`ev_share_for_trips` gives the ``fleet.ev_share`` that makes a scenario produce a
wanted number of trips in expectation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import yaml
from numpy.typing import NDArray
from osmnx.distance import great_circle

from emob_sim.config.loading import BUNDLED_SCHEME
from emob_sim.config.models import Scenario
from emob_sim.demand.chains import CHAIN_STOPS
from emob_sim.errors import ConfigError
from emob_sim.io import atomic_output_dir
from emob_sim.network import OSM_ATTRIBUTION
from emob_sim.network.arrays import RoadNetwork
from emob_sim.region.sites import SITE_FILE_COLUMNS
from emob_sim.region.zones import ZONE_FILE_COLUMNS

__all__ = [
    "SyntheticRegion",
    "synthetic_tables",
    "synthetic_network",
    "write_synthetic",
    "ev_share_for_trips",
    "expected_trips_per_ev_share",
    "DETOUR_FACTOR",
    "MIN_NODES",
    "MAX_NODES",
]

logger = logging.getLogger(__name__)

MIN_NODES, MAX_NODES = 16, 200_000
TRUNK_EVERY, PRIMARY_EVERY, SECONDARY_EVERY = 50, 20, 5
#: road km per straight-line km of a grid link (its nodes are jittered, so links bend a little)
DETOUR_FACTOR = 1.1
MEDIAN_POPULATION = 1500.0
#: through traffic per corridor (cars per day, both directions), before the EV share
CORRIDOR_VEHICLES_PER_DAY = 2000.0
_ORIGIN_LON, _ORIGIN_LAT = 22.5, 56.0
_M_PER_DEG_LAT = 111_195.0


@dataclass(frozen=True, eq=False)
class SyntheticRegion:
    """The tables of a synthetic region, in the file formats of the strategic network.

    ``nodes``: node_id, name, lon, lat; ``links``: a, b (node names), highway; ``zones``: the
    zones-file columns (:data:`emob_sim.region.zones.ZONE_FILE_COLUMNS`); ``sites``: the
    sites-file columns; ``corridors``: a, b (gateway zone ids), vehicles_per_day.
    """

    nodes: pd.DataFrame
    links: pd.DataFrame
    zones: pd.DataFrame
    sites: pd.DataFrame
    corridors: pd.DataFrame
    spacing_km: float

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)


def _grid_shape(n_nodes: int) -> tuple[int, int]:
    cols = int(np.ceil(np.sqrt(n_nodes)))
    return int(np.ceil(n_nodes / cols)), cols


def _road_class(index: NDArray[np.int64]) -> NDArray[np.object_]:
    out = np.full(index.shape, "tertiary", dtype=object)
    out[index % SECONDARY_EVERY == 0] = "secondary"
    out[index % PRIMARY_EVERY == 0] = "primary"
    out[index % TRUNK_EVERY == 0] = "trunk"
    return out


def synthetic_tables(
    *,
    n_nodes: int,
    n_zones: int,
    n_sites: int,
    seed: int | np.random.SeedSequence = 0,
    spacing_km: float = 1.0,
) -> SyntheticRegion:
    """Draw a synthetic region (see the module docstring).

    Parameters
    ----------
    n_nodes
        Road nodes, :data:`MIN_NODES` to :data:`MAX_NODES`; the grid has ``ceil(sqrt(n))``
        columns and the last row may be partial.
    n_zones
        Resident zones (at most ``n_nodes - 4``: gateways take four other nodes).
    n_sites
        Public charging sites (at most ``n_zones``), at the most populous zones' centres.
    seed
        Seed or SeedSequence of all draws; the same seed gives the same tables.
    spacing_km
        Distance between neighbouring grid nodes before jitter.

    Raises
    ------
    ConfigError
        A size out of range.
    """
    if not MIN_NODES <= n_nodes <= MAX_NODES:
        raise ConfigError(f"n_nodes: expected {MIN_NODES} to {MAX_NODES}, got {n_nodes}")
    if not 1 <= n_zones <= n_nodes - 4:
        raise ConfigError(f"n_zones: expected 1 to n_nodes - 4 = {n_nodes - 4}, got {n_zones}")
    if not 0 <= n_sites <= n_zones:
        raise ConfigError(f"n_sites: expected 0 to n_zones = {n_zones}, got {n_sites}")
    if not spacing_km > 0:
        raise ConfigError(f"spacing_km: expected > 0, got {spacing_km}")
    seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    rng = np.random.Generator(np.random.PCG64(seq))
    rows, cols = _grid_shape(n_nodes)
    idx = np.arange(n_nodes, dtype=np.int64)
    r, c = idx // cols, idx % cols

    deg_lat = spacing_km * 1000.0 / _M_PER_DEG_LAT
    deg_lon = deg_lat / np.cos(np.deg2rad(_ORIGIN_LAT))
    jitter = rng.uniform(-0.2, 0.2, size=(n_nodes, 2))
    lon = np.round(_ORIGIN_LON + (c + jitter[:, 0]) * deg_lon, 6)
    lat = np.round(_ORIGIN_LAT + (r + jitter[:, 1]) * deg_lat, 6)
    names = np.char.add("n", (idx + 1).astype(str)).astype(object)
    nodes = pd.DataFrame({"node_id": idx + 1, "name": names, "lon": lon, "lat": lat})

    east = idx[(c + 1 < cols) & (idx + 1 < n_nodes)]  # link i -> i + 1 along a row
    north = idx[idx + cols < n_nodes]  # link i -> i + cols along a column
    links = pd.DataFrame(
        {
            "a": names[np.concatenate([east, north])],
            "b": names[np.concatenate([east + 1, north + cols])],
            "highway": np.concatenate([_road_class(r[east]), _road_class(c[north])]),
        }
    )

    # gateways at the middles of the sides (rows >= 3 and cols >= 4: four distinct nodes)
    mid = (rows - 1) // 2
    last_row_cols = n_nodes - (rows - 1) * cols
    gateways = {
        "gw-west": mid * cols,
        "gw-east": mid * cols + cols - 1,
        "gw-south": cols // 2,
        "gw-north": (rows - 1) * cols + min(cols // 2, last_row_cols - 1),
    }
    gw_ids, gw_nodes = list(gateways), np.array(list(gateways.values()), dtype=np.int64)
    free = np.setdiff1d(idx, gw_nodes)
    zone_nodes = np.sort(rng.choice(free, size=n_zones, replace=False))
    population = np.round(MEDIAN_POPULATION * np.exp(rng.normal(0.0, 1.2, n_zones)))
    population = np.maximum(population, 50.0)
    area = np.round(n_nodes * spacing_km**2 * population / population.sum(), 2)
    zone_ids = [f"z{k + 1}" for k in range(n_zones)]
    zones = pd.DataFrame(
        {
            "zone_id": zone_ids + gw_ids,
            "name": [f"zone {k + 1}" for k in range(n_zones)] + gw_ids,
            "kind": ["zone"] * n_zones + ["gateway"] * len(gw_ids),
            "lon": lon[np.concatenate([zone_nodes, gw_nodes])],
            "lat": lat[np.concatenate([zone_nodes, gw_nodes])],
            "population": np.concatenate([population, np.zeros(len(gw_ids))]),
            "area_km2": np.concatenate([area, np.zeros(len(gw_ids))]),
            "municipality": "",
        }
    )[ZONE_FILE_COLUMNS]
    corridors = pd.DataFrame(
        {
            "a": ["gw-west", "gw-south"],
            "b": ["gw-east", "gw-north"],
            "vehicles_per_day": CORRIDOR_VEHICLES_PER_DAY,
        }
    )

    biggest = np.argsort(-population, kind="stable")[:n_sites]
    is_dc = rng.random(n_sites) < 0.6
    sites = pd.DataFrame(
        {
            "site_id": [f"syn-{k + 1}" for k in range(n_sites)],
            "name": [f"site at {zone_ids[z]}" for z in biggest],
            "kind": np.where(is_dc, "car_dc", "car_ac"),
            "lon": lon[zone_nodes[biggest]],
            "lat": lat[zone_nodes[biggest]],
            "plugs": np.where(is_dc, rng.integers(4, 9, n_sites), rng.integers(2, 5, n_sites)),
            "power_kw": np.where(is_dc, rng.choice([50.0, 100.0, 150.0], n_sites), 22.0),
            "source": "synthetic",
        }
    )[SITE_FILE_COLUMNS]
    return SyntheticRegion(nodes, links, zones, sites, corridors, spacing_km)


def synthetic_network(
    region: SyntheticRegion,
    *,
    hwy_speeds_kph: dict[str, float],
    detour_factor: float = DETOUR_FACTOR,
) -> RoadNetwork:
    """The road network of a synthetic region as arrays, without building a networkx graph.

    The arrays equal those that ``load_network`` builds from the files of
    :func:`write_synthetic` (great-circle length x ``detour_factor``, travel time =
    length / class speed, both directions of every link); ``graph`` is an empty
    MultiDiGraph (crs EPSG:4326), so the result serves routing, not graph algorithms.

    Raises
    ------
    ConfigError
        A road class of the grid has no speed in ``hwy_speeds_kph``.
    """
    nodes, links = region.nodes, region.links
    missing = sorted(set(links["highway"]) - set(hwy_speeds_kph))
    if missing:
        raise ConfigError(f"hwy_speeds_kph: no speed for road classes {missing}")
    pos = pd.Series(np.arange(len(nodes)), index=nodes["name"].to_numpy())
    a = pos[links["a"].to_numpy()].to_numpy()
    b = pos[links["b"].to_numpy()].to_numpy()
    lon, lat = nodes["lon"].to_numpy(float), nodes["lat"].to_numpy(float)
    length = great_circle(lat[a], lon[a], lat[b], lon[b]) * detour_factor
    speed = links["highway"].map(hwy_speeds_kph).to_numpy(float)
    time = (length / 1000) / (speed / (60 * 60))
    row, col = np.concatenate([a, b]), np.concatenate([b, a])
    length, time = np.concatenate([length, length]), np.concatenate([time, time])
    order = np.lexsort((col, row))
    n = len(nodes)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=n), out=indptr[1:])
    return RoadNetwork(
        graph=nx.MultiDiGraph(crs="EPSG:4326"),
        node_ids=nodes["node_id"].to_numpy(np.int64),
        lon=lon,
        lat=lat,
        indptr=indptr,
        indices=col[order].astype(np.int64),
        length_m=length[order],
        travel_time_s=time[order],
        description=f"synthetic grid of {n} nodes (arrays only)",
        attribution=OSM_ATTRIBUTION,
    )


def write_synthetic(
    region: SyntheticRegion,
    out_dir: str | Path,
    *,
    name: str = "synthetic",
    days: int = 1,
    ev_share: float | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a synthetic region as files and return the path of its ``scenario.yaml``.

    The folder receives ``nodes.csv``, ``links.csv`` (strategic format), ``zones.csv``,
    ``sites.csv`` and ``scenario.yaml``, which extends the bundled ``configs/base.yaml``
    (written ``emob-sim:configs/base.yaml``, so the folder works on any installation) with
    these files, ``network.detour_factor`` = :data:`DETOUR_FACTOR`, no inline sites, the
    region's corridors, ``time.days`` and (when given) ``fleet.ev_share``. The folder is
    written atomically with kind ``synthetic`` (:func:`emob_sim.io.atomic_output_dir`): it
    must be new or empty, or, with ``overwrite``, a synthetic region written here before.

    Raises
    ------
    EmobSimError
        ``out_dir`` cannot be written (:func:`emob_sim.io.check_out_dir`).
    """
    scenario: dict = {
        "extends": BUNDLED_SCHEME + "configs/base.yaml",
        "name": name,
        "description": f"synthetic grid: {region.n_nodes} nodes, "
        f"{int((region.zones['kind'] == 'zone').sum())} zones, {len(region.sites)} sites",
        "time": {"days": days},
        "network": {"strategic_dir": ".", "detour_factor": DETOUR_FACTOR},
        "zones": {"file": "zones.csv"},
        "charging": {"sites_file": "sites.csv", "sites": []},
        "demand": {"corridors": region.corridors.to_dict(orient="records")},
    }
    if ev_share is not None:
        scenario["fleet"] = {"ev_share": float(ev_share)}
    with atomic_output_dir(out_dir, kind="synthetic", overwrite=overwrite) as tmp:
        region.nodes.to_csv(tmp / "nodes.csv", index=False)
        region.links.to_csv(tmp / "links.csv", index=False)
        region.zones.to_csv(tmp / "zones.csv", index=False)
        region.sites.to_csv(tmp / "sites.csv", index=False)
        text = yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True)
        (tmp / "scenario.yaml").write_text(text, "utf-8")
    out = Path(out_dir).expanduser().resolve()
    logger.info("synthetic region with %d nodes written to %s", region.n_nodes, out)
    return out / "scenario.yaml"


def expected_trips_per_ev_share(scenario: Scenario, zones: pd.DataFrame) -> tuple[float, float]:
    """Expected trips of a scenario as ``fixed + per_share * fleet.ev_share``.

    Residents drive ``sum(chain_shares[c] * legs(c))`` trips per car and day; through traffic
    drives one trip per car (its share is ``demand.through_ev_share`` or, when None, the
    fleet's). Returns ``(fixed, per_share)``.
    """
    is_zone = zones["kind"].to_numpy() == "zone"
    population = np.nan_to_num(zones["population"].to_numpy(float), nan=0.0)
    cars = float(population[is_zone].sum()) * scenario.fleet.cars_per_1000 / 1000.0
    legs = sum(s * (len(CHAIN_STOPS[c]) + 1) for c, s in scenario.demand.chain_shares.items())
    through = sum(c.vehicles_per_day for c in scenario.demand.corridors)
    days = scenario.time.days
    per_share, fixed = cars * legs * days, 0.0
    if scenario.demand.through_ev_share is None:
        per_share += through * days
    else:
        fixed = through * scenario.demand.through_ev_share * days
    return fixed, per_share


def ev_share_for_trips(scenario: Scenario, zones: pd.DataFrame, trips: float) -> float:
    """The ``fleet.ev_share`` with which ``scenario`` yields ``trips`` trips in expectation.

    Raises
    ------
    ConfigError
        The share would have to exceed 1 (or be negative).
    """
    fixed, per_share = expected_trips_per_ev_share(scenario, zones)
    share = (trips - fixed) / per_share if per_share > 0 else np.inf
    if not 0.0 <= share <= 1.0:
        raise ConfigError(
            f"trips: {trips:,.0f} trips over {scenario.time.days} day(s) need fleet.ev_share = "
            f"{share:.3g}, expected a share in [0, 1]; add days or population"
        )
    return float(share)
