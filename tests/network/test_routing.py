"""Routing on the network arrays: nearest nodes, snapping, travel matrices."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from osmnx.distance import great_circle

from emob_sim.config import load_scenario
from emob_sim.errors import NetworkError
from emob_sim.network import load_network, to_arrays
from emob_sim.network.routing import nearest_nodes, point_matrices, snap_points


@pytest.fixture(scope="module")
def zemgale():
    return load_network(load_scenario().network)


def _index(network, name: str) -> int:
    gid = next(n for n, d in network.graph.nodes(data="name") if d == name)
    return int(np.searchsorted(network.node_ids, gid))


def test_nearest_nodes_matches_brute_force(zemgale):
    rng = np.random.default_rng(1)
    lon = rng.uniform(22.8, 26.5, 200)
    lat = rng.uniform(56.1, 57.0, 200)
    idx, dist_m = nearest_nodes(zemgale, lon, lat)
    brute = great_circle(lat[:, None], lon[:, None], zemgale.lat[None, :], zemgale.lon[None, :])
    np.testing.assert_array_equal(idx, brute.argmin(axis=1))
    np.testing.assert_allclose(dist_m, brute.min(axis=1), rtol=1e-9, atol=1e-6)
    # a node's own coordinates snap to it at distance 0
    i, d = nearest_nodes(zemgale, zemgale.lon[5], zemgale.lat[5])
    assert int(i) == 5 and float(d) == pytest.approx(0.0, abs=1e-6)


def test_snap_points_names_the_far_point(zemgale):
    # Tallinn is far outside the Zemgale network
    with pytest.raises(
        NetworkError,
        match=r"zones: zone 'Tallinn' is \d+\.\d km from the network, "
        r"expected at most 5 km",
    ):
        snap_points(
            zemgale,
            [23.73, 24.75],
            [56.65, 59.44],
            labels=["Jelgava", "Tallinn"],
            max_snap_distance_m=5000,
            what="zones: zone",
        )


def _check_against_networkx(network, points):
    time_s, dist_km = point_matrices(network, points)
    G = network.graph
    gid = network.node_ids[points]
    for i in range(len(points)):
        times = nx.single_source_dijkstra_path_length(G, gid[i], weight="travel_time")
        for j in range(len(points)):
            assert time_s[i, j] == pytest.approx(times[gid[j]], rel=1e-9, abs=1e-9)
            path = nx.shortest_path(G, gid[i], gid[j], weight="travel_time")
            # of parallel edges the arrays keep the fastest (ties: the shorter)
            length = sum(
                min((e["travel_time"], e["length"]) for e in G.get_edge_data(u, v).values())[1]
                for u, v in zip(path, path[1:])
            )
            assert dist_km[i, j] * 1000 == pytest.approx(length, rel=1e-6, abs=1e-6)
    return time_s, dist_km


def test_point_matrices_match_networkx_on_zemgale(zemgale):
    names = ["Rīga", "Jelgava", "Jēkabpils", "Auce", "Rēzekne direction", "Nereta"]
    points = np.array([_index(zemgale, n) for n in names])
    time_s, dist_km = _check_against_networkx(zemgale, points)
    assert (np.diag(time_s) == 0).all() and (np.diag(dist_km) == 0).all()
    off = ~np.eye(len(points), dtype=bool)
    assert (time_s[off] > 0).all() and (dist_km[off] > 0).all()


def test_point_matrices_match_networkx_on_osm(kouvola_drive_network):
    net = kouvola_drive_network
    rng = np.random.default_rng(7)
    points = rng.choice(net.n_nodes, size=6, replace=False)
    _check_against_networkx(net, points)


def test_point_matrices_repeated_points(zemgale):
    a, b = _index(zemgale, "Rīga"), _index(zemgale, "Bauska")
    time_s, dist_km = point_matrices(zemgale, [a, b, a])
    assert time_s.shape == dist_km.shape == (3, 3)
    assert time_s[0, 2] == 0 and time_s[2, 1] == time_s[0, 1] > 0
    assert dist_km[2, 1] == dist_km[0, 1] > 0


def _two_islands():
    """Two strongly connected pairs of nodes with no road between them."""
    G = nx.MultiDiGraph(crs="EPSG:4326")
    for n, (x, y) in enumerate([(24.0, 56.0), (24.01, 56.0), (25.0, 56.0), (25.01, 56.0)], 1):
        G.add_node(n, x=x, y=y)
    for u, v in [(1, 2), (3, 4)]:
        G.add_edge(u, v, length=600.0, highway="tertiary")
        G.add_edge(v, u, length=600.0, highway="tertiary")
    nx.set_edge_attributes(G, 36.0, "speed_kph")
    nx.set_edge_attributes(G, 60.0, "travel_time")
    return to_arrays(G, description="islands", attribution="test")


def test_unreachable_pair_raises_naming_points():
    net = _two_islands()
    time_s, _ = point_matrices(net, [0, 1], labels=["a", "b"])
    assert time_s[0, 1] == 60.0
    with pytest.raises(NetworkError, match=r"no path from 'west' to 'east' \(4 unreachable pairs"):
        point_matrices(net, [0, 1, 2], labels=["west", "west2", "east"])
    with pytest.raises(NetworkError, match="point_matrices: node indices must be in"):
        point_matrices(net, [0, 9])


def test_prepared_zemgale_has_speeds_from_config(zemgale):
    speeds = {d["highway"]: d["speed_kph"] for _, _, d in zemgale.graph.edges(data=True)}
    assert speeds == {"trunk": 75.0, "primary": 70.0, "secondary": 60.0, "tertiary": 50.0}
