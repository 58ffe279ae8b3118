"""generate_demand: the Demand contract, reproducibility, streams, through trips, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from emob_sim.demand import TRIP_COLUMNS, VEHICLE_COLUMNS, Demand, generate_demand
from emob_sim.errors import ConfigError

INT_COLUMNS = {"vehicle_id", "type_idx", "home_zone", "trip_id", "day", "seq", "origin", "dest"}
BOOL_COLUMNS = {"resident", "home_charging", "last_of_day"}
STR_COLUMNS = {"purpose"}


def _assert_dtypes(frame: pd.DataFrame) -> None:
    for name, dtype in frame.dtypes.items():
        if name in INT_COLUMNS:
            assert dtype == np.int64, name
        elif name in BOOL_COLUMNS:
            assert dtype == np.bool_, name
        elif name in STR_COLUMNS:
            assert pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
        else:
            assert dtype == np.float64, name


def test_columns_dtypes_and_ids_match_the_contract(make_scenario, small_region):
    demand = generate_demand(make_scenario(), small_region, np.random.SeedSequence(0))
    assert isinstance(demand, Demand)
    assert list(demand.vehicles.columns) == VEHICLE_COLUMNS
    assert list(demand.trips.columns) == TRIP_COLUMNS
    _assert_dtypes(demand.vehicles)
    _assert_dtypes(demand.trips)
    assert np.array_equal(demand.vehicles["vehicle_id"], np.arange(demand.n_vehicles))
    assert np.array_equal(demand.trips["trip_id"], np.arange(demand.n_trips))
    assert isinstance(demand.vehicles.index, pd.RangeIndex)
    assert isinstance(demand.trips.index, pd.RangeIndex)
    order = np.lexsort((demand.trips["depart_s"], demand.trips["vehicle_id"]))
    assert np.array_equal(order, np.arange(demand.n_trips))
    assert demand.type_ids == ["small", "big"]
    assert demand.curve_soc.shape == demand.curve_frac.shape == (2, 5)
    # distances and durations come from the zone block of the matrices
    t = demand.trips
    assert np.array_equal(t["duration_s"], small_region.time_s[t["origin"], t["dest"]])
    assert np.array_equal(t["distance_km"], small_region.dist_km[t["origin"], t["dest"]])
    assert t["dest"].max() < small_region.n_zones


def test_same_seed_gives_identical_demand(make_scenario, small_region):
    scenario = make_scenario({"time.days": 2})
    seed_seq = np.random.SeedSequence(123)
    a = generate_demand(scenario, small_region, seed_seq)
    b = generate_demand(scenario, small_region, seed_seq)  # the same object again
    c = generate_demand(scenario, small_region, np.random.SeedSequence(123))
    for other in (b, c):
        pd.testing.assert_frame_equal(a.vehicles, other.vehicles)
        pd.testing.assert_frame_equal(a.trips, other.trips)


def test_different_seed_gives_different_demand(make_scenario, small_region):
    a = generate_demand(make_scenario(), small_region, np.random.SeedSequence(1))
    b = generate_demand(make_scenario(), small_region, np.random.SeedSequence(2))
    assert not a.vehicles.equals(b.vehicles) or not a.trips.equals(b.trips)
    assert not np.array_equal(a.vehicles["initial_soc"][:50], b.vehicles["initial_soc"][:50])


def test_raising_ev_share_raises_vehicles_and_trips(make_scenario, small_region):
    low = generate_demand(
        make_scenario({"fleet.ev_share": 0.05}), small_region, np.random.SeedSequence(5)
    )
    high = generate_demand(
        make_scenario({"fleet.ev_share": 0.2}), small_region, np.random.SeedSequence(5)
    )
    assert high.n_vehicles > 2 * low.n_vehicles
    assert high.n_trips > 2 * low.n_trips
    # through traffic has its own share here (0.1) and does not change
    assert (~high.vehicles["resident"]).sum() == (~low.vehicles["resident"]).sum()


def test_corridor_volumes_do_not_change_resident_demand(make_scenario, small_region):
    base = generate_demand(make_scenario(), small_region, np.random.SeedSequence(9))
    more = make_scenario(
        {
            "demand.corridors": [
                {"a": "EXT", "b": "G1", "vehicles_per_day": 6000},
                {"a": "G1", "b": "G2", "vehicles_per_day": 1000},
            ]
        }
    )
    other = generate_demand(more, small_region, np.random.SeedSequence(9))
    n_res = int(base.vehicles["resident"].sum())
    assert n_res == int(other.vehicles["resident"].sum())
    pd.testing.assert_frame_equal(base.vehicles.iloc[:n_res], other.vehicles.iloc[:n_res])
    res_trips = base.trips[base.trips["purpose"] != "through"]
    other_res = other.trips[other.trips["purpose"] != "through"]
    pd.testing.assert_frame_equal(res_trips, other_res)
    assert (~other.vehicles["resident"]).sum() > (~base.vehicles["resident"]).sum()


def test_first_day_does_not_depend_on_the_number_of_days(make_scenario, small_region):
    one = generate_demand(make_scenario(), small_region, np.random.SeedSequence(6)).trips
    three = generate_demand(
        make_scenario({"time.days": 3}), small_region, np.random.SeedSequence(6)
    ).trips
    assert set(three["day"]) == {0, 1, 2}
    day0 = three[(three["day"] == 0) & (three["purpose"] != "through")].reset_index(drop=True)
    res = one[one["purpose"] != "through"].reset_index(drop=True)
    pd.testing.assert_frame_equal(res.drop(columns="trip_id"), day0.drop(columns="trip_id"))


def test_through_trips_go_between_corridor_ends(make_scenario, small_region, check_chains):
    scenario = make_scenario({"time.days": 2})
    demand = generate_demand(scenario, small_region, np.random.SeedSequence(2))
    check_chains(demand.trips, demand.vehicles)
    through_v = demand.vehicles[~demand.vehicles["resident"]]
    trips = demand.trips[demand.trips["purpose"] == "through"]
    # one trip per through vehicle; through vehicles come after the residents
    assert np.array_equal(np.sort(trips["vehicle_id"]), through_v["vehicle_id"].to_numpy())
    assert through_v["vehicle_id"].min() == demand.vehicles["resident"].sum()
    assert not through_v["home_charging"].any()
    assert np.array_equal(
        through_v["home_zone"].to_numpy(), trips.sort_values("vehicle_id")["origin"].to_numpy()
    )
    soc = through_v["initial_soc"]
    assert soc.min() >= 0.3 and soc.max() <= 0.9
    pairs = set(zip(trips["origin"], trips["dest"], strict=True))
    assert pairs == {(4, 5), (5, 4), (5, 6), (6, 5)}  # EXT-G1 and G1-G2, both directions
    assert trips["last_of_day"].all() and (trips["seq"] == 0).all()
    # expected: vehicles_per_day * through_ev_share per day (2000 + 1000) * 0.1 * 2 days
    assert abs(len(trips) - 600) <= 4
    ab = ((trips["origin"] == 4) & (trips["dest"] == 5)).sum()
    assert abs(ab - 200) <= 2  # half of EXT-G1 each way, each day rounded within 1
    hour = (trips["depart_s"] - trips["day"] * 86_400) / 3600
    assert hour.min() >= 5.0 and hour.max() <= 22.0


def test_through_share_defaults_to_fleet_share(make_scenario, small_region):
    scenario = make_scenario({"demand.through_ev_share": None, "fleet.ev_share": 0.3})
    demand = generate_demand(scenario, small_region, np.random.SeedSequence(2))
    assert abs((~demand.vehicles["resident"]).sum() - 3000 * 0.3) <= 2


def test_unknown_corridor_zone_is_a_config_error(make_scenario, small_region):
    scenario = make_scenario(
        {
            "demand.corridors": [
                {"a": "EXT", "b": "G1", "vehicles_per_day": 10},
                {"a": "G1", "b": "G2", "vehicles_per_day": 10},
                {"a": "A", "b": "Nowhere", "vehicles_per_day": 10},
            ],
            "zones.file": "/data/zones.csv",
        }
    )
    with pytest.raises(ConfigError) as info:
        generate_demand(scenario, small_region, np.random.SeedSequence(0))
    assert str(info.value) == (
        "demand.corridors[2].b: zone 'Nowhere' not found; expected one of the zone_ids in "
        "/data/zones.csv"
    )


def test_no_cars_gives_empty_tables_with_the_contract(make_scenario, small_region):
    scenario = make_scenario({"fleet.ev_share": 0.0, "demand.corridors": []})
    demand = generate_demand(scenario, small_region, np.random.SeedSequence(0))
    assert demand.n_vehicles == 0 and demand.n_trips == 0
    assert list(demand.trips.columns) == TRIP_COLUMNS
    _assert_dtypes(demand.vehicles)
    _assert_dtypes(demand.trips)


def test_a_million_trips(make_scenario, make_region, check_chains):
    rng = np.random.default_rng(0)
    n = 200
    xy = rng.uniform(0, 100, (n, 2))
    time_min = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(time_min, 5.0)
    region = make_region(population=np.full(n, 5000.0), kind=["zone"] * n, time_min=time_min)
    # 200 zones x 5000 x 0.4 x 0.75 = 300,000 cars x 1.7 trips per car and day x 2 days
    scenario = make_scenario({"fleet.ev_share": 0.75, "time.days": 2, "demand.corridors": []})
    demand = generate_demand(scenario, region, np.random.SeedSequence(1))
    assert 0.9e6 < demand.n_trips < 1.1e6
    check_chains(demand.trips, demand.vehicles)
