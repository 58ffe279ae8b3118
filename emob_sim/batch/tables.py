"""The tables of a sweep: one row per run, and the spread of each KPI across seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from emob_sim.analysis import flat_kpis
from emob_sim.batch.config import Sweep

__all__ = ["runs_table", "summary_table", "RUN_COLUMNS", "SUMMARY_COLUMNS"]

#: the first columns of runs.parquet (the parameters and the KPIs follow)
RUN_COLUMNS = ["key", "variant", "seed", "status", "error", "wall_s"]
#: columns of summary.csv after the variant and its parameters
SUMMARY_COLUMNS = ["kpi", "runs", "mean", "std", "p5", "p50", "p95"]


def runs_table(
    sw: Sweep, records: dict[str, dict], failures: dict[str, str], walls: dict[str, float]
) -> pd.DataFrame:
    """One row per run of the sweep (:data:`RUN_COLUMNS`, the parameters, every KPI).

    Runs neither finished nor failed (an interrupted sweep) have status ``pending``.

    Parameters
    ----------
    sw : Sweep
        The loaded sweep: its tasks (variant x seed) in order.
    records : dict[str, dict]
        Run key -> the record of a completed run (with its ``kpis``).
    failures : dict[str, str]
        Run key -> the error of a failed run.
    walls : dict[str, float]
        Run key -> the run's wall time, s.

    Returns
    -------
    pandas.DataFrame
        One row per task (runs.parquet).
    """
    rows = []
    for task in sw.tasks:
        record = records.get(task.key)
        status = "completed" if record else ("failed" if task.key in failures else "pending")
        rows.append(
            {
                "key": task.key,
                "variant": task.variant,
                "seed": task.seed,
                "status": status,
                "error": failures.get(task.key, ""),
                "wall_s": walls.get(task.key, np.nan),
                **{f"param:{k}": v for k, v in task.params.items()},
                **(flat_kpis(record["kpis"]) if record else {}),
            }
        )
    table = pd.DataFrame(rows)
    return table.rename(columns=lambda c: c.removeprefix("param:"))


def summary_table(runs: pd.DataFrame, parameters: list[str]) -> pd.DataFrame:
    """Per variant and KPI, over the completed runs: runs, mean, std, p5, p50, p95.

    Parameters
    ----------
    runs : pandas.DataFrame
        The runs table (:func:`runs_table`).
    parameters : list[str]
        The sweep's parameters (columns of ``runs``).

    Returns
    -------
    pandas.DataFrame
        One row per variant and KPI (summary.csv): the parameters, then
        :data:`SUMMARY_COLUMNS`.
    """
    done = runs[runs["status"] == "completed"]
    params = [p for p in parameters if p in runs.columns]
    fixed = {*RUN_COLUMNS, *params}
    kpis = [c for c in done.columns if c not in fixed and pd.api.types.is_numeric_dtype(done[c])]
    rows = []
    for variant, group in done.groupby("variant", sort=True):
        head = {"variant": variant, **{p: group[p].iloc[0] for p in params}}
        for kpi in kpis:
            values = group[kpi].to_numpy(dtype=float)
            rows.append(
                {
                    **head,
                    "kpi": kpi,
                    "runs": len(values),
                    "mean": values.mean(),
                    "std": values.std(ddof=1) if len(values) > 1 else 0.0,
                    "p5": np.percentile(values, 5),
                    "p50": np.percentile(values, 50),
                    "p95": np.percentile(values, 95),
                }
            )
    return pd.DataFrame(rows, columns=["variant", *params, *SUMMARY_COLUMNS])
