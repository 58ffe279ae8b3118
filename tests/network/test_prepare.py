"""prepare_graph: strongly connected component, speeds and travel times with OSMnx."""

from __future__ import annotations

import logging

import networkx as nx
import pytest

from emob_sim.config.models import NetworkConfig
from emob_sim.errors import NetworkError
from emob_sim.network import load_graph, prepare_graph


@pytest.fixture(scope="module")
def raw_drive(kouvola) -> nx.MultiDiGraph:
    return load_graph(NetworkConfig(source="file", file=kouvola.pbf))


def _line_graph(n: int, *, both_ways: bool) -> nx.MultiDiGraph:
    """Nodes 1..n on a line 0.001 deg apart, residential edges of 100 m, no maxspeed."""
    G = nx.MultiDiGraph(crs="EPSG:4326")
    for i in range(1, n + 1):
        G.add_node(i, x=26.9 + 0.001 * i, y=60.5)
    for i in range(1, n):
        G.add_edge(i, i + 1, length=100.0, highway="residential")
        if both_ways:
            G.add_edge(i + 1, i, length=100.0, highway="residential")
    return G


def test_every_edge_gets_speed_and_travel_time_and_graph_is_strongly_connected(raw_drive):
    G = prepare_graph(raw_drive, hwy_speeds_kph={}, fallback_speed_kph=50.0)
    assert nx.is_strongly_connected(G)
    assert G.number_of_edges() > 100
    for _, _, d in G.edges(data=True):
        assert d["length"] >= 0 and d["speed_kph"] > 0
        assert d["travel_time"] == pytest.approx(d["length"] / (d["speed_kph"] / 3.6))
    # the input graph is left as it was
    assert all("travel_time" not in d for _, _, d in raw_drive.edges(data=True))


def test_maxspeed_wins_over_highway_class_speeds(raw_drive):
    G = prepare_graph(
        raw_drive, hwy_speeds_kph={"residential": 27.0, "secondary": 33.0}, fallback_speed_kph=50.0
    )
    with_max = [d for _, _, d in G.edges(data=True) if d.get("maxspeed") == "80"]
    assert with_max and all(d["speed_kph"] == 80.0 for d in with_max)
    residential = [
        d for _, _, d in G.edges(data=True) if d["highway"] == "residential" and "maxspeed" not in d
    ]
    assert residential and all(d["speed_kph"] == 27.0 for d in residential)


def test_fallback_speed_when_no_maxspeed_and_no_class_speed():
    G = prepare_graph(_line_graph(4, both_ways=True), hwy_speeds_kph={}, fallback_speed_kph=36.0)
    assert {d["speed_kph"] for _, _, d in G.edges(data=True)} == {36.0}
    times = [d["travel_time"] for _, _, d in G.edges(data=True)]
    assert times == pytest.approx([10.0] * 6)


def test_class_speed_applies_and_missing_lengths_are_computed():
    G = _line_graph(3, both_ways=True)
    del G.edges[1, 2, 0]["length"]
    H = prepare_graph(G, hwy_speeds_kph={"residential": 30.0}, fallback_speed_kph=50.0)
    assert {d["speed_kph"] for _, _, d in H.edges(data=True)} == {30.0}
    # 0.001 deg of longitude at 60.5 N is about 54.8 m
    assert H.edges[1, 2, 0]["length"] == pytest.approx(54.8, abs=0.5)


def test_nodes_outside_the_strongly_connected_component_are_dropped_and_logged(caplog):
    G = _line_graph(5, both_ways=True)
    G.add_node(99, x=27.0, y=60.5)
    G.add_edge(5, 99, length=50.0, highway="residential")  # one-way dead end
    with caplog.at_level(logging.INFO, logger="emob_sim.network.prepare"):
        H = prepare_graph(G, hwy_speeds_kph={}, fallback_speed_kph=50.0, source="toy graph")
    assert set(H.nodes) == {1, 2, 3, 4, 5}
    assert "kept 5 of 6 nodes" in caplog.text and "dropped 1" in caplog.text


def test_graph_without_edges_raises():
    G = nx.MultiDiGraph(crs="EPSG:4326")
    G.add_node(1, x=26.9, y=60.5)
    with pytest.raises(NetworkError, match="toy source.*no edges"):
        prepare_graph(G, hwy_speeds_kph={}, fallback_speed_kph=50.0, source="toy source")


def test_tiny_component_raises_naming_the_source():
    G = _line_graph(4, both_ways=False)  # one-way chain: components of one node
    with pytest.raises(NetworkError, match="toy source.*strongly connected component has 1 node"):
        prepare_graph(G, hwy_speeds_kph={}, fallback_speed_kph=50.0, source="toy source")


def test_node_without_coordinates_raises():
    G = _line_graph(3, both_ways=True)
    del G.nodes[2]["x"]
    with pytest.raises(NetworkError, match="node 2 has no coordinates"):
        prepare_graph(G, hwy_speeds_kph={}, fallback_speed_kph=50.0)
