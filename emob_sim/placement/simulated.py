"""Simulating layouts for the simulation-driven methods, through the evaluator they are given.

A layout (a table with the :data:`~emob_sim.region.sites.SITE_FILE_COLUMNS`) becomes a
scenario that holds it as its only sites (:func:`layout_scenario`); the evaluator
(:class:`emob_sim.results.Evaluator`, e.g. the runner's sequential one) runs it like any
scenario, with the scenario's seed, so a layout simulated here gives the same result as
``emob-sim run`` of a scenario holding the same sites.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emob_sim.config.models import Scenario
from emob_sim.region.sites import with_inline_sites
from emob_sim.results import Evaluator, RunResult

__all__ = ["layout_scenario", "simulate_layout", "site_pressure"]


def layout_scenario(scenario: Scenario, layout: pd.DataFrame) -> Scenario:
    """``scenario`` with the sites of ``layout`` (in its order) as its only sites."""
    return with_inline_sites(scenario, layout)


def simulate_layout(
    evaluator: Evaluator,
    scenario: Scenario,
    layout: pd.DataFrame,
    *,
    keep: pd.DataFrame | None = None,
) -> RunResult:
    """One run of ``scenario`` with the sites of ``layout``, then those of ``keep`` (sites that
    are simulated but not changed, e.g. e-bike points); car sites keep their order."""
    if keep is not None and len(keep):
        layout = pd.concat([layout, keep], ignore_index=True)
    (result,) = evaluator.evaluate([layout_scenario(scenario, layout)])
    return result


def site_pressure(result: RunResult, *, max_wait_min: float) -> np.ndarray:
    """Minutes of waiting per car site: waits of served drivers, plus ``max_wait_min`` for each
    driver who gave up (they waited that long and were not served)."""
    n = result.region.n_sites
    s, a = result.sim.sessions, result.sim.abandoned
    wait = np.bincount(
        s["site_idx"].to_numpy(np.int64), weights=s["wait_s"].to_numpy() / 60.0, minlength=n
    )
    gave_up = np.bincount(a["site_idx"].to_numpy(np.int64), minlength=n) * max_wait_min
    return wait[:n] + gave_up[:n]
