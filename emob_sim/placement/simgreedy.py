"""Simulation-driven greedy: simulate, fix the worst problem, simulate again.

Each iteration simulates the current layout (same demand and seed every time) and scores two
kinds of moves:

- **upsize** an open site by one plug: its score is the site's waiting minutes (served drivers'
  waits plus ``charging.max_wait_min`` for every driver who gave up there);
- **add** a candidate of the allowed kinds: ``placement.stranded_penalty_min`` for every
  stranded trip whose detour via the candidate (``t(o, c) + t(c, d) - t(o, d)``) is within
  ``placement.coverage_radius_min``.

The move with the largest score per cost that fits in the remaining budget is applied; the
loop stops when no move has a positive score, the budget is spent, or
``placement.sim_max_iterations`` simulations have run. Sites of
``placement.external_site_ids`` are never upsized. Every iteration is a row of the history.
E-bike sites of the layout are kept as they are (simulated, never moved).
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
from emob_sim.results import Evaluator

__all__ = ["sim_greedy", "HISTORY_COLUMNS"]

logger = logging.getLogger(__name__)

HISTORY_COLUMNS = [
    "iteration",
    "sites",
    "plugs",
    "spent",
    "mean_wait_min",
    "p95_wait_min",
    "sessions_abandoned",
    "trips_stranded",
    "next_action",
    "next_site_id",
    "next_cost",
]


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
) -> tuple[pd.DataFrame, pd.DataFrame]:
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
    layout, history
        The final layout and one row per simulation (:data:`HISTORY_COLUMNS`).
    """
    pl = scenario.placement
    external = set(pl.external_site_ids)
    radius_s = pl.coverage_radius_min * 60.0
    t = candidates.region.time_s
    cand_pts = candidates.points()
    cand_ids = candidates.table["site_id"].to_numpy(dtype=object)
    is_car = layout["kind"].isin(CAR_SITE_KINDS).to_numpy()
    other = layout[~is_car]  # e-bike sites: not simulated here, kept as they are
    layout = layout[is_car].reset_index(drop=True)
    spent = 0.0
    rows = []
    for it in range(pl.sim_max_iterations):
        run = simulate_layout(evaluator, scenario, layout, keep=other)
        k = run.kpis
        row = {
            "iteration": it,
            "sites": len(layout),
            "plugs": int(layout["plugs"].sum()),
            "spent": spent,
            "mean_wait_min": k["mean_wait_min"],
            "p95_wait_min": k["p95_wait_min"],
            "sessions_abandoned": k["sessions_abandoned"],
            "trips_stranded": k["trips_stranded"],
            "next_action": "",
            "next_site_id": "",
            "next_cost": 0.0,
        }
        rows.append(row)
        if on_progress is not None:
            on_progress(
                f"simulation {it + 1}: {k['trips_stranded']} stranded, "
                f"mean wait {k['mean_wait_min']:.1f} min"
            )
        if it == pl.sim_max_iterations - 1:
            break
        left = budget - spent
        # upsizing scores
        up_cost = plug_cost(layout)
        up_score = site_pressure(run, max_wait_min=scenario.charging.max_wait_min)
        up_ok = ~layout["site_id"].isin(external).to_numpy() & (up_cost <= left + 1e-9)
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
        new_ok = allowed & ~used & (cand_cost <= left + 1e-9)
        new_ratio = np.where(new_ok & (relief > 0), relief / np.maximum(cand_cost, 1e-9), 0.0)
        if max(up_ratio.max(initial=0.0), new_ratio.max(initial=0.0)) <= 0.0:
            break
        if up_ratio.max(initial=0.0) >= new_ratio.max(initial=0.0):
            i = int(np.argmax(up_ratio))
            row.update(
                next_action="upsize",
                next_site_id=layout.at[i, "site_id"],
                next_cost=float(up_cost[i]),
            )
            layout.at[i, "plugs"] = int(layout.at[i, "plugs"]) + 1
            spent += float(up_cost[i])
        else:
            j = int(np.argmax(new_ratio))
            add = candidates.table.iloc[[j]][layout.columns.intersection(candidates.table.columns)]
            row.update(next_action="add", next_site_id=cand_ids[j], next_cost=float(cand_cost[j]))
            layout = pd.concat([layout, add], ignore_index=True)
            spent += float(cand_cost[j])
        logger.info("sim-greedy %d: %s %s", it, row["next_action"], row["next_site_id"])
    layout = pd.concat([layout, other], ignore_index=True) if len(other) else layout
    return layout, pd.DataFrame(rows, columns=HISTORY_COLUMNS)
