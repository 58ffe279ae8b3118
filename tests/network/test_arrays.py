"""to_arrays: CSR arrays that match the graph."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from emob_sim.errors import NetworkError
from emob_sim.network import RoadNetwork, to_arrays


def _toy_graph() -> nx.MultiDiGraph:
    """Nodes 30, 10, 20 (unsorted ids) with two parallel 10 -> 20 edges and a self-loop."""
    G = nx.MultiDiGraph(crs="EPSG:4326")
    G.add_node(30, x=26.3, y=60.3)
    G.add_node(10, x=26.1, y=60.1)
    G.add_node(20, x=26.2, y=60.2)
    G.add_edge(10, 20, length=500.0, travel_time=50.0)
    G.add_edge(10, 20, length=900.0, travel_time=40.0)  # longer but faster: kept
    G.add_edge(20, 30, length=100.0, travel_time=10.0)
    G.add_edge(30, 10, length=100.0, travel_time=10.0)
    G.add_edge(30, 30, length=5.0, travel_time=1.0)  # self-loop: left out
    return G


def test_toy_graph_arrays():
    net = to_arrays(_toy_graph(), description="toy", attribution="none")
    assert isinstance(net, RoadNetwork)
    np.testing.assert_array_equal(net.node_ids, [10, 20, 30])
    np.testing.assert_array_equal(net.lon, [26.1, 26.2, 26.3])
    np.testing.assert_array_equal(net.lat, [60.1, 60.2, 60.3])
    np.testing.assert_array_equal(net.indptr, [0, 1, 2, 3])
    np.testing.assert_array_equal(net.indices, [1, 2, 0])
    np.testing.assert_array_equal(net.travel_time_s, [40.0, 10.0, 10.0])
    np.testing.assert_array_equal(net.length_m, [900.0, 100.0, 100.0])
    assert net.n_nodes == 3 and net.n_edges == 3
    assert net.description == "toy" and net.attribution == "none"
    assert net.indptr.dtype == np.int64 and net.indices.dtype == np.int64


def test_csr_matches_the_graph(kouvola_drive_network):
    net = kouvola_drive_network
    G = net.graph
    assert net.n_nodes == len(G)
    pairs = {(u, v) for u, v in G.edges() if u != v}
    assert net.n_edges == len(pairs)
    assert np.all(np.diff(net.node_ids) > 0)
    for i in range(0, net.n_nodes, 17):  # a sample of rows
        u = int(net.node_ids[i])
        assert net.lon[i] == G.nodes[u]["x"] and net.lat[i] == G.nodes[u]["y"]
        for j in range(net.indptr[i], net.indptr[i + 1]):
            v = int(net.node_ids[net.indices[j]])
            fastest = min(G[u][v].values(), key=lambda d: d["travel_time"])
            assert net.travel_time_s[j] == fastest["travel_time"]
            assert net.length_m[j] == fastest["length"]


def test_dijkstra_on_csr_equals_networkx(kouvola_drive_network):
    net = kouvola_drive_network
    matrix = csr_matrix((net.travel_time_s, net.indices, net.indptr), shape=(net.n_nodes,) * 2)
    rng = np.random.default_rng(3)
    sources = rng.choice(net.n_nodes, size=4, replace=False)
    targets = rng.choice(net.n_nodes, size=6, replace=False)
    times = dijkstra(matrix, directed=True, indices=sources)
    for a, s in enumerate(sources):
        for t in targets:
            expected = nx.shortest_path_length(
                net.graph, int(net.node_ids[s]), int(net.node_ids[t]), weight="travel_time"
            )
            assert times[a, t] == pytest.approx(expected)


def test_graph_in_another_crs_raises():
    G = _toy_graph()
    G.graph["crs"] = "EPSG:3059"  # LKS-92, metres
    with pytest.raises(NetworkError, match="EPSG:4326"):
        to_arrays(G, description="toy", attribution="")


def test_unprepared_graph_raises():
    G = _toy_graph()
    del G.edges[20, 30, 0]["travel_time"]
    with pytest.raises(NetworkError, match="prepare_graph"):
        to_arrays(G, description="toy", attribution="")


def test_non_integer_node_ids_raise():
    G = nx.relabel_nodes(_toy_graph(), {10: "a"})
    with pytest.raises(NetworkError, match="integer node ids"):
        to_arrays(G, description="toy", attribution="")
