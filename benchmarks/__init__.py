"""The emob-sim benchmark suite: ``python -m benchmarks`` from a source checkout.

Fixed workloads (:mod:`benchmarks.workloads`) run the whole chain on the strategic Zemgale
network and on synthetic grids (:mod:`benchmarks.synthetic`) and are compared, in the same run,
with a plain reference implementation (:mod:`benchmarks.reference`). The suite prints one table
and writes ``benchmarks/results/results.md`` and ``results.json`` with the machine described.

>>> from benchmarks import run_suite
>>> results = run_suite(size="smoke")             # doctest: +SKIP
"""

from __future__ import annotations

from benchmarks.report import markdown, write_results
from benchmarks.suite import run_suite
from benchmarks.tables import main_table

__all__ = ["run_suite", "main_table", "markdown", "write_results", "RESULTS_DIR"]

from pathlib import Path as _Path

#: where the recorded results of a full run are kept
RESULTS_DIR = _Path(__file__).resolve().parent / "results"
