"""emob-sim: a planning simulator for electric-vehicle and e-bike charging networks.

Examples
--------
>>> import emob_sim
>>> result = emob_sim.run()                      # the embedded Zemgale baseline
>>> result.kpis["trips_generated"] == result.kpis["trips_completed"] + result.kpis["trips_stranded"]
True
"""

from __future__ import annotations

from importlib import metadata as _metadata

from emob_sim.config import Scenario, default_scenario_path, load_scenario
from emob_sim.errors import (
    ConfigError,
    DataError,
    EmobSimError,
    InputFileNotFoundError,
    NetworkError,
)

_LAZY = {
    "run": "emob_sim.runner",
    "RunResult": "emob_sim.results",
    "write_run": "emob_sim.runner",
    "place": "emob_sim.runner",
    "write_placement": "emob_sim.placement",
    "compare_layouts": "emob_sim.runner",
    "write_comparison": "emob_sim.runner",
    "SequentialEvaluator": "emob_sim.runner",
    "ExecutorEvaluator": "emob_sim.runner",
}


def __getattr__(name: str):
    """Import the heavy parts (OSMnx, SimPy, numba) only when they are first used."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'emob_sim' has no attribute {name!r}")


try:
    __version__ = _metadata.version("emob-sim")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0+unknown"

__all__ = [
    "__version__",
    "Scenario",
    "load_scenario",
    "default_scenario_path",
    "run",
    "RunResult",
    "write_run",
    "place",
    "write_placement",
    "compare_layouts",
    "write_comparison",
    "SequentialEvaluator",
    "ExecutorEvaluator",
    "EmobSimError",
    "ConfigError",
    "DataError",
    "NetworkError",
    "InputFileNotFoundError",
]
