"""build_region on the default scenario; zones and sites tables and their errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emob_sim.config import load_scenario
from emob_sim.config.models import ChargingConfig, SiteSpec
from emob_sim.errors import DataError, NetworkError
from emob_sim.region import SITE_COLUMNS, ZONE_COLUMNS, build_region, intrazonal_distance_km
from emob_sim.region.sites import load_sites
from emob_sim.region.zones import load_zones

DATA = Path(__file__).resolve().parents[1] / "data" / "zemgale"


@pytest.fixture(scope="module")
def region():
    return build_region(load_scenario())


def test_region_tables(region):
    assert list(region.zones.columns) == ZONE_COLUMNS
    assert list(region.sites.columns) == SITE_COLUMNS
    kinds = region.zones["kind"].value_counts().to_dict()
    assert kinds == {"zone": 22, "external": 1, "gateway": 5}
    riga = region.zones.set_index("zone_id").loc["Rīga"]
    assert riga["kind"] == "external" and riga["population"] == 600_000
    # the 2017 populations scaled to the 2022 municipality totals (225,017), up to rounding
    population = region.zones.loc[region.zones["kind"] == "zone", "population"].sum()
    assert abs(population - 225_017) <= 6
    assert (region.zones["snap_distance_m"] < 1.0).all()  # every zone centre is a network node
    assert (region.sites["snap_distance_m"] <= 5000).all()
    assert set(region.sites["kind"]) == {"car_ac", "car_dc"}


def test_matrices_finite_and_positive(region):
    n = region.n_zones + region.n_sites
    for m in (region.time_s, region.dist_km):
        assert m.shape == (n, n) and np.isfinite(m).all() and (m >= 0).all()
    nodes = np.concatenate([region.zones["node"], region.sites["node"]])
    distinct = nodes[:, None] != nodes[None, :]
    assert (region.time_s[distinct] > 0).all() and (region.dist_km[distinct] > 0).all()
    # every zone pair has its own nodes, so the whole zone block is positive
    z = region.n_zones
    assert (region.time_s[:z, :z] > 0).all()
    site_diag = np.diag(region.time_s)[z:]
    assert (site_diag == 0).all()
    # intrazonal trip: mean distance in a disc of the zone's area, at the intrazonal speed
    intra = intrazonal_distance_km(region.zones["area_km2"].to_numpy(), min_km=1.0)
    np.testing.assert_allclose(np.diag(region.dist_km)[:z], intra)
    np.testing.assert_allclose(np.diag(region.time_s)[:z], intra / 35.0 * 3600)


def test_intrazonal_distance_formula():
    r = 10.0
    got = intrazonal_distance_km(np.array([np.pi * r**2, 0.0, 0.5]), min_km=1.0)
    np.testing.assert_allclose(got, [128 / (45 * np.pi) * r, 1.0, 1.0])


def test_distances_from_riga_match_published_road_km(region):
    idx = {z: i for i, z in enumerate(region.zones["zone_id"])}
    cal = pd.read_csv(DATA / "calibration.csv")
    assert len(cal) == 5
    for a, b, road_km in zip(cal["from"], cal["to"], cal["road_km"]):
        assert region.dist_km[idx[a], idx[b]] == pytest.approx(road_km, rel=0.10), b
    riga_jelgava_min = region.time_s[idx["Rīga"], idx["Jelgava"]] / 60
    assert 33 <= riga_jelgava_min <= 42


def _zones_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = (DATA / "zones.csv").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "zones.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_zone_far_from_network_raises(tmp_path):
    # move Auce to Tallinn
    path = _zones_copy(tmp_path, "Auce,Auce,zone,22.896,56.4653", "Auce,Auce,zone,24.75,59.44")
    scenario = load_scenario(overrides=[f"zones.file={path}"])
    with pytest.raises(
        NetworkError,
        match=r"zones: zone 'Auce' is \d+\.\d km from the network, "
        r"expected at most 5 km",
    ):
        build_region(scenario)


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ("zone_id,name,kind", "zone,name,kind", "column 'zone_id' is missing"),
        ("Auce,Auce,zone,", "Auce,Auce,town,", r"row 6: kind must be one of"),
        ("Auce,Auce,zone,", "Bauska,Auce,zone,", r"row \d+: zone_id must be unique, got 'Bauska'"),
        ("22.896,56.4653,6006", "22.896,56.4653,-5", r"row 6: population must be a number in \[0"),
        ("22.896,56.4653", "22.896,x", r"row 6: lat must be a number in \[-90, 90\], got 'x'"),
    ],
)
def test_bad_zones_table_raises_data_error(tmp_path, old, new, match):
    with pytest.raises(DataError, match=match):
        load_zones(_zones_copy(tmp_path, old, new))


def test_sites_file_plus_inline_sites():
    extra = SiteSpec(site_id="new-dc", kind="car_dc", lon=24.19, lat=56.41, plugs=2, power_kw=150)
    sites = load_sites(ChargingConfig(sites_file=DATA / "sites_known.csv", sites=[extra]))
    assert len(sites) == 6 and sites["site_id"].iloc[-1] == "new-dc"
    assert sites["plugs"].dtype == np.int64 and sites["power_kw"].iloc[-1] == 150.0
    assert load_sites(ChargingConfig()).empty


def test_duplicate_or_bad_sites_raise_data_error(tmp_path):
    dup = SiteSpec(
        site_id="osm-3968775686", kind="car_ac", lon=23.7, lat=56.6, plugs=1, power_kw=11
    )
    with pytest.raises(DataError, match="site_id 'osm-3968775686' is used more than once"):
        load_sites(ChargingConfig(sites_file=DATA / "sites_known.csv", sites=[dup]))
    text = (DATA / "sites_known.csv").read_text(encoding="utf-8")
    bad = tmp_path / "sites.csv"
    bad.write_text(
        text.replace("car_ac,23.28627,56.62545,2,", "car_ac,23.28627,56.62545,0,"), encoding="utf-8"
    )
    with pytest.raises(DataError, match=r"sites.csv: row 3: plugs: .*greater than or equal to 1"):
        load_sites(ChargingConfig(sites_file=bad))


def test_site_far_from_network_raises(tmp_path):
    far = {
        "site_id": "tallinn",
        "kind": "car_dc",
        "lon": 24.75,
        "lat": 59.44,
        "plugs": 1,
        "power_kw": 50,
    }
    scenario = load_scenario(overrides=[f"charging.sites=[{far}]"])
    with pytest.raises(NetworkError, match="charging: site 'tallinn' is"):
        build_region(scenario)
