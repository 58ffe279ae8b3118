"""The demand of the embedded default scenario (Zemgale baseline) on its real region."""

from __future__ import annotations

import numpy as np
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
