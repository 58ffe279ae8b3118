"""Flow-refuelling location (FRLM, Kuby and Lim 2005), greedy, for long trips along corridors.

A flow is the number of generated trips between two zones that are at least
``placement.frlm_min_trip_km`` long, driven along the fastest network path (a trip table's
trips to a charging site charge there and are no flow). A vehicle starts with
``frlm_start_fraction`` of its range and charges to the full range at every open station it
passes on the path (candidates off the path are not used: no deviation). A flow is refuelled
when it reaches its destination that way (:func:`~emob_sim.kernels.coverage.refuelled_flows`).

Greedy: open the affordable candidate that adds the most refuelled volume per cost; when no
single candidate completes a flow (long paths need several stations), open the one that moves
the unrefuelled flows farthest (volume x km of added reach, per cost); stop when neither helps
or the budget is spent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from emob_sim.config.models import Scenario
from emob_sim.demand.tables import Demand
from emob_sim.kernels.coverage import refuelled_flows
from emob_sim.region import Region

__all__ = ["Flows", "build_flows", "frlm_greedy", "refuelled_volume", "fleet_range_km"]

_EPS = 1e-9


@dataclass(frozen=True, eq=False)
class Flows:
    """Long-trip flows as stops at candidates along their paths (CSR over flows)."""

    origin: NDArray[np.int64]  # zone point index
    dest: NDArray[np.int64]
    volume: NDArray[np.float64]  # trips
    flow_km: NDArray[np.float64]  # path length
    ptr: NDArray[np.int64]  # flow f owns stops ptr[f]:ptr[f + 1]
    stop_candidate: NDArray[np.int64]
    stop_km: NDArray[np.float64]

    @property
    def n_flows(self) -> int:
        return int(self.volume.size)


def fleet_range_km(scenario: Scenario) -> float:
    """``placement.frlm_range_km``, or the share-weighted fleet mean of
    ``battery_kwh * (target_soc - comfort_soc) / consumption_kwh_per_km``."""
    if scenario.placement.frlm_range_km is not None:
        return float(scenario.placement.frlm_range_km)
    ch = scenario.charging
    return float(
        sum(
            v.share * v.battery_kwh * (ch.target_soc - ch.comfort_soc) / v.consumption_kwh_per_km
            for v in scenario.fleet.vehicle_types
        )
    )


def build_flows(
    region: Region,
    demand: Demand,
    candidate_nodes: NDArray[np.int64],
    *,
    min_trip_km: float,
) -> Flows:
    """Aggregate the long trips of ``demand`` into flows with their candidate stops.

    Parameters
    ----------
    region
        Zones (trip ends) and network.
    demand
        Generated trips (``origin``, ``dest`` points, ``distance_km``); trips that start or end
        at a site point (a trip table's ``dest_site``: the car charges there) are left out.
    candidate_nodes
        Network node index of each candidate.
    min_trip_km
        Shorter trips are left out.
    """
    trips = demand.trips
    # a trip to a charging site (a trip table's dest_site) charges there: not a flow
    between_zones = (trips["origin"] < region.n_zones) & (trips["dest"] < region.n_zones)
    long_ = trips[
        (trips["distance_km"] >= min_trip_km) & (trips["origin"] != trips["dest"]) & between_zones
    ]
    od, volume = np.unique(
        long_[["origin", "dest"]].to_numpy(np.int64).reshape(-1, 2), axis=0, return_counts=True
    )
    net = region.network
    n = net.n_nodes
    time_g = sp.csr_matrix((net.travel_time_s, net.indices, net.indptr), shape=(n, n))
    length_g = sp.csr_matrix((net.length_m, net.indices, net.indptr), shape=(n, n))
    zone_node = region.zones["node"].to_numpy(np.int64)
    by_node: dict[int, list[int]] = {}
    for j, node in enumerate(np.asarray(candidate_nodes, dtype=np.int64)):
        by_node.setdefault(int(node), []).append(j)

    src_nodes = np.unique(zone_node[od[:, 0]]) if od.size else np.zeros(0, np.int64)
    pred = None
    if src_nodes.size:
        pred = dijkstra(time_g, indices=src_nodes, return_predecessors=True)[1]
    row_of = {int(s): i for i, s in enumerate(src_nodes)}
    ptr = [0]
    stop_c: list[int] = []
    stop_km: list[float] = []
    flow_km = np.zeros(len(od))
    for f, (o, d) in enumerate(od):
        o_node, d_node = int(zone_node[o]), int(zone_node[d])
        row = pred[row_of[o_node]]
        path = [d_node]
        while path[-1] != o_node and path[-1] >= 0:
            path.append(int(row[path[-1]]))
        path = np.array(path[::-1], dtype=np.int64)
        seg_km = np.zeros(0)  # zones snapped to one node: a path of no edges
        if path.size > 1:
            seg_km = np.asarray(length_g[path[:-1], path[1:]]).ravel() / 1000.0
        cum_km = np.concatenate([[0.0], np.cumsum(seg_km)])
        flow_km[f] = cum_km[-1]
        for node, km in zip(path, cum_km):
            for j in by_node.get(int(node), ()):
                stop_c.append(j)
                stop_km.append(float(km))
        ptr.append(len(stop_c))
    return Flows(
        origin=od[:, 0].copy() if od.size else np.zeros(0, np.int64),
        dest=od[:, 1].copy() if od.size else np.zeros(0, np.int64),
        volume=volume.astype(np.float64),
        flow_km=flow_km,
        ptr=np.asarray(ptr, dtype=np.int64),
        stop_candidate=np.asarray(stop_c, dtype=np.int64),
        stop_km=np.asarray(stop_km, dtype=np.float64),
    )


def _evaluate(flows: Flows, open_: NDArray[np.bool_], start_km: float, range_km: float):
    return refuelled_flows(
        flows.ptr,
        flows.stop_candidate,
        flows.stop_km,
        flows.flow_km,
        np.ascontiguousarray(open_, dtype=np.bool_),
        start_km,
        range_km,
    )


def refuelled_volume(
    flows: Flows, open_: NDArray[np.bool_], *, start_km: float, range_km: float
) -> float:
    """Trips of the flows that reach their destination with the open stations."""
    ok, _ = _evaluate(flows, open_, start_km, range_km)
    return float(flows.volume[ok].sum())


def frlm_greedy(
    flows: Flows,
    *,
    n_candidates: int,
    range_km: float,
    start_km: float,
    cost: NDArray[np.float64] | None = None,
    budget: float,
    fixed: NDArray[np.bool_] | None = None,
) -> NDArray[np.bool_]:
    """Open stations greedily within ``budget`` to refuel as much flow volume as possible.

    Returns
    -------
    numpy.ndarray
        Boolean mask over the candidates.
    """
    m = n_candidates
    cost = np.ones(m) if cost is None else np.asarray(cost, dtype=np.float64)
    open_ = np.zeros(m, dtype=bool) if fixed is None else np.asarray(fixed, dtype=bool).copy()
    on_path = np.zeros(m, dtype=bool)
    on_path[flows.stop_candidate] = True
    left = float(budget)
    while True:
        ok0, reach0 = _evaluate(flows, open_, start_km, range_km)
        base = flows.volume[ok0].sum()
        gain = np.zeros(m)
        progress = np.zeros(m)
        trial = np.flatnonzero(~open_ & on_path & (cost <= left + _EPS))
        for k in trial:
            open_[k] = True
            ok, reach = _evaluate(flows, open_, start_km, range_km)
            open_[k] = False
            gain[k] = flows.volume[ok].sum() - base
            progress[k] = float(np.dot(flows.volume[~ok0], (reach - reach0)[~ok0]))
        score = gain if (gain > _EPS).any() else progress
        if not trial.size or not (score[trial] > _EPS).any():
            return open_
        ratio = np.full(m, -np.inf)
        ratio[trial] = score[trial] / np.maximum(cost[trial], _EPS)
        k = int(np.argmax(ratio))
        open_[k] = True
        left -= cost[k]
