"""Trips whose destination is a charging site (a trip table's ``dest_site``): the car drives
there and charges there, whatever its charge (a one-site arrival stream studies a hub).

Points on a line: zone 0 at 0 km, zone 1 at 40 km, the hub (point 2) at 20 km; 60 s per km.
A 58 kWh car (0.165 kWh/km) uses 3.3 kWh (0.057) to reach the hub from zone 0.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from emob_sim.placement.frlm import build_flows
from emob_sim.sim import simulate_detailed

SEED = np.random.SeedSequence(0)
EIGHT = 8 * 3600.0
NOON = 12 * 3600.0
HUB = 2  # point of the only site


def _hub(build, plugs: int = 2):
    return build.region([0.0, 40.0], [dict(x_km=20.0, kind="car_dc", plugs=plugs, power_kw=50.0)])


def _stream(build, *, n_cars: int, soc: float, gap_s: float, plugs: int = 2, **charging):
    """``n_cars`` cars from zone 0 to the hub, ``gap_s`` apart from 8:00, back to zone 0 at
    noon."""
    region = _hub(build, plugs)
    vehicles = [dict(type="a58", initial_soc=soc) for _ in range(n_cars)]
    trips = []
    for v in range(n_cars):
        trips.append(dict(vehicle=v, day=0, origin=0, dest=HUB, depart_s=EIGHT + v * gap_s))
        trips.append(dict(vehicle=v, day=0, origin=HUB, dest=0, depart_s=NOON))
    demand = build.demand(region, vehicles, trips)
    scenario = build.scenario(**charging)
    res, ledger = simulate_detailed(scenario, region, demand, SEED)
    _check_accounts(scenario, region, demand, res, ledger)
    return demand, res, ledger


def _check_accounts(scenario, region, demand, res, ledger):
    """Every trip completed or stranded; sessions end at the target; energy balances."""
    trips = res.trips
    status = trips["status"]
    assert (status == "completed").sum() + (status == "stranded").sum() == demand.n_trips
    assert trips["public_charges"].sum() == len(res.sessions)
    s = res.sessions
    en_route = (s["location"] == "en_route").to_numpy()  # parked cars: tests/sim/test_destination
    np.testing.assert_allclose(s.loc[en_route, "soc_end"], scenario.charging.target_soc)
    np.testing.assert_allclose(s["wait_s"], s["start_s"] - s["arrive_s"])
    n = demand.n_vehicles
    battery = demand.vehicles["battery_kwh"].to_numpy()
    used = np.bincount(trips["vehicle_id"], weights=trips["energy_used_kwh"], minlength=n)
    public = np.bincount(s["vehicle_id"], weights=s["energy_kwh"], minlength=n)
    start = demand.vehicles["initial_soc"].to_numpy() * battery
    balance = start + ledger.home_kwh + public + ledger.rescue_kwh - used
    np.testing.assert_allclose(balance, ledger.final_soc * battery, atol=1e-9)
    for site, g in s.groupby("site_idx"):  # never more cars charging than plugs
        times = np.concatenate([g["start_s"], g["end_s"]])
        step = np.concatenate([np.ones(len(g)), -np.ones(len(g))])
        order = np.lexsort((step, times))  # ends before starts at equal times
        assert np.cumsum(step[order]).max() <= region.sites["plugs"].iloc[site]


def test_cars_with_high_charge_queue_and_charge_at_the_hub(build):
    # 0.6 is far above comfort (0.2): before, these cars would have driven past the hub
    demand, res, ledger = _stream(build, n_cars=8, soc=0.6, gap_s=300.0, max_wait_min=600)
    s, trips = res.sessions, res.trips
    assert ledger.in_simpy.all()
    assert (trips["status"] == "completed").all()
    # every arrival charged once, at the hub, on the trip that goes there
    assert len(s) == 8 and (s["site_idx"] == 0).all() and len(res.abandoned) == 0
    assert sorted(s["vehicle_id"]) == list(range(8))
    to_hub = demand.trips["dest"] == HUB
    assert sorted(s["trip_id"]) == sorted(demand.trips.index[to_hub])
    # the trip arrives at the hub as planned; the session starts there
    planned = demand.trips["depart_s"] + demand.trips["duration_s"]
    np.testing.assert_allclose(trips.loc[to_hub, "arrive_s"], planned[to_hub])
    arrive = trips.set_index("trip_id").loc[s["trip_id"], "arrive_s"].to_numpy()
    np.testing.assert_allclose(s["arrive_s"], arrive)
    np.testing.assert_allclose(s["soc_start"], 0.6 - 20 * 0.165 / 58.0)
    # 8 cars 5 minutes apart, about 20 minutes each, 2 plugs: a queue forms
    assert (s["wait_s"] > 0).any() and (s["wait_s"].iloc[:2] == 0).all()
    assert (res.events["event"] == "queue").sum() == (s["wait_s"] > 0).sum()
    # the next trip starts when the car leaves the hub (here: at noon, long after)
    back = trips[~to_hub.to_numpy()]
    np.testing.assert_allclose(back["arrive_s"], NOON + 1200.0)
    # event order of a hub visit: depart, arrive, (queue,) plug_in, plug_out
    ev = res.events[res.events["trip_id"] == s["trip_id"].iloc[-1]]
    names = [e for e in ev["event"] if e != "queue"]
    assert names == ["depart", "arrive", "plug_in", "plug_out"]


def test_the_give_up_rule_applies_at_the_hub(build):
    # 6 cars arriving together at 2 plugs, 5 minutes of patience: 4 give up
    demand, res, ledger = _stream(build, n_cars=6, soc=0.6, gap_s=0.0, max_wait_min=5)
    s, a = res.sessions, res.abandoned
    assert len(s) == 2 and len(a) == 4
    assert len(s) == 6 - len(a)  # sessions = arrivals - give-ups
    assert (a["site_idx"] == 0).all()
    np.testing.assert_allclose(a["wait_s"], 300.0)
    assert (res.trips["status"] == "completed").all()
    # a car that gave up keeps its charge: it does not try another site
    gave_up = set(a["vehicle_id"])
    assert not gave_up & set(s["vehicle_id"])
    np.testing.assert_allclose(ledger.final_soc[sorted(gave_up)], 0.6 - 2 * 20 * 0.165 / 58.0)


def test_leave_time_delays_the_next_trip(build):
    # the next trip is planned during the session: it departs when the car leaves
    region = _hub(build)
    vehicles = [dict(type="a58", initial_soc=0.3)]
    trips = [
        dict(vehicle=0, day=0, origin=0, dest=HUB, depart_s=EIGHT),
        dict(vehicle=0, day=0, origin=HUB, dest=1, depart_s=EIGHT + 1500.0),
    ]
    demand = build.demand(region, vehicles, trips)
    res, _ = simulate_detailed(build.scenario(), region, demand, SEED)
    (end,) = res.sessions["end_s"]
    dep = res.events[(res.events["trip_id"] == 1) & (res.events["event"] == "depart")]
    assert end > EIGHT + 1500.0 and dep["time_s"].tolist() == [end]
    assert res.trips["arrive_s"].iloc[1] == end + 1200.0


def test_no_session_below_the_minimum_gain(build):
    # 0.85 reaches the hub at 0.793: 0.4 kWh below the 0.8 target, less than 3 kWh
    demand, res, ledger = _stream(build, n_cars=3, soc=0.85, gap_s=600.0)
    assert len(res.sessions) == 0 and len(res.abandoned) == 0
    assert (res.trips["status"] == "completed").all()
    planned = demand.trips["depart_s"] + demand.trips["duration_s"]
    np.testing.assert_allclose(res.trips["arrive_s"], planned)
    # with no minimum they charge
    _, res0, _ = _stream(build, n_cars=3, soc=0.85, gap_s=600.0, min_charge_gain_kwh=0.0)
    assert len(res0.sessions) == 3


@pytest.mark.parametrize(
    ("soc", "status", "sessions"),
    [(0.2, "completed", 1), (0.09, "stranded", 0)],
    ids=["below-comfort-drives-there", "below-reserve-strands"],
)
def test_low_cars_go_to_the_hub_if_above_the_reserve_there(build, soc, status, sessions):
    # 0.2 reaches the hub at 0.143 (below comfort, above the 0.05 reserve): straight there;
    # 0.09 would arrive at 0.033: no site within reach, stranded
    _, res, _ = _stream(build, n_cars=1, soc=soc, gap_s=0.0)
    assert res.trips["status"].iloc[0] == status and len(res.sessions) == sessions
    if sessions:
        assert res.sessions["arrive_s"].iloc[0] == EIGHT + 1200.0
        assert res.trips["km_driven"].iloc[0] == 20.0


def _mixed(build, seed: int):
    """Zone trips of 50 cars over 3 days; some visit one of the three sites on day 1."""
    rng = np.random.default_rng(seed)
    region = build.region(
        [0.0, 40.0, 90.0, 150.0],
        [
            dict(x_km=20.0, kind="car_dc", plugs=2, power_kw=50.0),
            dict(x_km=70.0, kind="car_ac", plugs=1, power_kw=22.0),
            dict(x_km=120.0, kind="car_dc", plugs=1, power_kw=150.0),
        ],
    )
    vehicles, trips = [], []
    for v in range(50):
        vehicles.append(
            dict(
                type="a58" if rng.random() < 0.5 else "b40",
                initial_soc=rng.uniform(0.15, 0.9),
                home_charging=rng.random() < 0.5,
            )
        )
        home = int(rng.integers(0, 4))
        visitor = rng.random() < 0.4  # goes to a site on day 1
        for day in range(3):
            away = 4 + int(rng.integers(0, 3)) if visitor and day == 1 else int(rng.integers(0, 4))
            t0 = day * 86400.0 + rng.uniform(6, 10) * 3600.0
            t1 = t0 + rng.uniform(0.5, 5) * 3600.0
            trips.append(dict(vehicle=v, day=day, origin=home, dest=away, depart_s=t0))
            trips.append(dict(vehicle=v, day=day, origin=away, dest=home, depart_s=t1))
    return region, build.demand(region, vehicles, trips)


def test_modes_agree_and_accounts_hold_with_site_trips(build):
    region, demand = _mixed(build, seed=4)
    scenario = build.scenario(days=3)
    bulk, led_bulk = simulate_detailed(scenario, region, demand, SEED)
    full, led_full = simulate_detailed(
        build.scenario(days=3, all_in_simpy=True), region, demand, SEED
    )
    to_site = demand.trips["dest"].to_numpy() >= region.n_zones
    visitors = np.unique(demand.trips["vehicle_id"].to_numpy()[to_site])
    assert led_bulk.in_simpy[visitors].all() and not led_bulk.in_simpy.all()
    for name in ("trips", "sessions", "abandoned", "events"):
        pd.testing.assert_frame_equal(getattr(bulk, name), getattr(full, name), check_exact=True)
    assert np.array_equal(bulk.load_kw, full.load_kw)
    assert np.array_equal(led_bulk.final_soc, led_full.final_soc)
    _check_accounts(scenario, region, demand, bulk, led_bulk)
    # a completed trip to a site queued there on arrival iff it would gain at least 3 kWh
    trips, ev = bulk.trips, bulk.events
    k = np.flatnonzero(to_site & (trips["status"] == "completed").to_numpy())
    soc = ev[ev["event"] == "arrive"].set_index("trip_id")["soc"].loc[k].to_numpy()
    battery = demand.vehicles["battery_kwh"].to_numpy()[trips["vehicle_id"].to_numpy()[k]]
    wants = (0.8 - soc) * battery >= 3.0
    site = demand.trips["dest"].to_numpy()[k] - region.n_zones
    arrive = trips["arrive_s"].to_numpy()[k]
    stays = pd.concat([bulk.sessions, bulk.abandoned])
    at_arrival = set(zip(stays["trip_id"], stays["site_idx"], stays["arrive_s"]))
    queued = np.array([(a, b, c) in at_arrival for a, b, c in zip(k, site, arrive)])
    assert np.array_equal(queued, wants) and wants.sum() > 5 and (~wants).any()


def test_frlm_flows_leave_out_trips_to_a_site(build):
    hub = _hub(build)
    # a road 0 -> 1 (40 km); zone 0 at node 0, zone 1 at node 1
    net = dataclasses.replace(
        hub.network,
        node_ids=np.array([0, 1]),
        lon=np.array([23.0, 23.5]),
        lat=np.array([56.5, 56.5]),
        indptr=np.array([0, 1, 1]),
        indices=np.array([1]),
        length_m=np.array([40_000.0]),
        travel_time_s=np.array([2400.0]),
    )
    region = dataclasses.replace(hub, network=net, zones=hub.zones.assign(node=[0, 1]))
    vehicles = [dict(type="a58", initial_soc=0.5)] * 2
    trips = [
        dict(vehicle=0, day=0, origin=0, dest=1, depart_s=EIGHT),
        dict(vehicle=1, day=0, origin=0, dest=HUB, depart_s=EIGHT),
    ]
    demand = build.demand(region, vehicles, trips)
    flows = build_flows(region, demand, np.zeros(1, dtype=np.int64), min_trip_km=10.0)
    assert flows.n_flows == 1
    assert (flows.origin.tolist(), flows.dest.tolist(), flows.volume.tolist()) == ([0], [1], [1.0])
    assert flows.flow_km.tolist() == [40.0]
