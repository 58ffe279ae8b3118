"""The ``emob-sim`` command end to end on the embedded default scenario."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emob_sim.analysis import TRIP_TABLE_COLUMNS
from emob_sim.analysis.kpis import SITE_TABLE_COLUMNS
from emob_sim.runner import RUN_FILES
from emob_sim.sim.fleet import EVENT_NAMES

ZONES = Path(__file__).resolve().parents[2] / "data" / "zemgale" / "zones.csv"
REQUIRED_KPIS = [
    "trips_generated",
    "trips_completed",
    "trips_stranded",
    "charging_sessions",
    "sessions_abandoned",
    "energy_delivered_kwh",
    "mean_wait_min",
    "p95_wait_min",
    "peak_load_kw",
    "co2_avoided_kg",
]


def emob_sim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed console command (falls back to ``python -m emob_sim``)."""
    exe = shutil.which("emob-sim", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-m", "emob_sim"]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    root = tmp_path_factory.mktemp("runs")
    a, b = root / "A", root / "B"
    first = emob_sim("run", "--out", str(a))
    assert first.returncode == 0, first.stderr
    second = emob_sim("run", "--out", str(b))
    assert second.returncode == 0, second.stderr
    return a, b, first


def test_default_run_writes_every_file(two_runs):
    a, _, proc = two_runs
    assert sorted(p.name for p in a.iterdir()) == sorted(RUN_FILES)
    assert "Run summary" in proc.stdout
    assert "OpenStreetMap" in proc.stdout  # attribution printed with the results


def test_same_seed_gives_byte_identical_kpis(two_runs):
    a, b, _ = two_runs
    assert (a / "kpis.json").read_bytes() == (b / "kpis.json").read_bytes()
    for name in ("sessions.parquet", "trips.parquet", "load_profile.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(a / name), pd.read_parquet(b / name))


def test_kpis_add_up(two_runs):
    a, _, _ = two_runs
    kpis = json.loads((a / "kpis.json").read_text())
    assert set(REQUIRED_KPIS) <= set(kpis)
    assert kpis["trips_generated"] > 0
    assert kpis["trips_completed"] + kpis["trips_stranded"] == kpis["trips_generated"]
    sessions = pd.read_parquet(a / "sessions.parquet")
    assert len(sessions) == kpis["charging_sessions"]
    assert kpis["energy_delivered_kwh"] == pytest.approx(sessions["energy_kwh"].sum(), abs=1e-3)
    assert (sessions["wait_s"] >= 0).all()
    assert kpis["mean_wait_min"] >= 0 and kpis["p95_wait_min"] >= kpis["mean_wait_min"] - 1e-9
    trips = pd.read_parquet(a / "trips.parquet")
    assert len(trips) == kpis["trips_generated"]
    assert list(trips.columns) == TRIP_TABLE_COLUMNS
    zones = pd.read_csv(ZONES)
    written = json.loads((a / "zones.geojson").read_text())["features"]
    assert [f["properties"]["zone_id"] for f in written] == zones["zone_id"].tolist()
    assert set(trips.loc[trips["purpose"] != "through", "origin_id"]) <= set(zones["zone_id"])
    done = trips[trips["status"] == "completed"]
    assert (done["arrive_s"] >= done["depart_s"] + done["duration_s"] - 1e-6).all()
    profile = pd.read_parquet(a / "load_profile.parquet")
    assert set(profile.columns) == {"site_id", "bin_start_s", "power_kw"}
    assert (profile["power_kw"] >= 0).all()
    bin_h = np.diff(np.unique(profile["bin_start_s"]))[0] / 3600.0
    # the load profile carries the same energy as the sessions
    assert profile["power_kw"].sum() * bin_h == pytest.approx(
        sessions["energy_kwh"].sum(), rel=1e-6, abs=1e-6
    )


def test_event_log_and_statuses_read_back_as_categories(two_runs):
    a, _, _ = two_runs
    kpis = json.loads((a / "kpis.json").read_text())
    events = pd.read_parquet(a / "events.parquet")
    assert isinstance(events["event"].dtype, pd.CategoricalDtype)
    assert list(events["event"].cat.categories) == list(EVENT_NAMES)
    assert events["event"].notna().all()
    assert (events["event"] == "plug_in").sum() == kpis["charging_sessions"]
    assert (events["event"] == "stranded").sum() <= kpis["trips_stranded"]
    assert events["time_s"].is_monotonic_increasing
    trips = pd.read_parquet(a / "trips.parquet")
    assert list(trips["status"].cat.categories) == ["completed", "stranded"]
    assert (trips["status"] == "stranded").sum() == kpis["trips_stranded"]
    departed = events.loc[events["event"] == "depart", "trip_id"]
    # every completed trip departed once; a car stranded skips the rest of that day's trips
    assert departed.is_unique
    assert kpis["trips_completed"] <= len(departed) <= kpis["trips_generated"]


def test_sites_geojson(two_runs):
    a, _, _ = two_runs
    gj = json.loads((a / "sites.geojson").read_text())
    assert gj["type"] == "FeatureCollection" and gj["features"]
    for feat in gj["features"]:
        props = feat["properties"]
        assert set(SITE_TABLE_COLUMNS) - {"lon", "lat"} <= set(props)
        assert 0.0 <= props["utilisation"] <= 1.0
        assert props["mean_wait_min"] >= 0 and props["p95_wait_min"] >= 0
        lon, lat = feat["geometry"]["coordinates"]
        assert 21 < lon < 28 and 55 < lat < 58  # Latvia


def test_manifest_records_scenario_seed_and_inputs(two_runs):
    a, _, _ = two_runs
    manifest = json.loads((a / "manifest.json").read_text())
    assert manifest["seed"] == manifest["scenario"]["seed"] == 42
    assert manifest["scenario"]["name"] == "zemgale-baseline"
    assert manifest["emob_sim_version"]
    assert any(k.endswith("zones.csv") for k in manifest["inputs"])
    assert all(len(h) == 64 for h in manifest["inputs"].values())


def test_seed_and_set_options_change_the_run(tmp_path, two_runs):
    a, _, _ = two_runs
    proc = emob_sim(
        "run", "--out", str(tmp_path / "s"), "--seed", "7", "--set", "fleet.ev_share=0.03"
    )
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert manifest["seed"] == 7
    assert manifest["scenario"]["fleet"]["ev_share"] == 0.03
    base = json.loads((a / "kpis.json").read_text())
    more = json.loads((tmp_path / "s" / "kpis.json").read_text())
    assert more["trips_generated"] > base["trips_generated"]
