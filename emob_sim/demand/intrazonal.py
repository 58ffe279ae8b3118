"""Trips inside a zone: their length distribution and their weight in destination choice.

A zone is a disc of its area. Destinations inside it lie where two random points of the
disc are apart (mean ``128 / (45 pi)`` times the radius; at least ``zones.min_intrazonal_km``,
driven at ``zones.intrazonal_speed_kph``). The gravity model weighs each of them by
``exp(-beta * minutes)`` as it weighs other zones, so:

- the own zone's weight in destination choice is its mass times the *mean* of
  ``exp(-beta * t)`` over the disc distances (:attr:`IntrazonalTable.self_weight`), not
  ``exp(-beta * mean t)``: a large rural zone keeps its near destinations;
- a trip inside the zone draws its length from the disc distances tilted by that same
  weight (:meth:`IntrazonalTable.draw`): nearer destinations are chosen more often, the more
  so the steeper the decay.

Zones of unknown area (0 or missing) keep the matrix diagonal of the region (one typical
length). Everything is computed on a fixed set of unit-disc distances, so a table is the
same in every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.config.models import ZonesConfig

__all__ = ["IntrazonalTrips", "IntrazonalTable", "UNIT_DISC_SAMPLES"]

#: distances between two random points of the unit disc, on which every table is computed
UNIT_DISC_SAMPLES = 4096


def _unit_disc_distances(n: int) -> NDArray[np.float64]:
    rng = np.random.Generator(np.random.PCG64(20_171))  # fixed: the same tables in every run
    u = rng.random((4, n))
    r1, r2 = np.sqrt(u[0]), np.sqrt(u[1])
    d = np.sqrt(np.maximum(r1**2 + r2**2 - 2 * r1 * r2 * np.cos(2 * np.pi * (u[2] - u[3])), 0.0))
    return np.sort(d)


@dataclass(frozen=True)
class IntrazonalTable:
    """Trips inside each zone for one distance decay ``beta`` (per minute).

    ``self_weight[z]``: mean of ``exp(-beta * t)`` over the zone's disc (NaN: area unknown);
    ``mean_km[z]``: mean length of a trip inside the zone under that decay (NaN: unknown).
    """

    km: NDArray[np.float64]  # (zones, samples) disc distances, floored
    cdf: NDArray[np.float64]  # (zones, samples) tilted CDF; rows of unknown zones are 0..1
    self_weight: NDArray[np.float64]
    mean_km: NDArray[np.float64]
    known: NDArray[np.bool_]

    def draw(self, zone: NDArray[np.int64], u: NDArray[np.float64]) -> NDArray[np.float64]:
        """Lengths of trips inside ``zone`` (known zones only), one per uniform ``u``."""
        n, s = self.cdf.shape
        flat = (self.cdf + np.arange(n, dtype=np.float64)[:, None]).ravel()
        pos = np.searchsorted(flat, zone + u, side="right")
        pos = np.clip(pos, zone * s, zone * s + s - 1)
        return self.km.ravel()[pos]


@dataclass(frozen=True)
class IntrazonalTrips:
    """Zone radii (NaN where the area is unknown) and the floor and speed of trips inside."""

    radius_km: NDArray[np.float64]
    min_km: float
    speed_kph: float
    _unit: NDArray[np.float64] = field(
        default_factory=lambda: _unit_disc_distances(UNIT_DISC_SAMPLES), repr=False
    )

    @classmethod
    def of_zones(cls, zones: pd.DataFrame, cfg: ZonesConfig) -> IntrazonalTrips:
        """From the zones' ``area_km2`` (no column: every area unknown) and ``zones:``."""
        n = len(zones)
        area = (
            zones["area_km2"].to_numpy(dtype=np.float64)
            if "area_km2" in zones.columns
            else np.full(n, np.nan)
        )
        with np.errstate(invalid="ignore"):
            radius = np.where(area > 0, np.sqrt(area / np.pi), np.nan)
        return cls(radius, float(cfg.min_intrazonal_km), float(cfg.intrazonal_speed_kph))

    def table(self, beta_per_min: float) -> IntrazonalTable:
        """The trips inside each zone under the decay ``beta_per_min``."""
        known = np.isfinite(self.radius_km)
        radius = np.where(known, self.radius_km, 0.0)
        km = np.maximum(radius[:, None] * self._unit[None, :], self.min_km)
        weight = np.exp(-beta_per_min * km / self.speed_kph * 60.0)
        total = weight.sum(axis=1)
        cdf = np.cumsum(weight, axis=1) / total[:, None]
        cdf[:, -1] = 1.0
        self_weight = np.where(known, total / km.shape[1], np.nan)
        mean_km = np.where(known, (weight * km).sum(axis=1) / total, np.nan)
        return IntrazonalTable(km, cdf, self_weight, mean_km, known)

    def minutes(self, km: NDArray[np.float64]) -> NDArray[np.float64]:
        return km / self.speed_kph * 60.0
