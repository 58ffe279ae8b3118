"""The region: road network, zones, charging sites and the travel matrices between them."""

from __future__ import annotations

import dataclasses
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
from emob_sim.ebike.layer import BikeLayer, build_bike_layer
from emob_sim.sites import load_sites, snap_sites, split_sites

__all__ = [
    "Region",
    "ZONE_COLUMNS",
    "SITE_COLUMNS",
    "build_region",
    "with_sites",
    "site_matrices",
    "intrazonal_distance_km",
]

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

    ``sites`` holds the car sites (kinds ``car_ac``/``car_dc``); ``bike`` is the e-bike layer
    (bike network, public e-bike points of kind ``ebike``, bike matrices; see
    :class:`emob_sim.ebike.layer.BikeLayer`), None when e-bikes are off. Make a changed copy
    with :func:`dataclasses.replace` so that the layer is kept.
    """

    network: RoadNetwork
    zones: pd.DataFrame
    sites: pd.DataFrame
    time_s: NDArray[np.float64]
    dist_km: NDArray[np.float64]
    bike: BikeLayer | None = None

    @property
    def ebike_sites(self) -> pd.DataFrame:
        """Public e-bike points (:data:`SITE_COLUMNS`, ``node`` on the bike network)."""
        if self.bike is None:
            return pd.DataFrame(columns=SITE_COLUMNS)
        return self.bike.sites

    @property
    def n_zones(self) -> int:
        return len(self.zones)

    @property
    def n_sites(self) -> int:
        return len(self.sites)

    def site_point(self, site_index: int | NDArray[np.int64]) -> int | NDArray[np.int64]:
        """Point index of a site index."""
        return self.n_zones + site_index


def intrazonal_distance_km(
    area_km2: NDArray[np.float64], *, min_km: float
) -> NDArray[np.float64]:
    """Typical length of a trip inside a zone.

    The mean straight-line distance between two uniformly random points of a disc of the
    zone's area, ``128 / (45 * pi) * r`` with ``r = sqrt(area_km2 / pi)`` (about ``0.51 *
    sqrt(area_km2)``), and at least ``min_km`` (``zones.min_intrazonal_km``; also for an unknown area, 0).
    """
    radius_km = np.sqrt(np.asarray(area_km2, dtype=float) / np.pi)
    return np.maximum(128.0 / (45.0 * np.pi) * radius_km, min_km)


def build_region(scenario: Scenario) -> Region:
    """Load the road network, zones and sites of a scenario and the travel matrices between them.

    Parameters
    ----------
    scenario
        The validated scenario (``network``, ``zones``, ``charging`` sections are used;
        ``ebike`` for the e-bike layer, see :func:`emob_sim.ebike.layer.build_bike_layer`).

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
    car_sites, ebike_sites = split_sites(load_sites(scenario.charging))
    sites = snap_sites(
        car_sites,
        network,
        max_snap_distance_m=scenario.charging.max_snap_distance_m,
    )[SITE_COLUMNS]

    points = np.concatenate([zones["node"].to_numpy(), sites["node"].to_numpy()]).astype(np.int64)
    labels = [f"zone {z}" for z in zones["zone_id"]] + [f"site {s}" for s in sites["site_id"]]
    time_s, dist_km = point_matrices(network, points, labels=labels)

    n_zones = len(zones)
    intra_km = intrazonal_distance_km(
        zones["area_km2"].to_numpy(dtype=float), min_km=scenario.zones.min_intrazonal_km
    )
    diag = np.arange(n_zones)
    dist_km[diag, diag] = intra_km
    time_s[diag, diag] = intra_km / scenario.zones.intrazonal_speed_kph * 3600.0
    logger.info(
        "region: %d nodes, %d zones, %d sites (%s)",
        network.n_nodes, n_zones, len(sites), network.description,
    )
    bike = None
    if scenario.ebike.enabled:
        bike = build_bike_layer(scenario, zones, ebike_sites, drive=network)
    return Region(
        network=network, zones=zones, sites=sites, time_s=time_s, dist_km=dist_km, bike=bike
    )



def site_matrices(
    region: Region, sites: pd.DataFrame, *, max_snap_distance_m: float
) -> tuple[pd.DataFrame, NDArray[np.float64], NDArray[np.float64]]:
    """Snap sites of any kind to the drive network; travel matrices over zones then these sites.

    The zone block of ``region`` is reused. When every site lies on a node that is already a
    point of ``region`` (a zone or a site), the site rows and columns are copied; otherwise the
    zone nodes and the site nodes are routed again with
    :func:`~emob_sim.network.routing.point_matrices` (the zone block is kept as it was).

    Returns
    -------
    sites, time_s, dist_km
        The sites with :data:`SITE_COLUMNS` and the matrices (as :class:`Region`'s).

    Raises
    ------
    NetworkError
        A site is too far from the network (named in the message) or unreachable.
    """
    sites = snap_sites(
        sites.reset_index(drop=True), region.network, max_snap_distance_m=max_snap_distance_m
    )[SITE_COLUMNS]
    n_zones = region.n_zones
    old_nodes = np.concatenate([region.zones["node"], region.sites["node"]]).astype(np.int64)
    site_nodes = sites["node"].to_numpy(dtype=np.int64)
    known, first = np.unique(old_nodes, return_index=True)
    pos = np.minimum(np.searchsorted(known, site_nodes), max(known.size - 1, 0))
    if known.size and np.array_equal(known[pos], site_nodes):
        src = np.concatenate([np.arange(n_zones), first[pos]])
        time_s = region.time_s[np.ix_(src, src)]
        dist_km = region.dist_km[np.ix_(src, src)]
    else:
        points = np.concatenate([old_nodes[:n_zones], site_nodes])
        labels = [f"zone {z}" for z in region.zones["zone_id"]] + [
            f"site {s}" for s in sites["site_id"]
        ]
        time_s, dist_km = point_matrices(region.network, points, labels=labels)
        time_s[:n_zones, :n_zones] = region.time_s[:n_zones, :n_zones]
        dist_km[:n_zones, :n_zones] = region.dist_km[:n_zones, :n_zones]
    # points on one node are 0 apart, except a zone and itself (the intrazonal trip)
    nodes = np.concatenate([old_nodes[:n_zones], site_nodes])
    same = nodes[:, None] == nodes[None, :]
    same[:n_zones, :n_zones] = False
    time_s[same] = 0.0
    dist_km[same] = 0.0
    return sites, time_s, dist_km


def with_sites(
    region: Region,
    sites: pd.DataFrame,
    *,
    max_snap_distance_m: float,
    scenario: Scenario | None = None,
) -> Region:
    """The same region with another table of charging sites.

    Car sites replace ``region.sites`` (network, zones and zone matrices are reused, see
    :func:`site_matrices`). Sites of kind ``ebike`` go to the e-bike layer, which is rebuilt
    for them with ``scenario`` (:func:`~emob_sim.ebike.layer.build_bike_layer`; this loads the
    bike network again for OSM sources); without e-bike sites the layer is kept when it has
    no sites, else rebuilt empty. Without an e-bike layer (e-bikes off) e-bike sites are left
    out, as in :func:`build_region`.

    Parameters
    ----------
    region
        The region to start from.
    sites
        New sites with the columns of :data:`emob_sim.sites.SITE_FILE_COLUMNS` (as returned by
        :func:`~emob_sim.sites.load_sites`).
    max_snap_distance_m
        A site farther than this from every network node is an error.
    scenario
        Needed when the e-bike layer has to be rebuilt.

    Raises
    ------
    NetworkError
        A site is too far from the network (named in the message) or unreachable.
    ConfigError
        The e-bike layer must be rebuilt and no scenario is given.
    """
    car, ebike = split_sites(sites.reset_index(drop=True))
    car, time_s, dist_km = site_matrices(region, car, max_snap_distance_m=max_snap_distance_m)
    bike = region.bike
    if bike is not None and (len(ebike) or bike.n_sites):
        if scenario is None:
            raise ConfigError("with_sites: e-bike sites changed, pass the scenario to rebuild them")
        bike = build_bike_layer(scenario, region.zones, ebike, drive=region.network)
    elif bike is None and len(ebike):  # e-bikes off: their sites are left out, as in build_region
        logger.info("e-bikes are off: %d e-bike sites left out", len(ebike))
    logger.debug("region with %d car and %d e-bike sites", len(car), len(ebike))
    return dataclasses.replace(region, sites=car, time_s=time_s, dist_km=dist_km, bike=bike)
