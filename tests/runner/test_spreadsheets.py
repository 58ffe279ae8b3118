"""kpis.csv and sites.csv: every run folder opens in a spreadsheet, in people's words."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import emob_sim
from emob_sim.analysis import flat_kpis
from emob_sim.config import bundled_path, load_scenario
from emob_sim.display import header_of, kind_label, number_for
from emob_sim.runner import RUN_FILES, write_run

SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A corridor run (new DC hubs, the aggregate Rīga site, e-bikes) written to a folder."""
    result = emob_sim.run(load_scenario(bundled_path("configs/zemgale/layout_corridor.yaml")))
    return write_run(result, tmp_path_factory.mktemp("run") / "run")


def _read(path):
    return pd.read_csv(path, encoding="utf-8-sig")


def test_both_files_are_in_the_folder_and_its_manifest(folder):
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for name in ("kpis.csv", "sites.csv"):
        assert (folder / name).is_file()
        assert name in manifest["files"] and name in RUN_FILES
        # UTF-8 with a byte-order mark: Excel then reads Rīga and Jēkabpils right
        raw = (folder / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        raw[3:].decode("utf-8")
    assert "Jēkabpils" in (folder / "sites.csv").read_text(encoding="utf-8-sig")


def test_no_header_is_a_raw_key(folder):
    for name in ("kpis.csv", "sites.csv"):
        headers = list(_read(folder / name).columns)
        raw = [h for h in headers if SNAKE.match(h)]
        assert not raw, f"{name}: snake_case headers {raw}"
        assert len(set(headers)) == len(headers), f"{name}: a header is used twice"
        assert not [h for h in headers if "[" in h], f"{name}: two keys share a label"
        assert not [h for h in headers if h.startswith("Unnamed")]


def test_kpis_csv_holds_the_values_of_kpis_json(folder):
    kpis = flat_kpis(json.loads((folder / "kpis.json").read_text(encoding="utf-8")))
    table = _read(folder / "kpis.csv")
    assert len(table) == 1
    assert list(table.columns) == [header_of(k) for k in kpis]
    row = table.iloc[0]
    for key, value in kpis.items():
        cell = row[header_of(key)]
        assert np.issubdtype(type(cell), np.number), (key, cell)  # a number, not a text
        assert cell == pytest.approx(number_for(key, value)), key
    assert row["Mean wait (min)"] == pytest.approx(kpis["mean_wait_min"])
    assert row["Trips"] == kpis["trips_generated"]


def test_sites_csv_holds_the_values_of_sites_geojson(folder):
    layer = gpd.read_file(folder / "sites.geojson")
    table = _read(folder / "sites.csv")
    assert len(table) == len(layer)
    assert table["Site ID"].tolist() == layer["site_id"].tolist()
    assert table["Kind"].tolist() == [kind_label(k) for k in layer["kind"]]
    assert table["Longitude (WGS84)"].to_numpy() == pytest.approx(layer.geometry.x.to_numpy())
    assert table["Latitude (WGS84)"].to_numpy() == pytest.approx(layer.geometry.y.to_numpy())
    numeric = [c for c in layer.columns if c not in ("site_id", "name", "kind", "geometry")]
    assert {"plugs", "energy_kwh", "utilisation", "mean_wait_min", "peak_kw"} <= set(numeric)
    for column in numeric:
        got = table[header_of(column)]
        assert pd.api.types.is_numeric_dtype(got), column
        want = [number_for(column, v) for v in layer[column]]
        np.testing.assert_allclose(got.to_numpy(float), np.asarray(want, float), err_msg=column)
    # utilisation in percent, as its header says
    assert table["Utilisation (%)"].max() > 1.0 >= layer["utilisation"].max()


def test_sites_csv_names_each_sites_municipality_by_territory(folder):
    table = _read(folder / "sites.csv").set_index("Site ID")["Municipality"]
    assert table["hub-a8-ozolnieki"] == table["hub-a8-eleja"] == "Jelgavas novads"
    assert table["osm-3968775686"] == "Jelgava (state city)"  # the AC charger in Jelgava
    assert table["ext-riga"] == "outside"


def test_energy_sites_and_their_kpis_get_headers_for_people_too():
    """An industrial area adds energy columns (PV, battery, grid) and the areas' total."""
    from emob_sim.runner.write import people_tables

    result = emob_sim.run(load_scenario(bundled_path("configs/zemgale/industrial_area.yaml")))
    kpis, sites = people_tables(result)
    for table in (kpis, sites):
        headers = list(table.columns)
        assert not [h for h in headers if SNAKE.match(h) or "[" in h], headers
    assert "Workplace charging" in set(sites["Kind"])
    assert {"PV (kWp)", "Self sufficiency (%)"} <= set(sites.columns)
    total = result.kpis["areas"]["total"]
    assert kpis.iloc[0]["Energy sites: Charged (kWh)"] == pytest.approx(total["charged_kwh"])


@pytest.mark.parametrize(
    ("key", "header", "value", "number"),
    [
        ("mean_wait_min", "Mean wait (min)", 3.25, 3.25),
        ("capex_eur_area", "CAPEX (area, EUR)", 870000.0, 870000.0),
        ("utilisation", "Utilisation (%)", 0.071, 7.1),
        ("pop_fast_10min_share", "Residents within 10 min of a DC charger (%)", 0.6068, 60.68),
        ("km_electric", "Electric km", 12.5, 12.5),  # the unit is not said twice
        ("ebike_vehicles", "E-bikes", 30, 30),
        ("areas_pv_kwh", "Energy sites: PV generation (kWh)", 2.0, 2.0),
    ],
)
def test_a_header_is_the_label_with_its_unit(key, header, value, number):
    assert header_of(key) == header
    assert number_for(key, value) == pytest.approx(number)
