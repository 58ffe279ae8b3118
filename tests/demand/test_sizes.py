"""Absurd demand sizes are refused before numpy allocates anything (issue 25, item 6); large
but feasible ones still run."""

from __future__ import annotations

import numpy as np
import pytest

from emob_sim.demand import generate_demand
from emob_sim.demand.sizes import (
    MAX_TRIPS,
    MAX_ZONE_POPULATION,
    check_demand_size,
    estimate_demand_size,
)
from emob_sim.errors import ConfigError, DataError

ZONES = ["A", "B", "C", "D", "EXT", "G1", "G2"]
KINDS = ["zone", "zone", "zone", "zone", "external", "gateway", "gateway"]
POSITIONS_KM = [0, 10, 25, 40, 60, -30, 90]


def region_with(make_line_region, population_a: float):
    return make_line_region(
        positions_km=POSITIONS_KM,
        population=[population_a, 5_000, 8_000, 3_000, 100_000, 0, 0],
        kind=KINDS,
        zone_ids=ZONES,
    )


@pytest.mark.parametrize("population", [1e19, 1e300, float("inf")])
def test_an_absurd_zone_population_is_refused_naming_the_zone(
    make_scenario, make_line_region, population
):
    region = region_with(make_line_region, population)
    with pytest.raises(DataError) as err:
        generate_demand(make_scenario(), region, np.random.SeedSequence(0))
    message = str(err.value)
    assert "\n" not in message
    assert "zone 'A'" in message and "population" in message
    assert f"at most {MAX_ZONE_POPULATION:.0e}" in message


def test_corridors_of_500000_vehicles_a_day_over_28_days_are_refused(make_scenario, small_region):
    scenario = make_scenario(
        {
            "time.days": 28,
            "demand.through_ev_share": 1.0,
            "demand.corridors": [{"a": "EXT", "b": "G1", "vehicles_per_day": 500_000}],
        }
    )
    with pytest.raises(ConfigError) as err:
        generate_demand(scenario, small_region, np.random.SeedSequence(0))
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("demand.corridors: about 14,")
    assert "14,000,000 through trips" in message and "28 day(s)" in message
    assert f"at most {MAX_TRIPS:,} trips" in message


def test_residents_beyond_the_limit_name_the_zone_table_and_the_estimate(
    make_scenario, make_line_region
):
    scenario = make_scenario({"time.days": 28, "fleet.ev_share": 1.0, "demand.corridors": []})
    region = region_with(make_line_region, 9e8)  # a plausible-looking zone, far too many cars
    with pytest.raises(DataError, match=r"resident electric cars .* expected at most 10,000,000"):
        check_demand_size(scenario, region.zones)


def test_a_large_but_feasible_demand_passes_the_check(make_scenario, make_line_region):
    # about a million trips in a week: allowed
    scenario = make_scenario({"time.days": 7, "fleet.ev_share": 1.0, "demand.corridors": []})
    region = region_with(make_line_region, 350_000)
    size = check_demand_size(scenario, region.zones)
    assert 1_000_000 < size.trips < MAX_TRIPS


def test_the_estimate_is_close_to_what_is_drawn(make_scenario, small_region):
    scenario = make_scenario({"time.days": 3})
    size = estimate_demand_size(scenario, small_region.zones, small_region.areas)
    demand = generate_demand(scenario, small_region, np.random.SeedSequence(0))
    cars = [p for p in size.parts if not p[0].endswith("ebike")]  # the e-bikes come apart
    assert len(cars) < len(size.parts)
    assert sum(p[2] for p in cars) == pytest.approx(demand.n_vehicles, rel=0.1)
    assert sum(p[3] for p in cars) == pytest.approx(demand.n_trips, rel=0.1)
