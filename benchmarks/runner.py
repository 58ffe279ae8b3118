"""What runs inside the suite's child processes: one measurement per fresh process.

Every ``run_*`` function is called in its own spawned process (see :mod:`benchmarks.suite`), so
that its peak memory (``ru_maxrss``) belongs to that measurement alone and no measurement warms
the caches of the next. The measurements live by what they measure; this module gathers them
for the suite:

- :mod:`benchmarks.whole_runs`: the warm-up (JIT) and emob-sim's whole run, stage by stage,
  against the plain reference;
- :mod:`benchmarks.kernel_runs`: the routing kernel against scipy, each numba kernel against
  its pure-Python twin;
- :mod:`benchmarks.site_energy_runs`: the workplace week and the site's year;
- :mod:`benchmarks.app_runs`: the planners' app against the command;
- :mod:`benchmarks.sweep_runs`: sweep throughput, local workers and Dask;
- :mod:`benchmarks.measuring`: what they share (best-of runs, peak memory, SimPy events).
"""

from __future__ import annotations

from benchmarks.app_runs import run_app
from benchmarks.kernel_runs import run_kernels, run_routing
from benchmarks.site_energy_runs import SITE_YEAR, WORKPLACE_AREA, run_site_year, run_workplace
from benchmarks.sweep_runs import run_sweeps
from benchmarks.whole_runs import ebikes_off, measure_jit, run_project, run_reference, warm_up

__all__ = [
    "warm_up",
    "measure_jit",
    "run_project",
    "run_reference",
    "run_routing",
    "run_kernels",
    "ebikes_off",
    "run_app",
    "run_sweeps",
    "run_workplace",
    "run_site_year",
    "WORKPLACE_AREA",
    "SITE_YEAR",
]
