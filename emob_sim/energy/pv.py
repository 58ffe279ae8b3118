"""Solar generation at a charging site: pvlib's clear-sky model scaled to an annual yield or,
with weather, to monthly yields with day-to-day clearness (:mod:`emob_sim.energy.weather`).

The shape of a day comes from pvlib: the sun's position at the site, the Ineichen clear-sky
irradiance (with the Linke turbidity climatology pvlib ships) and the plane-of-array
irradiance of the array's tilt and azimuth (isotropic sky). Real skies are cloudier than
clear ones, so the profile is scaled by one factor per site and array: the cited annual yield
(kWh per kWp and year) over what the clear sky would give in a year. Days keep their clear
shape and length; cloudiness is spread evenly over the year. With monthly yields (the
weather), each day is scaled by its own clearness instead, whose mean over a month gives the
month's yield (:mod:`emob_sim.energy.weather`). A measured profile can replace all this.

Time and daylight-saving time. The simulation clock is the local civil (wall-clock) time of
the region: simulation second ``s`` is the wall time ``start + s`` in ``energy.timezone``, so
every simulated day has 86,400 s and starts at local midnight, as the commuters' days do (a car
leaving at 08:00 leaves at 08:00 wall time before and after a switch). A step is labelled with
its wall time; the sun is computed at the real instant of that wall time (:func:`step_instants`):
on the spring switch the hour that does not exist (03:00-04:00 in Rīga) takes the instants of
the next hour, and on the autumn switch the repeated hour is taken once, as summer time. Both
fall at night, without sun. Solar noon thus moves from about 12:25 to 13:25 wall time on the
last Sunday of March and back on the last Sunday of October.
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
    "clear_sky_monthly_kwh_per_kwp",
    "pv_profile_kw",
    "measured_profile_kw",
    "measured_steps",
    "daylight",
    "yield_scale",
    "step_instants",
    "wall_clock",
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
        """An array of ``kwp`` with a scenario's ``solar`` settings.

        Parameters
        ----------
        kwp : float
            Peak power of the array, kWp.
        solar : SolarConfig
            The scenario's ``solar:`` section: tilt, azimuth and annual yield.

        Returns
        -------
        PVArray
            The array with the scenario's orientation and yield.
        """
        return cls(kwp, solar.tilt_deg, solar.azimuth_deg, solar.annual_yield_kwh_per_kwp)


def clear_sky_poa_w_m2(
    lat: float, lon: float, times: pd.DatetimeIndex, *, tilt_deg: float, azimuth_deg: float
) -> NDArray[np.float64]:
    """Clear-sky irradiance on the array's plane (W/m2) at ``times`` (tz-aware).

    Parameters
    ----------
    lat, lon : float
        The site, degrees (WGS84).
    times : pandas.DatetimeIndex
        The instants, timezone-aware.
    tilt_deg : float
        The array's tilt from horizontal, degrees.
    azimuth_deg : float
        The array's azimuth, degrees clockwise from north (180: south).

    Returns
    -------
    numpy.ndarray
        Plane-of-array global irradiance at each instant, W/m2, ``>= 0`` (0 at night).
    """
    import pvlib

    site = pvlib.location.Location(lat, lon)
    sun = site.get_solarposition(times)
    sky = site.get_clearsky(times, model="ineichen", solar_position=sun)
    poa = pvlib.irradiance.get_total_irradiance(
        tilt_deg,
        azimuth_deg,
        sun["apparent_zenith"],
        sun["azimuth"],
        sky["dni"],
        sky["ghi"],
        sky["dhi"],
    )
    return np.nan_to_num(poa["poa_global"].to_numpy(dtype=np.float64), nan=0.0).clip(min=0.0)


@functools.lru_cache(maxsize=64)
def _clear_sky_monthly(lat: float, lon: float, tilt_deg: float, azimuth_deg: float) -> tuple:
    times = pd.date_range(
        f"{_REFERENCE_YEAR}-01-01",
        f"{_REFERENCE_YEAR + 1}-01-01",
        freq="15min",
        inclusive="left",
        tz="UTC",
    )
    poa = clear_sky_poa_w_m2(lat, lon, times, tilt_deg=tilt_deg, azimuth_deg=azimuth_deg)
    kwh = np.bincount(times.month - 1, weights=poa / 1000.0 * 0.25, minlength=12)
    return tuple(float(v) for v in kwh)  # kWh per kWp (1 kWp at 1000 W/m2)


def _clear_sky_kwh_per_kwp(lat: float, lon: float, tilt_deg: float, azimuth_deg: float) -> float:
    return float(sum(_clear_sky_monthly(lat, lon, tilt_deg, azimuth_deg)))


def clear_sky_monthly_kwh_per_kwp(
    lat: float, lon: float, *, tilt_deg: float, azimuth_deg: float
) -> NDArray[np.float64]:
    """What 1 kWp would give under a clear sky in each calendar month (12 values, January
    first; the months of a year without a leap day).

    Parameters
    ----------
    lat, lon : float
        The site, degrees (WGS84).
    tilt_deg : float
        The array's tilt from horizontal, degrees.
    azimuth_deg : float
        The array's azimuth, degrees clockwise from north (180: south).

    Returns
    -------
    numpy.ndarray
        12 clear-sky yields, kWh per kWp, January first.
    """
    return np.array(_clear_sky_monthly(round(lat, 4), round(lon, 4), tilt_deg, azimuth_deg))


def yield_scale(lat: float, lon: float, array: PVArray) -> float:
    """The factor that turns the clear-sky generation of a year into the array's annual yield.

    Parameters
    ----------
    lat, lon : float
        The site, degrees (WGS84).
    array : PVArray
        The array: its orientation and its annual yield (kWh/kWp).

    Returns
    -------
    float
        Annual yield over the clear-sky yield of a year (dimensionless; 0 when the clear sky
        gives nothing).
    """
    clear = _clear_sky_kwh_per_kwp(round(lat, 4), round(lon, 4), array.tilt_deg, array.azimuth_deg)
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
    day_clearness: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Mean generation (kW) of ``array`` in each step from local midnight of ``start``, steps
    of the wall clock (module docstring).

    Each step's mean is taken over one-minute samples of the clear-sky profile, scaled by
    the array's annual yield (:func:`yield_scale`) or, with ``day_clearness`` (one value per
    wall-clock day from ``start``, :func:`emob_sim.energy.weather.daily_clearness`), by each
    day's clearness: the weather of monthly yields (:mod:`emob_sim.energy.weather`).

    Parameters
    ----------
    lat, lon : float
        The site, degrees (WGS84).
    array : PVArray
        The array: peak power, orientation, annual yield.
    start : str or pandas.Timestamp
        The first simulated day (its local midnight starts the profile).
    days : int
        Number of days simulated.
    step_min : float
        Length of a step, min; a whole number >= 1.
    tz : str
        The region's time zone (IANA name) of the wall clock.
    day_clearness : numpy.ndarray or None
        Per wall-clock day from ``start``: the day's clearness (generation over clear-sky
        generation); ``None``: the annual-yield scaling.

    Returns
    -------
    numpy.ndarray
        Mean generation in each of the ``days * 1440 / step_min`` steps, kW.

    Raises
    ------
    ValueError
        ``step_min`` is not a whole number >= 1, or ``day_clearness`` has too few days.
    """
    if step_min != int(step_min) or step_min < 1:
        raise ValueError(f"step_min: expected a whole number of minutes, got {step_min}")
    begin = wall_clock(start, 1, step_min)[0]
    n_steps = int(round(days * 1440 / step_min))
    per_kwp = _clear_sky_steps_w_m2(
        lat, lon, array.tilt_deg, array.azimuth_deg, begin.isoformat(), n_steps, int(step_min), tz
    )
    if day_clearness is None:
        return per_kwp / 1000.0 * array.kwp * yield_scale(lat, lon, array)
    day = np.arange(n_steps) * int(step_min) // 1440
    if len(day_clearness) < day[-1] + 1:
        raise ValueError(f"day_clearness: expected {day[-1] + 1} days, got {len(day_clearness)}")
    return per_kwp / 1000.0 * array.kwp * np.asarray(day_clearness, float)[day]


def wall_clock(start: str | pd.Timestamp, periods: int, step_min: float) -> pd.DatetimeIndex:
    """The wall times (naive, local) of ``periods`` steps from local midnight of ``start``.

    Parameters
    ----------
    start : str or pandas.Timestamp
        A time on the first day (its time of day and timezone are dropped).
    periods : int
        Number of steps.
    step_min : float
        Length of a step, min.

    Returns
    -------
    pandas.DatetimeIndex
        The naive local wall time at the start of each step.
    """
    start = pd.Timestamp(start)
    day = (start if start.tzinfo is None else start.tz_localize(None)).normalize()
    return pd.date_range(day, periods=periods, freq=pd.Timedelta(minutes=step_min))


def step_instants(wall: pd.DatetimeIndex, tz: str) -> pd.DatetimeIndex:
    """The real instants (``tz``-aware) of local wall times (see the module docstring: a wall
    time that does not exist moves forward, a repeated one is taken as summer time).

    Parameters
    ----------
    wall : pandas.DatetimeIndex
        Naive local wall times (:func:`wall_clock`).
    tz : str
        The region's time zone (IANA name).

    Returns
    -------
    pandas.DatetimeIndex
        The same times, ``tz``-aware.
    """
    return wall.tz_localize(tz, nonexistent="shift_forward", ambiguous=np.ones(len(wall), bool))


@functools.lru_cache(maxsize=32)
def _clear_sky_steps_w_m2(
    lat: float,
    lon: float,
    tilt_deg: float,
    azimuth_deg: float,
    begin: str,
    n_steps: int,
    step_min: int,
    tz: str,
) -> NDArray[np.float64]:
    """Mean clear-sky irradiance on the plane in each step (one-minute samples of the wall
    clock from ``begin``), kept for the variants that differ only in kWp (pvsize simulates
    many on one site); read-only."""
    minutes = step_instants(wall_clock(begin, n_steps * step_min, 1), tz)
    poa = clear_sky_poa_w_m2(lat, lon, minutes, tilt_deg=tilt_deg, azimuth_deg=azimuth_deg)
    out = poa.reshape(n_steps, step_min).mean(axis=1)
    out.flags.writeable = False
    return out


def daylight(lat: float, lon: float, day: str, *, tz: str = "Europe/Riga") -> tuple[str, str]:
    """The first and the last minute (local ``HH:MM``) of ``day`` with clear-sky sunlight.

    Parameters
    ----------
    lat, lon : float
        The site, degrees (WGS84).
    day : str
        The date (``YYYY-MM-DD``).
    tz : str
        The time zone (IANA name) of the minutes returned.

    Returns
    -------
    tuple[str, str]
        Local ``HH:MM`` of the first and of the last minute with clear-sky sunlight.
    """
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

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV of the measured profile.
    kwp : float
        Peak power of the array, kWp (the profile's ``kw_per_kwp`` is multiplied by it).
    start : str or pandas.Timestamp
        The first simulated day (its local midnight starts the profile).
    days : int
        Number of days simulated.
    step_min : int
        Length of a step, min.
    tz : str
        The region's time zone (IANA name): times with an offset are converted to it.

    Returns
    -------
    numpy.ndarray
        Mean generation in each step, kW.

    Raises
    ------
    DataError
        The file cannot be read, a column is missing, a value is not a number >= 0, or the
        profile does not cover the simulated period (the first step missing is named).
    """
    values = measured_steps(
        path,
        "kw_per_kwp",
        key="pv_profile_file",
        start=start,
        days=days,
        step_min=step_min,
        tz=tz,
        what="measured",
    )
    return values * kwp


def measured_steps(
    path: str | Path,
    column: str,
    *,
    key: str,
    start: str | pd.Timestamp,
    days: int,
    step_min: int,
    tz: str,
    what: str,
) -> NDArray[np.float64]:
    """Mean of a measured CSV column (``time``, ``column`` >= 0) in each step from local
    midnight of ``start``, on the region's wall clock (the rule of :func:`measured_profile_kw`;
    the site load's profile reads the same way).

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV file.
    column : str
        The value column (``kw_per_kwp``, ``load_kw``).
    key : str
        The scenario key that names the file (in messages).
    start : str or pandas.Timestamp
        The first simulated day.
    days : int
        Number of days simulated.
    step_min : int
        Length of a step, min.
    tz : str
        The region's time zone (IANA name).
    what : str
        What a missing value is called in the message ("measured", "load").

    Returns
    -------
    numpy.ndarray
        Mean value in each step.

    Raises
    ------
    DataError
        The file cannot be read, a column is missing, a value is not a number >= 0, or the
        profile does not cover the simulated period (the first step missing is named).
    """
    path = Path(path)
    raw = read_text_table(path, ["time", column], key=key)
    try:
        index = pd.DatetimeIndex(pd.to_datetime(raw["time"], format="ISO8601"))
    except (ValueError, TypeError) as exc:
        raise DataError(f"{path}: column time: expected ISO 8601 times ({exc})") from None
    value = pd.to_numeric(raw[column], errors="coerce")
    bad = np.flatnonzero(~(value >= 0))
    if bad.size:
        raise DataError(
            f"{path}: row {bad[0] + 2}: {column}: expected a number >= 0, got "
            f"{raw[column].iloc[bad[0]]!r}"
        )
    if index.tz is not None:  # on the wall clock of the region (module docstring)
        index = index.tz_convert(tz).tz_localize(None)
    series = pd.Series(value.to_numpy(float), index=index).sort_index()
    steps = wall_clock(start, int(round(days * 1440 / step_min)), step_min)
    means = series.resample(f"{step_min}min", origin=steps[0]).mean()
    # a profile coarser than the steps holds its value over each of its intervals
    spacing = series.index.to_series().diff().median() if len(series) > 1 else pd.Timedelta(0)
    fill = max(int(spacing / pd.Timedelta(minutes=step_min)) - 1, 0)
    means = means.reindex(steps)
    means = means.ffill(limit=fill) if fill else means
    gap = steps.tz_localize(tz, nonexistent="NaT", ambiguous=np.ones(len(steps), bool)).isna()
    if gap.any():  # the hour skipped in spring: the value before it
        means = means.where(~gap, means.ffill())
    missing = np.flatnonzero(means.isna().to_numpy())
    if missing.size:
        raise DataError(
            f"{path}: no {what} value for the step from {steps[missing[0]]:%Y-%m-%d %H:%M} "
            f"({tz}); expected the profile to cover {steps[0]:%Y-%m-%d} to "
            f"{steps[-1]:%Y-%m-%d %H:%M}"
        )
    return means.to_numpy(float)
