"""The electric-car fleet: vehicle types as arrays and the resident cars of each zone.

Model
-----
A resident zone (``kind == "zone"``) owns
``population * fleet.cars_per_1000 / 1000 * fleet.ev_share`` electric cars in expectation.
The expectation is rounded *stochastically*: ``floor(x) + Bernoulli(x - floor(x))``
(:func:`stochastic_round`). This keeps the expectation exact (a small village with 0.4
expected cars has a car in 40 % of the seeds) with the least possible variance (at most
one car per zone away from the expectation), unlike Poisson sampling, whose variance grows
with the zone. Each car then draws independently

- its vehicle type with the catalogue's ``share`` (normalised to sum to exactly 1),
- ``home_charging`` ~ Bernoulli(its home zone's share, :func:`home_access_share`),
- ``initial_soc`` ~ Uniform[``fleet.initial_soc_min``, ``fleet.initial_soc_max``]; a car with
  home charging starts at ``home_start_soc`` instead when given (the simulation starts in the
  morning, after a night on its wall box).

Battery, consumption and the AC/DC power limits are copied from the type.

Home access by zone
-------------------
``fleet.home_charging_share`` is the region's share of electric cars with a charge point at
home. Where the zone table gives ``apartment_share`` ``a`` (share of residents in
multi-apartment buildings), the zones share it out by their dwellings: a zone's access is
proportional to ``(1 - a) * fleet.home_access_house + a * fleet.home_access_apartment`` (a
resident of a house has a charge point at home far more often than a resident of an
apartment; the values and their sources are in configs/base.yaml), scaled so that the
population-weighted mean over the zones is the regional share (a zone's share is at most 1;
what the cap cuts off goes to the other zones). So the regional share stays the lever (the
app, sweeps and plan paths change it) and the dwelling statistics say where the wall boxes
are. A zone without a share (no column, or an empty cell: the Zemgale table leaves it empty
for external zones and gateways), and every zone when ``fleet.home_access_by_zone`` is false,
has the regional share. The draw uses the same uniform per car either way, so a region
without apartment shares gives the same fleet as before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.config.models import FleetConfig
from emob_sim.demand.tables import VEHICLE_COLUMNS
from emob_sim.region.zones import APARTMENT_SHARE

__all__ = [
    "TypeArrays",
    "type_arrays",
    "stochastic_round",
    "home_access_share",
    "draw_types",
    "vehicle_frame",
    "sample_fleet",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class TypeArrays:
    """The vehicle catalogue as arrays indexed by type index (catalogue order).

    ``curve_soc[t]`` and ``curve_frac[t]`` hold the DC curve of type ``t`` padded to a common
    length by repeating its last point.
    """

    ids: list[str]
    share: NDArray[np.float64]
    battery_kwh: NDArray[np.float64]
    consumption_kwh_per_km: NDArray[np.float64]
    max_ac_kw: NDArray[np.float64]
    max_dc_kw: NDArray[np.float64]
    curve_soc: NDArray[np.float64]
    curve_frac: NDArray[np.float64]


def type_arrays(fleet: FleetConfig) -> TypeArrays:
    """Return the vehicle catalogue of ``fleet`` as arrays.

    Parameters
    ----------
    fleet
        The validated fleet section of a scenario.

    Returns
    -------
    TypeArrays
        One entry per vehicle type in catalogue order; shares normalised to sum to 1.
    """
    types = fleet.vehicle_types
    n_points = max(len(t.dc_curve) for t in types)
    curve_soc = np.empty((len(types), n_points), dtype=np.float64)
    curve_frac = np.empty((len(types), n_points), dtype=np.float64)
    for i, vt in enumerate(types):
        pts = np.asarray(vt.dc_curve, dtype=np.float64)
        curve_soc[i, : len(pts)] = pts[:, 0]
        curve_frac[i, : len(pts)] = pts[:, 1]
        curve_soc[i, len(pts) :] = pts[-1, 0]
        curve_frac[i, len(pts) :] = pts[-1, 1]
    share = np.array([t.share for t in types], dtype=np.float64)

    def column(name: str) -> NDArray[np.float64]:
        return np.array([getattr(t, name) for t in types], dtype=np.float64)

    return TypeArrays(
        ids=[t.id for t in types],
        share=share / share.sum(),
        battery_kwh=column("battery_kwh"),
        consumption_kwh_per_km=column("consumption_kwh_per_km"),
        max_ac_kw=column("max_ac_kw"),
        max_dc_kw=column("max_dc_kw"),
        curve_soc=curve_soc,
        curve_frac=curve_frac,
    )


def stochastic_round(expected: NDArray[np.float64], rng: np.random.Generator) -> NDArray[np.int64]:
    """Round non-negative expectations to integers without bias.

    Returns ``floor(x) + Bernoulli(x - floor(x))`` element-wise: the expectation is exact and
    the result is never more than one away from ``x``.

    Parameters
    ----------
    expected
        Non-negative expected counts.
    rng
        Source of the Bernoulli draws (one uniform per element).
    """
    x = np.asarray(expected, dtype=np.float64)
    base = np.floor(x)
    return (base + (rng.random(x.shape) < x - base)).astype(np.int64)


def home_access_share(fleet: FleetConfig, zones: pd.DataFrame) -> NDArray[np.float64]:
    """The home-charging share of each zone (the rule is in the module docstring).

    Parameters
    ----------
    fleet
        ``home_charging_share`` (regional mean), ``home_access_by_zone``,
        ``home_access_house`` and ``home_access_apartment``.
    zones
        A zone table; its ``apartment_share`` column is used where present (NaN = unknown),
        its ``population`` (when present) weights the regional mean.

    Returns
    -------
    numpy.ndarray
        One probability per zone (row), in [0, 1].
    """
    target = fleet.home_charging_share
    regional = np.full(len(zones), target, dtype=np.float64)
    if not fleet.home_access_by_zone or APARTMENT_SHARE not in zones.columns:
        return regional
    a = pd.to_numeric(zones[APARTMENT_SHARE], errors="coerce").to_numpy(dtype=np.float64)
    known = np.isfinite(a)
    if not known.any():
        return regional
    access = (1.0 - a[known]) * fleet.home_access_house + a[known] * fleet.home_access_apartment
    if "population" in zones.columns:
        weight = pd.to_numeric(zones["population"], errors="coerce").to_numpy(dtype=np.float64)
        weight = np.nan_to_num(weight[known], nan=0.0)
    else:
        weight = np.ones(int(known.sum()))
    out = regional.copy()
    out[known] = _scaled_to_mean(access, weight, target)
    return out


def _scaled_to_mean(
    access: NDArray[np.float64], weight: NDArray[np.float64], target: float
) -> NDArray[np.float64]:
    """``access`` scaled so that its ``weight``-ed mean is ``target``, each value at most 1.

    Values the cap holds at 1 keep it; the others are scaled again for what it cut off (at
    most one round per zone). Without weight or access, every zone gets ``target``.
    """
    if weight.sum() <= 0.0 or (access * weight).sum() <= 0.0:
        return np.full(access.shape, target)
    share = np.zeros_like(access)
    capped = np.zeros(access.shape, dtype=bool)
    total = target * weight.sum()
    for _ in range(len(access) + 1):
        free = ~capped
        left = total - weight[capped].sum()
        base = (access[free] * weight[free]).sum()
        if base <= 0.0:
            break
        share[free] = access[free] * left / base
        share[capped] = 1.0
        over = free & (share > 1.0)
        if not over.any():
            break
        capped |= over
    return np.clip(share, 0.0, 1.0)


def draw_types(share: NDArray[np.float64], n: int, rng: np.random.Generator) -> NDArray[np.int64]:
    """Draw ``n`` type indices with probabilities ``share`` (inverse CDF of uniforms)."""
    cdf = np.cumsum(share)
    cdf[-1] = 1.0
    idx = np.searchsorted(cdf, rng.random(n), side="right")
    return np.minimum(idx, len(share) - 1).astype(np.int64)


def vehicle_frame(
    *,
    type_idx: NDArray[np.int64],
    home_zone: NDArray[np.int64],
    resident: NDArray[np.bool_],
    home_charging: NDArray[np.bool_],
    initial_soc: NDArray[np.float64],
    types: TypeArrays,
) -> pd.DataFrame:
    """Build a vehicle table with :data:`VEHICLE_COLUMNS`; ``vehicle_id`` is the row number.

    The type attributes (battery, consumption, power limits) are copied from ``types``.
    """
    type_idx = np.asarray(type_idx, dtype=np.int64)
    n = type_idx.shape[0]
    frame = pd.DataFrame(
        {
            "vehicle_id": np.arange(n, dtype=np.int64),
            "type_idx": type_idx,
            "home_zone": np.asarray(home_zone, dtype=np.int64),
            "resident": np.asarray(resident, dtype=bool),
            "home_charging": np.asarray(home_charging, dtype=bool),
            "battery_kwh": types.battery_kwh[type_idx],
            "consumption_kwh_per_km": types.consumption_kwh_per_km[type_idx],
            "max_ac_kw": types.max_ac_kw[type_idx],
            "max_dc_kw": types.max_dc_kw[type_idx],
            "initial_soc": np.asarray(initial_soc, dtype=np.float64),
        }
    )
    return frame[VEHICLE_COLUMNS]


def sample_fleet(
    fleet: FleetConfig,
    zones: pd.DataFrame,
    rng: np.random.Generator,
    *,
    types: TypeArrays | None = None,
    home_start_soc: float | None = None,
) -> pd.DataFrame:
    """Sample the resident electric cars of every zone of kind ``"zone"``.

    Parameters
    ----------
    fleet
        Rates, shares and the vehicle catalogue.
    zones
        The region's zone table (``kind``, ``population`` and, where present,
        ``apartment_share`` are used; row = zone index).
    rng
        The fleet stream.
    types
        The catalogue as arrays (computed from ``fleet`` when omitted).
    home_start_soc
        State of charge at the first departure of cars with home charging
        (``charging.home_target_soc``); None draws it like the others.

    Returns
    -------
    pandas.DataFrame
        :data:`VEHICLE_COLUMNS`, cars ordered by home zone, ``resident`` True.
    """
    types = types if types is not None else type_arrays(fleet)
    population = np.nan_to_num(zones["population"].to_numpy(dtype=np.float64), nan=0.0)
    is_resident = zones["kind"].to_numpy() == "zone"
    rate = fleet.cars_per_1000 / 1000.0 * fleet.ev_share
    expected = np.where(is_resident, np.maximum(population, 0.0) * rate, 0.0)
    counts = stochastic_round(expected, rng)
    n = int(counts.sum())
    home_zone = np.repeat(np.arange(len(zones), dtype=np.int64), counts)
    type_idx = draw_types(types.share, n, rng)
    home_charging = rng.random(n) < home_access_share(fleet, zones)[home_zone]
    initial_soc = rng.uniform(fleet.initial_soc_min, fleet.initial_soc_max, n)
    if home_start_soc is not None:
        initial_soc[home_charging] = home_start_soc
    logger.debug("fleet: %d resident electric cars (expected %.1f)", n, expected.sum())
    return vehicle_frame(
        type_idx=type_idx,
        home_zone=home_zone,
        resident=np.ones(n, dtype=bool),
        home_charging=home_charging,
        initial_soc=initial_soc,
        types=types,
    )
