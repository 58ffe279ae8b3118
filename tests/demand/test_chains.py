"""Daily chains: gravity destinations, day fitting, chain structure and times."""

from __future__ import annotations

import numpy as np
import pytest

from emob_sim.demand import generate_demand
from emob_sim.demand.chains import (
    DAY_END_S,
    destination_mass,
    draw_destinations,
    fit_into_day,
    gravity_cdf,
)


def test_gravity_cdf_matches_the_formula(make_line_region):
    region = make_line_region(
        positions_km=[0, 10, 30, 50],
        population=[1000, 2000, 500_000, 0],
        kind=["zone", "zone", "external", "gateway"],
    )
    mass = destination_mass(region.zones, external_attraction=0.5)
    assert np.array_equal(mass, [1000, 2000, 250_000, 0])
    cdf = gravity_cdf(mass, region.time_s[:4, :4], beta_per_min=0.05)
    time_min = region.time_s[:4, :4] / 60
    w = mass * np.exp(-0.05 * time_min)
    expected = np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)
    np.testing.assert_allclose(cdf, expected, rtol=1e-12)


def test_draw_destinations_follows_the_rows_and_skips_zero_mass():
    cdf = np.cumsum(np.array([[0.2, 0.8, 0.0], [0.0, 0.0, 1.0], [0.5, 0.0, 0.5]]), axis=1)
    rng = np.random.default_rng(0)
    origins = np.repeat([0, 1, 2], 20_000)
    dest = draw_destinations(cdf, origins, rng.random(origins.size))
    freq = np.array([np.bincount(dest[origins == o], minlength=3) / 20_000 for o in range(3)])
    np.testing.assert_allclose(freq, [[0.2, 0.8, 0.0], [0.0, 0.0, 1.0], [0.5, 0.0, 0.5]], atol=0.02)
    assert freq[0, 2] == freq[1, 0] == freq[1, 1] == freq[2, 1] == 0  # zero probabilities
    # u at the edges of [0, 1) stays inside the origin's row
    below_one = np.nextafter(1.0, 0.0)
    edge = draw_destinations(cdf, np.array([0, 1, 2, 2]), np.array([0.0, 0.0, 0.0, below_one]))
    assert np.array_equal(edge, [0, 2, 0, 2])


def test_closer_zone_of_equal_mass_gets_more_trips(make_scenario, make_line_region):
    # home zone H in the middle, N (near) and F (far) of equal population
    region = make_line_region(
        positions_km=[0, 8, -30], population=[20_000, 20_000, 20_000], kind=["zone"] * 3
    )
    scenario = make_scenario({"demand.corridors": []})
    trips = generate_demand(scenario, region, np.random.SeedSequence(4)).trips
    from_home = trips[(trips["origin"] == 0) & (trips["seq"] == 0)]
    counts = np.bincount(from_home["dest"], minlength=3)
    assert counts[1] > 2 * counts[2] > 0


def test_gateways_are_never_destinations_of_chains(make_scenario, small_region):
    demand = generate_demand(
        make_scenario({"demand.corridors": []}), small_region, np.random.SeedSequence(1)
    )
    assert len(demand.trips) > 1000
    assert not np.isin(demand.trips["dest"], [5, 6]).any()
    assert (demand.trips["dest"] == 4).any()  # the external zone attracts trips


def test_fit_into_day_shortens_dwells_then_moves_departure():
    travel = np.array([[3600.0, 3600.0], [3600.0, 3600.0], [3600.0, 3600.0], [50_000.0, 50_000.0]])
    dwell = np.array([[4 * 3600.0], [4 * 3600.0], [4 * 3600.0], [0.0]])
    t0 = np.array([8 * 3600.0, 18 * 3600.0, 23 * 3600.0, 0.0])
    min_dwell = np.array([3600.0])
    new_t0, new_dwell, fits = fit_into_day(t0, travel, dwell, min_dwell)
    assert np.array_equal(fits, [True, True, True, False])
    # fits already: unchanged
    assert new_t0[0] == t0[0] and new_dwell[0, 0] == dwell[0, 0]
    # 18:00 + 2 h travel + 4 h dwell: the dwell shrinks to end at 23:59, departure unchanged
    assert new_t0[1] == t0[1]
    assert new_dwell[1, 0] == pytest.approx(DAY_END_S - 20 * 3600.0)
    # 23:00: dwell at its minimum and departure moved earlier
    assert new_dwell[2, 0] == pytest.approx(3600.0)
    assert new_t0[2] == pytest.approx(DAY_END_S - 3 * 3600.0)
    end = new_t0[:3] + travel[:3].sum(axis=1) + new_dwell[:3, 0]
    assert np.all(end <= DAY_END_S + 1e-6)


def test_chains_are_consistent(make_scenario, small_region, check_chains):
    demand = generate_demand(make_scenario(), small_region, np.random.SeedSequence(8))
    check_chains(demand.trips, demand.vehicles)
    resident = demand.trips[demand.trips["purpose"] != "through"]
    assert set(resident["purpose"]) == {"work", "other", "home"}


def test_long_dwells_are_shortened_to_end_the_day_at_home(
    make_scenario, small_region, check_chains
):
    scenario = make_scenario(
        {
            "demand.work_duration_mean_h": 20.0,
            "demand.other_dwell_mean_h": 12.0,
            "demand.other_departure_mean_h": 22.0,
            "time.days": 2,
        }
    )
    demand = generate_demand(scenario, small_region, np.random.SeedSequence(8))
    check_chains(demand.trips, demand.vehicles)
    assert set(demand.trips["day"]) == {0, 1}


def test_chain_shares_and_times(make_scenario, make_line_region):
    region = make_line_region(positions_km=[0, 5], population=[100_000, 50_000], kind=["zone"] * 2)
    scenario = make_scenario(
        {"demand.chain_shares": {"HWH": 0.5, "HOH": 0.2}, "demand.corridors": []}
    )
    demand = generate_demand(scenario, region, np.random.SeedSequence(3))
    trips = demand.trips
    n_cars = demand.n_vehicles
    chains = trips[trips["seq"] == 0]
    assert abs((chains["purpose"] == "work").sum() / n_cars - 0.5) < 0.03
    assert abs((chains["purpose"] == "other").sum() / n_cars - 0.2) < 0.03
    assert trips.groupby("vehicle_id").size().max() == 2  # HWH and HOH: two legs
    work_dep_h = chains.loc[chains["purpose"] == "work", "depart_s"] / 3600
    assert abs(work_dep_h.mean() - scenario.demand.work_departure_mean_h) < 0.1
    work = trips[trips["purpose"] == "work"].set_index("vehicle_id")
    back = trips[(trips["purpose"] == "home")].set_index("vehicle_id").loc[work.index]
    at_work_h = (back["depart_s"] - work["depart_s"] - work["duration_s"]) / 3600
    assert at_work_h.min() >= 1.0 - 1e-9
    assert abs(at_work_h.mean() - scenario.demand.work_duration_mean_h) < 0.1
