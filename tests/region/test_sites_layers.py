"""Charging sites from a GeoJSON or GeoPackage point layer, the same as from the CSV."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from emob_sim.cli import app
from emob_sim.config import load_scenario
from emob_sim.errors import DataError
from emob_sim.network import load_network
from emob_sim.region import SITE_FILE_COLUMNS, load_sites, read_sites_file, snap_sites

ROOT = Path(__file__).resolve().parents[2]
KOUVOLA = ROOT / "configs" / "demo" / "kouvola.yaml"
CSV = ROOT / "data" / "demo" / "kouvola_sites.csv"


@pytest.fixture(scope="module")
def kouvola():
    sc = load_scenario(KOUVOLA)
    return sc, load_network(sc.network)


def _layer(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    """The demo's sites CSV as points (lon/lat only in the geometry)."""
    df = pd.read_csv(CSV)
    points = gpd.points_from_xy(df["lon"], df["lat"])
    layer = gpd.GeoDataFrame(df.drop(columns=["lon", "lat"]), geometry=points, crs="EPSG:4326")
    return layer.to_crs(crs)


def _region_sites(sc, net, sites_file: Path) -> pd.DataFrame:
    charging = sc.charging.model_copy(update={"sites_file": sites_file})
    return snap_sites(load_sites(charging), net, max_snap_distance_m=500)


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_layer_gives_the_same_region_sites_as_the_csv(kouvola, tmp_path, suffix):
    sc, net = kouvola
    path = tmp_path / f"sites{suffix}"
    # the GeoPackage in the Finnish national grid: reprojected to WGS84 on reading
    _layer("EPSG:4326" if suffix == ".geojson" else "EPSG:3067").to_file(path)
    expected = _region_sites(sc, net, CSV)
    got = _region_sites(sc, net, path)
    assert len(expected) == 6
    pd.testing.assert_frame_equal(
        got.drop(columns=["lon", "lat", "snap_distance_m"]),
        expected.drop(columns=["lon", "lat", "snap_distance_m"]),
    )
    for col in ("lon", "lat"):
        pd.testing.assert_series_equal(got[col], expected[col], atol=1e-9, rtol=0)
    pd.testing.assert_series_equal(got["snap_distance_m"], expected["snap_distance_m"], atol=1e-3)


def test_scenario_with_a_geojson_sites_file_runs_from_the_cli(tmp_path):
    path = tmp_path / "sites.geojson"
    _layer().to_file(path)
    out = tmp_path / "out"
    r = CliRunner().invoke(
        app, ["run", str(KOUVOLA), "--out", str(out), "--set", f"charging.sites_file={path}"]
    )
    assert r.exit_code == 0, r.output
    features = json.loads((out / "sites.geojson").read_text())["features"]
    assert sorted(f["properties"]["site_id"] for f in features) == sorted(
        pd.read_csv(CSV)["site_id"]
    )


def _geojson(tmp_path: Path, features: list[dict]) -> Path:
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _feature(geometry: dict | None = None, **props) -> dict:
    base = {"site_id": "a", "kind": "car_ac", "plugs": 2, "power_kw": 22.0}
    return {
        "type": "Feature",
        "properties": {**base, **props},
        "geometry": geometry or {"type": "Point", "coordinates": [26.95, 60.53]},
    }


def test_bad_feature_names_its_number_and_field(tmp_path):
    path = _geojson(tmp_path, [_feature(), _feature(site_id="b", plugs=0)])
    with pytest.raises(DataError, match=r"bad\.geojson: feature 2: plugs: .*greater than or equal"):
        read_sites_file(path)
    square = {
        "type": "Polygon",
        "coordinates": [[[26.9, 60.5], [27, 60.5], [27, 60.6], [26.9, 60.5]]],
    }
    path = _geojson(tmp_path, [_feature(geometry=square)])
    with pytest.raises(DataError, match=r"feature 1: geometry: must be a point, got Polygon"):
        read_sites_file(path)
    path = _geojson(tmp_path, [_feature(kind="tram")])
    with pytest.raises(DataError, match=r"feature 1: kind: "):
        read_sites_file(path)


def test_missing_property_and_numbered_ids(tmp_path):
    feature = _feature()
    del feature["properties"]["power_kw"]
    with pytest.raises(DataError, match=r"property 'power_kw' is missing"):
        read_sites_file(_geojson(tmp_path, [feature]))
    layer = gpd.GeoDataFrame(
        {"site_id": [7], "kind": ["car_dc"], "plugs": [2], "power_kw": [50.0]},
        geometry=[shapely.Point(26.95, 60.53)],
        crs="EPSG:4326",
    )
    layer.to_file(tmp_path / "n.gpkg")
    (spec,) = read_sites_file(tmp_path / "n.gpkg")
    assert spec.site_id == "7" and spec.name == "" and (spec.lon, spec.lat) == (26.95, 60.53)
    assert list(SITE_FILE_COLUMNS) == list(spec.model_dump())


def test_cli_exits_2_naming_the_bad_feature(tmp_path):
    path = _geojson(tmp_path, [_feature(), _feature(site_id="b", power_kw=-3)])
    out = tmp_path / "out"
    r = CliRunner().invoke(
        app, ["run", str(KOUVOLA), "--out", str(out), "--set", f"charging.sites_file={path}"]
    )
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert "feature 2: power_kw" in r.output.strip().splitlines()[-1]
    assert not out.exists()
