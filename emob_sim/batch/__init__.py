"""Batch runs for researchers: sweeps of scenario variants x seeds, resumable, locally or on Dask.

>>> result = emob_sim.batch.sweep("configs/sweeps/adoption.yaml", "runs/adoption")  # doctest: +SKIP
>>> result.summary                                       # doctest: +SKIP

Modules: :mod:`~emob_sim.batch.config` (sweep files, variants, keys),
:mod:`~emob_sim.batch.executors` (local processes, Dask), :mod:`~emob_sim.batch.sweep`
(running, resuming), :mod:`~emob_sim.batch.tables` (runs.parquet, summary.csv),
:mod:`~emob_sim.batch.folder` (reading a sweep folder back), :mod:`~emob_sim.batch.report`
(plots).
"""

from __future__ import annotations

from emob_sim.batch.config import SweepConfig, load_sweep, run_key
from emob_sim.batch.executors import executor_for
from emob_sim.batch.folder import SweepFolder, curves, find_sweeps, read_sweep
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
    "find_sweeps",
    "SweepFolder",
    "curves",
]
