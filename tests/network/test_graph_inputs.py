"""Graphs from other tools and cut extracts: undirected GraphML, missing edge attributes or crs,
OSM XML clipped by a bounding box, files without roads of the network type; also via the CLI.

All data is pyrosm's bundled Kouvola extract (© OpenStreetMap contributors, ODbL 1.0).
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox
import pyrosm
import pytest
from scipy.sparse.csgraph import dijkstra

from emob_sim.config.models import NetworkConfig
from emob_sim.errors import NetworkError
from emob_sim.network import _overpass, load_graph, load_network
from emob_sim.network.routing import edge_matrix

FOOT_CLASSES = ["cycleway", "footway", "path"]


def _config(path: Path, **kw) -> NetworkConfig:
    return NetworkConfig(source="file", file=path, **kw)


@pytest.fixture(scope="module")
def drive_graph(kouvola) -> nx.MultiDiGraph:
    """The raw (unprepared) drive graph of the extract, as emob-sim reads the .pbf."""
    return load_graph(_config(kouvola.pbf))


def _without(G: nx.MultiDiGraph, *keys: str) -> nx.MultiDiGraph:
    H = G.copy()
    for _, _, data in H.edges(data=True):
        for key in keys:
            data.pop(key, None)
    return H


# --- undirected GraphML ----------------------------------------------------------------------


def test_undirected_graphml_has_every_edge_both_ways(drive_graph, tmp_path, caplog):
    undirected = ox.convert.to_undirected(drive_graph)
    n_oneway = sum(1 for _, _, oneway in undirected.edges(data="oneway") if oneway)
    assert n_oneway > 0  # the extract has one-way streets: they become two-way
    path = tmp_path / "undirected.graphml"
    ox.save_graphml(undirected, path)

    with caplog.at_level(logging.WARNING, logger="emob_sim.network"):
        G = load_graph(_config(path))

    assert re.search(rf"undirected graph; each of its {len(undirected.edges)} edges", caplog.text)
    assert f"{n_oneway} of them marked oneway" in caplog.text
    assert isinstance(G, nx.MultiDiGraph) and G.graph["crs"] == "EPSG:4326"
    n_loops = nx.number_of_selfloops(undirected)
    assert G.number_of_edges() == 2 * len(undirected.edges) - n_loops
    for u, v, data in G.edges(data=True):
        back = [d["length"] for d in G.get_edge_data(v, u).values()]
        assert min(abs(b - data["length"]) for b in back) < 1e-9
        geometry = data.get("geometry")
        if geometry is not None:  # each direction's geometry starts at its first node
            start = np.array([G.nodes[u]["x"], G.nodes[u]["y"]])
            assert np.allclose(geometry.coords[0], start, atol=1e-7)
    assert not any("from" in d or "to" in d for _, _, d in G.edges(data=True))


def test_undirected_graphml_routes_like_the_directed_original_on_two_way_streets(
    drive_graph, tmp_path
):
    two_way = drive_graph.edge_subgraph(
        [(u, v, k) for u, v, k, oneway in drive_graph.edges(keys=True, data="oneway") if not oneway]
    ).copy()
    directed, undirected = tmp_path / "directed.graphml", tmp_path / "undirected.graphml"
    ox.save_graphml(two_way, directed)
    ox.save_graphml(ox.convert.to_undirected(two_way), undirected)

    a = load_network(_config(directed))
    b = load_network(_config(undirected))

    assert a.n_nodes > 100
    np.testing.assert_array_equal(b.node_ids, a.node_ids)
    np.testing.assert_array_equal(b.indices, a.indices)
    time_a = dijkstra(edge_matrix(a, a.travel_time_s))
    time_b = dijkstra(edge_matrix(b, b.travel_time_s))
    assert np.isfinite(time_a).all()
    np.testing.assert_allclose(time_b, time_a, rtol=1e-9)


# --- missing attributes -------------------------------------------------------------------------


def test_graphml_written_by_networkx_itself_is_read(drive_graph, tmp_path):
    """A plain networkx GraphML (typed attributes, string node ids, WKT geometries) of an
    undirected street graph: the same network as OSMnx's own file of it."""
    undirected = ox.convert.to_undirected(drive_graph)
    plain = nx.MultiGraph()
    plain.graph["crs"] = "EPSG:4326"
    for n, d in undirected.nodes(data=True):
        plain.add_node(str(n), x=float(d["x"]), y=float(d["y"]))
    for u, v, d in undirected.edges(data=True):
        attrs = {"length": float(d["length"]), "highway": str(d["highway"])}
        if d.get("geometry") is not None:
            attrs["geometry"] = d["geometry"].wkt
        plain.add_edge(str(u), str(v), **attrs)
    path = tmp_path / "networkx.graphml"
    nx.write_graphml(plain, path)
    with pytest.raises(Exception):  # noqa: B017 - OSMnx's own reader refuses it
        ox.load_graphml(path)
    G = load_graph(_config(path))
    assert isinstance(G, nx.MultiDiGraph)
    assert set(G.nodes) == set(undirected.nodes)  # ids back as the integers they were
    assert G.number_of_edges() == 2 * len(undirected.edges) - nx.number_of_selfloops(undirected)
    for u, v, data in G.edges(data=True):
        assert isinstance(data["length"], float)
        assert any(abs(d["length"] - data["length"]) < 1e-9 for d in G[v][u].values())
    assert load_network(_config(path)).n_nodes > 0


def test_graphml_without_length_speed_and_travel_time_gets_them(kouvola_drive_network, tmp_path):
    path = tmp_path / "bare.graphml"
    ox.save_graphml(
        _without(kouvola_drive_network.graph, "length", "speed_kph", "travel_time"), path
    )

    G = load_graph(_config(path))
    assert all(d["length"] > 0 for _, _, d in G.edges(data=True))  # before preparation too
    net = load_network(_config(path))

    ref = kouvola_drive_network
    np.testing.assert_array_equal(net.indices, ref.indices)
    # lengths along the edge geometries: as pyrosm measured them
    np.testing.assert_allclose(net.length_m, ref.length_m, rtol=1e-3)
    np.testing.assert_allclose(net.travel_time_s, ref.travel_time_s, rtol=1e-3)
    assert all(d["speed_kph"] > 0 for _, _, d in net.graph.edges(data=True))


def test_graphml_speeds_are_kept_and_missing_ones_imputed(kouvola_drive_network, tmp_path):
    G = _without(kouvola_drive_network.graph, "speed_kph", "travel_time")
    edges = list(G.edges(keys=True))
    given = set(edges[::2])
    nx.set_edge_attributes(G, dict.fromkeys(given, 33.0), "speed_kph")
    path = tmp_path / "speeds.graphml"
    ox.save_graphml(G, path)

    net = load_network(_config(path))

    ref = kouvola_drive_network.graph
    for u, v, k, data in net.graph.edges(keys=True, data=True):
        expected = 33.0 if (u, v, k) in given else ref.edges[u, v, k]["speed_kph"]
        assert data["speed_kph"] == pytest.approx(expected)
        assert data["travel_time"] == pytest.approx(data["length"] / (expected / 3.6))


def test_projected_graphml_without_crs_asks_for_network_crs(kouvola_drive_network, tmp_path):
    projected = ox.projection.project_graph(kouvola_drive_network.graph, to_crs="EPSG:3067")
    path = tmp_path / "with_crs.graphml"
    ox.save_graphml(projected, path)
    del projected.graph["crs"]
    no_crs = tmp_path / "no_crs.graphml"
    ox.save_graphml(projected, no_crs)

    with pytest.raises(NetworkError, match=r"no_crs\.graphml has no 'crs'.*set network\.crs"):
        load_graph(_config(no_crs))

    net = load_network(_config(no_crs, crs="EPSG:3067"))
    ref = kouvola_drive_network
    np.testing.assert_allclose(net.lon, ref.lon, atol=1e-9)
    np.testing.assert_allclose(net.lat, ref.lat, atol=1e-9)
    np.testing.assert_allclose(net.travel_time_s, ref.travel_time_s, rtol=1e-9)

    with pytest.raises(NetworkError, match=r"network\.crs: 'EPSG:3857' contradicts"):
        load_graph(_config(path, crs="EPSG:3857"))


def test_graphml_without_crs_in_lonlat_is_read_as_wgs84(kouvola_drive_network, tmp_path, caplog):
    G = kouvola_drive_network.graph.copy()
    del G.graph["crs"]
    path = tmp_path / "lonlat.graphml"
    ox.save_graphml(G, path)
    with caplog.at_level(logging.WARNING, logger="emob_sim.network"):
        net = load_network(_config(path))
    assert "read as EPSG:4326" in caplog.text
    np.testing.assert_array_equal(net.travel_time_s, kouvola_drive_network.travel_time_s)


# --- clipped OSM XML ----------------------------------------------------------------------------


def test_osm_xml_clipped_by_a_bbox_is_cut_at_its_edge(kouvola, tmp_path, caplog):
    west, south, east, north = kouvola.bbox
    inside = {
        nid: node
        for nid, node in kouvola.osm.nodes.items()
        if west <= node["lon"] <= east and south <= node["lat"] <= north
    }
    ways = kouvola.osm.whole_ways  # every way with all its node references
    path = kouvola.write_osm_xml(tmp_path / "clipped.osm", inside, ways)
    clauses = _overpass.network_filter("drive")
    drive = [w for w in ways if _overpass.way_matches(w["tags"], clauses)]
    dropped = sum(ref not in inside for w in drive for ref in w["nodes"])
    cut = sum(any(ref not in inside for ref in w["nodes"]) for w in drive)
    assert dropped > 0 and cut > 0

    with caplog.at_level(logging.WARNING, logger="emob_sim.network"):
        G = load_graph(_config(path))

    assert f"dropped {dropped} references to nodes not in the file, in {cut} ways" in caplog.text
    assert len(G) > 50
    assert set(G.nodes) <= set(inside)
    x = np.array([d["x"] for _, d in G.nodes(data=True)])
    y = np.array([d["y"] for _, d in G.nodes(data=True)])
    assert np.all((x >= west) & (x <= east) & (y >= south) & (y <= north))

    # the roads are the drive ways' segments inside the box (the largest connected piece)
    inside_m = sum(
        ox.distance.great_circle(
            inside[a]["lat"], inside[a]["lon"], inside[b]["lat"], inside[b]["lon"]
        )
        for w in drive
        for a, b in zip(w["nodes"][:-1], w["nodes"][1:])
        if a in inside and b in inside
    )
    road_m = sum(d["length"] for _, _, d in ox.convert.to_undirected(G).edges(data=True))
    assert 0.75 * inside_m < road_m <= inside_m * (1 + 1e-6)

    net = load_network(_config(path))
    assert net.n_nodes > 50 and nx.is_strongly_connected(net.graph)


# --- no roads of the network type ---------------------------------------------------------------


def _footway_file(kouvola, folder: Path, suffix: str) -> Path:
    if suffix == ".osm":
        ways = [w for w in kouvola.osm.whole_ways if w["tags"].get("highway") in FOOT_CLASSES]
        nodes = {
            n: kouvola.osm.nodes[n] for w in ways for n in w["nodes"] if n in kouvola.osm.nodes
        }
        return kouvola.write_osm_xml(folder / "footways.osm", nodes, ways)
    osm = pyrosm.OSM(str(kouvola.pbf), progress=False)
    ways = osm.get_data_by_custom_criteria(
        custom_filter={"highway": FOOT_CLASSES},
        filter_type="keep",
        keep_nodes=False,
        keep_relations=False,
    )
    path = folder / "footways.osm.pbf"
    osm.write_pbf(ways, str(path), subset_only=True)
    return path


@pytest.mark.parametrize("suffix", [".osm", ".osm.pbf"])
def test_file_without_drive_roads_names_its_highway_types(kouvola, tmp_path, suffix):
    path = _footway_file(kouvola, tmp_path, suffix)
    counts = {"cycleway": 81, "footway": 29, "path": 12}  # the extract's ways of these classes
    found = ", ".join(f"{hwy} {n}" for hwy, n in counts.items())
    with pytest.raises(NetworkError, match=rf"holds no drive roads; .*: {found}; choose"):
        load_graph(_config(path))
    assert len(load_graph(_config(path), network_type="walk")) > 10


# --- through the CLI ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["no_crs", "footways"])
def test_cli_validate_of_a_bad_network_file_exits_2_with_one_line(
    kouvola, kouvola_drive_network, tmp_path, bad
):
    if bad == "no_crs":
        G = ox.projection.project_graph(kouvola_drive_network.graph, to_crs="EPSG:3067")
        del G.graph["crs"]
        path = tmp_path / "no_crs.graphml"
        ox.save_graphml(G, path)
        expected = "network.crs"
    else:
        path = _footway_file(kouvola, tmp_path, ".osm")
        expected = "footway 29"
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(
        "extends: emob-sim:configs/demo/kouvola.yaml\n"
        f"network:\n  pyrosm_extract: null\n  file: {path.name}\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "emob_sim", "validate", str(scenario), "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert path.name in lines[0] and expected in lines[0]
    assert "Traceback" not in proc.stderr and proc.stdout == ""
