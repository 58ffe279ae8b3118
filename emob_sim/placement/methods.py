"""The built-in placement methods, registered by name (see :mod:`~emob_sim.placement.registry`).

- ``coverage``: demand-weighted maximal coverage of trip ends within
  ``placement.coverage_radius_min`` (:mod:`~emob_sim.placement.coverage`);
- ``pmedian``: least trip-end-weighted travel time to the nearest site
  (:mod:`~emob_sim.placement.pmedian`);
- ``frlm``: flow refuelling of long trips (:mod:`~emob_sim.placement.frlm`);
- ``simgreedy``: simulated moves kept when they lower waiting and stranding
  (:mod:`~emob_sim.placement.simgreedy`);
- ``sizing``: more plugs at the open sites from Erlang-C on simulated arrivals
  (:mod:`~emob_sim.placement.sizing`).

The first four add candidates of one kind to the scenario's sites; the budget is the CAPEX of
what is added (EUR) or its number of plugs. The simulation-driven methods simulate through the
evaluator of their request (:class:`emob_sim.results.Evaluator`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from emob_sim.config.models import Scenario
from emob_sim.demand.tables import Demand
from emob_sim.errors import ConfigError
from emob_sim.placement import coverage, frlm, pmedian, sizing
from emob_sim.placement.budget import Budget
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
    _unit_costs,
    register,
)
from emob_sim.placement.simgreedy import sim_greedy
from emob_sim.placement.simulated import simulate_layout
from emob_sim.region import CAR_SITE_KINDS, SITE_FILE_COLUMNS

__all__ = ["place_simgreedy", "place_sizing"]


def _weighted_mean_min(w: np.ndarray, t: np.ndarray, open_: np.ndarray) -> float:
    if not open_.any() or w.sum() <= 0:
        return float("nan")
    return pmedian.median_cost(w, t, open_) / w.sum() / 60.0


def _static(
    method: str, scenario: Scenario, cands: Candidates, demand: Demand, *, kind: str, budget: Budget
) -> tuple[np.ndarray, dict]:
    """coverage, pmedian, frlm: which candidates of ``kind`` are open, and the objective."""
    tab = cands.table
    of_kind = (tab["kind"] == kind).to_numpy()
    idx = np.flatnonzero(of_kind)
    fixed = tab["fixed"].to_numpy()[idx]
    cost = _unit_costs(tab, budget)[idx]
    pts = cands.points(of_kind)
    w = trip_end_weights(cands.region, demand)
    zones = np.arange(cands.region.n_zones)
    t = cands.region.time_s[np.ix_(zones, pts)]
    if method == "coverage":
        covers = coverage.cover_matrix(t, scenario.placement.coverage_radius_min * 60.0)
        sel = coverage.max_coverage(w, covers, cost=cost, budget=budget.amount, fixed=fixed)
        total = max(w.sum(), 1e-12)
        summary = {
            "covered_share_before": coverage.covered_weight(w, covers, fixed) / total,
            "covered_share_after": coverage.covered_weight(w, covers, sel) / total,
        }
    elif method == "pmedian":
        sel = pmedian.p_median(w, t, cost=cost, budget=budget.amount, fixed=fixed)
        summary = {
            "mean_time_min_before": _weighted_mean_min(w, t, fixed),
            "mean_time_min_after": _weighted_mean_min(w, t, sel),
        }
    else:
        pl = scenario.placement
        flows = frlm.build_flows(
            cands.region, demand, tab["node"].to_numpy()[idx], min_trip_km=pl.frlm_min_trip_km
        )
        range_km = frlm.fleet_range_km(scenario)
        start_km = range_km * pl.frlm_start_fraction
        sel = frlm.frlm_greedy(
            flows,
            n_candidates=idx.size,
            range_km=range_km,
            start_km=start_km,
            cost=cost,
            budget=budget.amount,
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
    keep = ~of_kind & (tab["origin"] == "existing").to_numpy()
    keep[idx[sel]] = True
    return keep, summary


def _static_method(method: str) -> Callable[[PlacementRequest], Placement]:
    def place_static(req: PlacementRequest) -> Placement:
        cands, is_new, allowed, cost = _candidates(req)
        _buys_nothing(req.budget, float(cost[allowed].min()), f"{req.kind} candidate")
        req.notify(method)
        selected, summary = _static(method, req.scenario, cands, req.demand, kind=req.kind,
                                    budget=req.budget)  # fmt: skip
        tab = cands.table
        layout = tab.loc[selected, [*SITE_FILE_COLUMNS, "origin"]]
        spent = float(cost[selected & is_new].sum())
        return _placement(req, method, layout, spent, summary, tab.assign(selected=selected))

    place_static.__name__ = f"place_{method}"
    place_static.__doc__ = f"The {method} method (see :func:`_static`)."
    return place_static


for _name in ("coverage", "pmedian", "frlm"):
    register(_name)(_static_method(_name))


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
        scenario, req.evaluator, cands, layout0, allowed=allowed, cand_cost=cost,
        plug_cost=plug_cost, budget=budget.amount, on_progress=req.notify,
    )  # fmt: skip
    first, last = history.iloc[0], history[history["kept"]].iloc[-1]
    summary = {"simulations": len(history), "steps_kept": len(steps),
               "objective_min_before": float(first["objective_min"]),
               "objective_min_after": float(last["objective_min"]),
               "trips_stranded_before": int(first["trips_stranded"]),
               "trips_stranded_after": int(last["trips_stranded"]),
               "mean_wait_min_before": float(first["mean_wait_min"]),
               "mean_wait_min_after": float(last["mean_wait_min"]),
               "steps": steps}  # fmt: skip
    selected = tab["site_id"].isin(layout["site_id"]).to_numpy()
    return _placement(req, "simgreedy", layout, float(last["spent"]), summary,
                      tab.assign(selected=selected), history)  # fmt: skip


@register("sizing", simulates=True)
def place_sizing(req: PlacementRequest) -> Placement:
    """Erlang-C sizing of the scenario's own sites, checked by a second simulation."""
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
        "kind": kind,
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
