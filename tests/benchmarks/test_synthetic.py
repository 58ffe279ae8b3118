"""The synthetic region generator: tables, files in the strategic format, arrays, trip counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmarks.runner import ebikes_off
from benchmarks.synthetic import (
    MAX_NODES,
    ev_share_for_trips,
    synthetic_network,
    synthetic_tables,
    write_synthetic,
)
from emob_sim.config import load_scenario
from emob_sim.demand import generate_demand
from emob_sim.errors import ConfigError
from emob_sim.network import load_network
from emob_sim.region import build_region
from emob_sim.region.sites import read_sites_file
from emob_sim.region.zones import load_zones

EBIKES_OFF = ebikes_off()


@pytest.fixture(scope="module")
def small():
    return synthetic_tables(n_nodes=300, n_zones=15, n_sites=5, seed=3)


@pytest.fixture(scope="module")
def written(small, tmp_path_factory):
    return write_synthetic(small, tmp_path_factory.mktemp("grid"), name="grid", days=2)


def test_tables_have_the_asked_sizes_and_are_reproducible(small):
    assert len(small.nodes) == 300 and small.nodes["node_id"].is_unique
    zones = small.zones
    assert (zones["kind"] == "zone").sum() == 15 and (zones["kind"] == "gateway").sum() == 4
    assert (zones.loc[zones["kind"] == "zone", "population"] > 0).all()
    assert len(small.sites) == 5 and set(small.sites["kind"]) <= {"car_ac", "car_dc"}
    # a grid: interior nodes have four neighbours, every link joins two known nodes
    names = set(small.nodes["name"])
    assert small.links["a"].isin(names).all() and small.links["b"].isin(names).all()
    again = synthetic_tables(n_nodes=300, n_zones=15, n_sites=5, seed=3)
    pd.testing.assert_frame_equal(small.zones, again.zones)
    pd.testing.assert_frame_equal(small.nodes, again.nodes)
    other = synthetic_tables(n_nodes=300, n_zones=15, n_sites=5, seed=4)
    assert not small.zones["population"].equals(other.zones["population"])


def test_written_files_load_as_a_region_with_the_same_arrays(small, written):
    scenario = load_scenario(written, overrides=EBIKES_OFF)
    assert scenario.time.days == 2 and scenario.network.source == "strategic"
    assert len(load_zones(scenario.zones.file)) == 19
    assert len(read_sites_file(scenario.charging.sites_file)) == 5
    from_files = load_network(scenario.network)
    direct = synthetic_network(small, hwy_speeds_kph=dict(scenario.network.hwy_speeds_kph))
    for name in ("node_ids", "lon", "lat", "indptr", "indices", "length_m", "travel_time_s"):
        np.testing.assert_array_equal(getattr(from_files, name), getattr(direct, name), name)
    region = build_region(scenario)
    assert region.n_zones == 19 and region.n_sites == 5
    assert (region.zones["snap_distance_m"] < 1.0).all()  # zone centres are grid nodes


def test_ev_share_gives_the_wanted_number_of_trips(small, written):
    scenario = load_scenario(written, overrides=EBIKES_OFF)
    share = ev_share_for_trips(scenario, small.zones, 4000)
    assert 0 < share < 1
    scenario = load_scenario(written, overrides=[*EBIKES_OFF, f"fleet.ev_share={share!r}"])
    region = build_region(scenario)
    trips = generate_demand(scenario, region, np.random.SeedSequence(1)).n_trips
    assert abs(trips - 4000) < 0.1 * 4000


def test_too_many_trips_or_bad_sizes_are_errors(small, written):
    scenario = load_scenario(written, overrides=EBIKES_OFF)
    with pytest.raises(ConfigError, match=r"fleet.ev_share = .*expected a share in \[0, 1\]"):
        ev_share_for_trips(scenario, small.zones, 1e9)
    with pytest.raises(ConfigError, match="n_nodes: expected 16 to 200000"):
        synthetic_tables(n_nodes=MAX_NODES + 1, n_zones=10, n_sites=1)
    with pytest.raises(ConfigError, match="n_sites: expected 0 to n_zones = 10"):
        synthetic_tables(n_nodes=100, n_zones=10, n_sites=11)


def test_largest_grid_builds_as_arrays():
    tables = synthetic_tables(n_nodes=MAX_NODES, n_zones=500, n_sites=20, seed=0)
    speeds = dict(load_scenario().network.hwy_speeds_kph)
    network = synthetic_network(tables, hwy_speeds_kph=speeds)
    assert network.n_nodes == MAX_NODES
    assert network.n_edges == 2 * len(tables.links)
    assert (network.travel_time_s > 0).all() and np.all(np.diff(network.indptr) >= 2)
