"""Scenario models of site energy: grid connections, solar arrays, batteries, charging
strategies, and the industrial areas whose employees charge at work (``energy:``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from emob_sim.config._base import NonNegative, Positive, Share, StrictModel

__all__ = ["Strategy", "SiteEnergy", "SiteEnergySpec", "AreaSpec", "EnergyConfig", "CAPPED"]

#: how a site shares its power among the plugged cars (emob_sim/kernels/allocation.py)
Strategy = Literal["uncontrolled", "capped-equal", "capped-earliest", "pv-following"]
#: the strategies that keep the site within its grid connection
CAPPED = ("capped-equal", "capped-earliest", "pv-following")


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


class EnergyConfig(StrictModel):
    """Site energy: time step, workplace charging and the sites' and areas' set-ups."""

    step_min: Literal[5, 10, 15, 20, 30, 60] = Field(
        15, description="time step of the power allocation and site_energy.parquet"
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
