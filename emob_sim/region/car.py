"""The car layer of a region: zones and car sites on the drive network, matrices between them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.config.models import Scenario
from emob_sim.network.arrays import RoadNetwork
from emob_sim.network.routing import point_matrices
from emob_sim.region.model import Region
from emob_sim.region.sites import SITE_COLUMNS, snap_sites
from emob_sim.region.zones import intrazonal_distance_km

__all__ = ["car_matrices", "site_matrices"]


def car_matrices(
    scenario: Scenario, network: RoadNetwork, zones: pd.DataFrame, sites: pd.DataFrame
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Travel time and length between the zones then the sites (snapped, with ``node``).

    The zone diagonal is the intrazonal trip (:func:`intrazonal_distance_km` at
    ``zones.intrazonal_speed_kph``), the site diagonal 0.

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario (``zones.min_intrazonal_km``, ``zones.intrazonal_speed_kph``).
    network : RoadNetwork
        The drive network.
    zones : pandas.DataFrame
        The zone table, snapped (``node``, ``area_km2``).
    sites : pandas.DataFrame
        The car sites, snapped (``node``).

    Returns
    -------
    tuple[numpy.ndarray, numpy.ndarray]
        ``time_s`` (s) and ``dist_km`` (km), square over the zones then the sites.

    Raises
    ------
    NetworkError
        Two points without a path between them (named in the message).
    """
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
    return time_s, dist_km


def site_matrices(
    region: Region, sites: pd.DataFrame, *, max_snap_distance_m: float
) -> tuple[pd.DataFrame, NDArray[np.float64], NDArray[np.float64]]:
    """Snap sites of any kind to the drive network; travel matrices over zones then these sites.

    The zone block of ``region`` is reused. When every site lies on a node that is already a
    point of ``region`` (a zone or a site), the site rows and columns are copied; otherwise the
    zone nodes and the site nodes are routed again with
    :func:`~emob_sim.network.routing.point_matrices` (the zone block is kept as it was).

    Parameters
    ----------
    region : Region
        The region whose network, zones and matrices are reused.
    sites : pandas.DataFrame
        The sites, with :data:`~emob_sim.region.sites.SITE_FILE_COLUMNS`.
    max_snap_distance_m : float
        A site farther than this from every network node is an error, m.

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
