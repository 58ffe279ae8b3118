"""Municipality boundaries: the shipped Zemgale layer and a site's municipality by territory."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from emob_sim.cli import app
from emob_sim.config import bundled_path, load_scenario
from emob_sim.errors import DataError, InputFileNotFoundError
from emob_sim.region.boundaries import check_boundaries, load_boundaries, municipality_at

MUNICIPALITIES = bundled_path("data/zemgale/municipalities.geojson")
FORMER = bundled_path("data/zemgale/former_municipalities.geojson")
ZONES = bundled_path("data/zemgale/zones.csv")
#: the municipalities of Zemgale since the reform of 1 July 2021
SIX = [
    "Aizkraukles novads",
    "Bauskas novads",
    "Dobeles novads",
    "Jelgava (state city)",
    "Jelgavas novads",
    "Jēkabpils novads",
]


@pytest.fixture(scope="module")
def boundaries():
    return load_boundaries(MUNICIPALITIES)


@pytest.fixture(scope="module")
def zones():
    z = pd.read_csv(ZONES)
    return z[z["kind"] == "zone"].reset_index(drop=True)


def test_the_file_holds_the_six_municipalities_of_2021(boundaries, zones):
    assert sorted(boundaries["name"]) == SIX == sorted(set(zones["municipality"]))
    assert boundaries.crs.to_epsg() == 4326
    assert boundaries.geometry.is_valid.all()
    assert (boundaries.geometry.geom_type == "Polygon").all()
    # no two municipalities share territory
    geoms = list(boundaries.geometry)
    for i, a in enumerate(geoms):
        for b in geoms[i + 1 :]:
            assert a.intersection(b).area < 1e-8
    # each is made of its former municipalities (22 in all), named in the file
    raw = json.loads(MUNICIPALITIES.read_text(encoding="utf-8"))
    former = [f for feat in raw["features"] for f in feat["properties"]["former"].split("; ")]
    assert len(former) == len(set(former)) == 22
    by_name = {f["properties"]["name"]: f["properties"]["former"] for f in raw["features"]}
    assert by_name["Jelgavas novads"] == "Jelgavas novads; Ozolnieku novads"
    assert by_name["Jelgava (state city)"] == "Jelgava"
    # coordinates rounded to 1e-5 degrees
    coords = shapely.get_coordinates(boundaries.geometry.to_numpy())
    assert np.allclose(coords, np.round(coords, 5), atol=1e-9, rtol=0)


def test_the_former_municipalities_dissolve_into_the_six(boundaries):
    former = gpd.read_file(FORMER)
    assert len(former) == 22
    assert sorted(set(former["municipality"])) == SIX
    for name, part in former.groupby("municipality"):
        whole = boundaries.loc[boundaries["name"] == name].geometry.iloc[0]
        union = shapely.union_all(part.geometry.to_numpy())
        assert union.symmetric_difference(whole).area < 1e-6 * whole.area, name


def test_every_zone_point_lies_in_its_municipality(boundaries, zones):
    """No tolerance needed: every zone centre lies inside its own polygon (and, in the former
    units' file, inside its own former municipality)."""
    got = municipality_at(boundaries, zones["lon"], zones["lat"], tolerance_km=0.0)
    wrong = zones.loc[got != zones["municipality"].to_numpy(), "zone_id"].tolist()
    assert not wrong
    former = gpd.read_file(FORMER).set_index("zone_id")
    for zone in zones.itertuples():
        assert former.loc[zone.zone_id, "geometry"].contains(shapely.Point(zone.lon, zone.lat))


def test_a_hub_at_ozolnieki_is_in_jelgavas_novads(boundaries):
    """Ozolnieki is reached fastest from Jelgava city, but lies in Jelgavas novads."""
    got = municipality_at(boundaries, [23.78, 23.7339], [56.69, 56.6514], tolerance_km=2.0)
    assert got.tolist() == ["Jelgavas novads", "Jelgava (state city)"]
    corridor = pd.read_csv(bundled_path("data/zemgale/layouts/corridor.csv"))
    hubs = corridor[corridor["site_id"].str.startswith("hub-")]
    where = dict(
        zip(hubs["site_id"], municipality_at(boundaries, hubs["lon"], hubs["lat"], tolerance_km=2))
    )
    assert where["hub-a8-ozolnieki"] == where["hub-a8-eleja"] == "Jelgavas novads"
    assert where["hub-a7-iecava"] == where["hub-a7-bauska"] == "Bauskas novads"
    assert where["hub-a6-skriveri"] == where["hub-a6-koknese"] == "Aizkraukles novads"


def test_a_point_just_outside_counts_for_the_nearest_within_the_tolerance(boundaries):
    """1 km north of Jelgavas novads' northernmost point: the nearest municipality within
    2 km, none with no tolerance; Rīga (about 25 km away) belongs to none."""
    whole = boundaries.loc[boundaries["name"] == "Jelgavas novads"].geometry.iloc[0]
    coords = shapely.get_coordinates(whole)
    lon, lat = coords[np.argmax(coords[:, 1])]
    lat_out = lat + 1.0 / 111.2  # about 1 km further north
    assert municipality_at(boundaries, [lon], [lat_out], tolerance_km=2.0)[0] == "Jelgavas novads"
    assert municipality_at(boundaries, [lon], [lat_out], tolerance_km=0.0)[0] == ""
    assert municipality_at(boundaries, [24.1052], [56.9494], tolerance_km=2.0)[0] == ""
    assert municipality_at(boundaries, [], [], tolerance_km=2.0).size == 0


def test_the_zemgale_scenario_has_its_boundaries_and_the_base_keeps_the_old_rule():
    assert load_scenario().zones.boundaries_file == MUNICIPALITIES.resolve()
    assert load_scenario(bundled_path("configs/base.yaml")).zones.boundaries_file is None


def _polygon_layer(path: Path, props: dict, geometry: dict) -> Path:
    feature = {"type": "Feature", "properties": props, "geometry": geometry}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


SQUARE = {"type": "Polygon", "coordinates": [[[23, 56], [24, 56], [24, 57], [23, 57], [23, 56]]]}


@pytest.mark.parametrize(
    ("props", "geometry", "needle"),
    [
        ({"title": "x"}, SQUARE, "property 'name' is missing"),
        ({"name": ""}, SQUARE, "feature 1: name must be a non-empty text"),
        ({"name": "A"}, {"type": "Point", "coordinates": [23, 56]}, "must be a polygon, got Point"),
    ],
)
def test_a_bad_layer_is_one_line_naming_the_problem(tmp_path, props, geometry, needle):
    path = _polygon_layer(tmp_path / "b.geojson", props, geometry)
    with pytest.raises(DataError) as info:
        load_boundaries(path)
    message = str(info.value)
    assert needle in message and str(path) in message and "\n" not in message


def test_an_unreadable_or_missing_file_is_one_line(tmp_path):
    bad = tmp_path / "b.geojson"
    bad.write_text("not a layer at all")
    with pytest.raises(DataError, match="cannot read .* as a boundaries layer") as info:
        load_boundaries(bad)
    assert "\n" not in str(info.value)
    with pytest.raises(InputFileNotFoundError, match="zones.boundaries_file"):
        load_boundaries(tmp_path / "none.geojson")
    with pytest.raises(DataError, match="zones.boundaries_file"):
        load_boundaries(tmp_path)  # a folder
    with pytest.raises(DataError, match="expected a polygon layer"):
        load_boundaries(ZONES)  # a table without geometry


def test_a_polygon_of_an_unknown_municipality_is_refused(tmp_path, zones):
    path = _polygon_layer(tmp_path / "b.geojson", {"name": "Rīgas novads"}, SQUARE)
    with pytest.raises(DataError, match="'Rīgas novads' is not in the zones table"):
        check_boundaries(load_boundaries(path), zones["municipality"], path=path)
    # through the CLI: exit 2, one error line, no traceback
    result = CliRunner().invoke(
        app, ["validate", "--quiet", "--set", f"zones.boundaries_file={path}"]
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("error:") and "Rīgas novads" in lines[-1]
