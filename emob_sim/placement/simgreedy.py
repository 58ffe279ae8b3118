"""Simulation-driven greedy: simulate, try the most promising move, keep it only if it helps.

The objective (minutes, lower is better) of a simulated layout is the waiting it causes plus
a penalty for every stranded trip::

    objective_min = sum over sites of (waits of served drivers
                                       + charging.max_wait_min per driver who gave up)
                    + placement.stranded_penalty_min x stranded trips

Each step scores two kinds of moves on the current layout's simulation (same demand and seed
every time):

- **upsize** an open site by one plug: its score is the site's waiting minutes (the first
  term of the objective at that site);
- **add** a candidate of the allowed kinds: ``placement.stranded_penalty_min`` for every
  stranded trip whose detour via the candidate (``t(o, c) + t(c, d) - t(o, d)``) is within
  ``placement.coverage_radius_min``.

The move with the largest score per cost that fits in the remaining budget is simulated. It
is kept only when the objective falls; otherwise it is undone and the next best move is tried
(drivers re-choose sites when a site changes, so a move can make things worse). The loop stops
when no untried move has a positive score, the budget is spent, or
``placement.sim_max_iterations`` simulations have run. Sites of
``placement.external_site_ids`` are never upsized. Every simulation is a row of the history
(:data:`HISTORY_COLUMNS`); every kept move is a step (:data:`STEP_KEYS`) with the objective
before and after it. E-bike sites of the layout are kept as they are (simulated, never moved).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pandas as pd

from emob_sim.config.models import Scenario
from emob_sim.placement.candidates import Candidates
from emob_sim.placement.simulated import simulate_layout, site_pressure
from emob_sim.region import CAR_SITE_KINDS
from emob_sim.results import Evaluator, RunResult

__all__ = ["sim_greedy", "objective_min", "HISTORY_COLUMNS", "STEP_KEYS"]

logger = logging.getLogger(__name__)

#: one row per simulation: the layout simulated, its KPIs and objective, and the move that
#: made it from the kept layout before (none for the first) with whether it was kept
HISTORY_COLUMNS = [
    "simulation",
    "action",
    "site_id",
    "cost",
    "kept",
    "sites",
    "plugs",
    "spent",
    "objective_min",
    "mean_wait_min",
    "p95_wait_min",
    "sessions_abandoned",
    "trips_stranded",
]
#: one entry per kept move
STEP_KEYS = ["step", "action", "site_id", "cost", "objective_min_before", "objective_min_after"]


def objective_min(result: RunResult, *, max_wait_min: float, stranded_penalty_min: float) -> float:
    """Waiting minutes (given-up drivers count ``max_wait_min``) + the stranded-trip penalty."""
    waiting = float(site_pressure(result, max_wait_min=max_wait_min).sum())
    return waiting + stranded_penalty_min * int(result.kpis["trips_stranded"])


def sim_greedy(
    scenario: Scenario,
    evaluator: Evaluator,
    candidates: Candidates,
    layout: pd.DataFrame,
    *,
    allowed: np.ndarray,
    cand_cost: np.ndarray,
    plug_cost: Callable[[pd.DataFrame], np.ndarray],
    budget: float,
    on_progress: Callable[[str], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """Grow ``layout`` by simulation-driven moves within ``budget``.

    Parameters
    ----------
    scenario
        The scenario (its sites are replaced by each layout simulated).
    evaluator
        Simulates the layouts (each with the scenario's seed, so on the same demand).
    candidates
        Candidate sites with travel times; rows with ``allowed`` may be added.
    layout
        The starting layout (SiteSpec columns plus ``origin``).
    allowed
        Per candidate: may be added.
    cand_cost
        Per candidate: cost of adding it (EUR or plugs).
    plug_cost
        Cost of one more plug at each site of a layout.
    budget
        Total cost of the moves.
    on_progress
        Called with a short message after each simulation.

    Returns
    -------
    layout, history, steps
        The final layout, one row per simulation (:data:`HISTORY_COLUMNS`) and one dict per
        kept move (:data:`STEP_KEYS`); every step lowers the objective.
    """
    pl = scenario.placement
    max_wait = scenario.charging.max_wait_min
    external = set(pl.external_site_ids)
    radius_s = pl.coverage_radius_min * 60.0
    t = candidates.region.time_s
    cand_pts = candidates.points()
    cand_ids = candidates.table["site_id"].to_numpy(dtype=object)
    is_car = layout["kind"].isin(CAR_SITE_KINDS).to_numpy()
    other = layout[~is_car]  # e-bike sites: simulated, never moved
    layout = layout[is_car].reset_index(drop=True)
    notify = on_progress or (lambda msg: None)

    def simulate_and_score(lay: pd.DataFrame) -> tuple[RunResult, float]:
        result = simulate_layout(evaluator, scenario, lay, keep=other)
        return result, objective_min(
            result, max_wait_min=max_wait, stranded_penalty_min=pl.stranded_penalty_min
        )

    def history_row(lay, result, obj, spent, move=("", "", 0.0), kept=True) -> dict:
        k = result.kpis
        return {
            "simulation": len(rows) + 1,
            "action": move[0],
            "site_id": move[1],
            "cost": move[2],
            "kept": kept,
            "sites": len(lay),
            "plugs": int(lay["plugs"].sum()),
            "spent": spent,
            "objective_min": round(obj, 4),
            "mean_wait_min": k["mean_wait_min"],
            "p95_wait_min": k["p95_wait_min"],
            "sessions_abandoned": k["sessions_abandoned"],
            "trips_stranded": k["trips_stranded"],
        }

    rows: list[dict] = []
    steps: list[dict] = []
    run, obj = simulate_and_score(layout)
    spent = 0.0
    rows.append(history_row(layout, run, obj, spent))
    notify(f"simulation 1: objective {obj:,.0f} min, {run.kpis['trips_stranded']} stranded")
    tried: set[tuple[str, str]] = set()  # moves undone since the last kept one
    while len(rows) < pl.sim_max_iterations:
        left = budget - spent
        # upsizing scores
        up_cost = plug_cost(layout)
        up_score = site_pressure(run, max_wait_min=max_wait)
        up_ok = ~layout["site_id"].isin(external).to_numpy() & (up_cost <= left + 1e-9)
        up_ok &= ~np.isin(
            layout["site_id"].to_numpy(dtype=object), [sid for act, sid in tried if act == "upsize"]
        )
        up_ratio = np.where(up_ok & (up_score > 0), up_score / np.maximum(up_cost, 1e-9), 0.0)
        # new-site scores: stranded trips a candidate would relieve
        trips = run.sim.trips
        stranded = run.demand.trips.loc[
            trips["status"].to_numpy() == "stranded", ["origin", "dest"]
        ]
        o = stranded["origin"].to_numpy(np.int64)
        d = stranded["dest"].to_numpy(np.int64)
        detour = t[np.ix_(o, cand_pts)] + t[np.ix_(cand_pts, d)].T - t[o, d][:, None]
        relief = (detour <= radius_s).sum(axis=0) * pl.stranded_penalty_min
        used = np.isin(cand_ids, layout["site_id"].to_numpy(dtype=object))
        untried = ~np.isin(cand_ids, [sid for act, sid in tried if act == "add"])
        new_ok = allowed & ~used & untried & (cand_cost <= left + 1e-9)
        new_ratio = np.where(new_ok & (relief > 0), relief / np.maximum(cand_cost, 1e-9), 0.0)
        if max(up_ratio.max(initial=0.0), new_ratio.max(initial=0.0)) <= 0.0:
            break
        if up_ratio.max(initial=0.0) >= new_ratio.max(initial=0.0):
            i = int(np.argmax(up_ratio))
            move = ("upsize", str(layout.at[i, "site_id"]), float(up_cost[i]))
            trial = layout.copy()
            trial.at[i, "plugs"] = int(trial.at[i, "plugs"]) + 1
        else:
            j = int(np.argmax(new_ratio))
            move = ("add", str(cand_ids[j]), float(cand_cost[j]))
            add = candidates.table.iloc[[j]][layout.columns.intersection(candidates.table.columns)]
            trial = pd.concat([layout, add], ignore_index=True)
        trial_run, trial_obj = simulate_and_score(trial)
        kept = trial_obj < obj - 1e-9
        rows.append(
            history_row(trial, trial_run, trial_obj, spent + move[2] if kept else spent, move, kept)
        )
        notify(
            f"simulation {len(rows)}: {move[0]} {move[1]}: objective {trial_obj:,.0f} min "
            f"({'kept' if kept else 'undone'})"
        )
        logger.info(
            "sim-greedy %s %s: %.1f -> %.1f min (%s)",
            move[0],
            move[1],
            obj,
            trial_obj,
            "kept" if kept else "undone",
        )
        if not kept:
            tried.add(move[:2])
            continue
        steps.append(
            dict(zip(STEP_KEYS, (len(steps) + 1, *move, round(obj, 4), round(trial_obj, 4))))
        )
        layout, run, obj, spent = trial, trial_run, trial_obj, spent + move[2]
        tried.clear()
    layout = pd.concat([layout, other], ignore_index=True) if len(other) else layout
    return layout, pd.DataFrame(rows, columns=HISTORY_COLUMNS), steps
