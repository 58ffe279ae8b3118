"""The library API end to end: accounting and the planner-facing responses of the model."""

from __future__ import annotations

import numpy as np
import pytest

import emob_sim
from emob_sim.config import load_scenario
from emob_sim.region import build_region

# a busier Zemgale day than today's: enough electric cars that queues form at the few sites
BUSY = ["fleet.ev_share=0.15", "fleet.home_charging_share=0.3"]


@pytest.fixture(scope="module")
def region():
    return build_region(load_scenario())


@pytest.fixture(scope="module")
def busy(region):
    return emob_sim.run(load_scenario(overrides=BUSY), region=region)


def test_run_accounts_for_every_trip_and_kwh(busy):
    k = busy.kpis
    assert k["trips_completed"] + k["trips_stranded"] == k["trips_generated"] == busy.demand.n_trips
    assert k["energy_delivered_kwh"] == pytest.approx(
        busy.sim.sessions["energy_kwh"].sum(), abs=1e-3
    )
    assert k["charging_sessions"] == len(busy.sim.sessions) > 0
    sites = busy.sites
    assert sites["sessions"].sum() == k["charging_sessions"]
    assert sites["energy_kwh"].sum() == pytest.approx(k["energy_delivered_kwh"], abs=1e-2)
    assert ((sites["utilisation"] >= 0) & (sites["utilisation"] <= 1)).all()


def test_raising_ev_share_raises_sessions_and_energy(region, busy):
    low = emob_sim.run(load_scenario(overrides=["fleet.ev_share=0.05", BUSY[1]]), region=region)
    assert busy.kpis["charging_sessions"] > low.kpis["charging_sessions"]
    assert busy.kpis["energy_delivered_kwh"] > low.kpis["energy_delivered_kwh"]
    assert busy.kpis["co2_avoided_kg"] > low.kpis["co2_avoided_kg"]


def test_more_plugs_at_the_busiest_site_lower_its_wait(busy):
    sites = busy.sites
    busiest = int(np.argmax(sites["mean_wait_min"].to_numpy()))
    assert sites["mean_wait_min"].iloc[busiest] > 0, "the busy scenario must make queues"
    site_id = sites["site_id"].iloc[busiest]
    region = busy.region
    bigger_sites = region.sites.copy()
    bigger_sites.loc[bigger_sites["site_id"] == site_id, "plugs"] += 4
    bigger = emob_sim.run(
        busy.scenario,
        region=type(region)(
            network=region.network,
            zones=region.zones,
            sites=bigger_sites,
            time_s=region.time_s,
            dist_km=region.dist_km,
        ),
    )
    after = bigger.sites.set_index("site_id").loc[site_id, "mean_wait_min"]
    assert after < sites["mean_wait_min"].iloc[busiest]


def test_same_seed_same_result_different_seed_different(region):
    sc = load_scenario(overrides=BUSY)
    a = emob_sim.run(sc, region=region)
    b = emob_sim.run(sc, region=region)
    c = emob_sim.run(sc, region=region, seed=sc.seed + 1)
    assert a.kpis == b.kpis
    assert a.kpis != c.kpis


def test_a_failed_table_write_keeps_the_old_folder_and_leaves_nothing_half_written(
    tmp_path, busy, monkeypatch
):
    import emob_sim.runner.write as results

    out = tmp_path / "run"
    emob_sim.write_run(busy, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    write = results.write_parquet

    def failing(table, path):
        if path.name == "events.parquet":
            raise OSError("disk full")
        write(table, path)

    monkeypatch.setattr(results, "write_parquet", failing)
    with pytest.raises(OSError, match="disk full"):
        emob_sim.write_run(busy, out, overwrite=True)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temporary folder left
