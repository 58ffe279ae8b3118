"""Bad inputs are rejected with the package's DataError."""

from __future__ import annotations

import numpy as np
import pytest

from emob_sim.demand.tables import Demand
from emob_sim.errors import DataError
from emob_sim.sim import simulate


def _case(build):
    region = build.region([0.0, 50.0], [dict(x_km=10.0, kind="car_dc", plugs=1, power_kw=50.0)])
    demand = build.demand(
        region,
        [dict(type="a58", initial_soc=0.5)],
        [dict(vehicle=0, day=0, origin=0, dest=1, depart_s=100.0)],
    )
    return build.scenario(), region, demand


def _with_trips(demand: Demand, trips) -> Demand:
    return Demand(demand.vehicles, trips, demand.type_ids, demand.curve_soc, demand.curve_frac)


def test_bad_point_index_is_a_data_error(build):
    scenario, region, demand = _case(build)
    trips = demand.trips.copy()
    trips.loc[0, "dest"] = 7
    with pytest.raises(DataError, match="dest"):
        simulate(scenario, region, _with_trips(demand, trips), np.random.SeedSequence(0))


def test_missing_column_and_bad_site_kind_are_data_errors(build):
    scenario, region, demand = _case(build)
    with pytest.raises(DataError, match="distance_km"):
        simulate(
            scenario,
            region,
            _with_trips(demand, demand.trips.drop(columns="distance_km")),
            np.random.SeedSequence(0),
        )
    region.sites.loc[0, "kind"] = "bike"
    with pytest.raises(DataError, match="bike"):
        simulate(scenario, region, demand, np.random.SeedSequence(0))


def test_seed_must_be_a_seed_sequence(build):
    scenario, region, demand = _case(build)
    with pytest.raises(TypeError, match="SeedSequence"):
        simulate(scenario, region, demand, 42)
