"""Fleet sampling: counts per zone, vehicle attributes, the type catalogue as arrays."""

from __future__ import annotations

import numpy as np

from emob_sim.demand.fleet import sample_fleet, stochastic_round, type_arrays


def test_stochastic_round_is_floor_or_ceil_with_the_right_mean():
    rng = np.random.default_rng(3)
    x = np.full(20_000, 2.3)
    r = stochastic_round(x, rng)
    assert set(np.unique(r)) == {2, 3}
    assert abs(r.mean() - 2.3) < 0.02


def test_vehicle_counts_follow_population_rate_and_share(make_scenario, make_region):
    rng = np.random.default_rng(11)
    n = 400
    population = rng.uniform(500, 30_000, n)
    region = make_region(population=population, kind=["zone"] * n, time_min=np.ones((n, n)))
    scenario = make_scenario({"fleet.ev_share": 0.02, "fleet.cars_per_1000": 450})
    vehicles = sample_fleet(scenario.fleet, region.zones, np.random.default_rng(5))
    expected = population * 450 / 1000 * 0.02
    counts = np.bincount(vehicles["home_zone"].to_numpy(), minlength=n)
    # each zone is rounded to floor or ceil of its expectation ...
    assert np.all((counts == np.floor(expected)) | (counts == np.ceil(expected)))
    # ... and the total is the expectation within 5 standard deviations (var <= n / 4)
    assert abs(counts.sum() - expected.sum()) <= 5 * np.sqrt(n / 4)


def test_only_resident_zones_own_cars(make_scenario, make_line_region):
    region = make_line_region(
        positions_km=[0, 10, 20],
        population=[10_000, 1_000_000, 50_000],
        kind=["zone", "external", "gateway"],
    )
    vehicles = sample_fleet(make_scenario().fleet, region.zones, np.random.default_rng(1))
    assert len(vehicles) > 0
    assert set(vehicles["home_zone"]) == {0}


def test_vehicle_attributes_come_from_types_and_ranges(make_scenario, small_region):
    fleet = make_scenario({"fleet.home_charging_share": 0.3}).fleet
    vehicles = sample_fleet(fleet, small_region.zones, np.random.default_rng(2))
    types = type_arrays(fleet)
    t = vehicles["type_idx"].to_numpy()
    assert np.array_equal(vehicles["battery_kwh"].to_numpy(), types.battery_kwh[t])
    assert np.array_equal(vehicles["max_dc_kw"].to_numpy(), types.max_dc_kw[t])
    assert abs((t == 1).mean() - 0.6) < 0.05
    assert abs(vehicles["home_charging"].mean() - 0.3) < 0.05
    soc = vehicles["initial_soc"].to_numpy()
    assert soc.min() >= 0.5 and soc.max() <= 0.9
    assert vehicles["resident"].all()


def test_curves_are_padded_by_repeating_the_last_point(make_scenario):
    types = type_arrays(make_scenario().fleet)
    assert types.curve_soc.shape == types.curve_frac.shape == (2, 5)
    assert np.array_equal(types.curve_soc[0], [0.0, 1.0, 1.0, 1.0, 1.0])
    assert np.array_equal(types.curve_frac[0], [1.0, 0.2, 0.2, 0.2, 0.2])
    assert np.array_equal(types.curve_frac[1], [0.8, 1.0, 1.0, 0.5, 0.1])
