"""Accounting invariants on a busy random scenario (both engine modes)."""

from __future__ import annotations

import numpy as np
import pytest

from emob_sim.sim import (
    ABANDON_COLUMNS,
    EVENT_COLUMNS,
    SESSION_COLUMNS,
    TRIP_RESULT_COLUMNS,
    simulate_detailed,
)


def _zemgale_case():
    """The default scenario through the real region and demand builders."""
    from emob_sim.config import load_scenario
    from emob_sim.demand import generate_demand
    from emob_sim.region import build_region

    scenario = load_scenario()
    region = build_region(scenario)
    demand = generate_demand(scenario, region, np.random.SeedSequence(1))
    return scenario, region, demand


@pytest.fixture(
    scope="module",
    params=[("random", False), ("random", True), ("zemgale", False)],
    ids=["random-bulk", "random-all_simpy", "zemgale-default"],
)
def run(request, build):
    case, all_in_simpy = request.param
    if case == "random":
        region, demand = build.random_case(n_vehicles=60, days=3, seed=7)
        scenario = build.scenario(days=3, all_in_simpy=all_in_simpy)
    else:
        scenario, region, demand = _zemgale_case()
    result, ledger = simulate_detailed(scenario, region, demand, np.random.SeedSequence(0))
    return scenario, region, demand, result, ledger


def test_tables_follow_the_contract(run):
    _, region, demand, res, _ = run
    assert list(res.trips.columns) == TRIP_RESULT_COLUMNS
    assert list(res.sessions.columns) == SESSION_COLUMNS
    assert list(res.abandoned.columns) == ABANDON_COLUMNS
    assert list(res.events.columns) == EVENT_COLUMNS
    assert np.array_equal(res.trips["trip_id"], demand.trips["trip_id"])
    assert np.array_equal(res.trips["vehicle_id"], demand.trips["vehicle_id"])
    site_ids = region.sites["site_id"].to_numpy()
    assert np.array_equal(res.sessions["site_id"], site_ids[res.sessions["site_idx"]])
    scenario = run[0]
    assert res.bin_s == scenario.time.profile_step_min * 60.0
    assert res.load_kw.shape[0] == region.n_sites
    horizon = scenario.time.days * 86400.0
    assert res.load_kw.shape[1] * res.bin_s >= max(horizon, res.sessions["end_s"].max())
    assert (res.load_kw.shape[1] - 1) * res.bin_s < max(horizon, res.sessions["end_s"].max())
    t = res.events["time_s"].to_numpy()
    assert np.all(np.diff(t) >= 0)


def test_scenario_is_busy_enough_to_test_something(run):
    scenario, _, _, res, ledger = run
    assert len(res.sessions) > 0 and res.home_energy_kwh > 0
    if scenario.name == "test":  # the random case is built to exercise every path
        assert len(res.sessions) > 20 and len(res.abandoned) > 0
        assert (res.sessions["wait_s"] > 0).any()
        assert (res.trips["status"] == "stranded").any()
        assert ledger.rescue_kwh.sum() > 0


def test_every_trip_completed_or_stranded(run):
    _, _, demand, res, _ = run
    trips = res.trips
    assert set(trips["status"]) <= {"completed", "stranded"}
    done = trips["status"] == "completed"
    assert trips.loc[done, "arrive_s"].notna().all() and trips.loc[~done, "arrive_s"].isna().all()
    planned = demand.trips["depart_s"] + demand.trips["duration_s"]
    assert (trips.loc[done, "arrive_s"] >= planned[done] - 1e-6).all()
    assert (trips.loc[done, "km_driven"] >= demand.trips.loc[done, "distance_km"] - 1e-9).all()
    charged = res.sessions.groupby("trip_id").size()
    assert np.array_equal(trips["public_charges"].to_numpy()[charged.index], charged.to_numpy())
    assert trips["public_charges"].sum() == len(res.sessions)


def test_load_profile_integrates_to_session_energy(run):
    _, _, _, res, _ = run
    s = res.sessions
    to_kwh = res.bin_s / 3600.0
    np.testing.assert_allclose(res.load_kw.sum() * to_kwh, s["energy_kwh"].sum(), rtol=1e-10)
    per_site = s.groupby("site_idx")["energy_kwh"].sum()
    np.testing.assert_allclose(res.load_kw.sum(axis=1)[per_site.index] * to_kwh, per_site)
    assert res.load_kw.min() >= 0


def test_waits_sessions_and_abandons_are_consistent(run):
    scenario, _, demand, res, _ = run
    s, a = res.sessions, res.abandoned
    assert (s["wait_s"] >= 0).all()
    np.testing.assert_allclose(s["wait_s"], s["start_s"] - s["arrive_s"])
    assert (s["end_s"] > s["start_s"]).all()
    assert set(s["location"].cat.categories) == {"en_route", "destination", "overnight"}
    en_route = (s["location"] == "en_route").to_numpy()
    np.testing.assert_allclose(s.loc[en_route, "soc_end"], scenario.charging.target_soc)
    # where cars park they charge towards the destination target until they leave
    parked = s[~en_route]
    assert (parked["soc_end"] <= scenario.charging.destination.target_soc + 1e-12).all()
    assert (parked["soc_end"] > parked["soc_start"]).all()
    battery = demand.vehicles["battery_kwh"].to_numpy()[s["vehicle_id"]]
    np.testing.assert_allclose(s["energy_kwh"], battery * (s["soc_end"] - s["soc_start"]))
    np.testing.assert_allclose(a["wait_s"], scenario.charging.max_wait_min * 60.0)


def test_sites_never_exceed_their_plugs(run):
    _, region, _, res, _ = run
    for site, g in res.sessions.groupby("site_idx"):
        times = np.concatenate([g["start_s"], g["end_s"]])
        step = np.concatenate([np.ones(len(g)), -np.ones(len(g))])
        order = np.lexsort((step, times))  # ends before starts at equal times
        peak = np.cumsum(step[order]).max()
        assert peak <= region.sites["plugs"].iloc[site]


def test_soc_stays_in_bounds(run):
    _, _, _, res, ledger = run
    soc = np.concatenate([res.events["soc"], res.sessions["soc_start"], ledger.final_soc])
    assert soc.min() >= 0.0 and soc.max() <= 1.0


def test_energy_balance_per_vehicle(run):
    _, _, demand, res, ledger = run
    n = demand.n_vehicles
    battery = demand.vehicles["battery_kwh"].to_numpy()
    used = np.bincount(res.trips["vehicle_id"], weights=res.trips["energy_used_kwh"], minlength=n)
    s = res.sessions
    public = np.bincount(s["vehicle_id"], weights=s["energy_kwh"], minlength=n)
    start = demand.vehicles["initial_soc"].to_numpy() * battery
    balance = start + ledger.home_kwh + public + ledger.rescue_kwh - used
    np.testing.assert_allclose(balance, ledger.final_soc * battery, atol=1e-9)
    np.testing.assert_allclose(res.home_energy_kwh, ledger.home_kwh.sum())
    # energy drawn = km x consumption
    cons = demand.vehicles["consumption_kwh_per_km"].to_numpy()[res.trips["vehicle_id"]]
    np.testing.assert_allclose(res.trips["energy_used_kwh"], res.trips["km_driven"] * cons)
