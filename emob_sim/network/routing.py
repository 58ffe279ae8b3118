"""Routing on the CSR arrays of a :class:`~emob_sim.network.arrays.RoadNetwork`.

- :func:`nearest_nodes`: nearest network node of points (great-circle distance).
- :func:`snap_points`: the same, with a maximum distance and an error naming the point.
- :func:`point_matrices`: fastest-path travel times between nodes and the lengths of those
  paths, from the parallel Dijkstra kernel :func:`emob_sim.kernels.paths.many_to_many` (the
  times equal :func:`scipy.sparse.csgraph.dijkstra`'s; it is faster and also sums the lengths,
  see benchmarks/).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from osmnx.distance import EARTH_RADIUS_M
from scipy.spatial import cKDTree

from emob_sim.errors import NetworkError
from emob_sim.kernels.paths import many_to_many
from emob_sim.network.arrays import RoadNetwork

__all__ = ["nearest_nodes", "snap_points", "point_matrices", "edge_matrix", "tree_sums"]

logger = logging.getLogger(__name__)


def _unit_xyz(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
    """Points on the unit sphere: chord length is monotonic in great-circle distance."""
    lam, phi = np.deg2rad(lon), np.deg2rad(lat)
    return np.stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)], axis=-1)


def nearest_nodes(
    network: RoadNetwork, lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Nearest network node of each point.

    Parameters
    ----------
    network
        The road network.
    lon, lat
        Point coordinates in degrees (scalars or arrays of one shape).

    Returns
    -------
    node_idx, distance_m
        Array index of the nearest node (into ``network.node_ids``) and the great-circle
        distance to it, in the shape of ``lon``.
    """
    lon_arr, lat_arr = np.broadcast_arrays(
        np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    )
    if network.n_nodes == 0:
        raise NetworkError("network: has no nodes to snap to")
    if not (np.isfinite(lon_arr).all() and np.isfinite(lat_arr).all()):
        raise NetworkError("nearest_nodes: coordinates must be finite numbers")
    tree = cKDTree(_unit_xyz(network.lon, network.lat))
    chord, idx = tree.query(_unit_xyz(lon_arr, lat_arr))
    distance_m = 2.0 * EARTH_RADIUS_M * np.arcsin(np.minimum(np.asarray(chord) / 2.0, 1.0))
    return np.asarray(idx, dtype=np.int64), distance_m


def snap_points(
    network: RoadNetwork,
    lon: ArrayLike,
    lat: ArrayLike,
    *,
    labels: Sequence[str],
    max_snap_distance_m: float,
    what: str,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Nearest nodes of points that must lie within ``max_snap_distance_m`` of the network.

    Parameters
    ----------
    network
        The road network.
    lon, lat
        Point coordinates in degrees (1-D).
    labels
        Names of the points for error messages.
    max_snap_distance_m
        Largest allowed distance from a point to its node.
    what
        What the points are, as ``"section: kind"`` (e.g. ``"zones: zone"``) for the message.

    Returns
    -------
    node_idx, distance_m
        As :func:`nearest_nodes`.

    Raises
    ------
    NetworkError
        ``zones: zone 'X' is 12.3 km from the network, expected at most 5 km``.
    """
    node, dist_m = nearest_nodes(network, lon, lat)
    far = np.flatnonzero(dist_m > max_snap_distance_m)
    if far.size:
        i = int(far[0])
        more = f" ({far.size - 1} more points are too far)" if far.size > 1 else ""
        raise NetworkError(
            f"{what} '{labels[i]}' is {dist_m[i] / 1000:.1f} km from the network, expected at "
            f"most {max_snap_distance_m / 1000:g} km{more}"
        )
    return node, dist_m


def edge_matrix(network: RoadNetwork, weights: NDArray[np.float64]) -> sp.csr_matrix:
    n = network.n_nodes
    return sp.csr_matrix(
        (np.asarray(weights, dtype=np.float64), network.indices, network.indptr),
        shape=(n, n),
        copy=True,
    )


def tree_sums(pred: NDArray[np.int32], length: sp.csr_matrix) -> NDArray[np.float64]:
    """Length from the root to every node along shortest-path trees (one tree per row).

    Pointer jumping: ``acc[v]`` is the length from ``ptr[v]`` to ``v``; each step replaces
    ``ptr[v]`` by ``ptr[ptr[v]]`` and adds ``acc[ptr[v]]``, so ``log2(depth)`` vectorised steps
    reach the roots. Roots and unreachable nodes point at themselves with length 0.
    """
    cols = np.broadcast_to(np.arange(pred.shape[1]), pred.shape)
    has_pred = pred >= 0
    ptr = np.where(has_pred, pred, cols)
    acc = np.zeros(pred.shape)
    acc[has_pred] = np.asarray(length[pred[has_pred], cols[has_pred]]).ravel()
    while True:
        nxt = np.take_along_axis(ptr, ptr, axis=1)
        if np.array_equal(nxt, ptr):
            return acc
        acc += np.take_along_axis(acc, ptr, axis=1)
        ptr = nxt


def point_matrices(
    network: RoadNetwork,
    nodes: ArrayLike,
    *,
    labels: Sequence[str] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Fastest-path travel time and its length between every pair of the given nodes.

    Parameters
    ----------
    network
        The road network (one edge per node pair, as built by ``to_arrays``).
    nodes
        Node indices (into the network arrays) of the points; repeats are allowed.
    labels
        Names of the points for error messages (default ``node <graph id>``).

    Returns
    -------
    time_s, dist_km
        ``(n, n)`` arrays: ``time_s[i, j]`` is the least travel time from point ``i`` to point
        ``j`` and ``dist_km[i, j]`` the length of that fastest path; zero on the diagonal.

    Raises
    ------
    NetworkError
        A node index is out of range, the arrays hold parallel edges, or a pair of points is
        not connected (named in the message).
    """
    points = np.asarray(nodes, dtype=np.int64).ravel()
    n = network.n_nodes
    if points.size and (points.min() < 0 or points.max() >= n):
        raise NetworkError(f"point_matrices: node indices must be in [0, {n}), got {points}")
    if labels is None:
        labels = [f"node {network.node_ids[p]}" for p in points]
    time_graph = edge_matrix(network, network.travel_time_s)
    time_graph.sort_indices()
    rows = np.repeat(np.arange(n), np.diff(time_graph.indptr))
    if ((np.diff(time_graph.indices) == 0) & (np.diff(rows) == 0)).any():
        raise NetworkError("network arrays: parallel edges found, expected one edge per node pair")

    sources, inverse = np.unique(points, return_inverse=True)
    time_u, length_u = many_to_many(
        network.indptr, network.indices, network.travel_time_s, network.length_m, sources, sources
    )
    time_s = time_u[np.ix_(inverse, inverse)]
    dist_km = length_u[np.ix_(inverse, inverse)] / 1000.0

    unreachable = np.argwhere(~np.isfinite(time_s))
    if unreachable.size:
        i, j = (int(x) for x in unreachable[0])
        raise NetworkError(
            f"routing: no path from '{labels[i]}' to '{labels[j]}' "
            f"({len(unreachable)} unreachable pairs of {points.size} points)"
        )
    logger.debug("travel matrices for %d points (%d distinct nodes)", points.size, sources.size)
    return time_s, dist_km
