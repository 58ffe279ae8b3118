"""Automatic zones (``zones.auto``): grid cells of a real OSM network with population from OSM
buildings, a polygon layer or a raster, adding up to the total they are given."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from typer.testing import CliRunner

import emob_sim
from emob_sim.cli import app
from emob_sim.config import load_scenario
from emob_sim.config.models import AutoZonesConfig
from emob_sim.errors import ConfigError, DataError
from emob_sim.network import load_network
from emob_sim.region import ZONE_COLUMNS, ZONE_FILE_COLUMNS, build_region
from emob_sim.region.autozones import auto_zones, largest_remainder

ROOT = Path(__file__).resolve().parents[2]
KOUVOLA = ROOT / "configs" / "demo" / "kouvola.yaml"  # automatic zones, buildings as proxy
HELSINKI = ["network.pyrosm_extract=helsinki_pbf", "charging.sites_file=null"]


@pytest.fixture(scope="module")
def kouvola():
    sc = load_scenario(KOUVOLA)
    return sc, load_network(sc.network)


@pytest.fixture(scope="module")
def helsinki():
    sc = load_scenario(KOUVOLA, overrides=HELSINKI)
    return sc, load_network(sc.network)


def _utm_hull(network) -> tuple[object, shapely.Geometry]:
    """The network's convex hull in its UTM zone, computed here independently."""
    nodes = gpd.GeoSeries(gpd.points_from_xy(network.lon, network.lat), crs="EPSG:4326")
    crs = nodes.estimate_utm_crs()
    return crs, shapely.MultiPoint(shapely.get_coordinates(nodes.to_crs(crs))).convex_hull


@pytest.mark.parametrize("total", [3000, 2999])
def test_buildings_proxy_adds_up_to_the_given_total(kouvola, total):
    sc, net = kouvola
    config = sc.zones.auto.model_copy(update={"population_total": total})
    zones = auto_zones(net, config, osm_file=sc.network.file)
    assert list(zones.columns) == [*ZONE_FILE_COLUMNS, "apartment_share", "source"]
    assert zones["population"].sum() == total
    assert (zones["population"] == np.round(zones["population"])).all()
    assert (zones["population"] > 0).all() and (zones["kind"] == "zone").all()
    assert len(zones) >= 5 and zones["zone_id"].is_unique
    assert all(re.fullmatch(r"z_\d{3}_\d{3}", z) for z in zones["zone_id"])
    assert (zones["municipality"] == "Kotka").all()
    assert zones["source"].str.contains("ASSUMPTION").all()
    assert zones["source"].str.contains("OSM buildings").all()
    cell_km2 = sc.zones.auto.cell_km**2
    assert ((zones["area_km2"] > 0) & (zones["area_km2"] <= cell_km2 + 1e-9)).all()
    # each zone's point is a network node inside its own cell
    crs, _ = _utm_hull(net)
    pts = gpd.GeoSeries(gpd.points_from_xy(zones["lon"], zones["lat"]), crs="EPSG:4326")
    xy = shapely.get_coordinates(pts.to_crs(crs))
    node_xy = shapely.get_coordinates(
        gpd.GeoSeries(gpd.points_from_xy(net.lon, net.lat), crs="EPSG:4326").to_crs(crs)
    )
    assert np.isin(zones["lon"], net.lon).all() and np.isin(zones["lat"], net.lat).all()
    cell_m = sc.zones.auto.cell_km * 1000
    ij = np.floor((xy - np.floor(node_xy.min(axis=0) / cell_m) * cell_m) / cell_m).astype(int)
    assert [f"z_{i:03d}_{j:03d}" for i, j in ij] == list(zones["zone_id"])


def test_buildings_proxy_on_helsinki_and_a_larger_grid(helsinki):
    sc, net = helsinki
    config = AutoZonesConfig(cell_km=0.5, min_nodes=3, population_total=12345.4)
    zones = auto_zones(net, config, osm_file=sc.network.file)
    assert zones["population"].sum() == 12345  # whole residents
    assert (zones["municipality"] == "").all()
    coarse = auto_zones(net, config.model_copy(update={"cell_km": 1.0}), osm_file=sc.network.file)
    assert len(coarse) < len(zones) and coarse["population"].sum() == 12345


def test_polygon_layer_spreads_its_population_by_area(helsinki, tmp_path):
    """One rectangle inside the network area and one across its edge: the zones hold the
    first's residents and the second's share by area inside the network's convex hull."""
    sc, net = helsinki
    crs, hull = _utm_hull(net)
    cx, cy = hull.centroid.x, hull.centroid.y
    minx = hull.bounds[0]
    inside = shapely.box(cx - 150, cy - 150, cx + 150, cy + 150)
    across = shapely.box(minx - 200, cy - 100, minx + 200, cy + 100)
    assert hull.contains(inside)
    share = across.intersection(hull).area / across.area
    assert 0.1 < share < 0.9
    layer = gpd.GeoDataFrame({"residents": [1200, 345]}, geometry=[inside, across], crs=crs)
    path = tmp_path / "population.gpkg"
    layer.to_file(path, layer="people", driver="GPKG")
    config = AutoZonesConfig(
        cell_km=0.5,
        min_nodes=3,
        population_file=path,
        population_layer="people",
        population_column="residents",
    )
    zones = auto_zones(net, config, osm_file=None)
    assert zones["population"].sum() == round(1200 + 345 * share)
    assert zones["source"].str.contains("population.gpkg column 'residents'").all()
    assert not zones["source"].str.contains("ASSUMPTION").any()
    # with a total the layer is rescaled to it
    scaled = auto_zones(net, config.model_copy(update={"population_total": 1000}), osm_file=None)
    assert scaled["population"].sum() == 1000


def test_geojson_layer_inside_the_network_area_keeps_its_total(kouvola, tmp_path):
    """Two rectangles of real ground inside the extract (GeoJSON, WGS84): every resident of
    the layer is in a zone."""
    sc, net = kouvola
    crs, hull = _utm_hull(net)
    cx, cy = hull.centroid.x, hull.centroid.y
    rects = [
        shapely.box(cx - 600, cy - 300, cx - 100, cy + 300),
        shapely.box(cx, cy - 200, cx + 400, cy + 200),
    ]
    assert all(hull.contains(r) for r in rects)
    layer = gpd.GeoDataFrame({"population": [1830, 977]}, geometry=rects, crs=crs)
    path = tmp_path / "population.geojson"
    layer.to_crs("EPSG:4326").to_file(path, driver="GeoJSON")
    sc = load_scenario(
        KOUVOLA,
        overrides=[f"zones.auto.population_file={path}", "zones.auto.population_total=null"],
    )
    zones = auto_zones(net, sc.zones.auto, osm_file=sc.network.file)
    assert zones["population"].sum() == 1830 + 977
    assert len(zones) >= 2  # spread over several cells, the others left out


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # rasterio's own use of affine
def test_raster_counts_go_to_the_cell_of_each_pixel_centre(kouvola, tmp_path):
    import rasterio
    from rasterio.transform import from_origin

    sc, net = kouvola
    lon, lat = float(np.median(net.lon)), float(np.median(net.lat))
    counts = np.array([[10, 20, 30], [40, -1, 60], [70, 80, 90]], dtype="float32")
    path = tmp_path / "people.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=3,
        height=3,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=from_origin(lon - 0.003, lat + 0.0015, 0.002, 0.001),
        nodata=-1,
    ) as dst:
        dst.write(counts, 1)
    config = AutoZonesConfig(cell_km=0.75, population_file=path)
    zones = auto_zones(net, config, osm_file=None)
    assert zones["population"].sum() == 400  # 450 less the nodata pixel
    assert zones["source"].str.contains("pixels of people.tif").all()


def test_region_on_automatic_zones_snaps_every_zone(kouvola):
    sc, _ = kouvola
    region = build_region(sc)
    zones = region.zones
    assert list(zones.columns) == ZONE_COLUMNS
    assert (zones["snap_distance_m"] <= sc.zones.max_snap_distance_m).all()
    assert (zones["snap_distance_m"] < 1.0).all()  # the points are network nodes
    assert zones["population"].sum() == 3000
    assert region.bike is not None and region.bike.zone_ok.all()
    assert np.isfinite(region.time_s).all()


def test_whole_run_on_automatic_zones(helsinki):
    sc = load_scenario(
        KOUVOLA,
        overrides=[*HELSINKI, "zones.auto.cell_km=0.5", "zones.auto.population_total=20000"],
    )
    result = emob_sim.run(sc)
    k = result.kpis
    assert k["trips_generated"] > 0
    assert k["trips_completed"] + k["trips_stranded"] == k["trips_generated"]
    assert k["ebike"]["trips"] > 0
    assert result.region.zones["population"].sum() == 20000


def test_largest_remainder_is_exact_and_proportional():
    out = largest_remainder(np.array([1.0, 1.0, 1.0]), 10)
    assert out.sum() == 10 and sorted(out) == [3, 3, 4]
    out = largest_remainder(np.array([0.0, 2.0, 6.0]), 7)
    assert list(out) == [0, 2, 5]


def test_no_population_source_is_a_config_error(helsinki):
    sc, net = helsinki
    with pytest.raises(ConfigError, match=r"zones\.auto\.population_total: not set"):
        auto_zones(net, AutoZonesConfig(), osm_file=sc.network.file)
    with pytest.raises(ConfigError, match=r"not read from an OSM file"):
        auto_zones(net, AutoZonesConfig(population_total=10), osm_file=None)


def test_too_few_nodes_per_cell_is_a_config_error(helsinki):
    sc, net = helsinki
    config = AutoZonesConfig(cell_km=0.2, min_nodes=500, population_total=10)
    with pytest.raises(ConfigError, match=r"zones\.auto\.min_nodes: no 0\.2 km cell holds 500"):
        auto_zones(net, config, osm_file=sc.network.file)


def test_bad_population_layer_names_the_feature_and_field(helsinki, tmp_path):
    sc, net = helsinki
    crs, hull = _utm_hull(net)
    c = hull.centroid
    boxes = [shapely.box(c.x, c.y, c.x + 100, c.y + 100), shapely.box(c.x, c.y, c.x - 90, c.y - 90)]
    path = tmp_path / "bad.geojson"
    gpd.GeoDataFrame({"population": [10, -5]}, geometry=boxes, crs=crs).to_file(path)
    with pytest.raises(DataError, match=r"bad\.geojson: feature 2: population: must be a number"):
        auto_zones(net, AutoZonesConfig(population_file=path), osm_file=None)
    with pytest.raises(DataError, match=r"column 'people' .* is missing"):
        auto_zones(
            net, AutoZonesConfig(population_file=path, population_column="people"), osm_file=None
        )


def test_cli_exits_2_on_a_bad_population_layer(tmp_path):
    path = tmp_path / "bad.geojson"
    layer = gpd.GeoDataFrame(
        {"population": [10]}, geometry=[shapely.Point(26.95, 60.53)], crs="EPSG:4326"
    )
    layer.to_file(path)
    out = tmp_path / "out"
    r = CliRunner().invoke(
        app, ["run", str(KOUVOLA), "--out", str(out), "--set", f"zones.auto.population_file={path}"]
    )
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert "feature 1: geometry: must be a polygon, got Point" in r.output
    assert not out.exists()


def _write_osm_xml(path: Path, *, with_buildings: bool = True) -> Path:
    """The extract's drive roads (each edge a two-node way) and buildings as OSM XML."""
    import warnings
    import xml.etree.ElementTree as ET

    import pyrosm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        osm = pyrosm.OSM(pyrosm.get_data("test_pbf"))
        nodes, edges = osm.get_network(network_type="driving", nodes=True)
        buildings = osm.get_buildings()
    if not with_buildings:
        buildings = buildings.iloc[:0]
    root = ET.Element("osm", version="0.6", generator="emob-sim tests")
    for nid, lon, lat in zip(nodes["id"], nodes["lon"], nodes["lat"]):
        ET.SubElement(root, "node", id=str(nid), lat=repr(lat), lon=repr(lon), version="1")
    ways = []
    for k, (u, v, hwy) in enumerate(zip(edges["u"], edges["v"], edges["highway"])):
        ways.append((10**10 + k, [u, v], {"highway": hwy}))
    next_id = 10**11
    for k, (geom, tag) in enumerate(zip(buildings.geometry, buildings["building"])):
        if geom.geom_type != "Polygon":
            continue
        refs = []
        for lon, lat in list(geom.exterior.coords)[:-1]:
            ET.SubElement(root, "node", id=str(next_id), lat=repr(lat), lon=repr(lon), version="1")
            refs.append(next_id)
            next_id += 1
        ways.append((2 * 10**10 + k, [*refs, refs[0]], {"building": str(tag)}))
    for wid, refs, tags in ways:
        el = ET.SubElement(root, "way", id=str(wid), version="1")
        for n in refs:
            ET.SubElement(el, "nd", ref=str(n))
        for key, value in tags.items():
            ET.SubElement(el, "tag", k=key, v=value)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def test_buildings_of_an_osm_xml_file(tmp_path):
    path = _write_osm_xml(tmp_path / "karhula.osm")
    sc = load_scenario(
        KOUVOLA,
        overrides=[
            "network.pyrosm_extract=null",
            f"network.file={path}",
            "zones.auto.population_total=2500",
        ],
    )
    zones = auto_zones(load_network(sc.network), sc.zones.auto, osm_file=sc.network.file)
    assert zones["population"].sum() == 2500 and len(zones) >= 5
    counted = int(re.search(r"(\d+) OSM buildings of karhula\.osm", zones["source"][0]).group(1))
    assert 1500 < counted < 2208  # homes in the network area, not the industrial ones


def test_an_osm_xml_file_without_buildings_asks_for_a_population_file(tmp_path):
    path = _write_osm_xml(tmp_path / "roads.osm", with_buildings=False)
    sc = load_scenario(
        KOUVOLA,
        overrides=[
            "network.pyrosm_extract=null",
            f"network.file={path}",
            "zones.auto.population_total=2500",
        ],
    )
    message = r"roads\.osm holds no buildings in the network area; give zones\.auto\.population"
    with pytest.raises(DataError, match=message):
        auto_zones(load_network(sc.network), sc.zones.auto, osm_file=sc.network.file)
