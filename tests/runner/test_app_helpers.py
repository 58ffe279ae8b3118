"""What the app's downloads and Compare page take from the package: the run folder as a zip,
sites as GeoJSON or GeoPackage bytes, the best value of each comparison row."""

from __future__ import annotations

import io
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import emob_sim
from emob_sim.io import points_bytes
from emob_sim.runner import RUN_FILES, best_values, run_archive, write_run


@pytest.fixture(scope="module")
def result():
    """One short default run (Zemgale, one day)."""
    return emob_sim.run(None, overrides=["time.days=1"])


def test_the_run_archive_lists_exactly_the_files_of_the_run_folder(result, tmp_path):
    folder = write_run(result, tmp_path / "run")
    with zipfile.ZipFile(io.BytesIO(run_archive(result))) as archive:
        names = archive.namelist()
        assert archive.testzip() is None
        kpis = archive.read("kpis.json")
    assert sorted(names) == sorted(p.name for p in folder.iterdir())
    assert set(RUN_FILES) <= set(names)
    assert all("/" not in name for name in names)  # the files at the top of the archive
    assert kpis == (folder / "kpis.json").read_bytes()


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_points_bytes_round_trip_through_geopandas_in_wgs84(result, tmp_path, suffix):
    sites = result.sites
    path = tmp_path / f"sites{suffix}"
    path.write_bytes(points_bytes(sites, suffix))
    read = gpd.read_file(path)
    assert read.crs.to_epsg() == 4326
    assert list(read["site_id"]) == list(sites["site_id"])
    assert list(read["plugs"]) == list(sites["plugs"])
    np.testing.assert_allclose(read.geometry.x, sites["lon"], atol=1e-7)
    np.testing.assert_allclose(read.geometry.y, sites["lat"], atol=1e-7)
    assert "lon" not in read.columns and "lat" not in read.columns


def test_points_bytes_names_the_geopackage_layer(result, tmp_path):
    import pyogrio

    path = tmp_path / "layers.gpkg"
    path.write_bytes(points_bytes(result.sites, ".gpkg", layer="car_sites"))
    assert [name for name, _ in pyogrio.list_layers(path)] == ["car_sites"]


def test_best_values_mark_the_minimum_or_maximum_by_the_kind_of_row():
    table = pd.DataFrame(
        {
            "layout": ["a", "b", "c"],
            "capex_eur_area": [0.0, 5e5, 2e5],  # lower is better
            "mean_wait_min_total": [4.0, 2.0, 2.0],  # lower, a tie
            "charging_sessions_area": [10, 30, 20],  # higher is better
            "co2_avoided_kg_total": [1.0, 2.0, 3.0],  # higher
            "ebike_co2_avoided_kg": [5.0, 1.0, 1.0],  # higher, an e-bike KPI
            "plugs_area": [2, 8, 4],  # descriptive: no best value
            "trips_stranded_area": [3, 3, 3],  # equal everywhere: no best value
        }
    )
    best = best_values(table)
    assert best.shape == table.shape
    assert list(best["capex_eur_area"]) == [True, False, False]
    assert list(best["mean_wait_min_total"]) == [False, True, True]
    assert list(best["charging_sessions_area"]) == [False, True, False]
    assert list(best["co2_avoided_kg_total"]) == [False, False, True]
    assert list(best["ebike_co2_avoided_kg"]) == [True, False, False]
    for col in ("layout", "plugs_area", "trips_stranded_area"):
        assert not best[col].any(), col
