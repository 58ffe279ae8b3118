"""The e-bike layer: bike networks of OSM sources, zones they reach, climbs, e-bike points."""

from __future__ import annotations

import logging
from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
import pytest

import emob_sim
from emob_sim.config import load_scenario
from emob_sim.config.models import NetworkConfig
from emob_sim.errors import ConfigError, NetworkError
from emob_sim.network import load_graph
from emob_sim.region import build_bike_layer, build_region
from emob_sim.region.sites import load_sites, split_sites
from emob_sim.region.zones import ZONE_FILE_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
KOUVOLA = ROOT / "configs" / "demo" / "kouvola.yaml"


def _highways(G: nx.MultiDiGraph) -> set[str]:
    out: set[str] = set()
    for _, _, hwy in G.edges(data="highway"):
        out.update(hwy if isinstance(hwy, list) else [hwy])
    return out


def test_kouvola_has_a_whole_bike_network_larger_than_its_drive_network(kouvola_region):
    drive, bike = kouvola_region.network, kouvola_region.bike.network
    assert bike.n_nodes >= 300 and bike.n_nodes > drive.n_nodes
    assert "bike network" in bike.description and bike.attribution
    assert "cycleway" in _highways(bike.graph) and "cycleway" not in _highways(drive.graph)
    # the whole (strongly connected) bike network of the extract is used
    raw = load_graph(NetworkConfig(source="file", pyrosm_extract="test_pbf"), network_type="bike")
    assert bike.n_nodes == len(ox.truncate.largest_component(raw, strongly=True))
    # riding times at the e-bike speed, not car speeds
    np.testing.assert_allclose(bike.travel_time_s, bike.length_m / (18 / 3.6))
    layer = kouvola_region.bike
    assert layer.zone_ok.all()
    assert np.isfinite(layer.time_s).all() and (layer.dist_km > 0).all()
    assert (layer.climb_m == 0).all()  # pyrosm extracts have no elevations: flat
    assert list(layer.sites["kind"]) == ["ebike"] * 3
    assert set(kouvola_region.sites["kind"]) == {"car_ac", "car_dc"}
    assert ((layer.near_share >= 0) & (layer.near_share <= 1)).all()
    assert layer.near_share[layer.site_zone].min() > 0.3  # points cover much of small zones


def _zones_csv(region, tmp_path: Path) -> Path:
    """The demo's automatic zones written as a zones table."""
    path = tmp_path / "kouvola_zones.csv"
    region.zones[ZONE_FILE_COLUMNS].to_csv(path, index=False)
    return path


def _far_zone(region, tmp_path: Path, *, only: bool = False) -> Path:
    """The demo's automatic zones (none if ``only``) plus zone 'far', 3 km east of the
    extract."""
    zones = region.zones[ZONE_FILE_COLUMNS]
    far = {**zones.iloc[0].to_dict(), "zone_id": "far", "name": "far", "lon": 27.02, "lat": 60.53}
    path = tmp_path / "zones.csv"
    pd.concat([zones.iloc[:0] if only else zones, pd.DataFrame([far])]).to_csv(path, index=False)
    return path


def test_zones_off_the_bike_network_are_dropped_with_a_warning(kouvola_region, tmp_path, caplog):
    path = _far_zone(kouvola_region, tmp_path)
    sc = load_scenario(KOUVOLA, overrides=[f"zones.file={path}", "zones.max_snap_distance_m=5000"])
    with caplog.at_level(logging.WARNING, logger="emob_sim.region.bike"):
        region = build_region(sc)
    assert "'far'" in caplog.text and "no e-bike demand" in caplog.text
    far = int(np.flatnonzero(region.zones["zone_id"] == "far")[0])
    assert not region.bike.zone_ok[far]
    assert region.bike.zone_ok.sum() == kouvola_region.n_zones
    assert np.isnan(region.bike.time_s[far]).all()

    result = emob_sim.run(sc, region=region)
    trips = result.ebike.demand.trips
    assert len(trips) > 0
    assert not ((trips["origin"] == far) | (trips["dest"] == far)).any()
    assert (result.ebike.demand.vehicles["home_zone"] != far).all()


def test_no_zone_on_the_bike_network_is_a_network_error(kouvola_region, tmp_path):
    path = _far_zone(kouvola_region, tmp_path, only=True)
    sc = load_scenario(KOUVOLA, overrides=[f"zones.file={path}", "zones.max_snap_distance_m=5000"])
    with pytest.raises(NetworkError, match="no zone of kind 'zone'.*max_snap_distance_m"):
        build_region(sc)


def test_osm_file_without_bike_roads_is_a_network_error(kouvola_region, tmp_path, write_osm_xml):
    nodes = {i: {"lat": 60.53, "lon": 26.93 + 0.01 * i, "tags": {}} for i in range(1, 6)}
    motorway = {"id": 9, "nodes": [1, 2, 3, 4, 5], "tags": {"highway": "motorway"}}
    back = {"id": 10, "nodes": [5, 4, 3, 2, 1], "tags": {"highway": "motorway"}}
    path = write_osm_xml(tmp_path / "motorway.osm", nodes, [motorway, back])
    zones = _zones_csv(kouvola_region, tmp_path)
    sc = load_scenario(
        KOUVOLA,
        overrides=[
            "network.pyrosm_extract=null",
            f"network.file={path}",
            "zones.max_snap_distance_m=5000",
            "charging.max_snap_distance_m=5000",
            f"zones.file={zones}",
        ],
    )
    with pytest.raises(NetworkError, match=r"motorway\.osm holds no bike roads"):
        build_region(sc)


def _hill_graphml(path: Path) -> Path:
    """Five nodes on a line, 0 -> 30 m up and down again, two-way residential streets."""
    G = nx.MultiDiGraph(crs="EPSG:4326")
    elevation = [0.0, 10.0, 30.0, 30.0, 5.0]
    for i, z in enumerate(elevation):
        G.add_node(i + 1, x=26.95 + 0.005 * i, y=60.53, elevation=z)
    for i in range(1, 5):
        length = ox.distance.great_circle(60.53, G.nodes[i]["x"], 60.53, G.nodes[i + 1]["x"])
        for u, v in ((i, i + 1), (i + 1, i)):
            G.add_edge(u, v, length=float(length), highway="residential", oneway=False)
    ox.save_graphml(G, path)
    return path


def test_climb_raises_energy_where_the_graph_has_elevations(tmp_path):
    graph = _hill_graphml(tmp_path / "hill.graphml")
    zones = pd.DataFrame(
        {
            "zone_id": ["low", "top", "end"],
            "name": ["low", "top", "end"],
            "kind": "zone",
            "lon": [26.95, 26.96, 26.97],
            "lat": 60.53,
            "population": 5000,
            "area_km2": 0.3,
            "municipality": "",
        }
    )
    zones.to_csv(tmp_path / "zones.csv", index=False)
    sc = load_scenario(
        KOUVOLA,
        overrides=[
            "network.pyrosm_extract=null",
            f"network.file={graph}",
            f"zones.file={tmp_path}/zones.csv",
            "charging.sites_file=null",
            "ebike.ownership_per_1000=200",
        ],
    )
    region = build_region(sc)
    climb = region.bike.climb_m
    assert climb[0, 1] == pytest.approx(30.0) and climb[1, 0] == pytest.approx(0.0)
    assert climb[1, 2] == pytest.approx(0.0) and climb[2, 1] == pytest.approx(25.0)

    demand = emob_sim.run(sc, region=region).ebike.demand
    trips, bikes = demand.trips, demand.vehicles
    flat_wh = trips["distance_km"] * bikes["wh_per_km"].to_numpy()[trips["ebike_id"]]
    np.testing.assert_allclose(trips["energy_wh"], flat_wh + 0.2 * trips["climb_m"])
    uphill = trips["climb_m"] > 0
    assert uphill.any() and (trips["energy_wh"][uphill] > flat_wh[uphill]).all()


def test_strategic_source_has_no_bike_network_and_zone_level_points(zemgale_region, tmp_path):
    assert zemgale_region.bike.network is None and zemgale_region.bike.time_s is None
    assert zemgale_region.bike.n_sites == 0 and (zemgale_region.bike.near_share == 0).all()
    jelgava = {
        "site_id": "eb-jelgava",
        "name": "Jelgava lockers",
        "kind": "ebike",
        "lon": 23.7339,
        "lat": 56.6514,
        "plugs": 8,
        "power_kw": 0.5,
    }
    sc = load_scenario(overrides=[f"charging.sites=[{jelgava}]".replace("'", "")])
    region = build_region(sc)
    assert "eb-jelgava" not in set(region.sites["site_id"])  # not a car site
    assert list(region.ebike_sites["site_id"]) == ["eb-jelgava"]
    z = int(np.flatnonzero(region.zones["zone_id"] == "Jelgava")[0])
    assert region.bike.site_zone.tolist() == [z]
    # 400 m of walking cover pi * 0.4**2 km2 of the 2 km2 town centre holding the destinations
    # of Jelgava's 60 km2 (ebike.destination_area_km2)
    assert region.bike.near_share[z] == pytest.approx(np.pi * 0.16 / 2)
    whole = load_scenario(
        overrides=[
            f"charging.sites=[{jelgava}]".replace("'", ""),
            "ebike.destination_area_km2=null",
        ]
    )
    assert build_region(whole).bike.near_share[z] == pytest.approx(np.pi * 0.16 / 60)


def test_pyrosm_extract_names_a_bundled_file_and_is_checked():
    cfg = NetworkConfig(source="file", pyrosm_extract="test_pbf")
    assert cfg.file.is_file() and cfg.file.name == "test.osm.pbf"
    again = NetworkConfig.model_validate(cfg.model_dump())  # a manifest round trip
    assert again.file == cfg.file
    with pytest.raises(ConfigError, match="pyrosm_extract.*source 'file'"):
        load_scenario(KOUVOLA, overrides=["network.source=place", "network.place=Kotka"])
    with pytest.raises(ConfigError, match="either file or pyrosm_extract"):
        load_scenario(KOUVOLA, overrides=[f"network.file={ROOT / 'README.md'}"])
    with pytest.raises(ConfigError, match="pyrosm_extract"):
        load_scenario(KOUVOLA, overrides=["network.pyrosm_extract=helsinki_region_pbf"])


def test_layer_can_be_rebuilt_on_its_loaded_bike_network(kouvola_region):
    sc = load_scenario(KOUVOLA)
    _, ebike_sites = split_sites(load_sites(sc.charging))
    fewer = build_bike_layer(
        sc,
        kouvola_region.zones,
        ebike_sites.iloc[:1],
        drive=kouvola_region.network,
        bike=kouvola_region.bike.network,
    )
    assert fewer.network is kouvola_region.bike.network and fewer.n_sites == 1
    np.testing.assert_array_equal(fewer.time_s, kouvola_region.bike.time_s)
