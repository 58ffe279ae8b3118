"""Scenario models of charger costs and placement (candidates, site designs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator

from emob_sim.config._base import NonNegative, Positive, Share, SiteKind, StrictModel

__all__ = [
    "PlugCostClass",
    "CostsConfig",
    "CandidateSpec",
    "CandidatesConfig",
    "SiteDesign",
    "PlacementConfig",
]


class PlugCostClass(StrictModel):
    """Cost of one plug of a power class: every plug up to ``max_kw`` per plug."""

    max_kw: Positive
    capex_eur: NonNegative = Field(description="hardware and installation per plug")
    opex_eur_per_year: NonNegative = Field(description="maintenance, fees, ... per plug and year")
    grid_fixed_eur: NonNegative = Field(0.0, description="fixed grid connection of a new site")


def _default_plug_classes() -> list[PlugCostClass]:
    return [
        PlugCostClass(max_kw=1.0, capex_eur=800.0, opex_eur_per_year=50.0, grid_fixed_eur=300.0),
        PlugCostClass(
            max_kw=22.0, capex_eur=6000.0, opex_eur_per_year=400.0, grid_fixed_eur=2000.0
        ),
        PlugCostClass(
            max_kw=60.0, capex_eur=40000.0, opex_eur_per_year=2500.0, grid_fixed_eur=10000.0
        ),
        PlugCostClass(
            max_kw=160.0, capex_eur=80000.0, opex_eur_per_year=4000.0, grid_fixed_eur=25000.0
        ),
        PlugCostClass(
            max_kw=400.0, capex_eur=140000.0, opex_eur_per_year=6000.0, grid_fixed_eur=40000.0
        ),
    ]


class CostsConfig(StrictModel):
    """Cost model of public charging sites in EUR (placement budgets, layout comparison).

    A plug costs the first ``plug_classes`` entry whose ``max_kw`` is at least its power. A new
    site also pays a grid connection: that class's ``grid_fixed_eur`` plus ``grid_eur_per_kw``
    times its installed power; more plugs at a built site pay the plugs and the added kW. Sites
    of ``existing_sites_file`` (matched by ``site_id``) are built: only plugs beyond theirs cost.
    """

    plug_classes: list[PlugCostClass] = Field(default_factory=_default_plug_classes, min_length=1)
    grid_eur_per_kw: NonNegative = 150.0
    pv_eur_per_kwp: NonNegative = Field(800.0, description="rooftop PV, installed")
    existing_sites_file: Path | None = Field(
        None, description="sites CSV of the chargers already built (their CAPEX is spent)"
    )

    @field_validator("plug_classes")
    @classmethod
    def _ascending(cls, v: list[PlugCostClass]):
        kws = [c.max_kw for c in v]
        if any(b <= a for a, b in zip(kws, kws[1:])):
            raise ValueError(f"max_kw must be strictly ascending, got {kws}")
        return v


class CandidateSpec(StrictModel):
    """A candidate location named in the scenario (a rail station, an industrial area, ...)."""

    name: str
    category: str = Field("other", description="e.g. rail_station, industrial")
    lon: Annotated[float, Field(ge=-180, le=180)]
    lat: Annotated[float, Field(ge=-90, le=90)]
    kinds: list[SiteKind] = Field(min_length=1, description="site kinds offered here")


class CandidatesConfig(StrictModel):
    """Where new charging sites may go (see :mod:`emob_sim.placement.candidates`)."""

    keep_existing: bool = Field(True, description="existing chargers stay (fixed) in every layout")
    zone_centre_kinds: list[SiteKind] = Field(
        default_factory=lambda: ["car_ac", "car_dc", "ebike"],
        description="kinds offered at the centre of every resident zone ([] = none)",
    )
    corridor_highways: list[str] = Field(
        default_factory=lambda: ["trunk"], description="road classes of the main corridors"
    )
    corridor_spacing_km: Positive = 15.0
    corridor_kinds: list[SiteKind] = Field(default_factory=lambda: ["car_dc"])
    osm_amenities: dict[str, list[SiteKind]] = Field(
        default_factory=lambda: {"fuel": ["car_dc"], "parking": ["car_ac"]},
        description="OSM amenity=* values used as candidates (OSM sources only) and their kinds",
    )
    extra: list[CandidateSpec] = Field(default_factory=list)
    area_buffer_km: NonNegative = Field(
        5.0, description="candidates outside the resident zones' convex hull plus this are left out"
    )


class SiteDesign(StrictModel):
    """Plugs and power of a new site of one kind."""

    plugs: int = Field(ge=1, le=100_000)
    power_kw: Positive


def _default_designs() -> dict[str, SiteDesign]:
    return {
        "car_ac": SiteDesign(plugs=2, power_kw=22.0),
        "car_dc": SiteDesign(plugs=2, power_kw=150.0),
        "ebike": SiteDesign(plugs=6, power_kw=0.5),
    }


class PlacementConfig(StrictModel):
    """Parameters of the placement heuristics (see :mod:`emob_sim.placement`)."""

    candidates: CandidatesConfig = CandidatesConfig()
    designs: dict[SiteKind, SiteDesign] = Field(default_factory=_default_designs)
    external_site_ids: list[str] = Field(
        default_factory=list,
        description="sites outside the planning area: kept as they are, no CAPEX, not in the "
        "area's peak load or the per-municipality breakdown",
    )
    coverage_radius_min: Positive = 10.0
    frlm_range_km: Positive | None = Field(
        None, description="None = fleet mean of battery x (target_soc - comfort_soc) / consumption"
    )
    frlm_start_fraction: Share = Field(0.5, description="share of the range left at the origin")
    frlm_min_trip_km: Positive = 50.0
    sim_max_iterations: int = Field(25, ge=1)
    stranded_penalty_min: Positive = Field(
        120.0, description="a stranded trip weighs as much as this many minutes of waiting"
    )
    sizing_target_wait_min: Positive = 5.0
    sizing_max_plugs: int = Field(12, ge=1)
    sizing_peak_window_h: int = Field(3, ge=1, le=24)
    sizing_min_arrivals: int = Field(3, ge=1)
    fast_access_min: Positive = 10.0
    pvsize_area: str | None = Field(
        None, description="area_id the pvsize method sizes; None: the scenario's only area"
    )
    pvsize_kwp_step: Positive = Field(10.0, description="pvsize tries PV in steps of this")
    pvsize_battery_kwh: list[NonNegative] = Field(
        default_factory=list,
        description="battery sizes (kWh) pvsize tries; empty: the area's own battery",
    )
    pvsize_battery_kw_per_kwh: Positive = Field(
        0.5, description="a tried battery's power per kWh (ASSUMPTION: 2-hour storage)"
    )
    pvsize_objective: Literal["npv", "own_share"] = Field(
        "npv",
        description="pvsize maximises the NPV of the area's PV and battery less the added "
        "plugs' CAPEX (energy.money) or the share of the cars' need met by own solar",
    )
    pvsize_max_plugs: int = Field(
        50, ge=1, le=10_000, description="pvsize tries at most this many plugs"
    )
