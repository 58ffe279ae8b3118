"""The simulation stage: ``simulate(scenario, region, demand, seed_seq) -> SimResult`` for the
cars and ``simulate_ebikes(scenario, region, ebike_demand) -> EbikeSimResult`` for e-bikes.

Vehicles that never need public charging (nor plug in where they park) are settled in bulk
by numba kernels; the others run as SimPy processes queueing at the charging sites (see
:mod:`emob_sim.sim.engine`, :mod:`emob_sim.sim.fleet` and, for charging where cars park,
:mod:`emob_sim.sim.parking`). E-bikes: :mod:`emob_sim.sim.ebike`. Workplace charging at
industrial areas and the power at sites with a grid limit, solar power or a battery:
:mod:`emob_sim.sim.workplace`, :mod:`emob_sim.sim.site_energy`.
"""

from __future__ import annotations

from emob_sim.sim.ebike import (
    EBIKE_SESSION_COLUMNS,
    EBIKE_TRIP_RESULT_COLUMNS,
    TURNED_AWAY_COLUMNS,
    EbikeSimResult,
    simulate_ebikes,
)
from emob_sim.sim.engine import VehicleLedger, simulate, simulate_detailed
from emob_sim.sim.outputs import (
    ABANDON_COLUMNS,
    EVENT_COLUMNS,
    SESSION_COLUMNS,
    TRIP_RESULT_COLUMNS,
    SimResult,
)
from emob_sim.sim.site_energy import (
    ENERGY_SITE_COLUMNS,
    SITE_ENERGY_COLUMNS,
    SiteEnergyResult,
    check_site_energy,
    simulate_site_energy,
)
from emob_sim.sim.workplace import VISIT_COLUMNS, assign_plugs, workplace_visits

__all__ = [
    "simulate",
    "simulate_detailed",
    "VehicleLedger",
    "SimResult",
    "TRIP_RESULT_COLUMNS",
    "SESSION_COLUMNS",
    "ABANDON_COLUMNS",
    "EVENT_COLUMNS",
    "simulate_ebikes",
    "EbikeSimResult",
    "EBIKE_TRIP_RESULT_COLUMNS",
    "EBIKE_SESSION_COLUMNS",
    "TURNED_AWAY_COLUMNS",
    "workplace_visits",
    "assign_plugs",
    "VISIT_COLUMNS",
    "simulate_site_energy",
    "check_site_energy",
    "SiteEnergyResult",
    "SITE_ENERGY_COLUMNS",
    "ENERGY_SITE_COLUMNS",
]
