"""Demand: the electric-car fleet and its trips, and the e-bikes with the modal shift.

Entry points: ``generate_demand(scenario, region, seed_seq)`` (cars: daily chains and through
traffic; :mod:`~emob_sim.demand.fleet`, :mod:`~emob_sim.demand.chains`,
:mod:`~emob_sim.demand.through`) and ``generate_ebike_demand(scenario, region, car_demand,
seed_seq)`` (e-bike owners, and the car chains the modal shift moves to e-bikes;
:mod:`~emob_sim.demand.ebike`, :mod:`~emob_sim.demand.shift`).
"""

from __future__ import annotations

from emob_sim.demand.ebike import (
    EBIKE_COLUMNS,
    EBIKE_TRIP_COLUMNS,
    EbikeDemand,
    generate_ebike_demand,
)
from emob_sim.demand.generate import demand_streams, generate_demand
from emob_sim.demand.tables import TRIP_COLUMNS, VEHICLE_COLUMNS, Demand

__all__ = [
    "Demand",
    "TRIP_COLUMNS",
    "VEHICLE_COLUMNS",
    "demand_streams",
    "generate_demand",
    "EbikeDemand",
    "EBIKE_COLUMNS",
    "EBIKE_TRIP_COLUMNS",
    "generate_ebike_demand",
]
