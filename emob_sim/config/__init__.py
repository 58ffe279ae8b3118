"""Scenario configuration: pydantic models and YAML loading."""

from __future__ import annotations

from emob_sim.config.loading import (
    bundled_path,
    default_scenario_path,
    input_files,
    load_scenario,
    parse_override,
    portable_path,
    scenario_to_dict,
)
from emob_sim.config.models import (
    ChargingConfig,
    CorridorFlow,
    DemandConfig,
    EmissionsConfig,
    FleetConfig,
    NetworkConfig,
    Scenario,
    SimulationConfig,
    SiteSpec,
    TimeConfig,
    VehicleType,
    ZonesConfig,
)

__all__ = [
    "Scenario",
    "TimeConfig",
    "NetworkConfig",
    "ZonesConfig",
    "VehicleType",
    "FleetConfig",
    "CorridorFlow",
    "DemandConfig",
    "SiteSpec",
    "ChargingConfig",
    "EmissionsConfig",
    "SimulationConfig",
    "load_scenario",
    "default_scenario_path",
    "bundled_path",
    "parse_override",
    "scenario_to_dict",
    "portable_path",
    "input_files",
]
