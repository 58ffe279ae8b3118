"""Sensitivity of the headline results to the calibrated parameters: the gravity model refitted
at the ends of the facts' tolerances, the default run with each fit (a small sweep)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import emob_sim
from emob_sim.config import load_scenario

from .demand import calibrate_module


def sensitivity(work: Path, *, seeds: int) -> pd.DataFrame:
    """Refit the gravity model with one fact at each end of its tolerance, run the default
    with each fit (``seeds`` seeds, a sweep), and tabulate the headline KPIs."""
    cal = calibrate_module()
    scenario = load_scenario()
    facts = cal.read_facts(scenario.demand.facts_file)
    model = cal.model_of(scenario)
    variants = {"central": facts}
    for fact in cal.FITTED:
        for sign, end in ((-1, "low"), (1, "high")):
            shifted = facts.copy()
            shifted.loc[fact, "value"] += sign * shifted.loc[fact, "tolerance"]
            variants[f"{fact} {end}"] = shifted
    params = {name: cal.fit(scenario, model, f)[0] for name, f in variants.items()}
    names = list(params)
    spec = {
        "name": "calibration-sensitivity",
        "base": str(emob_sim.default_scenario_path()),
        "seeds": seeds,
        "zip": {
            "demand.work_gravity_beta_per_min": [float(params[n][0]) for n in names],
            "demand.gravity_beta_per_min": [float(params[n][1]) for n in names],
            "demand.external_attraction": [float(params[n][2]) for n in names],
        },
    }
    from emob_sim.batch import SweepConfig, sweep

    result = sweep(SweepConfig.model_validate(spec), work / "sweep")
    kpis = ["mean_wait_min", "trips_stranded", "peak_load_kw", "energy_delivered_kwh"]
    rows = []
    for i, name in enumerate(names):
        runs = result.runs[(result.runs["variant"] == i) & (result.runs["status"] == "completed")]
        row = {
            "variant": name,
            "beta work": params[name][0],
            "beta other": params[name][1],
            "Rīga pull": params[name][2],
        }
        for k in kpis:
            row[k] = f"{runs[k].mean():.2f} ± {runs[k].std(ddof=1):.2f}"
        rows.append(row)
    return pd.DataFrame(rows)
