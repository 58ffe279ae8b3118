"""The e-bike layer of a region, built beside the car layer: the bike network, the zones it
reaches, public e-bike points.

Networks
--------
For an OpenStreetMap source (``place``, ``bbox``, ``polygon``, ``file``) the layer loads the
source's bike network (OSMnx ``network_type="bike"``; pyrosm ``cycling`` for ``.pbf`` files; a
``.graphml`` file is used as saved) and prepares it like the drive network (largest strongly
connected component, lengths, CSR arrays, :func:`load_bike_network`). Travel times use the
e-bike riding speed ``ebike.speed_kph`` on every edge, not the car speeds OSMnx imputes.
Where every node has an ``elevation`` (e.g. added by
:func:`osmnx.elevation.add_node_elevations_raster`), the metres climbed along each fastest
path are summed (``climb_m``); pyrosm extracts have no elevations, so their trips are flat.
Climbs do not change riding times (ASSUMPTION).

Zone centres are snapped to the bike network. A zone farther than ``ebike.max_snap_distance_m``
from it gets no e-bike demand (a warning names the zones dropped); gateways never have e-bike
demand. If no zone of kind ``zone`` is left, :class:`~emob_sim.errors.NetworkError`.

The strategic source (main roads only) has no bike network: e-bike trips stay inside their zone
with lengths drawn from ``ebike.intrazonal_trip_km`` (see :mod:`emob_sim.demand.ebike`).

Public e-bike points
--------------------
Sites of kind ``ebike`` (``charging.sites_file`` / ``charging.sites``) are snapped to the bike
network (to the drive network for the strategic source). Trips end at zones, not at addresses,
so a point serves the destinations of the zone it lies in: the zone whose centre is nearest
(bike network distance; great circle on the strategic source). A destination in zone ``z`` is
within walking distance ``r = ebike.max_walk_m`` of one of the zone's ``n`` points with
probability ``near_share[z] = min(1, n * pi * r**2 / A_z)``, the share of the area ``A_z``
holding the zone's destinations that the points' walking catchments cover (overlaps ignored; a
zone of unknown area counts as covered). ``A_z`` is the zone's area, at most
``ebike.destination_area_km2`` (ASSUMPTION: work and errands lie in the town centre of a large
rural zone; null: the whole area). Each e-bike trip draws whether it ends near them
(:mod:`emob_sim.demand.ebike`); a rider tries the zone's points nearest to its centre first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from emob_sim.config.models import EbikeConfig, NetworkConfig, Scenario
from emob_sim.errors import NetworkError
from emob_sim.network import OSM_ATTRIBUTION, describe_source, load_graph, prepare_graph, to_arrays
from emob_sim.network.arrays import RoadNetwork
from emob_sim.network.routing import edge_matrix, nearest_nodes, point_matrices, tree_sums
from emob_sim.region.sites import snap_sites
from emob_sim.region.zones import intrazonal_distance_km

__all__ = ["BikeLayer", "build_bike_layer", "load_bike_network", "edge_climb_m", "path_climb_m"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class BikeLayer:
    """What the e-bike stage needs of the region.

    Attributes
    ----------
    network
        The prepared bike network (None for the strategic source).
    sites
        Public e-bike points (kind ``ebike``) with the columns of
        :data:`emob_sim.region.sites.SITE_COLUMNS`; ``node`` indexes ``network`` (the drive network
        for the strategic source). Row = e-bike site index.
    zone_ok
        Per zone: has e-bike demand (kind ``zone`` or ``external`` and reached by the network).
    time_s, dist_km, climb_m
        Zone-to-zone riding time, length and metres climbed on the bike network (the
        diagonal: the intrazonal trip, flat); NaN in rows and columns of zones not ``zone_ok``;
        None for the strategic source.
    site_zone
        Per site: the zone it serves (index into the zones).
    site_centre_m
        Per site: its distance from that zone's centre (riders try nearer points first).
    near_share
        Per zone: probability that a destination there is within walking distance of one of
        its points (0 for zones without points).
    speed_kph
        Riding speed used for the times.
    """

    network: RoadNetwork | None
    sites: pd.DataFrame
    zone_ok: NDArray[np.bool_]
    time_s: NDArray[np.float64] | None
    dist_km: NDArray[np.float64] | None
    climb_m: NDArray[np.float64] | None
    site_zone: NDArray[np.int64]
    site_centre_m: NDArray[np.float64]
    near_share: NDArray[np.float64]
    speed_kph: float

    @property
    def n_sites(self) -> int:
        """Number of public e-bike charging points (rows of ``sites``)."""
        return len(self.sites)


def load_bike_network(config: NetworkConfig, *, speed_kph: float) -> RoadNetwork:
    """Load and prepare the bike network of an OSM source, timed at ``speed_kph``.

    Parameters
    ----------
    config : NetworkConfig
        The scenario's ``network:`` section (its OSM source and highway speeds).
    speed_kph : float
        The e-bikes' riding speed on every edge, km/h.

    Returns
    -------
    RoadNetwork
        The bike network as arrays, travel times at ``speed_kph``.

    Raises
    ------
    NetworkError, InputFileNotFoundError
        The source cannot be read or downloaded, or holds no bike network.
    """
    description = describe_source(config, network_type="bike")
    G = load_graph(config, network_type="bike")
    G = prepare_graph(
        G,
        hwy_speeds_kph=dict(config.hwy_speeds_kph),
        fallback_speed_kph=config.fallback_speed_kph,
        source=description,
    )
    mps = speed_kph / 3.6
    nx.set_edge_attributes(G, float(speed_kph), "speed_kph")
    nx.set_edge_attributes(
        G,
        {(u, v, k): float(d["length"]) / mps for u, v, k, d in G.edges(keys=True, data=True)},
        "travel_time",
    )
    return to_arrays(
        G, description=f"{description}, e-bikes at {speed_kph:g} km/h", attribution=OSM_ATTRIBUTION
    )


def edge_climb_m(network: RoadNetwork) -> NDArray[np.float64] | None:
    """Metres climbed along each CSR edge, ``max(elevation[to] - elevation[from], 0)``.

    None when a node of the graph lacks a finite ``elevation`` (the network is then flat).

    Parameters
    ----------
    network : RoadNetwork
        The bike network, its graph's nodes with ``elevation`` (m).

    Returns
    -------
    numpy.ndarray or None
        Per edge (in CSR order): the climb, m.
    """
    nodes = network.graph.nodes
    elev = np.array([nodes[n].get("elevation", np.nan) for n in network.node_ids], dtype=float)
    if elev.size == 0 or not np.isfinite(elev).all():
        return None
    row = np.repeat(np.arange(network.n_nodes), np.diff(network.indptr))
    return np.maximum(elev[network.indices] - elev[row], 0.0)


def path_climb_m(network: RoadNetwork, nodes: NDArray[np.int64]) -> NDArray[np.float64] | None:
    """Metres climbed along the fastest path between every pair of ``nodes`` (None if flat).

    Parameters
    ----------
    network : RoadNetwork
        The bike network, its graph's nodes with ``elevation`` (m).
    nodes : numpy.ndarray
        Node indices (rows of the network's arrays).

    Returns
    -------
    numpy.ndarray or None
        Square matrix over ``nodes``: the climb from row node to column node, m.
    """
    climb = edge_climb_m(network)
    if climb is None:
        return None
    time_graph = edge_matrix(network, network.travel_time_s)
    sources, inverse = np.unique(np.asarray(nodes, dtype=np.int64), return_inverse=True)
    _, pred = dijkstra(time_graph, directed=True, indices=sources, return_predecessors=True)
    climb_along = tree_sums(pred, edge_matrix(network, climb))
    return climb_along[:, sources][np.ix_(inverse, inverse)]


def _empty_matrix(n: int) -> NDArray[np.float64]:
    return np.full((n, n), np.nan)


def build_bike_layer(
    scenario: Scenario,
    zones: pd.DataFrame,
    ebike_sites: pd.DataFrame,
    *,
    drive: RoadNetwork,
    bike: RoadNetwork | None = None,
) -> BikeLayer:
    """Build the e-bike layer of a region (see the module docstring).

    Parameters
    ----------
    scenario
        Uses ``network``, ``ebike`` and ``charging.max_snap_distance_m``.
    zones
        The region's zone table (:data:`emob_sim.region.zones.ZONE_COLUMNS`).
    ebike_sites
        Sites of kind ``ebike`` as returned by :func:`emob_sim.region.sites.load_sites`.
    drive
        The region's drive network (sites of the strategic source are snapped to it).
    bike
        The bike network when already loaded (e.g. ``region.bike.network``, to place other
        e-bike sites without loading it again); None loads it (OSM sources).

    Returns
    -------
    BikeLayer
        The bike network, the e-bike sites snapped to it with their serving zones, and the
        travel matrices of bikes.

    Raises
    ------
    NetworkError
        No bike network, no zone of kind ``zone`` near it, or a site too far from it.
    """
    cfg = scenario.ebike
    n_zones = len(zones)
    kind = zones["kind"].to_numpy()
    wants = np.isin(kind, ("zone", "external"))
    snap_m = scenario.charging.max_snap_distance_m
    if scenario.network.source == "strategic":
        sites = snap_sites(ebike_sites.reset_index(drop=True), drive, max_snap_distance_m=snap_m)
        ok_idx = np.flatnonzero(wants)
        centre_m = _great_circle_m(zones.iloc[ok_idx], sites)
        site_zone, site_centre_m = _serving_zone(ok_idx, centre_m)
        return BikeLayer(
            network=None,
            sites=sites,
            zone_ok=wants,
            time_s=None,
            dist_km=None,
            climb_m=None,
            site_zone=site_zone,
            site_centre_m=site_centre_m,
            near_share=_near_share(zones, site_zone, cfg),
            speed_kph=cfg.speed_kph,
        )

    if bike is None:
        bike = load_bike_network(scenario.network, speed_kph=cfg.speed_kph)
    node, dist_m = nearest_nodes(
        bike, zones["lon"].to_numpy(dtype=float), zones["lat"].to_numpy(dtype=float)
    )
    ok = wants & (dist_m <= cfg.max_snap_distance_m)
    dropped = wants & ~ok
    if dropped.any():
        names = ", ".join(repr(z) for z in zones["zone_id"][dropped])
        logger.warning(
            "ebike: zones %s are more than %g m from the bike network (%s) and get no e-bike "
            "demand",
            names,
            cfg.max_snap_distance_m,
            bike.description,
        )
    if not (ok & (kind == "zone")).any():
        raise NetworkError(
            f"ebike: no zone of kind 'zone' lies within ebike.max_snap_distance_m = "
            f"{cfg.max_snap_distance_m:g} m of the bike network ({bike.description})"
        )
    sites = snap_sites(ebike_sites.reset_index(drop=True), bike, max_snap_distance_m=snap_m)
    ok_idx = np.flatnonzero(ok)
    points = np.concatenate([node[ok_idx], sites["node"].to_numpy(dtype=np.int64)])
    labels = [f"zone {z}" for z in zones["zone_id"][ok]] + [f"site {s}" for s in sites["site_id"]]
    time_p, dist_p = point_matrices(bike, points, labels=labels)
    climb_p = path_climb_m(bike, points)
    k = ok_idx.size

    time_s, dist_km, climb_m = (_empty_matrix(n_zones) for _ in range(3))
    block = np.ix_(ok_idx, ok_idx)
    time_s[block] = time_p[:k, :k]
    dist_km[block] = dist_p[:k, :k]
    climb_m[block] = climb_p[:k, :k] if climb_p is not None else 0.0
    intra_km = intrazonal_distance_km(
        zones["area_km2"].to_numpy(dtype=float)[ok_idx], min_km=scenario.zones.min_intrazonal_km
    )
    dist_km[ok_idx, ok_idx] = intra_km
    time_s[ok_idx, ok_idx] = intra_km / cfg.speed_kph * 3600.0
    climb_m[ok_idx, ok_idx] = 0.0
    site_zone, site_centre_m = _serving_zone(ok_idx, dist_p[:k, k:] * 1000.0)
    logger.info(
        "bike network: %d nodes, %d edges; %d of %d zones reached, %d e-bike sites%s",
        bike.n_nodes,
        bike.n_edges,
        k,
        n_zones,
        len(sites),
        "" if climb_p is not None else " (no elevations: flat)",
    )
    return BikeLayer(
        network=bike,
        sites=sites,
        zone_ok=ok,
        time_s=time_s,
        dist_km=dist_km,
        climb_m=climb_m,
        site_zone=site_zone,
        site_centre_m=site_centre_m,
        near_share=_near_share(zones, site_zone, cfg),
        speed_kph=cfg.speed_kph,
    )


def _great_circle_m(zones: pd.DataFrame, sites: pd.DataFrame) -> NDArray[np.float64]:
    """``(n_zones, n_sites)`` great-circle distances from zone centres to sites."""
    from osmnx.distance import great_circle

    return great_circle(
        zones["lat"].to_numpy(dtype=float)[:, None],
        zones["lon"].to_numpy(dtype=float)[:, None],
        sites["lat"].to_numpy(dtype=float)[None, :],
        sites["lon"].to_numpy(dtype=float)[None, :],
    ).reshape(len(zones), len(sites))


def _serving_zone(
    zone_idx: NDArray[np.int64], centre_m: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Zone (of ``zone_idx``) nearest to each site, and that distance."""
    if centre_m.shape[1] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    best = np.argmin(centre_m, axis=0)
    return zone_idx[best].astype(np.int64), centre_m[best, np.arange(centre_m.shape[1])]


def _near_share(
    zones: pd.DataFrame, site_zone: NDArray[np.int64], cfg: EbikeConfig
) -> NDArray[np.float64]:
    """``min(1, n_points * pi * r**2 / area)`` per zone, the area at most
    ``cfg.destination_area_km2`` (1 where the area is unknown)."""
    n_points = np.bincount(site_zone, minlength=len(zones)).astype(float)
    area_km2 = zones["area_km2"].to_numpy(dtype=float)
    if cfg.destination_area_km2 is not None:
        area_km2 = np.minimum(area_km2, cfg.destination_area_km2)
    area_m2 = area_km2 * 1e6
    covered = n_points * np.pi * cfg.max_walk_m**2
    share = np.divide(covered, area_m2, out=np.ones(len(zones)), where=area_m2 > 0)
    return np.where(n_points > 0, np.minimum(share, 1.0), 0.0)
