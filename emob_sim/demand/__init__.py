"""Demand: the electric-car fleet and its trips (daily chains and through traffic).

``generate_demand(scenario, region, seed_seq)`` is the stage's entry point; the model is
documented in :mod:`emob_sim.demand.fleet`, :mod:`emob_sim.demand.chains` and
:mod:`emob_sim.demand.through`.
"""

from __future__ import annotations

from emob_sim.demand.generate import demand_streams, generate_demand
from emob_sim.demand.tables import TRIP_COLUMNS, VEHICLE_COLUMNS, Demand

__all__ = ["Demand", "TRIP_COLUMNS", "VEHICLE_COLUMNS", "demand_streams", "generate_demand"]
