"""E-bikes: the bike network layer, e-bike demand with the modal shift, simulation and KPIs.

Stages (called by :func:`emob_sim.pipeline.run`)::

    build_region(scenario)             -> region.bike   (layer: build_bike_layer)
    generate_ebike_demand(scenario, region, car_demand, seed_seq)
                                       -> (EbikeDemand, car demand without the shifted chains)
    simulate_ebikes(scenario, region, ebike_demand) -> EbikeSimResult
    ebike_kpis(scenario, EbikeRun(ebike_demand, ebike_sim)) -> the ``ebike`` KPI section

The models are documented in :mod:`emob_sim.ebike.layer` (networks, public points),
:mod:`emob_sim.ebike.demand` (owners, trip lengths), :mod:`emob_sim.ebike.shift` (modal shift),
:mod:`emob_sim.kernels.ebike` (battery), :mod:`emob_sim.ebike.sim` (public charging) and
:mod:`emob_sim.ebike.kpis` (CO2 balance). None of these modules imports :mod:`emob_sim.region`
at import time (the region imports the layer).
"""

from __future__ import annotations

from emob_sim.ebike.demand import (
    EBIKE_COLUMNS,
    EBIKE_TRIP_COLUMNS,
    EbikeDemand,
    generate_ebike_demand,
)
from emob_sim.ebike.kpis import EBIKE_KPI_KEYS, EbikeRun, ebike_kpis, ebike_site_table
from emob_sim.ebike.layer import BikeLayer, build_bike_layer, load_bike_network
from emob_sim.ebike.sim import (
    EBIKE_SESSION_COLUMNS,
    EBIKE_TRIP_RESULT_COLUMNS,
    TURNED_AWAY_COLUMNS,
    EbikeSimResult,
    simulate_ebikes,
)

__all__ = [
    "BikeLayer",
    "build_bike_layer",
    "load_bike_network",
    "EbikeDemand",
    "EBIKE_COLUMNS",
    "EBIKE_TRIP_COLUMNS",
    "generate_ebike_demand",
    "EbikeSimResult",
    "EBIKE_TRIP_RESULT_COLUMNS",
    "EBIKE_SESSION_COLUMNS",
    "TURNED_AWAY_COLUMNS",
    "simulate_ebikes",
    "EbikeRun",
    "EBIKE_KPI_KEYS",
    "ebike_kpis",
    "ebike_site_table",
]
