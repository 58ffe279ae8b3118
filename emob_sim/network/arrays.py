"""The road network as arrays for routing: the value the network stage hands on."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pyproj
from numpy.typing import NDArray

from emob_sim.errors import NetworkError

__all__ = ["RoadNetwork", "to_arrays"]


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """A prepared road graph and its CSR arrays.

    Attributes
    ----------
    graph
        OSMnx-style MultiDiGraph (crs EPSG:4326, node attributes x=lon, y=lat; every edge has
        ``length`` in m, ``speed_kph`` and ``travel_time`` in s), restricted to its largest
        strongly connected component.
    node_ids
        Graph node ids in array order: array index i is graph node ``node_ids[i]``.
    lon, lat
        Node coordinates in degrees, in array order.
    indptr, indices
        CSR adjacency (row = from-node index, ``indices`` = to-node index).
    length_m, travel_time_s
        Edge weights aligned with ``indices``; parallel edges keep the fastest one.
    description
        Where the network came from (for the manifest and the report).
    attribution
        Data licence text to print with results (e.g. ODbL for OpenStreetMap).
    """

    graph: nx.MultiDiGraph
    node_ids: NDArray[np.int64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    indptr: NDArray[np.int64]
    indices: NDArray[np.int64]
    length_m: NDArray[np.float64]
    travel_time_s: NDArray[np.float64]
    description: str = ""
    attribution: str = ""

    @property
    def n_nodes(self) -> int:
        """Number of nodes (intersections and dead ends)."""
        return int(self.node_ids.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of directed edges (entries of the CSR arrays)."""
        return int(self.indices.shape[0])


def to_arrays(G: nx.MultiDiGraph, *, description: str, attribution: str) -> RoadNetwork:
    """Convert a prepared graph into a :class:`RoadNetwork` with CSR arrays.

    Nodes are put in ascending id order. Of parallel edges u -> v the fastest is kept (ties:
    the shorter); self-loops are left out since no shortest path uses them.

    Parameters
    ----------
    G
        Prepared graph (see :func:`emob_sim.network.prepare.prepare_graph`): crs EPSG:4326,
        integer node ids with ``x``/``y``, every edge with ``length`` and ``travel_time``.
    description
        Where the network came from.
    attribution
        Data licence text.

    Returns
    -------
    RoadNetwork
        Holding ``G`` itself and its arrays.

    Raises
    ------
    NetworkError
        If the graph is empty, not in EPSG:4326, has non-integer node ids or edges without
        a finite non-negative length or travel time.
    """
    n = G.number_of_nodes()
    if n == 0:
        raise NetworkError(f"{description}: the road graph has no nodes")
    crs = G.graph.get("crs")
    if crs is None or pyproj.CRS.from_user_input(crs) != pyproj.CRS.from_epsg(4326):
        raise NetworkError(f"{description}: graph crs must be EPSG:4326 (lon/lat), got {crs!r}")

    try:
        ids = np.fromiter(G.nodes, dtype=np.int64, count=n)
        x = np.fromiter((v for _, v in G.nodes(data="x")), dtype=np.float64, count=n)
        y = np.fromiter((v for _, v in G.nodes(data="y")), dtype=np.float64, count=n)
    except (TypeError, ValueError, OverflowError) as e:
        msg = f"{description}: expected integer node ids with numeric x/y, got {e}"
        raise NetworkError(msg) from e
    order = np.argsort(ids, kind="stable")
    node_ids, lon, lat = ids[order], x[order], y[order]

    m = G.number_of_edges()
    uv = np.fromiter(
        (i for u, v in G.edges(keys=False) for i in (u, v)), dtype=np.int64, count=2 * m
    ).reshape(m, 2)
    length_m = np.fromiter(
        (w for _, _, w in G.edges(data="length", default=np.nan)), dtype=np.float64, count=m
    )
    time_s = np.fromiter(
        (w for _, _, w in G.edges(data="travel_time", default=np.nan)), dtype=np.float64, count=m
    )
    bad = ~(np.isfinite(length_m) & np.isfinite(time_s) & (length_m >= 0) & (time_s >= 0))
    if bad.any():
        msg = (
            f"{description}: {int(bad.sum())} of {m} edges lack a finite length or travel_time; "
            f"run prepare_graph first"
        )
        raise NetworkError(msg)

    row = np.searchsorted(node_ids, uv[:, 0])
    col = np.searchsorted(node_ids, uv[:, 1])
    keep = row != col
    row, col, length_m, time_s = row[keep], col[keep], length_m[keep], time_s[keep]

    # sort by (row, col, travel time, length) and keep the first edge of each (row, col)
    sort = np.lexsort((length_m, time_s, col, row))
    row, col, length_m, time_s = row[sort], col[sort], length_m[sort], time_s[sort]
    first = np.ones(row.shape[0], dtype=bool)
    first[1:] = (row[1:] != row[:-1]) | (col[1:] != col[:-1])
    row, col, length_m, time_s = row[first], col[first], length_m[first], time_s[first]

    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=n), out=indptr[1:])
    return RoadNetwork(
        graph=G,
        node_ids=node_ids,
        lon=lon,
        lat=lat,
        indptr=indptr,
        indices=col.astype(np.int64),
        length_m=length_m,
        travel_time_s=time_s,
        description=description,
        attribution=attribution,
    )
