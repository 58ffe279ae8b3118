"""Flow refuelling: flows from long trips, the greedy on hand-made and Zemgale flows."""

from __future__ import annotations

import numpy as np
import pytest

from emob_sim.placement.frlm import (
    Flows,
    build_flows,
    fleet_range_km,
    frlm_greedy,
    refuelled_volume,
)


def _line_flows():
    """Two flows along one road with candidates every 100 km (0..4 at km 0, 100, ..., 400)."""
    stops_a = [(0, 0.0), (1, 100.0), (2, 200.0), (3, 300.0), (4, 400.0)]  # 0 -> 400 km
    stops_b = [(1, 0.0), (2, 100.0)]  # 100 -> 250 km (150 km)
    ptr = np.array([0, len(stops_a), len(stops_a) + len(stops_b)])
    cand = np.array([c for c, _ in stops_a + stops_b])
    km = np.array([k for _, k in stops_a + stops_b])
    return Flows(
        origin=np.array([0, 1]),
        dest=np.array([2, 3]),
        volume=np.array([10.0, 3.0]),
        flow_km=np.array([400.0, 150.0]),
        ptr=ptr,
        stop_candidate=cand,
        stop_km=km,
    )


def test_greedy_opens_the_stations_a_long_flow_needs():
    flows = _line_flows()
    # range 250 km, start with 120: the short flow needs station 1 (at its origin), the long
    # one station 1 and then station 2 or 3
    kw = dict(start_km=120.0, range_km=250.0)
    none = np.zeros(5, dtype=bool)
    assert refuelled_volume(flows, none, **kw) == 0.0
    one = frlm_greedy(flows, n_candidates=5, budget=1, **kw)
    assert one.tolist() == [False, True, False, False, False]
    assert refuelled_volume(flows, one, **kw) == 3.0
    two = frlm_greedy(flows, n_candidates=5, budget=2, **kw)
    assert two.sum() == 2 and two[1] and refuelled_volume(flows, two, **kw) == 13.0


def test_no_single_station_completes_a_flow_then_progress_decides():
    flows = _line_flows()
    long_only = Flows(
        origin=flows.origin[:1],
        dest=flows.dest[:1],
        volume=flows.volume[:1],
        flow_km=flows.flow_km[:1],
        ptr=flows.ptr[:2],
        stop_candidate=flows.stop_candidate[:5],
        stop_km=flows.stop_km[:5],
    )
    kw = dict(start_km=120.0, range_km=250.0)
    sel = frlm_greedy(long_only, n_candidates=5, budget=2, **kw)
    assert sel[1] and sel.sum() == 2
    assert refuelled_volume(long_only, sel, **kw) == 10.0


def test_greedy_respects_costs_and_fixed():
    flows = _line_flows()
    fixed = np.array([False, True, False, False, False])
    cost = np.array([1.0, 1.0, 1.0, 5.0, 1.0])
    sel = frlm_greedy(
        flows, n_candidates=5, range_km=250.0, start_km=120.0, cost=cost, budget=2.0, fixed=fixed
    )
    assert sel[1] and not sel[3]  # station 3 costs more than the budget
    assert cost[sel & ~fixed].sum() <= 2.0
    assert refuelled_volume(flows, sel, start_km=120.0, range_km=250.0) == 13.0


def test_zemgale_flows_and_greedy(zemgale, zemgale_candidates, zemgale_demand):
    tab = zemgale_candidates.table
    dc = np.flatnonzero(tab["kind"] == "car_dc")
    flows = build_flows(
        zemgale_candidates.region, zemgale_demand, tab["node"].to_numpy()[dc], min_trip_km=50.0
    )
    trips = zemgale_demand.trips
    long_ = trips[(trips["distance_km"] >= 50) & (trips["origin"] != trips["dest"])]
    assert flows.volume.sum() == len(long_)
    # path lengths are the region's fastest-path lengths
    dist_km = zemgale_candidates.region.dist_km
    np.testing.assert_allclose(flows.flow_km, dist_km[flows.origin, flows.dest], rtol=1e-9)
    range_km = fleet_range_km(zemgale)
    assert 150 < range_km < 300
    fixed = tab["fixed"].to_numpy()[dc]
    sel = frlm_greedy(
        flows, n_candidates=dc.size, range_km=100.0, start_km=50.0, budget=3, fixed=fixed
    )
    before = refuelled_volume(flows, fixed, start_km=50.0, range_km=100.0)
    after = refuelled_volume(flows, sel, start_km=50.0, range_km=100.0)
    assert after > before and (sel & ~fixed).sum() <= 3


def test_range_from_the_scenario_when_given(zemgale):
    sc = zemgale.model_copy(
        update={"placement": zemgale.placement.model_copy(update={"frlm_range_km": 123.0})}
    )
    assert fleet_range_km(sc) == pytest.approx(123.0)
