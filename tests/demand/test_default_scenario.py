"""The demand of the embedded default scenario (Zemgale baseline) on its real region."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from emob_sim.config import load_scenario
from emob_sim.demand import generate_demand
from emob_sim.region import build_region


@pytest.fixture(scope="module")
def baseline():
    scenario = load_scenario()
    return scenario, build_region(scenario)


def test_default_scenario_demand(baseline, check_chains):
    scenario, region = baseline
    demand = generate_demand(scenario, region, np.random.SeedSequence(scenario.seed))
    zones = region.zones
    fleet = scenario.fleet
    resident_zone = zones["kind"] == "zone"
    expected = zones.loc[resident_zone, "population"] * fleet.cars_per_1000 / 1000 * fleet.ev_share
    counts = np.bincount(
        demand.vehicles.loc[demand.vehicles["resident"], "home_zone"], minlength=len(zones)
    )
    assert np.all(np.abs(counts[resident_zone.to_numpy()] - expected.to_numpy()) < 1)
    assert counts[~resident_zone.to_numpy()].sum() == 0
    check_chains(demand.trips, demand.vehicles)
    # every corridor appears in both directions between its named zones
    zone_id = zones["zone_id"].to_numpy()
    through = demand.trips[demand.trips["purpose"] == "through"]
    pairs = set(zip(zone_id[through["origin"]], zone_id[through["dest"]], strict=True))
    corridors = {(c.a, c.b) for c in scenario.demand.corridors}
    assert pairs == corridors | {(b, a) for a, b in corridors}
    again = generate_demand(scenario, region, np.random.SeedSequence(scenario.seed))
    assert demand.trips.equals(again.trips)


@pytest.fixture(scope="module")
def many_cars(baseline):
    """One day of the default demand with every fifth car electric: enough trips for the
    commuting shares of one town."""
    scenario, region = baseline
    fleet = scenario.fleet.model_copy(update={"ev_share": 0.2})
    scenario = scenario.model_copy(update={"fleet": fleet})
    return scenario, generate_demand(scenario, region, np.random.SeedSequence(scenario.seed))


def _facts(scenario) -> pd.DataFrame:
    return pd.read_csv(scenario.demand.facts_file).set_index("fact")


def _within(value: float, facts: pd.DataFrame, fact: str) -> bool:
    return abs(value - facts.at[fact, "value"]) <= facts.at[fact, "tolerance"]


def test_the_default_demand_matches_the_travel_facts(baseline, many_cars):
    scenario, region = baseline
    _, demand = many_cars
    facts = _facts(scenario)
    trips = demand.trips[demand.trips["purpose"] != "through"]
    mean_km = trips["distance_km"].mean()
    assert _within(mean_km, facts, "mean_car_trip_km"), mean_km
    per_used_car_day = len(trips) / len(trips.groupby(["vehicle_id", "day"]))
    assert _within(per_used_car_day, facts, "car_driver_trips_per_day"), per_used_car_day
    zone_id = region.zones["zone_id"].to_numpy()
    home = demand.vehicles["home_zone"].to_numpy()[trips["vehicle_id"]]
    work = trips[(trips["purpose"] == "work") & (zone_id[home] == "Jelgava")]
    to = pd.Series(zone_id[work["dest"]]).value_counts(normalize=True)
    assert _within(to["Rīga"], facts, "jelgava_work_in_riga_share"), to["Rīga"]
    assert _within(to["Jelgava"], facts, "jelgava_work_in_jelgava_share"), to["Jelgava"]


def test_the_expected_statistics_are_those_of_the_drawn_trips(baseline, many_cars):
    from emob_sim.demand.chains import destination_mass
    from emob_sim.demand.expected import chain_expectations
    from emob_sim.demand.intrazonal import IntrazonalTrips

    scenario, region = baseline
    _, demand = many_cars
    zones, n = region.zones, region.n_zones
    population = zones["population"].to_numpy(dtype=float)
    exp = chain_expectations(
        scenario.demand,
        home_weight=np.where(zones["kind"] == "zone", population, 0.0),
        mass=destination_mass(zones, external_attraction=scenario.demand.external_attraction),
        time_s=np.asarray(region.time_s)[:n, :n],
        dist_km=np.asarray(region.dist_km)[:n, :n],
        intrazonal=IntrazonalTrips.of_zones(zones, scenario.zones),
    )
    trips = demand.trips[demand.trips["purpose"] != "through"]
    assert trips["distance_km"].mean() == pytest.approx(exp.mean_trip_km, rel=0.03)
    inside = (trips["origin"] == trips["dest"]).mean()
    assert inside == pytest.approx(exp.intrazonal_share, abs=0.01)
    cars = demand.vehicles["resident"].sum()
    assert len(trips) / cars == pytest.approx(exp.trips_per_car_day, rel=0.02)


def test_trips_inside_a_large_zone_have_a_spread_of_lengths(baseline, many_cars):
    scenario, region = baseline
    _, demand = many_cars
    bauska = list(region.zones["zone_id"]).index("Bauska")  # 786 km2: a disc of radius 15.8 km
    inside = demand.trips[(demand.trips["origin"] == bauska) & (demand.trips["dest"] == bauska)]
    km = inside["distance_km"]
    assert len(km) > 500 and km.std() > 3.0
    assert km.min() >= scenario.zones.min_intrazonal_km and km.max() < 2 * 15.82
    # nearer destinations are chosen more often: shorter than two random points of the disc
    assert km.mean() < 0.8 * region.dist_km[bauska, bauska]
    speed = km / (inside["duration_s"] / 3600.0)
    np.testing.assert_allclose(speed, scenario.zones.intrazonal_speed_kph)
