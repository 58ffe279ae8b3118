"""E-bike demand: owners' chains, intrazonal trip lengths, energy, determinism."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import emob_sim
from emob_sim.config import load_scenario
from emob_sim.demand import (
    EBIKE_COLUMNS,
    EBIKE_TRIP_COLUMNS,
    generate_demand,
    generate_ebike_demand,
)
from emob_sim.region import build_region
from emob_sim.seeds import seed_streams

KOUVOLA = Path(__file__).resolve().parents[2] / "configs" / "demo" / "kouvola.yaml"


def _ebike_demand(scenario, region, seed=None):
    streams = seed_streams(scenario.seed if seed is None else seed)
    cars = generate_demand(scenario, region, streams["demand"])
    return generate_ebike_demand(scenario, region, cars, streams["ebike"])


@pytest.fixture(scope="module")
def zemgale(zemgale_region):
    sc = load_scenario()
    return sc, _ebike_demand(sc, zemgale_region)[0]


def test_strategic_trips_stay_in_the_zone_with_drawn_lengths(zemgale, zemgale_region):
    sc, demand = zemgale
    veh, trips = demand.vehicles, demand.trips
    assert list(veh.columns) == EBIKE_COLUMNS and list(trips.columns) == EBIKE_TRIP_COLUMNS
    assert len(trips) > 1000 and (veh["origin"] == "owner").all()
    assert (trips["origin"] == trips["dest"]).all()
    assert (trips["origin"] == veh["home_zone"].to_numpy()[trips["ebike_id"]]).all()
    km = trips["distance_km"].to_numpy()
    dist = sc.ebike.intrazonal_trip_km
    assert km.min() >= dist.min_km and km.max() <= dist.max_km
    assert np.median(km) == pytest.approx(dist.median_km, rel=0.1)
    assert len(np.unique(km)) > 0.9 * len(km)  # drawn, not the matrix diagonal
    np.testing.assert_allclose(trips["duration_s"], km / sc.ebike.speed_kph * 3600)
    wh_per_km = veh["wh_per_km"].to_numpy()[trips["ebike_id"]]
    np.testing.assert_allclose(trips["energy_wh"], km * wh_per_km)
    assert (trips["car_km"] == 0).all() and not trips["near_site"].any()  # no e-bike points


def test_owners_follow_population_and_assistance_shares(zemgale, zemgale_region):
    sc, demand = zemgale
    zones = zemgale_region.zones
    counts = np.bincount(demand.vehicles["home_zone"], minlength=len(zones))
    expected = np.where(zones["kind"] == "zone", zones["population"] * 30 / 1000, 0)
    assert np.all(np.abs(counts - expected) < 1)  # stochastic rounding
    shares = demand.vehicles["assist"].value_counts(normalize=True)
    for level, share in sc.ebike.assist_shares.items():
        assert shares[level] == pytest.approx(share, abs=0.03)
    soc = demand.vehicles["initial_soc"]
    assert soc.min() >= sc.ebike.initial_soc_min and soc.max() <= sc.ebike.initial_soc_max
    used = demand.trips.groupby("day")["ebike_id"].nunique().iloc[0] / len(demand.vehicles)
    assert used == pytest.approx(sum(sc.ebike.chain_shares.values()), abs=0.03)


def test_trips_are_sorted_chains_ending_at_home(zemgale):
    _, demand = zemgale
    t = demand.trips
    assert (t["trip_id"] == np.arange(len(t))).all()
    key = t["ebike_id"].to_numpy() * 1e7 + t["depart_s"].to_numpy()
    assert np.all(np.diff(key) >= 0)
    last = t[t["last_of_day"]]
    assert (last["purpose"] == "home").all()
    assert len(last) == t.groupby(["ebike_id", "day"]).ngroups


def test_osm_trips_use_the_bike_matrices(kouvola_region):
    sc = load_scenario(KOUVOLA)
    demand, _ = _ebike_demand(sc, kouvola_region)
    t, layer = demand.trips, kouvola_region.bike
    o, d = t["origin"].to_numpy(), t["dest"].to_numpy()
    assert (o != d).any()
    np.testing.assert_allclose(t["distance_km"], layer.dist_km[o, d])
    np.testing.assert_allclose(t["duration_s"], layer.time_s[o, d])
    # trips near a public point end in a zone that has points, never at home
    near = t["near_site"].to_numpy()
    assert near.any() and not (near & t["last_of_day"].to_numpy()).any()
    assert (layer.near_share[d[near]] > 0).all()


def test_same_seed_same_demand_other_seed_other(kouvola_region):
    sc = load_scenario(KOUVOLA)
    a, cars_a = _ebike_demand(sc, kouvola_region)
    b, cars_b = _ebike_demand(sc, kouvola_region)
    c, _ = _ebike_demand(sc, kouvola_region, seed=sc.seed + 1)
    assert a.trips.equals(b.trips) and a.vehicles.equals(b.vehicles)
    assert cars_a.trips.equals(cars_b.trips)
    assert not a.trips.equals(c.trips)


def test_disabled_ebikes_give_no_layer_and_no_demand():
    sc = load_scenario(overrides=["ebike.enabled=false"])
    region = build_region(sc)
    assert region.bike is None and len(region.ebike_sites) == 0
    demand, cars = _ebike_demand(sc, region)
    assert demand.n_trips == 0 and demand.n_vehicles == 0
    k = emob_sim.run(sc, region=region).kpis
    assert k["ebike"]["trips"] == 0 and k["trips_generated"] > 0
