"""Scenario models of e-bikes and of the modal shift from cars to e-bikes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from emob_sim.config._base import NonNegative, Positive, Share, StrictModel, check_order

__all__ = ["TripLengthConfig", "EbikeConfig", "ModalShiftConfig"]


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
    """Privately owned e-bikes (pedelecs) and their charging (see :mod:`emob_sim.demand.ebike`)."""

    enabled: bool = Field(True, description="False: no bike network, no e-bike demand")
    ownership_per_1000: Annotated[float, Field(ge=0.0, le=1000.0)] = Field(
        30.0, description="e-bikes per 1000 inhabitants (at most one per inhabitant)"
    )
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
    destination_charge_below_soc: Share = Field(
        0.8,
        description="a rider parked near a public point for at least destination_min_dwell_min "
        "plugs in below this soc (0: only public_charge_below_soc applies)",
    )
    destination_min_dwell_min: Positive = Field(
        120.0, description="shortest stay at a destination worth plugging in for (min)"
    )
    destination_area_km2: Positive | None = Field(
        2.0,
        description="a zone's non-home destinations lie within this area around its centre "
        "(its whole area when smaller or null): the share public points' catchments cover",
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
        check_order(self, "initial_soc_min", "initial_soc_max")
        return self


class ModalShiftConfig(StrictModel):
    """Short car trips moved to e-bikes (see :mod:`emob_sim.demand.shift`)."""

    share: Share = Field(0.0, description="share of short resident car chains that shift")
    threshold_km: Positive = Field(
        5.0, description="a chain is short when every leg is shorter than this (car network km)"
    )
    zone_shares: dict[str, Share] = Field(
        default_factory=dict, description="share by home zone_id, replacing share there"
    )
