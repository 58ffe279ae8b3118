"""``emob-sim run configs/demo/kouvola.yaml``: the town demo on a real OSM extract, offline."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from emob_sim.analysis.kpis import SITE_TABLE_COLUMNS
from emob_sim.runner import RUN_FILES

ROOT = Path(__file__).resolve().parents[2]


def emob_sim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    exe = shutil.which("emob-sim", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-m", "emob_sim"]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("kouvola") / "run"
    # from another folder: the scenario's paths and the pyrosm extract resolve by themselves
    proc = emob_sim(
        "run",
        str(ROOT / "configs" / "demo" / "kouvola.yaml"),
        "--out",
        str(out),
        cwd=tmp_path_factory.mktemp("elsewhere"),
    )
    assert proc.returncode == 0, proc.stderr
    return out, proc


def test_demo_reports_ebike_trips_and_accounts_for_each_mode(run):
    out, proc = run
    assert sorted(p.name for p in out.iterdir()) == sorted(RUN_FILES)
    kpis = json.loads((out / "kpis.json").read_text())
    e = kpis["ebike"]
    assert e["trips"] > 0 and e["km"] > 0 and e["energy_kwh"] > 0
    for section in (kpis, e):
        assert section["trips_completed"] + section["trips_stranded"] == section["trips_generated"]
    assert e["car_km_avoided"] > 0 and e["co2_avoided_kg"] > 0  # the demo shifts 10 %
    trips = pd.read_parquet(out / "ebike_trips.parquet")
    assert len(trips) == e["trips_generated"]
    assert trips["km"].sum() == pytest.approx(e["km"], abs=1e-3)
    sessions = pd.read_parquet(out / "ebike_sessions.parquet")
    assert len(sessions) == e["charging_sessions"]
    assert "E-bike KPIs" in proc.stdout and "E-bike trips" in proc.stdout
    assert "OpenStreetMap" in proc.stdout


def test_demo_uses_the_whole_bike_network_larger_than_the_drive_network(run):
    out, _ = run
    manifest = json.loads((out / "manifest.json").read_text())
    drive, bike = manifest["network"], manifest["bike_network"]
    assert bike["nodes"] >= 300 and bike["nodes"] > drive["nodes"]
    assert "test.osm.pbf" in bike["description"] and "ODbL" in bike["attribution"]
    assert manifest["scenario"]["network"]["pyrosm_extract"] == "test_pbf"
    assert any(k.endswith("test.osm.pbf") for k in manifest["inputs"])


def test_sites_geojson_has_ebike_points_with_the_car_site_fields(run):
    out, _ = run
    features = json.loads((out / "sites.geojson").read_text())["features"]
    kinds = [f["properties"]["kind"] for f in features]
    assert kinds.count("ebike") == 3 and {"car_ac", "car_dc"} <= set(kinds)
    fields = set(SITE_TABLE_COLUMNS) - {"lon", "lat"}
    for f in features:
        assert fields <= set(f["properties"])
        assert 0 <= f["properties"]["utilisation"] <= 1
        lon, lat = f["geometry"]["coordinates"]
        assert 26.92 < lon < 26.98 and 60.51 < lat < 60.55
    bikes = [f["properties"] for f in features if f["properties"]["kind"] == "ebike"]
    kpis = json.loads((out / "kpis.json").read_text())
    assert sum(p["sessions"] for p in bikes) == kpis["ebike"]["charging_sessions"]


def test_a_week_of_the_demo_charges_where_cars_park_at_its_ac_car_park(tmp_path):
    """Destination charging applies in Kouvola at its one AC site (Malminki car park, within
    walking distance of two zones with about 400 residents): a weekday has few such stays, a
    week has sessions there, each plug kept until the car leaves; DC sites get none parked."""
    out = tmp_path / "week"
    scenario = ROOT / "configs" / "demo" / "kouvola.yaml"
    proc = emob_sim("run", str(scenario), "--out", str(out), "--set", "time.days=7")
    assert proc.returncode == 0, proc.stderr
    sites = pd.read_csv(ROOT / "data" / "demo" / "kouvola_sites.csv").set_index("site_id")
    sessions = pd.read_parquet(out / "sessions.parquet")
    parked = sessions[sessions["location"].isin(["destination", "overnight"])]
    assert len(parked) > 0
    assert (sites.loc[parked["site_id"], "kind"] == "car_ac").all()
    assert (parked["end_s"] > parked["start_s"]).all() and (parked["energy_kwh"] > 0).all()
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["destination_sessions"] + kpis["overnight_sessions"] == len(parked)
    assert kpis["trips_generated"] == kpis["trips_completed"] + kpis["trips_stranded"]
