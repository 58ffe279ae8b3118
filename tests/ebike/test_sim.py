"""E-bike simulation: bulk vs SimPy, plugs at public points, flat batteries, load profiles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import emob_sim
from emob_sim.config import load_scenario
from emob_sim.region import build_region
from emob_sim.sim import EBIKE_SESSION_COLUMNS, EBIKE_TRIP_RESULT_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
KOUVOLA = ROOT / "configs" / "demo" / "kouvola.yaml"
# every rider starts low, so that many look for the few public points
BUSY = ["modal_shift.share=0.9", "ebike.initial_soc_max=0.45", "ebike.initial_soc_min=0.05"]


@pytest.fixture(scope="module")
def one_plug_region(tmp_path_factory):
    """The demo with one plug per e-bike point: riders get turned away."""
    sites = pd.read_csv(ROOT / "data" / "demo" / "kouvola_sites.csv")
    sites.loc[sites["kind"] == "ebike", "plugs"] = 1
    path = tmp_path_factory.mktemp("sites") / "sites.csv"
    sites.to_csv(path, index=False)
    overrides = [f"charging.sites_file={path}", *BUSY]
    return overrides, build_region(load_scenario(KOUVOLA, overrides=overrides))


@pytest.fixture(scope="module")
def busy(one_plug_region):
    overrides, region = one_plug_region
    return emob_sim.run(load_scenario(KOUVOLA, overrides=overrides), region=region)


def test_bulk_and_simpy_give_the_same_results(one_plug_region, busy):
    overrides, region = one_plug_region
    sc = load_scenario(KOUVOLA, overrides=[*overrides, "simulation.all_vehicles_in_simpy=true"])
    every = emob_sim.run(sc, region=region)
    assert 0 < busy.ebike.sim.in_simpy.sum() < len(busy.ebike.sim.in_simpy)
    assert every.ebike.sim.in_simpy.all()
    pd.testing.assert_frame_equal(busy.ebike.sim.trips, every.ebike.sim.trips)
    pd.testing.assert_frame_equal(busy.ebike.sim.sessions, every.ebike.sim.sessions)
    pd.testing.assert_frame_equal(busy.ebike.sim.turned_away, every.ebike.sim.turned_away)
    assert busy.ebike.sim.home_energy_kwh == pytest.approx(every.ebike.sim.home_energy_kwh)
    assert busy.kpis["ebike"] == every.kpis["ebike"]


def test_plugs_are_never_overbooked_and_full_points_turn_riders_away(busy):
    sim, sites = busy.ebike.sim, busy.region.bike.sites
    s = sim.sessions
    assert list(s.columns) == EBIKE_SESSION_COLUMNS
    assert list(sim.trips.columns) == EBIKE_TRIP_RESULT_COLUMNS
    assert len(s) > 0 and len(sim.turned_away) > 0
    for idx, group in s.groupby("site_idx"):
        events = np.concatenate(
            [
                np.c_[group["start_s"], np.ones(len(group))],
                np.c_[group["end_s"], -np.ones(len(group))],
            ]
        )
        events = events[np.lexsort((events[:, 1], events[:, 0]))]  # releases first at ties
        assert np.cumsum(events[:, 1]).max() <= sites["plugs"].iloc[idx]
    assert (s["start_s"] <= s["charge_end_s"]).all() and (s["charge_end_s"] <= s["end_s"]).all()
    battery_kwh = busy.ebike.demand.vehicles["battery_wh"].to_numpy()[s["ebike_id"]] / 1000
    np.testing.assert_allclose(s["energy_kwh"], (s["soc_end"] - s["soc_start"]) * battery_kwh)
    assert (s["soc_end"] <= 1 + 1e-12).all() and (s["energy_kwh"] > 0).all()
    # a session charges at min(site power, e-bike limit) until full or departure
    kw = np.minimum(sites["power_kw"].to_numpy()[s["site_idx"]], 0.5)
    np.testing.assert_allclose(s["energy_kwh"], kw * (s["charge_end_s"] - s["start_s"]) / 3600)


def test_site_table_and_load_profile_of_ebike_points(busy):
    table = busy.sites
    bikes = table[table["kind"] == "ebike"]
    assert len(bikes) == 3 and len(table) == 6
    s = busy.ebike.sim.sessions
    assert bikes["sessions"].sum() == len(s) == busy.kpis["ebike"]["charging_sessions"]
    assert bikes["sessions_abandoned"].sum() == busy.kpis["ebike"]["sessions_turned_away"]
    assert bikes["energy_kwh"].sum() == pytest.approx(s["energy_kwh"].sum(), abs=1e-3)
    assert ((bikes["utilisation"] > 0) & (bikes["utilisation"] <= 1)).any()
    load = busy.ebike.sim.load_kw
    assert load.sum() * busy.ebike.sim.bin_s / 3600 == pytest.approx(s["energy_kwh"].sum())
    assert (bikes["peak_kw"].to_numpy() <= (bikes["plugs"] * 0.5).to_numpy() + 1e-9).all()


def test_flat_batteries_are_counted_and_trips_still_completed(kouvola_region):
    sc = load_scenario(KOUVOLA, overrides=["ebike.battery_wh=20", "modal_shift.share=0.5"])
    r = emob_sim.run(sc, region=kouvola_region)
    trips, e = r.ebike.sim.trips, r.kpis["ebike"]
    assert e["battery_depleted_trips"] == trips["battery_depleted"].sum() > 0
    assert (trips["status"] == "completed").all() and e["trips_stranded"] == 0
    need = r.ebike.demand.trips["energy_wh"].to_numpy() / 1000
    used = trips["energy_used_kwh"].to_numpy()
    assert np.all(used <= need + 1e-12)
    assert np.all(used[trips["battery_depleted"]] < need[trips["battery_depleted"]])
    assert np.isfinite(trips["arrive_s"]).all()
