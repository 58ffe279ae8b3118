"""Queues, waiting, abandoning, stranding and home charging on tiny hand-made cases.

Zones lie on a line: zone 0 at 0 km, zone 1 at 100 km; 60 s per km. A 58 kWh car
(0.165 kWh/km) starting at 0.3 would arrive at zone 1 with 0.016 < comfort 0.2.
"""

from __future__ import annotations

import numpy as np

from emob_sim.sim import simulate, simulate_detailed

SEED = np.random.SeedSequence(0)
EIGHT = 8 * 3600.0


def _rush(build, *, n_cars: int, sites: list[dict], soc: float = 0.3, **charging):
    region = build.region([0.0, 100.0], sites)
    vehicles = [dict(type="a58", initial_soc=soc) for _ in range(n_cars)]
    trips = [dict(vehicle=v, day=0, origin=0, dest=1, depart_s=EIGHT) for v in range(n_cars)]
    demand = build.demand(region, vehicles, trips)
    return simulate(build.scenario(**charging), region, demand, SEED)


def test_one_plug_and_many_cars_make_a_queue(build):
    res = _rush(
        build,
        n_cars=6,
        sites=[dict(x_km=10.0, kind="car_dc", plugs=1, power_kw=50.0)],
        max_wait_min=600,
    )
    s = res.sessions
    assert len(s) == 6 and (res.trips["status"] == "completed").all()
    assert (s["arrive_s"] == EIGHT + 600.0).all()
    # served one after the other: each starts when the previous one ends
    np.testing.assert_allclose(s["start_s"].to_numpy()[1:], s["end_s"].to_numpy()[:-1])
    assert s["wait_s"].iloc[0] == 0 and (s["wait_s"].iloc[1:] > 0).all()
    assert (res.events["event"] == "queue").sum() == 5
    # a car that waited arrives later than its planned arrival plus its charging time
    charge_s = (s["end_s"] - s["start_s"]).to_numpy()
    arrive = res.trips.set_index("trip_id").loc[s["trip_id"], "arrive_s"].to_numpy()
    np.testing.assert_allclose(arrive, EIGHT + 6000.0 + s["wait_s"] + charge_s)


def test_more_plugs_lower_the_mean_wait(build):
    waits = []
    for plugs in (1, 2, 4):
        site = dict(x_km=10.0, kind="car_dc", plugs=plugs, power_kw=50.0)
        res = _rush(build, n_cars=8, sites=[site], max_wait_min=600)
        assert len(res.sessions) == 8
        waits.append(res.sessions["wait_s"].mean())
    assert waits[0] > waits[1] > waits[2] > 0


def test_max_wait_makes_cars_abandon_and_try_another_site(build):
    sites = [
        dict(x_km=10.0, kind="car_dc", plugs=1, power_kw=50.0),
        dict(x_km=30.0, kind="car_dc", plugs=2, power_kw=50.0),
    ]
    # wait_weight 0: every driver heads for the cheaper first site and queues there
    res = _rush(build, n_cars=4, sites=sites, max_wait_min=10, wait_weight=0.0)
    a, s = res.abandoned, res.sessions
    first = a[a["site_idx"] == 0]
    assert len(first) == 3
    np.testing.assert_allclose(a["wait_s"], 600.0)
    assert (s["site_idx"] == 0).sum() == 1 and (s["site_idx"] == 1).sum() == 2
    # the abandoners arrive at the second site 10 min + 20 km (1200 s) after giving up
    at_second = s.loc[s["site_idx"] == 1, "arrive_s"]
    np.testing.assert_allclose(at_second, EIGHT + 600.0 + 600.0 + 1200.0)
    assert set(s.loc[s["site_idx"] == 1, "vehicle_id"]) < set(first["vehicle_id"])
    # the third gives up at the 2-plug site as well; no site left and the leg is infeasible
    last = a[a["site_idx"] == 1]
    assert len(last) == 1
    stranded = res.trips[res.trips["status"] == "stranded"]
    assert list(stranded["vehicle_id"]) == list(last["vehicle_id"])
    assert (res.events["event"] == "abandon").sum() == 4


def test_car_without_energy_and_reachable_site_is_stranded_then_rescued(build):
    # soc 0.1 reaches at most ~17.6 km above the 0.05 reserve; the only site is at 60 km
    region = build.region([0.0, 100.0], [dict(x_km=60.0, kind="car_dc", plugs=1, power_kw=50.0)])
    trips = [
        dict(vehicle=0, day=0, origin=0, dest=1, depart_s=EIGHT),
        dict(vehicle=0, day=0, origin=1, dest=0, depart_s=EIGHT + 4 * 3600.0),
        dict(vehicle=0, day=1, origin=0, dest=0, depart_s=86400.0 + EIGHT),
        dict(vehicle=1, day=0, origin=0, dest=1, depart_s=EIGHT),
        dict(vehicle=1, day=1, origin=0, dest=0, depart_s=86400.0 + EIGHT),
    ]
    vehicles = [
        dict(type="a58", initial_soc=0.1),
        dict(type="a58", initial_soc=0.1, home_charging=True),
    ]
    demand = build.demand(region, vehicles, trips)
    res, ledger = simulate_detailed(build.scenario(days=2, rescue_soc=0.5), region, demand, SEED)
    status = ["stranded", "stranded", "completed", "stranded", "completed"]
    assert list(res.trips["status"]) == status
    assert res.trips["arrive_s"].iloc[[0, 1, 3]].isna().all()
    assert len(res.sessions) == 0
    ev = res.events
    stranded = ev[ev["event"] == "stranded"]
    assert list(stranded["trip_id"]) == [0, 3]
    departs = ev[ev["event"] == "depart"].set_index("trip_id")["soc"]
    assert departs[2] == 0.5  # recovered overnight to rescue_soc
    assert departs[4] == 0.9  # recovered, then charged at home to home_target_soc
    np.testing.assert_allclose(ledger.rescue_kwh, [0.4 * 58.0, 0.4 * 58.0])
    assert res.rescue_energy_kwh == ledger.rescue_kwh.sum()


def test_no_detour_to_a_charger_for_less_than_the_minimum_gain(build):
    # zones at 0, 100 and 320 km, a fast charger at 101 km. Car 0 leaves zone 0 at 0.45 for
    # zone 1 (0.284 of its battery): it would arrive at 0.166, below comfort, and charging
    # to 0.8 at the site gains 37 kWh. Car 1 leaves zone 1 at 0.79 for zone 2 (220 km, 0.626):
    # it would arrive at 0.164, above the reserve, and charging to 0.8 at the site would gain
    # 0.7 kWh: not worth a detour.
    region = build.region(
        [0.0, 100.0, 320.0], [dict(x_km=101.0, kind="car_dc", plugs=1, power_kw=50.0)]
    )
    vehicles = [dict(type="a58", initial_soc=0.45), dict(type="a58", initial_soc=0.79)]
    trips = [
        dict(vehicle=0, day=0, origin=0, dest=1, depart_s=EIGHT),
        dict(vehicle=1, day=0, origin=1, dest=2, depart_s=EIGHT),
    ]
    demand = build.demand(region, vehicles, trips)
    res = simulate(build.scenario(min_charge_gain_kwh=3.0), region, demand, SEED)
    assert list(res.sessions["vehicle_id"]) == [0]
    assert res.sessions["energy_kwh"].min() >= 3.0
    assert (res.trips["status"] == "completed").all()
    assert res.trips["arrive_s"].iloc[1] == EIGHT + 220 * 60.0  # straight there, no detour
    every = simulate(build.scenario(min_charge_gain_kwh=0.0), region, demand, SEED)
    assert sorted(every.sessions["vehicle_id"]) == [0, 1]  # the detour for 0.7 kWh


def test_feasible_leg_without_site_is_driven_below_comfort(build):
    # 0.4 - 0.284 = 0.116: below comfort, above reserve, no site at all -> drive on
    res = _rush(build, n_cars=1, sites=[], soc=0.4)
    assert res.trips["status"].iloc[0] == "completed"
    assert res.trips["arrive_s"].iloc[0] == EIGHT + 6000.0
    assert res.load_kw.shape == (0, 96)
    assert list(res.events["event"]) == ["depart", "arrive"]


def test_long_trip_charges_twice(build):
    # 400 km with DC sites every 100 km: 58 kWh cars cover ~180 km per 0.8 -> 0.2 of battery
    region = build.region(
        [0.0, 400.0],
        [dict(x_km=x, kind="car_dc", plugs=2, power_kw=150.0) for x in (100.0, 200.0, 300.0)],
    )
    demand = build.demand(
        region,
        [dict(type="a58", initial_soc=0.8)],
        [dict(vehicle=0, day=0, origin=0, dest=1, depart_s=0.0)],
    )
    res = simulate(build.scenario(), region, demand, SEED)
    assert res.trips["status"].iloc[0] == "completed"
    assert res.trips["public_charges"].iloc[0] >= 2
    np.testing.assert_allclose(res.trips["km_driven"].iloc[0], 400.0)
    assert list(res.sessions["site_idx"]) == sorted(res.sessions["site_idx"])


def test_home_charging_between_days(build):
    region = build.region([0.0, 50.0], [])
    trips = [
        dict(vehicle=0, day=0, origin=0, dest=1, depart_s=EIGHT),
        dict(vehicle=0, day=0, origin=1, dest=0, depart_s=17 * 3600.0),
        dict(vehicle=0, day=1, origin=0, dest=1, depart_s=86400.0 + EIGHT),
    ]
    demand = build.demand(region, [dict(type="a58", initial_soc=0.6, home_charging=True)], trips)
    res = simulate(build.scenario(days=2, home_power_kw=7.4), region, demand, SEED)
    ev = res.events
    home = ev[ev["event"] == "home_charge"]
    assert len(home) == 2  # overnight, and after the final trip until the end of day 1
    assert ev[ev["event"] == "depart"]["soc"].iloc[2] == 0.9
    soc_home = 0.6 - 2 * 50 * 0.165 / 58.0
    full_at_s = 17 * 3600.0 + 3000.0 + (0.9 - soc_home) * 58.0 / 7.4 * 3600.0
    np.testing.assert_allclose(home["time_s"].iloc[0], full_at_s)
    # overnight to 0.9, then back to 0.9 after the 50 km trip of day 1
    np.testing.assert_allclose(res.home_energy_kwh, 58.0 * (0.9 - soc_home) + 50 * 0.165)
