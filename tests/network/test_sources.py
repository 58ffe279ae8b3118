"""Network sources: OSMnx downloads answered by a loopback server, and local files."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox
import pyrosm
import pytest
import shapely
from shapely.geometry import mapping

from emob_sim.config.models import NetworkConfig
from emob_sim.errors import InputFileNotFoundError, NetworkError
from emob_sim.network import OSM_ATTRIBUTION, _overpass, load_graph, load_network

DRIVE_CLASSES_EXCLUDED = {"cycleway", "footway", "path", "service", "track", "steps", "pedestrian"}


def _highways(G: nx.MultiDiGraph) -> set[str]:
    out: set[str] = set()
    for _, _, hwy in G.edges(data="highway"):
        out.update(hwy if isinstance(hwy, list) else [hwy])
    return out


def _interpreter_calls(server) -> int:
    return server.requests.count("/api/interpreter")


def test_overpass_tag_filter_semantics():
    clauses = _overpass.parse_way_filter(
        '["highway"]["area"!~"yes"]["highway"!~"service|track"][maxspeed=50]["name"~"^h",i]'
    )
    assert [c.op for c in clauses] == ["exists", "!~", "!~", "=", "~"]
    ok = {"highway": "residential", "maxspeed": "50", "name": "Hurukselantie"}
    assert _overpass.way_matches(ok, clauses)
    assert not _overpass.way_matches({**ok, "highway": "service"}, clauses)
    assert not _overpass.way_matches({**ok, "area": "yes"}, clauses)
    assert not _overpass.way_matches({**ok, "maxspeed": "80"}, clauses)
    assert not _overpass.way_matches({k: v for k, v in ok.items() if k != "highway"}, clauses)
    assert not _overpass.way_matches({**ok, "name": "Kouvolantie"}, clauses)
    assert _overpass.way_matches({**ok, "highway": ["residential", "track"]}, clauses[:2])
    with pytest.raises(ValueError, match="cannot parse"):
        _overpass.parse_way_filter('["highway"] junk')


# --- downloads through OSMnx (loopback server) ---------------------------------------------


def test_bbox_download_gives_a_network_like_the_pbf(offline_osmnx, kouvola, tmp_path):
    config = NetworkConfig(source="bbox", bbox=kouvola.bbox, cache_dir=tmp_path / "cache")
    net = load_network(config)

    assert _interpreter_calls(offline_osmnx) == 1
    assert 30 < net.n_nodes < 1000
    west, south, east, north = kouvola.bbox
    assert np.all((net.lon >= west) & (net.lon <= east) & (net.lat >= south) & (net.lat <= north))
    assert "bbox" in net.description
    assert net.attribution == OSM_ATTRIBUTION
    assert not _highways(net.graph) & DRIVE_CLASSES_EXCLUDED

    # the same box read from the .pbf with pyrosm: same order of magnitude
    osm = pyrosm.OSM(str(kouvola.pbf), bounding_box=list(kouvola.bbox), progress=False)
    nodes, edges = osm.get_network(network_type="driving", nodes=True)
    G_pbf = ox.truncate.largest_component(
        osm.to_graph(nodes, edges, graph_type="networkx", progress=False), strongly=True
    )
    assert 0.5 < net.n_nodes / len(G_pbf) < 2.0


def test_second_download_is_answered_from_the_cache(offline_osmnx, kouvola, tmp_path):
    cache = tmp_path / "cache"
    config = NetworkConfig(source="bbox", bbox=kouvola.bbox, cache_dir=cache)
    G1 = load_graph(config)
    n_requests = len(offline_osmnx.requests)
    assert n_requests >= 1
    assert any(cache.glob("*.json"))

    G2 = load_graph(config)
    assert len(offline_osmnx.requests) == n_requests  # the server saw nothing new
    assert set(G1.nodes) == set(G2.nodes)
    # the OSMnx settings are restored afterwards
    assert ox.settings.cache_folder == str(tmp_path / "osmnx-cache")
    assert ox.settings.use_cache is False


def test_network_type_is_a_parameter_bike_is_larger_than_drive(offline_osmnx, kouvola):
    config = NetworkConfig(source="bbox", bbox=kouvola.bbox)
    drive = load_graph(config)
    bike = load_graph(config, network_type="bike")
    assert len(bike) > len(drive)
    assert "cycleway" in _highways(bike)
    assert "cycleway" not in _highways(drive)


def test_place_is_geocoded_and_downloaded_then_cached(offline_osmnx, kouvola):
    config = NetworkConfig(source="place", place=kouvola.place)
    G = load_graph(config)
    assert "/nominatim/search" in offline_osmnx.requests
    assert _interpreter_calls(offline_osmnx) == 1
    points = shapely.points(
        [d["x"] for _, d in G.nodes(data=True)], [d["y"] for _, d in G.nodes(data=True)]
    )
    assert shapely.covers(kouvola.place_polygon.buffer(1e-6), points).all()
    assert len(G) > 20

    n_requests = len(offline_osmnx.requests)
    again = load_graph(config)
    assert len(offline_osmnx.requests) == n_requests
    assert set(again.nodes) == set(G.nodes)


def test_polygon_file_gives_the_same_graph_as_the_place(offline_osmnx, kouvola, tmp_path):
    path = tmp_path / "area.geojson"
    feature = {
        "type": "Feature",
        "properties": {"name": "test"},
        "geometry": mapping(kouvola.place_polygon),
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    from_file = load_graph(NetworkConfig(source="polygon", polygon_file=path))
    from_place = load_graph(NetworkConfig(source="place", place=kouvola.place))
    assert len(from_file) > 20
    assert set(from_file.nodes) == set(from_place.nodes)


def test_polygon_file_without_polygon_raises(tmp_path):
    path = tmp_path / "points.geojson"
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Point", "coordinates": [26.95, 60.53]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(NetworkError, match="points.geojson.*no Polygon"):
        load_graph(NetworkConfig(source="polygon", polygon_file=path))
    with pytest.raises(InputFileNotFoundError, match="missing.geojson"):
        load_graph(NetworkConfig(source="polygon", polygon_file=tmp_path / "missing.geojson"))


def test_unknown_place_raises_network_error_naming_it(offline_osmnx):
    with pytest.raises(NetworkError, match="Atlantis nowhere"):
        load_graph(NetworkConfig(source="place", place="Atlantis nowhere"))


def test_area_without_roads_raises_network_error(offline_osmnx):
    zemgale = (23.70, 56.60, 23.72, 56.61)  # outside the Kouvola extract: empty answer
    with pytest.raises(NetworkError, match="no usable data"):
        load_graph(NetworkConfig(source="bbox", bbox=zemgale))


def test_server_down_raises_network_error_saying_offline(offline_osmnx, kouvola, monkeypatch):
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(ox.settings, "overpass_url", f"http://127.0.0.1:{port}/api")
    with pytest.raises(NetworkError, match="offline"):
        load_graph(NetworkConfig(source="bbox", bbox=kouvola.bbox))


# --- local files -----------------------------------------------------------------------------


def _file_config(path: Path) -> NetworkConfig:
    return NetworkConfig(source="file", file=path)


def test_pbf_drive_graph_is_osmnx_compatible(kouvola):
    G = load_graph(_file_config(kouvola.pbf))
    assert G.graph["crs"] == "EPSG:4326"
    assert G.graph.get("simplified")
    assert 100 < len(G) < 750  # 749 network nodes before simplification
    xs = np.array([d["x"] for _, d in G.nodes(data=True)])
    ys = np.array([d["y"] for _, d in G.nodes(data=True)])
    assert np.all((xs > 26.92) & (xs < 26.98) & (ys > 60.51) & (ys < 60.55))
    assert all(d["length"] > 0 and "highway" in d for _, _, d in G.edges(data=True))
    assert any("maxspeed" in d for _, _, d in G.edges(data=True))
    assert not _highways(G) & DRIVE_CLASSES_EXCLUDED

    # lengths are metres: an edge is at least as long as the great circle between its ends
    u, v, d = next(iter(G.edges(data=True)))
    chord = ox.distance.great_circle(
        G.nodes[u]["y"], G.nodes[u]["x"], G.nodes[v]["y"], G.nodes[v]["x"]
    )
    assert d["length"] >= chord - 0.01

    # simplification keeps the total road length of the unsimplified pyrosm graph
    osm = pyrosm.OSM(str(kouvola.pbf), progress=False)
    nodes, edges = osm.get_network(network_type="driving", nodes=True)
    raw = osm.to_graph(nodes, edges, graph_type="networkx", simplify=False, progress=False)
    assert len(raw) > len(G)
    total = sum(d["length"] for _, _, d in G.edges(data=True))
    raw_total = sum(d["length"] for _, _, d in raw.edges(data=True))
    assert total == pytest.approx(raw_total, rel=1e-6)


def test_pbf_bike_network_has_more_nodes_than_drive(kouvola):
    drive = load_graph(_file_config(kouvola.pbf))
    bike = load_graph(_file_config(kouvola.pbf), network_type="bike")
    assert len(bike) > len(drive)
    assert "cycleway" in _highways(bike)


def test_graphml_round_trip_gives_the_same_arrays(kouvola_drive_network, tmp_path):
    path = tmp_path / "kouvola.graphml"
    ox.save_graphml(kouvola_drive_network.graph, path)
    again = load_network(_file_config(path))
    assert "GraphML" in again.description
    for name in ("node_ids", "lon", "lat", "indptr", "indices", "length_m", "travel_time_s"):
        np.testing.assert_array_equal(getattr(again, name), getattr(kouvola_drive_network, name))


def test_osm_xml_is_filtered_by_network_type(kouvola, tmp_path):
    # a building next to the roads must not become part of any network
    building_nodes = {
        -1: {"lat": 60.530, "lon": 26.950, "tags": {}},
        -2: {"lat": 60.530, "lon": 26.951, "tags": {}},
        -3: {"lat": 60.531, "lon": 26.951, "tags": {}},
    }
    building = {"id": -10, "nodes": [-1, -2, -3, -1], "tags": {"building": "yes"}}
    path = kouvola.write_osm_xml(
        tmp_path / "kouvola.osm",
        {**kouvola.osm.nodes, **building_nodes},
        [*kouvola.osm.ways, building],
    )

    drive = load_graph(_file_config(path))
    from_pbf = load_graph(_file_config(kouvola.pbf))
    assert 0.8 < len(drive) / len(from_pbf) < 1.25
    assert not _highways(drive) & DRIVE_CLASSES_EXCLUDED
    assert not set(drive.nodes) & set(building_nodes)
    assert all("motor_vehicle" not in d for _, _, d in drive.edges(data=True))  # helper tags gone

    bike = load_graph(_file_config(path), network_type="bike")
    assert len(bike) > len(drive)
    assert "cycleway" in _highways(bike)

    net = load_network(_file_config(path))
    assert net.n_nodes > 50
    assert nx.is_strongly_connected(net.graph)


@pytest.mark.parametrize("name", ["broken.osm.pbf", "broken.osm", "broken.graphml"])
def test_corrupt_file_raises_network_error_naming_it(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"<osm><node id='1' lat=" + bytes(range(256)) * 20)
    with pytest.raises(NetworkError, match=name.replace(".", r"\.")):
        load_graph(_file_config(path))


def test_wrong_extension_raises_network_error(tmp_path):
    path = tmp_path / "roads.shp"
    path.write_bytes(b"x")
    with pytest.raises(NetworkError, match=r"roads\.shp.*\.graphml"):
        load_graph(_file_config(path))


def test_missing_file_raises_input_file_not_found(tmp_path):
    with pytest.raises(InputFileNotFoundError, match="nowhere.osm.pbf"):
        load_graph(_file_config(tmp_path / "nowhere.osm.pbf"))


def test_pbf_without_roads_raises_network_error(kouvola, tmp_path):
    osm = pyrosm.OSM(str(kouvola.pbf), progress=False)
    buildings = osm.get_buildings()
    path = tmp_path / "buildings.osm.pbf"
    osm.write_pbf(buildings.head(20), str(path), subset_only=True)
    with pytest.raises(NetworkError, match=r"buildings\.osm\.pbf holds no drive roads"):
        load_graph(_file_config(path))


def test_osm_xml_without_roads_raises_network_error(kouvola, tmp_path):
    nodes = {
        1: {"lat": 60.53, "lon": 26.95, "tags": {}},
        2: {"lat": 60.53, "lon": 26.96, "tags": {}},
    }
    fence = {"id": 7, "nodes": [1, 2], "tags": {"barrier": "fence"}}
    path = kouvola.write_osm_xml(tmp_path / "fence.osm", nodes, [fence])
    with pytest.raises(NetworkError, match=r"fence\.osm holds no drive roads"):
        load_graph(_file_config(path))


def test_strategic_source_has_no_bike_network(tmp_path):
    config = NetworkConfig(source="strategic", strategic_dir=tmp_path)
    with pytest.raises(NetworkError, match="'bike'"):
        load_graph(config, network_type="bike")
