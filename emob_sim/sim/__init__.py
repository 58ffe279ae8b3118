"""The simulation stage: ``simulate(scenario, region, demand, seed_seq) -> SimResult``.

Vehicles that never need public charging are settled in bulk by numba kernels; the others
run as SimPy processes queueing at the charging sites (see :mod:`emob_sim.sim.engine` and
:mod:`emob_sim.sim.fleet`).
"""

from __future__ import annotations

from emob_sim.sim.engine import VehicleLedger, simulate, simulate_detailed
from emob_sim.sim.outputs import (
    ABANDON_COLUMNS,
    EVENT_COLUMNS,
    SESSION_COLUMNS,
    TRIP_RESULT_COLUMNS,
    SimResult,
)

__all__ = [
    "simulate",
    "simulate_detailed",
    "VehicleLedger",
    "SimResult",
    "TRIP_RESULT_COLUMNS",
    "SESSION_COLUMNS",
    "ABANDON_COLUMNS",
    "EVENT_COLUMNS",
]
