"""The runner: the one place that runs scenarios, for every face of emob-sim.

:func:`run` chains the stages of one run (:mod:`~emob_sim.runner.stages`) and writes its
folder (:mod:`~emob_sim.runner.write`); evaluators (:mod:`~emob_sim.runner.evaluate`) run many
scenarios, sequentially or on an executor (local processes, Dask); :func:`compare_layouts`
(:mod:`~emob_sim.runner.compare`) and :func:`place` (:mod:`~emob_sim.runner.place`) are built
on them.
"""

from __future__ import annotations

from emob_sim.runner.compare import (
    COMPARE_FILES,
    COMPARISON_COLUMNS,
    MUNICIPALITY_COLUMNS,
    SCOPED_COLUMNS,
    Comparison,
    best_values,
    compare_layouts,
    write_comparison,
)
from emob_sim.runner.evaluate import (
    ExecutorEvaluator,
    Outcome,
    RegionCache,
    SequentialEvaluator,
    kpis_of,
    local_pool,
)
from emob_sim.runner.place import place
from emob_sim.runner.stages import (
    STAGES,
    check_scenario,
    draw_demand,
    resolve_scenario,
    run,
    run_stages,
)
from emob_sim.runner.write import ENERGY_FILES, RUN_FILES, run_archive, write_run
from emob_sim.runner.year import YearResult, YearVariant, annual_kpis, run_year, year_variants

__all__ = [
    "run",
    "run_stages",
    "check_scenario",
    "draw_demand",
    "resolve_scenario",
    "STAGES",
    "write_run",
    "run_archive",
    "RUN_FILES",
    "ENERGY_FILES",
    "SequentialEvaluator",
    "ExecutorEvaluator",
    "RegionCache",
    "Outcome",
    "kpis_of",
    "local_pool",
    "compare_layouts",
    "best_values",
    "write_comparison",
    "Comparison",
    "COMPARISON_COLUMNS",
    "MUNICIPALITY_COLUMNS",
    "SCOPED_COLUMNS",
    "COMPARE_FILES",
    "place",
    "run_year",
    "year_variants",
    "annual_kpis",
    "YearResult",
    "YearVariant",
]
