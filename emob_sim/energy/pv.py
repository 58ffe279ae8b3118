"""Solar generation at a charging site: pvlib's clear-sky model scaled to an annual yield.

The shape of a day comes from pvlib: the sun's position at the site, the Ineichen clear-sky
irradiance (with the Linke turbidity climatology pvlib ships) and the plane-of-array
irradiance of the array's tilt and azimuth (isotropic sky). Real skies are cloudier than
clear ones, so the profile is scaled by one factor per site and array: the cited annual yield
(kWh per kWp and year) over what the clear sky would give in a year. Days keep their clear
shape and length; cloudiness is spread evenly over the year (no weather). A measured profile
can replace all this.

Times are in UTC internally; the site's time zone only names days and hours for people.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.config.models import SolarConfig
from emob_sim.errors import DataError
from emob_sim.io.tables import read_text_table

__all__ = [
    "PVArray",
    "clear_sky_poa_w_m2",
    "pv_profile_kw",
    "measured_profile_kw",
    "daylight",
    "yield_scale",
]

#: the year the clear-sky yield is summed over (no leap day: 365 days)
_REFERENCE_YEAR = 2023


@dataclass(frozen=True)
class PVArray:
    """A fixed PV array: peak power, orientation, and the yield it gives in a real year (the
    defaults are those of ``solar:`` in configs/base.yaml)."""

    kwp: float
    tilt_deg: float = 40.0
    azimuth_deg: float = 180.0  # south
    annual_yield_kwh_per_kwp: float = 950.0

    @classmethod
    def of(cls, kwp: float, solar: SolarConfig) -> PVArray:
        """An array of ``kwp`` with a scenario's ``solar`` settings."""
        return cls(kwp, solar.tilt_deg, solar.azimuth_deg, solar.annual_yield_kwh_per_kwp)


def clear_sky_poa_w_m2(
    lat: float, lon: float, times: pd.DatetimeIndex, *, tilt_deg: float, azimuth_deg: float
) -> NDArray[np.float64]:
    """Clear-sky irradiance on the array's plane (W/m2) at ``times`` (tz-aware)."""
    import pvlib

    site = pvlib.location.Location(lat, lon)
    sun = site.get_solarposition(times)
    sky = site.get_clearsky(times, model="ineichen", solar_position=sun)
    poa = pvlib.irradiance.get_total_irradiance(
        tilt_deg, azimuth_deg, sun["apparent_zenith"], sun["azimuth"],
        sky["dni"], sky["ghi"], sky["dhi"],
    )  # fmt: skip
    return np.nan_to_num(poa["poa_global"].to_numpy(dtype=np.float64), nan=0.0).clip(min=0.0)


@functools.lru_cache(maxsize=64)
def _clear_sky_kwh_per_kwp(lat: float, lon: float, tilt_deg: float, azimuth_deg: float) -> float:
    times = pd.date_range(f"{_REFERENCE_YEAR}-01-01", f"{_REFERENCE_YEAR + 1}-01-01",
                          freq="15min", inclusive="left", tz="UTC")  # fmt: skip
    poa = clear_sky_poa_w_m2(lat, lon, times, tilt_deg=tilt_deg, azimuth_deg=azimuth_deg)
    return float(poa.sum() / 1000.0 * 0.25)  # kWh per kWp (1 kWp at 1000 W/m2)


def yield_scale(lat: float, lon: float, array: PVArray) -> float:
    """The factor that turns the clear-sky generation of a year into the array's annual yield."""
    clear = _clear_sky_kwh_per_kwp(round(lat, 4), round(lon, 4), array.tilt_deg,
                                   array.azimuth_deg)  # fmt: skip
    return array.annual_yield_kwh_per_kwp / clear if clear > 0 else 0.0


def pv_profile_kw(
    lat: float,
    lon: float,
    array: PVArray,
    *,
    start: str | pd.Timestamp,
    days: int,
    step_min: float,
    tz: str = "Europe/Riga",
) -> NDArray[np.float64]:
    """Mean generation (kW) of ``array`` in each step from local midnight of ``start``.

    Each step's mean is taken over one-minute samples of the scaled clear-sky profile.
    """
    if step_min != int(step_min) or step_min < 1:
        raise ValueError(f"step_min: expected a whole number of minutes, got {step_min}")
    begin = _day_start(start, tz)
    n_steps = int(round(days * 1440 / step_min))
    per_kwp = _clear_sky_steps_w_m2(lat, lon, array.tilt_deg, array.azimuth_deg,
                                    begin.isoformat(), n_steps, int(step_min))  # fmt: skip
    return per_kwp / 1000.0 * array.kwp * yield_scale(lat, lon, array)


def _day_start(start: str | pd.Timestamp, tz: str) -> pd.Timestamp:
    """Local midnight (``tz``) of the day of ``start``."""
    start = pd.Timestamp(start)
    return (start.tz_localize(tz) if start.tzinfo is None else start.tz_convert(tz)).normalize()


@functools.lru_cache(maxsize=32)
def _clear_sky_steps_w_m2(
    lat: float, lon: float, tilt_deg: float, azimuth_deg: float, begin: str, n_steps: int,
    step_min: int,
) -> NDArray[np.float64]:  # fmt: skip
    """Mean clear-sky irradiance on the plane in each step (one-minute samples), kept for the
    variants that differ only in kWp (pvsize simulates many on one site); read-only."""
    minutes = pd.date_range(pd.Timestamp(begin), periods=n_steps * step_min, freq="1min")
    poa = clear_sky_poa_w_m2(lat, lon, minutes, tilt_deg=tilt_deg, azimuth_deg=azimuth_deg)
    out = poa.reshape(n_steps, step_min).mean(axis=1)
    out.flags.writeable = False
    return out


def daylight(lat: float, lon: float, day: str, *, tz: str = "Europe/Riga") -> tuple[str, str]:
    """The first and the last minute (local ``HH:MM``) of ``day`` with clear-sky sunlight."""
    begin = pd.Timestamp(day).tz_localize(tz)
    minutes = pd.date_range(begin, periods=1440, freq="1min")
    import pvlib

    sky = pvlib.location.Location(lat, lon).get_clearsky(minutes, model="ineichen")
    lit = np.flatnonzero(sky["ghi"].to_numpy() > 0)
    return minutes[lit[0]].strftime("%H:%M"), minutes[lit[-1]].strftime("%H:%M")


def measured_profile_kw(
    path: str | Path,
    kwp: float,
    *,
    start: str | pd.Timestamp,
    days: int,
    step_min: int,
    tz: str = "Europe/Riga",
) -> NDArray[np.float64]:
    """Mean generation (kW) of ``kwp`` in each step from local midnight of ``start``, from a
    measured profile: a CSV with columns ``time`` (ISO 8601; local time unless it carries an
    offset) and ``kw_per_kwp``, at any regular resolution (a value holds until the next one
    when the profile is coarser than the steps; finer values are averaged), covering the steps.

    Raises
    ------
    DataError
        The file cannot be read, a column is missing, a value is not a number >= 0, or the
        profile does not cover the simulated period (the first step missing is named).
    """
    path = Path(path)
    raw = read_text_table(path, ["time", "kw_per_kwp"], key="pv_profile_file")
    try:
        times = pd.to_datetime(raw["time"], format="ISO8601")
    except (ValueError, TypeError) as exc:
        raise DataError(f"{path}: column time: expected ISO 8601 times ({exc})") from None
    value = pd.to_numeric(raw["kw_per_kwp"], errors="coerce")
    bad = np.flatnonzero(~(value >= 0))
    if bad.size:
        raise DataError(
            f"{path}: row {bad[0] + 2}: kw_per_kwp: expected a number >= 0, got "
            f"{raw['kw_per_kwp'].iloc[bad[0]]!r}"
        )
    index = pd.DatetimeIndex(times)
    index = index.tz_localize(tz) if index.tz is None else index.tz_convert(tz)
    series = pd.Series(value.to_numpy(float), index=index).sort_index()
    begin = _day_start(start, tz)
    steps = pd.date_range(begin, periods=int(round(days * 1440 / step_min)),
                          freq=f"{step_min}min")  # fmt: skip
    means = series.resample(f"{step_min}min", origin=begin).mean()
    # a profile coarser than the steps holds its value over each of its intervals
    spacing = series.index.to_series().diff().median() if len(series) > 1 else pd.Timedelta(0)
    fill = max(int(spacing / pd.Timedelta(minutes=step_min)) - 1, 0)
    means = means.reindex(steps)
    means = means.ffill(limit=fill) if fill else means
    missing = np.flatnonzero(means.isna().to_numpy())
    if missing.size:
        raise DataError(
            f"{path}: no measured value for the step from {steps[missing[0]]:%Y-%m-%d %H:%M} "
            f"({tz}); expected the profile to cover {steps[0]:%Y-%m-%d} to "
            f"{steps[-1]:%Y-%m-%d %H:%M}"
        )
    return means.to_numpy(float) * kwp
