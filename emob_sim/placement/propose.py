"""Proposing a layout of charging sites with one of the heuristics of the method registry.

:func:`propose` takes a scenario, its region and its car demand (built by the runner, see
:func:`emob_sim.runner.place`) and dispatches to the method registered under the name
(:data:`METHODS`). Methods (``--method``):

- ``coverage``: demand-weighted maximal coverage of trip ends within
  ``placement.coverage_radius_min`` (:mod:`~emob_sim.placement.coverage`);
- ``pmedian``: least trip-end-weighted travel time to the nearest site
  (:mod:`~emob_sim.placement.pmedian`);
- ``frlm``: flow refuelling of long trips (:mod:`~emob_sim.placement.frlm`);
- ``simgreedy``: add or upsize where the simulation shows waits and strandings
  (:mod:`~emob_sim.placement.simgreedy`);
- ``sizing``: more plugs at the open sites from Erlang-C on simulated arrivals
  (:mod:`~emob_sim.placement.sizing`).

The first four add candidates of one kind (``kind``, default ``car_dc``) to the scenario's
sites; the budget is the CAPEX of what is added (EUR) or its number of plugs. The
simulation-driven methods simulate through the evaluator they are given
(:class:`emob_sim.results.Evaluator`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from emob_sim.config.models import Scenario
from emob_sim.demand.tables import Demand
from emob_sim.errors import ConfigError
from emob_sim.placement import coverage, frlm, pmedian, sizing
from emob_sim.placement.budget import Budget, parse_budget
from emob_sim.placement.candidates import (
    Candidates,
    build_candidates,
    existing_sites,
    trip_end_weights,
)
from emob_sim.placement.costs import added_plugs_capex_eur, plug_costs, site_costs
from emob_sim.placement.simgreedy import sim_greedy
from emob_sim.placement.simulated import simulate_layout
from emob_sim.region import CAR_SITE_KINDS, SITE_FILE_COLUMNS, Region
from emob_sim.results import Evaluator

__all__ = [
    "METHODS",
    "SIMULATING",
    "register",
    "KINDS",
    "LAYOUT_COLUMNS",
    "Placement",
    "PlacementRequest",
    "check_request",
    "propose",
]

logger = logging.getLogger(__name__)

KINDS = ("car_ac", "car_dc", "ebike")

#: columns of a layout table (layout.csv): the SiteSpec fields, then what changed and its cost
LAYOUT_COLUMNS = [*SITE_FILE_COLUMNS, "status", "origin", "capex_eur", "opex_eur_per_year"]


@dataclass(frozen=True, eq=False)
class PlacementRequest:
    """What a placement method works with.

    ``region`` and ``demand`` are the scenario's (the car demand after the modal shift);
    ``evaluator`` simulates layouts for the simulation-driven methods; ``notify`` takes short
    progress messages.
    """

    scenario: Scenario
    region: Region
    demand: Demand
    kind: str
    budget: Budget
    evaluator: Evaluator | None
    notify: Callable[[str], None]


@dataclass(frozen=True, eq=False)
class Placement:
    """A proposed layout and how it was found.

    ``layout`` has :data:`LAYOUT_COLUMNS` (``status``: existing, upsized or new against the
    scenario's sites; ``capex_eur``: what the proposal adds there, by the ``costs`` model;
    ``opex_eur_per_year``: of all the site's plugs); ``candidates`` the candidate table with
    ``selected``; ``summary`` the method's objective before and after and the budget spent;
    ``history`` the simulations of ``simgreedy`` or the site table of ``sizing`` (else None).
    """

    scenario: Scenario
    method: str
    kind: str
    budget: Budget
    layout: pd.DataFrame
    candidates: pd.DataFrame
    summary: dict = field(default_factory=dict)
    history: pd.DataFrame | None = None


def _unit_costs(table: pd.DataFrame, budget: Budget) -> np.ndarray:
    """Cost of adding each candidate in the budget's unit (0 for existing sites)."""
    new = (table["origin"] != "existing").to_numpy()
    if budget.unit == "plugs":
        return np.where(new, table["plugs"].to_numpy(dtype=float), 0.0)
    return np.where(new, table["capex_eur"].to_numpy(dtype=float), 0.0)


def _check_budget(scenario: Scenario, budget: Budget, kind: str) -> None:
    """A budget in EUR must buy at least one plug of ``kind`` (design power, with grid kW)."""
    if budget.unit != "eur":
        return
    power = scenario.placement.designs[kind].power_kw
    capex, _, _ = plug_costs([power], scenario.costs)
    one = float(capex[0] + scenario.costs.grid_eur_per_kw * power)
    if budget.amount < one:
        raise ConfigError(
            f"--budget {budget}: below the cost of one {kind} plug ({one:,.0f} EUR for "
            f"{power:g} kW incl. grid connection per kW), expected at least that"
        )


def _buys_nothing(budget: Budget, cheapest: float, what: str) -> None:
    if budget.amount + 1e-9 < cheapest:
        unit = "plugs" if budget.unit == "plugs" else "EUR"
        raise ConfigError(
            f"--budget {budget}: buys nothing, the cheapest {what} costs {cheapest:,.0f} {unit}"
        )


def _status(layout: pd.DataFrame, before: pd.DataFrame) -> np.ndarray:
    """existing, upsized or new, by site_id and plugs against the input sites."""
    old = dict(zip(before["site_id"], before["plugs"]))
    return np.array(
        [
            "new" if s not in old else ("upsized" if p > old[s] else "existing")
            for s, p in zip(layout["site_id"], layout["plugs"])
        ],
        dtype=object,
    )


def _finish(scenario: Scenario, layout: pd.DataFrame, region: Region) -> pd.DataFrame:
    """The layout table: status against the input sites and the CAPEX this proposal adds."""
    out = layout.reset_index(drop=True).copy()
    before = existing_sites(region)
    out["status"] = _status(out, before)
    built = dict(zip(before["site_id"], before["plugs"]))
    out[["capex_eur", "opex_eur_per_year"]] = site_costs(out, scenario, built=built).to_numpy()
    return out[LAYOUT_COLUMNS]


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


#: the placement methods by name (``--method``), filled by :func:`register`
METHODS: dict[str, Callable[[PlacementRequest], Placement]] = {}
#: the methods that simulate (they need an evaluator and a car site kind)
SIMULATING: set[str] = set()


def register(name: str, *, simulates: bool = False):
    """Register a placement method under ``name`` (a decorator)."""

    def add(fn: Callable[[PlacementRequest], Placement]) -> Callable[[PlacementRequest], Placement]:
        METHODS[name] = fn
        if simulates:
            SIMULATING.add(name)
        return fn

    return add


def check_request(
    scenario: Scenario, *, method: str, kind: str, budget: Budget | str | float
) -> Budget:
    """Check a placement request before anything is built; return the parsed budget.

    Raises
    ------
    ConfigError
        Unknown method or kind, a car-only method asked for e-bike sites, a budget that cannot
        buy one plug of the kind.
    """
    if method not in METHODS:
        raise ConfigError(f"--method {method!r}: expected one of {', '.join(METHODS)}")
    if kind not in KINDS:
        raise ConfigError(f"--kind {kind!r}: expected one of {', '.join(KINDS)}")
    if method in SIMULATING and kind not in CAR_SITE_KINDS:
        raise ConfigError(
            f"--kind {kind!r}: method {method} simulates cars, expected one of {CAR_SITE_KINDS}"
        )
    budget = parse_budget(budget)
    if method != "sizing":
        _check_budget(scenario, budget, kind)
    return budget


def propose(
    scenario: Scenario,
    region: Region,
    demand: Demand,
    *,
    method: str,
    budget: Budget | str | float,
    kind: str = "car_dc",
    evaluator: Evaluator | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> Placement:
    """Propose a layout with the method registered as ``method``.

    Parameters
    ----------
    scenario, region, demand
        The resolved scenario, its region and its car demand.
    method
        One of :data:`METHODS`.
    budget
        CAPEX in EUR or a number of plugs (:func:`~emob_sim.placement.budget.parse_budget`).
    kind
        Site kind to place (``car_dc``, ``car_ac`` or ``ebike``; not used by ``sizing``).
    evaluator
        Simulates layouts; needed by the methods of :data:`SIMULATING`.
    on_progress
        Called with short progress messages.

    Raises
    ------
    ConfigError
        Unknown method or kind, an empty candidate set, a budget that buys nothing.
    """
    budget = check_request(scenario, method=method, kind=kind, budget=budget)
    if method in SIMULATING and evaluator is None:
        raise ValueError(f"placement method {method} simulates: pass an evaluator")
    request = PlacementRequest(
        scenario=scenario, region=region, demand=demand, kind=kind, budget=budget,
        evaluator=evaluator, notify=on_progress or (lambda msg: None),
    )  # fmt: skip
    return METHODS[method](request)


def _candidates(req: PlacementRequest) -> tuple[Candidates, np.ndarray, np.ndarray, np.ndarray]:
    """The candidate set, which rows are new, which may be added, and their unit costs."""
    req.notify("candidates")
    cands = build_candidates(req.scenario, req.region)
    tab = cands.table
    is_new = (tab["origin"] != "existing").to_numpy()
    allowed = is_new & (tab["kind"] == req.kind).to_numpy()
    if not allowed.any():
        raise ConfigError(
            f"placement: the candidate set of kind {req.kind!r} is empty (no zone centres, "
            "corridor points, OSM amenities or placement.candidates.extra of that kind in the area)"
        )
    return cands, is_new, allowed, _unit_costs(tab, req.budget)


def _placement(req: PlacementRequest, method: str, layout: pd.DataFrame, spent: float,
               summary: dict, candidates: pd.DataFrame, history: pd.DataFrame | None = None,
               ) -> Placement:  # fmt: skip
    """The Placement of a method that added candidates: layout table and summary."""
    out = _finish(req.scenario, layout, req.region)
    summary = {k: (float(v) if isinstance(v, np.floating) else v) for k, v in summary.items()}
    summary = {
        "method": method,
        "kind": req.kind,
        "budget": str(req.budget),
        "spent": spent,
        "new_sites": int((out["status"] == "new").sum()),
        "capex_eur": float(out["capex_eur"].sum()),
        "opex_eur_per_year": float(out["opex_eur_per_year"].sum()),
        **summary,
    }
    logger.info("placement %s: %s", method, summary)
    return Placement(
        scenario=req.scenario,
        method=method,
        kind=req.kind,
        budget=req.budget,
        layout=out,
        candidates=candidates,
        summary=summary,
        history=history,
    )


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


def _plug_cost_fn(scenario: Scenario, budget: Budget) -> Callable[[pd.DataFrame], np.ndarray]:
    def plug_cost(layout: pd.DataFrame) -> np.ndarray:
        if budget.unit == "plugs":
            return np.ones(len(layout))
        return added_plugs_capex_eur(
            np.ones(len(layout)), layout["power_kw"].to_numpy(float), scenario.costs
        )

    return plug_cost


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
