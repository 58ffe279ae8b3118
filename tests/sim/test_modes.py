"""Bulk settlement and all-in-SimPy give the same results; runs are deterministic."""

from __future__ import annotations

import numpy as np
import pandas as pd

from emob_sim.sim import simulate, simulate_detailed


def _assert_same(a, b):
    pd.testing.assert_frame_equal(a.trips, b.trips, check_exact=True)
    pd.testing.assert_frame_equal(a.sessions, b.sessions, check_exact=True)
    pd.testing.assert_frame_equal(a.abandoned, b.abandoned, check_exact=True)
    pd.testing.assert_frame_equal(a.events, b.events, check_exact=True)
    assert a.home_energy_kwh == b.home_energy_kwh
    assert np.array_equal(a.load_kw, b.load_kw)
    assert a.bin_s == b.bin_s


def test_bulk_and_all_simpy_modes_are_identical(build):
    region, demand = build.random_case(n_vehicles=60, days=3, seed=11)
    seed = np.random.SeedSequence(5)
    bulk, led_bulk = simulate_detailed(build.scenario(days=3), region, demand, seed)
    full, led_full = simulate_detailed(
        build.scenario(days=3, all_in_simpy=True), region, demand, seed
    )
    # the comparison means something: some vehicles were settled in bulk, some charged
    assert 0 < led_bulk.in_simpy.sum() < demand.n_vehicles and led_full.in_simpy.all()
    assert len(bulk.sessions) > 0 and len(bulk.events) > len(bulk.sessions)
    # cars plugged in where they parked too (the AC site is zone 2's own)
    assert (bulk.sessions["location"] == "destination").any()
    _assert_same(bulk, full)
    assert np.array_equal(led_bulk.final_soc, led_full.final_soc)
    assert np.array_equal(led_bulk.home_kwh, led_full.home_kwh)


def test_same_input_gives_identical_output(build):
    region, demand = build.random_case(n_vehicles=40, days=2, seed=3)
    scenario = build.scenario(days=2)
    first = simulate(scenario, region, demand, np.random.SeedSequence(1))
    second = simulate(scenario, region, demand, np.random.SeedSequence(1))
    _assert_same(first, second)


def test_modes_are_identical_on_the_default_scenario():
    from emob_sim.config import load_scenario
    from emob_sim.demand import generate_demand
    from emob_sim.region import build_region

    scenario = load_scenario()
    region = build_region(scenario)
    demand = generate_demand(scenario, region, np.random.SeedSequence(2))
    in_simpy = scenario.simulation.model_copy(update={"all_vehicles_in_simpy": True})
    everything = scenario.model_copy(update={"simulation": in_simpy})
    bulk, led = simulate_detailed(scenario, region, demand, np.random.SeedSequence(3))
    full, _ = simulate_detailed(everything, region, demand, np.random.SeedSequence(3))
    assert 0 < led.in_simpy.sum() < demand.n_vehicles and len(bulk.sessions) > 0
    assert (bulk.sessions["location"] == "destination").any()
    _assert_same(bulk, full)


def test_all_simpy_mode_starts_a_vehicle_without_trips(build):
    # vehicle 1 has no trips: its process starts at time 0 and ends at once
    site = {"x_km": 30.0, "kind": "car_dc", "plugs": 1, "power_kw": 50.0}
    region = build.region([0.0, 60.0], [site])
    vehicles = [{"type": "a58", "initial_soc": 0.3}, {"type": "a58", "initial_soc": 0.5}]
    trips = [{"vehicle": 0, "day": 0, "origin": 0, "dest": 1, "depart_s": 8 * 3600.0}]
    demand = build.demand(region, vehicles, trips)
    seed = np.random.SeedSequence(0)
    bulk, _ = simulate_detailed(build.scenario(), region, demand, seed)
    full, led = simulate_detailed(build.scenario(all_in_simpy=True), region, demand, seed)
    assert led.in_simpy.all() and led.final_soc[1] == 0.5
    _assert_same(bulk, full)
