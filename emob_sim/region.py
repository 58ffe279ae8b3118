"""The region: road network, zones, charging sites and the travel matrices between them."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.config.models import Scenario
from emob_sim.demand.zones import load_zones, snap_zones
from emob_sim.errors import ConfigError
from emob_sim.network import load_network
from emob_sim.network.arrays import RoadNetwork
from emob_sim.network.routing import point_matrices
from emob_sim.sites import load_sites, snap_sites

__all__ = ["Region", "ZONE_COLUMNS", "SITE_COLUMNS", "build_region", "intrazonal_distance_km"]

logger = logging.getLogger(__name__)

#: columns of Region.zones (one row per zone, index 0..n_zones-1 = zone index)
ZONE_COLUMNS = [
    "zone_id",  # str, unique
    "name",  # str
    "kind",  # "zone" (residents), "external" (attractor, e.g. Rīga), "gateway" (through traffic)
    "lon",
    "lat",  # float, WGS84
    "population",  # float, residents (0 for gateways)
    "area_km2",  # float (0 where unknown)
    "municipality",  # str (post-2021 municipality for Zemgale; "" where not applicable)
    "node",  # int, index into network arrays of the nearest network node
    "snap_distance_m",  # float, distance from the zone centre to that node
]

#: columns of Region.sites (one row per public charging site, index 0..n_sites-1 = site index)
SITE_COLUMNS = [
    "site_id",  # str, unique
    "name",
    "kind",  # "car_ac" | "car_dc"
    "lon",
    "lat",
    "plugs",  # int >= 1
    "power_kw",  # float, per plug
    "node",  # int, index into network arrays
    "snap_distance_m",
    "source",  # str
]


@dataclass(frozen=True, eq=False)
class Region:
    """Everything spatial a simulation needs.

    Points are the zones followed by the sites: point ``p < n_zones`` is zone ``p`` and point
    ``n_zones + s`` is site ``s``. ``time_s[p, q]`` and ``dist_km[p, q]`` are the shortest
    network travel time and its length between points; the diagonal of the zone block holds
    the intrazonal trip (a typical trip inside the zone), the site diagonal is 0.
    """

    network: RoadNetwork
    zones: pd.DataFrame
    sites: pd.DataFrame
    time_s: NDArray[np.float64]
    dist_km: NDArray[np.float64]

    @property
    def n_zones(self) -> int:
        return len(self.zones)

    @property
    def n_sites(self) -> int:
        return len(self.sites)

    def site_point(self, site_index: int | NDArray[np.int64]) -> int | NDArray[np.int64]:
        """Point index of a site index."""
        return self.n_zones + site_index


#: shortest intrazonal trip: zones of unknown or tiny area still have trips of about this length
MIN_INTRAZONAL_KM = 1.0


def intrazonal_distance_km(area_km2: NDArray[np.float64]) -> NDArray[np.float64]:
    """Typical length of a trip inside a zone.

    The mean straight-line distance between two uniformly random points of a disc of the
    zone's area, ``128 / (45 * pi) * r`` with ``r = sqrt(area_km2 / pi)`` (about ``0.51 *
    sqrt(area_km2)``), and at least :data:`MIN_INTRAZONAL_KM` (also for an unknown area, 0).
    """
    radius_km = np.sqrt(np.asarray(area_km2, dtype=float) / np.pi)
    return np.maximum(128.0 / (45.0 * np.pi) * radius_km, MIN_INTRAZONAL_KM)


def build_region(scenario: Scenario) -> Region:
    """Load the road network, zones and sites of a scenario and the travel matrices between them.

    Parameters
    ----------
    scenario
        The validated scenario (``network``, ``zones``, ``charging`` sections are used).

    Returns
    -------
    Region
        Zones then sites as points; ``time_s``/``dist_km`` hold the fastest network path and its
        length between the points' nodes; the zone diagonal is the intrazonal trip
        (:func:`intrazonal_distance_km` at ``zones.intrazonal_speed_kph``), the site diagonal 0.

    Raises
    ------
    ConfigError
        The scenario names no zones file.
    DataError
        A bad zones or sites table.
    NetworkError
        A zone or site farther than its ``max_snap_distance_m`` from the network, or two points
        without a path between them.
    """
    if scenario.zones.file is None:
        raise ConfigError("zones.file: not set, expected a zones CSV (see data/zemgale/zones.csv)")
    network = load_network(scenario.network)
    zones = snap_zones(
        load_zones(scenario.zones.file),
        network,
        max_snap_distance_m=scenario.zones.max_snap_distance_m,
    )[ZONE_COLUMNS]
    sites = snap_sites(
        load_sites(scenario.charging),
        network,
        max_snap_distance_m=scenario.charging.max_snap_distance_m,
    )[SITE_COLUMNS]

    points = np.concatenate([zones["node"].to_numpy(), sites["node"].to_numpy()]).astype(np.int64)
    labels = [f"zone {z}" for z in zones["zone_id"]] + [f"site {s}" for s in sites["site_id"]]
    time_s, dist_km = point_matrices(network, points, labels=labels)

    n_zones = len(zones)
    intra_km = intrazonal_distance_km(zones["area_km2"].to_numpy(dtype=float))
    diag = np.arange(n_zones)
    dist_km[diag, diag] = intra_km
    time_s[diag, diag] = intra_km / scenario.zones.intrazonal_speed_kph * 3600.0
    logger.info(
        "region: %d nodes, %d zones, %d sites (%s)",
        network.n_nodes, n_zones, len(sites), network.description,
    )
    return Region(network=network, zones=zones, sites=sites, time_s=time_s, dist_km=dist_km)
