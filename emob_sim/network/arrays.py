"""The road network as arrays for routing: the value the network stage hands on."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
from numpy.typing import NDArray

__all__ = ["RoadNetwork"]


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
        return int(self.node_ids.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.indices.shape[0])
