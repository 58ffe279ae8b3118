"""Batch runs for researchers: sweeps of scenario variants x seeds, resumable, locally or on Dask.

>>> result = emob_sim.batch.sweep("configs/sweeps/adoption.yaml", "runs/adoption")  # doctest: +SKIP
>>> result.summary                                       # doctest: +SKIP

Modules: :mod:`~emob_sim.batch.config` (sweep files, variants, keys),
:mod:`~emob_sim.batch.executors` (local processes, Dask), :mod:`~emob_sim.batch.sweep`
(running, resuming), :mod:`~emob_sim.batch.tables` (runs.parquet, summary.csv),
:mod:`~emob_sim.batch.folder` (reading a sweep folder back; :func:`load` gives tidy tables
for a notebook), :mod:`~emob_sim.batch.dispatch` (tasks on an executor, dead workers replaced),
:mod:`~emob_sim.batch.sensitivity` (Sobol indices and their checks),
:mod:`~emob_sim.batch.report` (figures).
"""

from __future__ import annotations

from emob_sim.batch.config import SweepConfig, load_sweep, run_key
from emob_sim.batch.executors import executor_for
from emob_sim.batch.folder import SweepFolder, SweepTables, curves, find_sweeps, load, read_sweep
from emob_sim.batch.report import sweep_report
from emob_sim.batch.sensitivity import sensitivity_table
from emob_sim.batch.sweep import SweepProgress, SweepResult, sweep
from emob_sim.batch.tables import runs_table, summary_table

__all__ = [
    "sweep",
    "SweepResult",
    "SweepProgress",
    "SweepConfig",
    "load_sweep",
    "run_key",
    "executor_for",
    "runs_table",
    "summary_table",
    "sensitivity_table",
    "sweep_report",
    "read_sweep",
    "load",
    "SweepTables",
    "find_sweeps",
    "SweepFolder",
    "curves",
]
