"""Scenario models of site energy: grid connections, solar arrays, batteries, charging
strategies, and the industrial areas whose employees charge at work (``energy:``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from emob_sim.config._base import NonNegative, Positive, Share, StrictModel

__all__ = [
    "Strategy",
    "LoadShape",
    "SiteEnergy",
    "SiteEnergySpec",
    "AreaSpec",
    "EnergyConfig",
    "WeatherConfig",
    "MoneyConfig",
    "CAPPED",
]

#: how a site shares its power among the plugged cars (emob_sim/kernels/allocation.py)
Strategy = Literal[
    "uncontrolled", "capped-equal", "capped-earliest", "pv-following", "least-laxity"
]
#: the strategies that keep the site within its grid connection
CAPPED = ("capped-equal", "capped-earliest", "pv-following", "least-laxity")
#: shapes of a site's own load (emob_sim/energy/load.py)
LoadShape = Literal["office", "factory_1shift", "factory_3shift"]


class SiteEnergy(StrictModel):
    """A site's grid connection, solar array, stationary battery and charging strategy."""

    grid_limit_kw: Positive | None = Field(
        None, description="grid connection limit; None: not known (only uncontrolled charging)"
    )
    strategy: Strategy = "uncontrolled"
    pv_kwp: NonNegative = Field(0.0, description="solar array (kWp); 0: none")
    pv_tilt_deg: Annotated[float, Field(ge=0, le=90)] | None = Field(
        None, description="None: solar.tilt_deg"
    )
    pv_azimuth_deg: Annotated[float, Field(ge=0, lt=360)] | None = Field(
        None, description="None: solar.azimuth_deg"
    )
    pv_profile_file: Path | None = Field(
        None,
        description="measured solar power instead of the clear-sky model: CSV with columns "
        "time (local time, ISO 8601) and kw_per_kwp, covering the simulated days",
    )
    battery_kwh: NonNegative = Field(0.0, description="stationary battery capacity; 0: none")
    battery_kw: NonNegative = Field(0.0, description="its charge and discharge power")
    battery_efficiency: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.9, description="round trip (ASSUMPTION: typical of lithium-ion storage, 85-95 %)"
    )
    battery_grid_charge_below_kw: NonNegative | None = Field(
        None,
        description="peak shaving: the battery charges from the grid while the site's import "
        "is below this and discharges only for the import above it; None: solar only",
    )
    export_limit_kw: NonNegative | None = Field(
        None,
        description="most power fed into the grid (surplus beyond: curtailed); None: "
        "grid_limit_kw (no export limit without one)",
    )
    load_shape: LoadShape | None = Field(
        None,
        description="the site's own load (factory, offices) under the same connection: a BDEW "
        "standard load profile scaled to annual_load_kwh (emob_sim/energy/load.py)",
    )
    annual_load_kwh: NonNegative = Field(0.0, description="the site load's energy in a year")
    load_profile_file: Path | None = Field(
        None,
        description="the site's own load measured: CSV with columns time (local time, ISO "
        "8601) and load_kw, every 15 minutes (or finer), covering the simulated days",
    )

    @model_validator(mode="after")
    def _consistent(self) -> SiteEnergy:
        if self.strategy in CAPPED and self.grid_limit_kw is None:
            raise ValueError(
                f"strategy {self.strategy!r} keeps the site within its grid connection: "
                "set grid_limit_kw"
            )
        if (self.battery_kwh > 0) != (self.battery_kw > 0):
            raise ValueError(
                f"battery_kwh ({self.battery_kwh}) and battery_kw ({self.battery_kw}): "
                "expected both > 0 (a battery) or both 0 (none)"
            )
        if self.pv_profile_file is not None and self.pv_kwp <= 0:
            raise ValueError("pv_profile_file is given: expected pv_kwp > 0 to scale it")
        if self.battery_grid_charge_below_kw is not None and self.battery_kwh <= 0:
            raise ValueError(
                "battery_grid_charge_below_kw is given: expected a battery (battery_kwh > 0)"
            )
        if self.load_shape is not None and self.load_profile_file is not None:
            raise ValueError(
                "load_shape and load_profile_file are both given: expected one site load"
            )
        if (self.load_shape is not None) != (self.annual_load_kwh > 0):
            raise ValueError(
                f"load_shape ({self.load_shape!r}) and annual_load_kwh "
                f"({self.annual_load_kwh}): expected both (a shaped load) or neither"
            )
        return self


class SiteEnergySpec(SiteEnergy):
    """The energy set-up of one public site of ``charging`` (by ``site_id``)."""

    site_id: str


class AreaSpec(SiteEnergy):
    """An industrial area: its employees commute to ``zone`` and charge at its workplace site.

    The area's electric commuters are ``employees * car_share * ev_share`` (rounded); they
    arrive by car on working days (Monday to Friday), plug in at the site at
    ``lon``/``lat`` if a plug is free and leave at the end of their working day. Its
    ``depot_vehicles`` come back to the site after their last trip of a day and plug in there
    until their next departure. Commuters and depot vehicles share the plugs.
    """

    area_id: str
    name: str = ""
    zone: str = Field(description="zone_id of the zone the area lies in")
    lon: Annotated[float, Field(ge=-180, le=180)]
    lat: Annotated[float, Field(ge=-90, le=90)]
    employees: int = Field(ge=1, le=10_000_000)
    car_share: Share = Field(description="share of the employees arriving by car")
    ev_share: Share | None = Field(None, description="share of those cars electric; None: fleet")
    depot_vehicles: int = Field(
        0,
        ge=0,
        le=100_000,
        description="electric vehicles based at the area's depot, charging there between days",
    )
    plugs: int = Field(ge=0, le=100_000, description="workplace charging points")
    plug_kw: Positive = 11.0
    source: str = ""


class WeatherConfig(StrictModel):
    """Solar weather (emob_sim/energy/weather.py): monthly yields and day-to-day clearness."""

    pv_monthly_file: Path | None = Field(
        None,
        description="CSV of month (1-12), kwh_per_kwp and source: each month's solar yield; "
        "None: the clear-sky profile scaled to solar.annual_yield_kwh_per_kwp",
    )
    daily_concentration: Positive | None = Field(
        4.0,
        description="concentration of the beta distribution of a day's clearness around its "
        "month's mean (ASSUMPTION); None: every day of a month alike",
    )


class MoneyConfig(StrictModel):
    """Energy prices and the cost of solar and batteries at energy sites
    (emob_sim/analysis/money.py); EUR without VAT. The PV's CAPEX is costs.pv_eur_per_kwp."""

    price_eur_per_kwh: NonNegative = Field(0.096, description="energy bought (flat)")
    peak_price_eur_per_kwh: NonNegative | None = Field(
        None, description="time of use: the price within peak_hours; None: flat"
    )
    peak_hours: tuple[Annotated[int, Field(ge=0, le=24)], Annotated[int, Field(ge=0, le=24)]] = (
        Field((8, 20), description="[from, to) hour of the wall clock on working days")
    )
    network_eur_per_kwh: NonNegative = Field(0.03962, description="grid fee per kWh imported")
    capacity_eur_per_kw_month: NonNegative = Field(
        1.33, description="grid capacity charge on each month's peak import (a step mean)"
    )
    export_eur_per_kwh: NonNegative = Field(0.05, description="paid for energy exported")
    pv_opex_share_per_year: NonNegative = Field(0.015, description="of its CAPEX")
    pv_lifetime_years: int = Field(25, ge=1, le=100)
    battery_capex_eur_per_kwh: NonNegative = 400.0
    battery_opex_share_per_year: NonNegative = Field(0.02, description="of its CAPEX")
    battery_lifetime_years: int = Field(12, ge=1, le=100)
    discount_rate: Annotated[float, Field(ge=0.0, le=1.0)] = 0.05
    horizon_years: int = Field(25, ge=1, le=100, description="years of the NPV")

    @model_validator(mode="after")
    def _hours(self) -> MoneyConfig:
        if self.peak_hours[0] >= self.peak_hours[1]:
            raise ValueError(f"peak_hours: expected from < to, got {list(self.peak_hours)}")
        return self


class EnergyConfig(StrictModel):
    """Site energy: time step, workplace charging and the sites' and areas' set-ups."""

    step_min: Literal[1, 5, 15] = Field(
        15,
        description="time step (minutes) of the power allocation and site_energy.parquet; "
        "peaks are means over it",
    )
    timezone: str = Field(
        "Europe/Riga", description="IANA time zone of the region: the clock of days and hours"
    )
    workplace_target_soc: Share = Field(
        0.8, description="a car at work charges up to this state of charge (ASSUMPTION)"
    )
    sites: list[SiteEnergySpec] = Field(
        default_factory=list, description="public sites with a connection, PV, battery"
    )
    areas_file: Path | None = Field(None, description="CSV with the AreaSpec columns")
    areas: list[AreaSpec] = Field(
        default_factory=list, description="industrial areas added to areas_file"
    )
    weather: WeatherConfig = WeatherConfig()
    money: MoneyConfig = MoneyConfig()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{value!r} is not a known time zone, expected an IANA name like 'Europe/Riga'"
            ) from None
        return value

    @model_validator(mode="after")
    def _unique(self) -> EnergyConfig:
        ids = [s.site_id for s in self.sites]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"sites: site_id {dup[0]!r} is given more than once")
        return self
