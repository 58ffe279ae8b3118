"""The built-in placement methods, registered by name (see :mod:`~emob_sim.placement.registry`).

- ``coverage``: demand-weighted maximal coverage of trip ends within
  ``placement.coverage_radius_min`` (:mod:`~emob_sim.placement.coverage`);
- ``pmedian``: least trip-end-weighted travel time to the nearest site
  (:mod:`~emob_sim.placement.pmedian`);
- ``frlm``: flow refuelling of long trips (:mod:`~emob_sim.placement.frlm`);
- ``simgreedy``: simulated moves kept when they lower waiting and stranding
  (:mod:`~emob_sim.placement.simgreedy`);
- ``sizing``: more plugs at the open sites (of the request's kind, or every car site) from
  Erlang-C on simulated arrivals (:mod:`~emob_sim.placement.sizing`).

The first four add candidates of one kind to the scenario's sites; the budget is the CAPEX of
what is added (EUR) or its number of plugs. The simulation-driven methods simulate through the
evaluator of their request (:class:`emob_sim.results.Evaluator`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from emob_sim.errors import ConfigError
from emob_sim.placement import coverage, frlm, pmedian, sizing
from emob_sim.placement.candidates import (
    Candidates,
    existing_sites,
    trip_end_weights,
)
from emob_sim.placement.registry import (
    Placement,
    PlacementRequest,
    _buys_nothing,
    _candidates,
    _finish,
    _placement,
    _plug_cost_fn,
    register,
)
from emob_sim.placement.simgreedy import sim_greedy
from emob_sim.placement.simulated import simulate_layout
from emob_sim.region import CAR_SITE_KINDS, SITE_FILE_COLUMNS

__all__ = ["place_coverage", "place_pmedian", "place_frlm", "place_simgreedy", "place_sizing"]


def _weighted_mean_min(w: np.ndarray, t: np.ndarray, open_: np.ndarray) -> float:
    if not open_.any() or w.sum() <= 0:
        return float("nan")
    return pmedian.median_cost(w, t, open_) / w.sum() / 60.0


def _weights_and_times(
    req: PlacementRequest, cands: Candidates, of_kind: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Trip-end weights of the zones and travel times (s) from each zone to each candidate of
    ``of_kind``."""
    zones = np.arange(cands.region.n_zones)
    w = trip_end_weights(cands.region, req.demand)
    return w, cands.region.time_s[np.ix_(zones, cands.points(of_kind))]


def _max_coverage(
    req: PlacementRequest,
    cands: Candidates,
    of_kind: np.ndarray,
    fixed: np.ndarray,
    cost: np.ndarray,
) -> tuple[np.ndarray, dict]:
    """The candidates of the kind that cover the most trip-end weight, and the covered shares."""
    w, t = _weights_and_times(req, cands, of_kind)
    covers = coverage.cover_matrix(t, req.scenario.placement.coverage_radius_min * 60.0)
    sel = coverage.max_coverage(w, covers, cost=cost, budget=req.budget.amount, fixed=fixed)
    total = max(w.sum(), 1e-12)
    summary = {
        "covered_share_before": coverage.covered_weight(w, covers, fixed) / total,
        "covered_share_after": coverage.covered_weight(w, covers, sel) / total,
    }
    return sel, summary


def _p_median(
    req: PlacementRequest,
    cands: Candidates,
    of_kind: np.ndarray,
    fixed: np.ndarray,
    cost: np.ndarray,
) -> tuple[np.ndarray, dict]:
    """The candidates of the kind with the least weighted time to the nearest, and that time."""
    w, t = _weights_and_times(req, cands, of_kind)
    sel = pmedian.p_median(w, t, cost=cost, budget=req.budget.amount, fixed=fixed)
    summary = {
        "mean_time_min_before": _weighted_mean_min(w, t, fixed),
        "mean_time_min_after": _weighted_mean_min(w, t, sel),
    }
    return sel, summary


def _flow_refuelling(
    req: PlacementRequest,
    cands: Candidates,
    of_kind: np.ndarray,
    fixed: np.ndarray,
    cost: np.ndarray,
) -> tuple[np.ndarray, dict]:
    """The candidates of the kind that refuel the most long-trip volume, and the shares."""
    pl = req.scenario.placement
    nodes = cands.table["node"].to_numpy()[of_kind]
    flows = frlm.build_flows(cands.region, req.demand, nodes, min_trip_km=pl.frlm_min_trip_km)
    range_km = frlm.fleet_range_km(req.scenario)
    start_km = range_km * pl.frlm_start_fraction
    sel = frlm.frlm_greedy(
        flows,
        n_candidates=nodes.size,
        range_km=range_km,
        start_km=start_km,
        cost=cost,
        budget=req.budget.amount,
        fixed=fixed,
    )
    total = max(flows.volume.sum(), 1e-12)
    summary = {
        "range_km": range_km,
        "long_trips": float(flows.volume.sum()),
        "refuelled_share_before": frlm.refuelled_volume(
            flows, fixed, start_km=start_km, range_km=range_km
        )
        / total,
        "refuelled_share_after": frlm.refuelled_volume(
            flows, sel, start_km=start_km, range_km=range_km
        )
        / total,
    }
    return sel, summary


def _place_static(
    req: PlacementRequest, method: str, choose: Callable[..., tuple[np.ndarray, dict]]
) -> Placement:
    """Add the candidates of the request's kind that ``choose`` opens to the existing sites.

    ``choose(req, cands, of_kind, fixed, cost)`` gets the candidates, which rows are of the
    kind, and which of those are fixed and their unit costs; it returns which of those are
    open and the method's summary.
    """
    cands, is_new, allowed, cost = _candidates(req)
    _buys_nothing(req.budget, float(cost[allowed].min()), f"{req.kind} candidate")
    req.notify(method)
    tab = cands.table
    of_kind = (tab["kind"] == req.kind).to_numpy()
    idx = np.flatnonzero(of_kind)
    sel, summary = choose(req, cands, of_kind, tab["fixed"].to_numpy()[idx], cost[idx])
    selected = ~of_kind & (tab["origin"] == "existing").to_numpy()
    selected[idx[sel]] = True
    layout = tab.loc[selected, [*SITE_FILE_COLUMNS, "origin"]]
    spent = float(cost[selected & is_new].sum())
    return _placement(req, method, layout, spent, summary, tab.assign(selected=selected))


@register("coverage")
def place_coverage(req: PlacementRequest) -> Placement:
    """Demand-weighted maximal coverage (:mod:`~emob_sim.placement.coverage`)."""
    return _place_static(req, "coverage", _max_coverage)


@register("pmedian")
def place_pmedian(req: PlacementRequest) -> Placement:
    """Least weighted travel time to the nearest site (:mod:`~emob_sim.placement.pmedian`)."""
    return _place_static(req, "pmedian", _p_median)


@register("frlm")
def place_frlm(req: PlacementRequest) -> Placement:
    """Flow refuelling of long trips (:mod:`~emob_sim.placement.frlm`)."""
    return _place_static(req, "frlm", _flow_refuelling)


@register("simgreedy", simulates=True)
def place_simgreedy(req: PlacementRequest) -> Placement:
    """Simulation-driven greedy (:mod:`~emob_sim.placement.simgreedy`)."""
    scenario, budget = req.scenario, req.budget
    cands, is_new, allowed, cost = _candidates(req)
    tab = cands.table
    layout0 = tab.loc[~is_new, [*SITE_FILE_COLUMNS, "origin"]]
    plug_cost = _plug_cost_fn(scenario, budget)
    inside = ~layout0["site_id"].isin(scenario.placement.external_site_ids).to_numpy()
    inside &= layout0["kind"].isin(CAR_SITE_KINDS).to_numpy()  # only car sites are upsized
    cheapest = min(cost[allowed].min(), plug_cost(layout0)[inside].min(initial=np.inf))
    _buys_nothing(budget, cheapest, f"{req.kind} site or plug")
    req.notify("simulations")
    layout, history, steps = sim_greedy(
        scenario,
        req.evaluator,
        cands,
        layout0,
        allowed=allowed,
        cand_cost=cost,
        plug_cost=plug_cost,
        budget=budget.amount,
        on_progress=req.notify,
    )
    first, last = history.iloc[0], history[history["kept"]].iloc[-1]
    summary = {
        "simulations": len(history),
        "steps_kept": len(steps),
        "objective_min_before": float(first["objective_min"]),
        "objective_min_after": float(last["objective_min"]),
        "trips_stranded_before": int(first["trips_stranded"]),
        "trips_stranded_after": int(last["trips_stranded"]),
        "mean_wait_min_before": float(first["mean_wait_min"]),
        "mean_wait_min_after": float(last["mean_wait_min"]),
        "steps": steps,
    }
    selected = tab["site_id"].isin(layout["site_id"]).to_numpy()
    return _placement(
        req,
        "simgreedy",
        layout,
        float(last["spent"]),
        summary,
        tab.assign(selected=selected),
        history,
    )


@register("sizing", simulates=True, default_kind=None)
def place_sizing(req: PlacementRequest) -> Placement:
    """Erlang-C sizing of the scenario's own sites, checked by a second simulation.

    With a kind (``--kind car_ac`` or ``car_dc``) only the sites of that kind get plugs; without
    one, every car site may.
    """
    scenario, region, budget, kind, notify = (
        req.scenario,
        req.region,
        req.budget,
        req.kind,
        req.notify,
    )
    pl = scenario.placement
    layout = region.sites[SITE_FILE_COLUMNS].assign(origin="existing").reset_index(drop=True)
    bikes = existing_sites(region).iloc[len(layout) :].assign(origin="existing")
    sizable = ~layout["site_id"].isin(pl.external_site_ids).to_numpy()
    if not sizable.any():
        raise ConfigError("placement: no sites to size (all are placement.external_site_ids)")
    if kind is not None:
        sizable &= (layout["kind"] == kind).to_numpy()
        if not sizable.any():
            raise ConfigError(
                f"--kind {kind!r}: method sizing found no {kind} site to size (outside "
                "placement.external_site_ids), expected a kind of the scenario's sites"
            )
    plug_cost = _plug_cost_fn(scenario, budget)(layout)
    _buys_nothing(budget, float(plug_cost[sizable].min()), "plug")
    notify("simulation before sizing")
    before = simulate_layout(req.evaluator, scenario, layout, keep=bikes)
    arr = sizing.peak_arrivals(
        before,
        prior_service_s=scenario.charging.session_prior_min * 60.0,
        window_h=pl.sizing_peak_window_h,
        min_arrivals=pl.sizing_min_arrivals,
    )
    plugs = sizing.plan_plugs(
        layout["plugs"].to_numpy(np.int64),
        arr["peak_arrivals_per_h"].to_numpy(),
        arr["mean_service_min"].to_numpy(),
        cost_per_plug=plug_cost,
        budget=budget.amount,
        target_wait_min=pl.sizing_target_wait_min,
        max_plugs=pl.sizing_max_plugs,
        sizable=sizable,
    )
    sized = layout.assign(plugs=plugs)
    notify("simulation after sizing")
    after = simulate_layout(req.evaluator, scenario, sized, keep=bikes)
    lam = arr["peak_arrivals_per_h"].to_numpy() / 3600.0
    svc = arr["mean_service_min"].to_numpy() * 60.0
    sim_before = before.sites.iloc[: len(layout)]  # car sites first, in the layout's order
    sim_after = after.sites.iloc[: len(layout)]
    table = pd.DataFrame(
        {
            "site_id": layout["site_id"],
            "plugs_before": layout["plugs"],
            "plugs_after": plugs,
            "peak_arrivals_per_h": arr["peak_arrivals_per_h"],
            "mean_service_min": arr["mean_service_min"],
            "erlang_wait_before_min": [
                sizing.erlang_c_wait_s(int(c), rate, s) / 60
                for c, rate, s in zip(layout["plugs"], lam, svc)
            ],
            "erlang_wait_after_min": [
                sizing.erlang_c_wait_s(int(c), rate, s) / 60 for c, rate, s in zip(plugs, lam, svc)
            ],
            "sim_wait_before_min": sim_before["mean_wait_min"],
            "sim_wait_after_min": sim_after["mean_wait_min"],
            "abandoned_before": sim_before["sessions_abandoned"],
            "abandoned_after": sim_after["sessions_abandoned"],
        }
    )
    out = _finish(scenario, pd.concat([sized, bikes], ignore_index=True), region)
    added = plugs - layout["plugs"].to_numpy()
    summary = {
        "method": "sizing",
        "kind": kind if kind is not None else ", ".join(sorted(set(layout["kind"][sizable]))),
        "budget": str(budget),
        "spent": float((added * plug_cost).sum()),
        "new_sites": 0,
        "plugs_added": int(added.sum()),
        "capex_eur": float(out["capex_eur"].sum()),
        "opex_eur_per_year": float(out["opex_eur_per_year"].sum()),
        "mean_wait_min_before": before.kpis["mean_wait_min"],
        "mean_wait_min_after": after.kpis["mean_wait_min"],
        "sessions_abandoned_before": before.kpis["sessions_abandoned"],
        "sessions_abandoned_after": after.kpis["sessions_abandoned"],
    }
    cands = layout.assign(selected=True)
    return Placement(
        scenario=scenario,
        method="sizing",
        kind=kind,
        budget=budget,
        layout=out,
        candidates=cands,
        summary=summary,
        history=table,
    )
