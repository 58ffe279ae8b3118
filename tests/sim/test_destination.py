"""Charging where cars park: at destinations and overnight near home (plug blocking).

The small cases lie on a line: zone 0 at 0 km, zone 1 at 10 km with a public AC site
(2 x 22 kW or 1 x 22 kW) at 10 km; 60 s per km. A 58 kWh car (0.165 kWh/km, 11 kW on-board
AC) uses 1.65 kWh (0.0284) per 10 km leg and charges at min(22, 11) = 11 kW.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emob_sim.sim import simulate_detailed

SEED = np.random.SeedSequence(0)
H = 3600.0
LEG = 10 * 0.165 / 58.0  # state of charge of one 10 km leg


def _region(build, plugs: int = 1):
    return build.region([0.0, 10.0], [dict(x_km=10.0, kind="car_ac", plugs=plugs, power_kw=22.0)])


def _run(build, region, vehicles, trips, *, days: int = 1, all_in_simpy: bool = False, **ch):
    demand = build.demand(region, vehicles, trips)
    scenario = build.scenario(days=days, all_in_simpy=all_in_simpy, **ch)
    res, ledger = simulate_detailed(scenario, region, demand, SEED)
    _check_conservation(demand, res, ledger)
    return demand, res, ledger


def _check_conservation(demand, res, ledger):
    """Trips completed + stranded = generated; per car and per site, energy adds up."""
    status = res.trips["status"]
    assert (status == "completed").sum() + (status == "stranded").sum() == demand.n_trips
    s = res.sessions
    assert res.trips["public_charges"].sum() == len(s)
    n = demand.n_vehicles
    battery = demand.vehicles["battery_kwh"].to_numpy()
    used = np.bincount(res.trips["vehicle_id"], weights=res.trips["energy_used_kwh"], minlength=n)
    public = np.bincount(s["vehicle_id"], weights=s["energy_kwh"], minlength=n)
    start = demand.vehicles["initial_soc"].to_numpy() * battery
    balance = start + ledger.home_kwh + public + ledger.rescue_kwh - used
    np.testing.assert_allclose(balance, ledger.final_soc * battery, atol=1e-9)
    np.testing.assert_allclose(
        s["energy_kwh"], battery[s["vehicle_id"]] * (s["soc_end"] - s["soc_start"])
    )
    # per site: the load profile integrates to the site's sessions
    per_site = s.groupby("site_idx")["energy_kwh"].sum()
    to_kwh = res.bin_s / 3600.0
    np.testing.assert_allclose(res.load_kw.sum(axis=1)[per_site.index] * to_kwh, per_site)
    assert res.load_kw.sum() * to_kwh == pytest.approx(s["energy_kwh"].sum(), rel=1e-10)


def _three_cars(build, *, plugs: int = 1, **ch):
    """Car 0 parks 8:10-17:00, car 1 arrives 8:15 (leaves 12:00), car 2 arrives 15:10."""
    region = _region(build, plugs)
    vehicles = [dict(type="a58", initial_soc=0.6) for _ in range(3)]
    trips = []
    for v, (go, back) in enumerate([(8 * H, 17 * H), (8 * H + 300, 12 * H), (15 * H, 18 * H)]):
        trips.append(dict(vehicle=v, day=0, origin=0, dest=1, depart_s=go))
        trips.append(dict(vehicle=v, day=0, origin=1, dest=0, depart_s=back))
    return _run(build, region, vehicles, trips, **ch)


def test_a_blocked_plug_turns_the_next_cars_away(build):
    demand, res, ledger = _three_cars(build)
    s = res.sessions
    assert len(s) == 1 and len(res.abandoned) == 0
    (row,) = s.itertuples()
    assert row.vehicle_id == 0 and row.location == "destination"
    # plugged in on arrival, the plug taken until the car leaves at 17:00 (not until charged:
    # 11 kW fill the battery in about 2.3 h)
    assert row.start_s == row.arrive_s == 8 * H + 600.0
    assert row.end_s == 17 * H
    assert row.soc_start == pytest.approx(0.6 - LEG)
    assert row.soc_end == 1.0  # target_soc of destination charging, reached long before 17:00
    np.testing.assert_allclose(row.energy_kwh, 58.0 * (0.4 + LEG))
    # car 1 (8:15) and car 2 (15:10, when car 0 was long full) found the plug taken: they parked
    np.testing.assert_allclose(ledger.final_soc[1:], 0.6 - 2 * LEG)
    np.testing.assert_allclose(ledger.final_soc[0], 1.0 - LEG)  # the energy is the car's own
    assert (res.trips["status"] == "completed").all()
    # the next trip departs as planned: parking does not delay anyone
    planned = demand.trips["depart_s"] + demand.trips["duration_s"]
    np.testing.assert_allclose(res.trips["arrive_s"], planned)
    ev = res.events[res.events["vehicle_id"] == 0]["event"].tolist()
    assert ev == ["depart", "arrive", "plug_in", "plug_out", "depart", "arrive"]


def test_a_second_plug_serves_the_next_car(build):
    _, res, _ = _three_cars(build, plugs=2)
    s = res.sessions
    # car 1 takes the second plug until 12:00; car 2 (15:10) then finds it free again
    assert sorted(s["vehicle_id"]) == [0, 1, 2]
    assert (s["location"] == "destination").all()
    assert s.set_index("vehicle_id").loc[1, "end_s"] == 12 * H


def test_a_parked_car_waits_at_most_its_limit(build):
    _, res, _ = _three_cars(build, destination={"max_wait_min": 10})
    a = res.abandoned
    assert len(res.sessions) == 1 and sorted(a["vehicle_id"]) == [1, 2]
    np.testing.assert_allclose(a["wait_s"], 600.0)


@pytest.mark.parametrize(
    ("rule", "sessions"),
    [({}, 1), ({"max_soc": 0.5}, 0), ({"min_dwell_min": 9 * 60}, 0), ({"walk_m": 0.0}, 1)],
)
def test_the_decision_rule(build, rule, sessions):
    # soc 0.57 on arrival, a stay of 8 h 50 min; the site is at the zone's own point (0 m)
    region = _region(build)
    vehicles = [dict(type="a58", initial_soc=0.6)]
    trips = [
        dict(vehicle=0, day=0, origin=0, dest=1, depart_s=8 * H),
        dict(vehicle=0, day=0, origin=1, dest=0, depart_s=17 * H),
    ]
    _, res, _ = _run(build, region, vehicles, trips, destination=rule)
    assert len(res.sessions) == sessions


def test_a_site_away_from_the_zone_is_not_its_own_off_the_strategic_network(build):
    # the AC site is 3 km from zone 1's point: on the strategic network it is zone 1's own
    # (its nearest zone); with zone_sites off only walk_m counts
    region = build.region([0.0, 10.0], [dict(x_km=13.0, kind="car_ac", plugs=1, power_kw=22.0)])
    vehicles = [dict(type="a58", initial_soc=0.6)]
    trips = [
        dict(vehicle=0, day=0, origin=0, dest=1, depart_s=8 * H),
        dict(vehicle=0, day=0, origin=1, dest=0, depart_s=17 * H),
    ]
    _, own, _ = _run(build, region, vehicles, trips)
    _, walk, _ = _run(build, region, vehicles, trips, destination={"zone_sites": False})
    _, far, _ = _run(
        build, region, vehicles, trips, destination={"zone_sites": False, "walk_m": 3000.0}
    )
    assert (len(own.sessions), len(walk.sessions), len(far.sessions)) == (1, 0, 1)


def _overnight(build, *, home_charging: bool):
    """A car whose home zone (1) has public AC arrives there at 17:10 below 50 %."""
    region = _region(build)
    vehicles = [dict(type="a58", initial_soc=0.45, home_charging=home_charging)]
    trips = [
        dict(vehicle=0, day=0, origin=1, dest=0, depart_s=8 * H),
        dict(vehicle=0, day=0, origin=0, dest=1, depart_s=17 * H),
        dict(vehicle=0, day=1, origin=1, dest=0, depart_s=86400 + 8 * H),
    ]
    return _run(build, region, vehicles, trips, days=2)


def test_a_car_without_home_charging_plugs_in_overnight_near_home(build):
    _, res, ledger = _overnight(build, home_charging=False)
    (row,) = res.sessions.itertuples()
    assert row.location == "overnight"
    assert row.start_s == 17 * H + 600.0 and row.end_s == 86400 + 8 * H  # until it leaves
    assert row.soc_start == pytest.approx(0.45 - 2 * LEG) and row.soc_end == 1.0
    assert ledger.home_kwh[0] == 0.0


def test_a_car_with_home_charging_does_not_charge_in_public_overnight(build):
    _, res, ledger = _overnight(build, home_charging=True)
    assert len(res.sessions) == 0 and ledger.home_kwh[0] > 0


def test_disabled_destination_charging_is_the_model_without_it(build):
    # the car of test_a_blocked_plug...: without destination charging it never plugs in, and
    # it is settled in bulk as before (no public charging needed: it stays above comfort)
    region = _region(build)
    vehicles = [dict(type="a58", initial_soc=0.6)]
    trips = [
        dict(vehicle=0, day=0, origin=0, dest=1, depart_s=8 * H),
        dict(vehicle=0, day=0, origin=1, dest=0, depart_s=17 * H),
    ]
    _, off, led_off = _run(build, region, vehicles, trips, destination={"enabled": False})
    _, on, led_on = _run(build, region, vehicles, trips)
    assert len(off.sessions) == 0 and not led_off.in_simpy[0]
    assert len(on.sessions) == 1 and led_on.in_simpy[0]  # a SimPy process from its plug-in
    np.testing.assert_allclose(led_off.final_soc, 0.6 - 2 * LEG)
    assert off.events["event"].tolist() == ["depart", "arrive", "depart", "arrive"]
    # on the random case: disabled = a rule that never fires, every session en route
    region, demand = build.random_case(n_vehicles=60, days=3, seed=7)
    results = []
    for dest in ({"enabled": False}, {"max_soc": 0.0, "overnight_soc": 0.0}):
        sc = build.scenario(days=3, destination=dest)
        results.append(simulate_detailed(sc, region, demand, SEED))
    (a, la), (b, lb) = results
    assert len(a.sessions) > 0 and (a.sessions["location"] == "en_route").all()
    for name in ("trips", "sessions", "abandoned", "events"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert np.array_equal(la.in_simpy, lb.in_simpy)


def test_conservation_and_modes_agree_with_destination_sessions(build):
    region, demand = build.random_case(n_vehicles=80, days=3, seed=21)
    out = []
    for all_in_simpy in (False, True):
        sc = build.scenario(days=3, all_in_simpy=all_in_simpy)
        res, ledger = simulate_detailed(sc, region, demand, SEED)
        _check_conservation(demand, res, ledger)
        out.append((res, ledger))
    (bulk, lb), (full, lf) = out
    counts = bulk.sessions["location"].value_counts()
    assert counts["destination"] > 0 and counts["en_route"] > 0
    assert 0 < lb.in_simpy.sum() < demand.n_vehicles
    for name in ("trips", "sessions", "abandoned", "events"):
        pd.testing.assert_frame_equal(getattr(bulk, name), getattr(full, name), check_exact=True)
    assert np.array_equal(bulk.load_kw, full.load_kw)
    assert np.array_equal(lb.final_soc, lf.final_soc)


@pytest.fixture(scope="module")
def centres():
    """The centres layout (21 AC sites) on the default demand, as the CLI runs it."""
    from emob_sim.config import load_scenario
    from emob_sim.demand import generate_demand
    from emob_sim.region import build_region
    from emob_sim.seeds import seed_streams

    scenario = load_scenario(Path(__file__).parents[2] / "configs/zemgale/layout_centres.yaml")
    region = build_region(scenario)
    demand = generate_demand(scenario, region, seed_streams(scenario.seed)["demand"])
    return scenario, region, demand


def test_the_centres_layouts_ac_sites_receive_sessions(centres):
    scenario, region, demand = centres
    res, ledger = simulate_detailed(scenario, region, demand, SEED)
    _check_conservation(demand, res, ledger)
    ac = (region.sites["kind"] == "car_ac").to_numpy()
    s = res.sessions
    at_ac = ac[s["site_idx"].to_numpy()]
    # before destination charging, these 21 sites got no session at all (issue 29)
    assert at_ac.sum() >= 50
    assert np.unique(s["site_idx"][at_ac]).size >= ac.sum() // 2
    assert set(s.loc[at_ac, "location"]) >= {"destination", "overnight"}
    # plug blocking: no AC site ever holds more cars than plugs
    for site, g in s[at_ac].groupby("site_idx"):
        times = np.concatenate([g["start_s"], g["end_s"]])
        step = np.concatenate([np.ones(len(g)), -np.ones(len(g))])
        order = np.lexsort((step, times))
        assert np.cumsum(step[order]).max() <= region.sites["plugs"].iloc[site]


def test_a_zone_with_home_access_everywhere_has_no_overnight_public_charging(centres):
    sc, region, demand = centres
    base, _ = simulate_detailed(sc, region, demand, SEED)
    home_zone = demand.vehicles["home_zone"].to_numpy()
    overnight = base.sessions[base.sessions["location"] == "overnight"]
    # overnight sessions happen in the cars' home zones
    zones = np.unique(home_zone[overnight["vehicle_id"]])
    assert zones.size >= 2
    np.testing.assert_array_equal(
        demand.trips["dest"].to_numpy()[overnight["trip_id"]], home_zone[overnight["vehicle_id"]]
    )
    # home access 1.0 in the first of those zones: none there, the others' stay
    full = zones[0]
    vehicles = demand.vehicles.assign(
        home_charging=demand.vehicles["home_charging"].to_numpy() | (home_zone == full)
    )
    one_zone = dataclasses.replace(demand, vehicles=vehicles)
    res, ledger = simulate_detailed(sc, region, one_zone, SEED)
    _check_conservation(one_zone, res, ledger)
    night = res.sessions[res.sessions["location"] == "overnight"]
    assert not (home_zone[night["vehicle_id"]] == full).any()
    assert np.isin(home_zone[night["vehicle_id"]], zones[1:]).any()
    # home access 1.0 everywhere: no overnight public charging at all, destinations remain
    everyone = dataclasses.replace(demand, vehicles=demand.vehicles.assign(home_charging=True))
    res, ledger = simulate_detailed(sc, region, everyone, SEED)
    _check_conservation(everyone, res, ledger)
    assert (res.sessions["location"] == "overnight").sum() == 0
    assert (res.sessions["location"] == "destination").sum() > 0
