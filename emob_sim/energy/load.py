"""A site's own electricity load (a factory's, an office building's) under the grid connection
its chargers share: a standard load profile scaled to the annual consumption, or measured.

Shapes (``load_shape``) are the German standard load profiles of the BDEW (VDEW 1999,
"Repräsentative VDEW-Lastprofile", from 1,209 measured low-voltage customers; 96 quarter hours
for each of workday, Saturday and Sunday in winter (1 Nov - 20 Mar), summer (15 May - 14 Sep)
and transition; the values as shipped by the demandlib package of oemof, MIT licence):

- ``office``: G1, "Gewerbe werktags 8-18 Uhr" (businesses open on workdays 8-18 h: offices,
  surgeries, workshops, administrations);
- ``factory_1shift``: G1 as well (ASSUMPTION: a one-shift factory keeps the workshop hours G1
  was measured on);
- ``factory_3shift``: G3, "Gewerbe durchlaufend" (continuous operation).

ASSUMPTION: German profiles transfer to Latvian sites (the same working week and seasons);
public holidays are not marked (they count as the weekday they fall on). The profile follows
the region's wall clock (:mod:`emob_sim.energy.pv`); it is scaled so that a calendar year of
the start's year gives ``annual_kwh``. A step shorter than 15 minutes takes its quarter hour's
value.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.energy.pv import measured_steps, wall_clock

__all__ = ["LOAD_SHAPES", "shaped_load_kw", "measured_load_kw"]

#: load_shape -> BDEW standard load profile
LOAD_SHAPES = {"office": "g1", "factory_1shift": "g1", "factory_3shift": "g3"}
_SEASONS = ("winter", "transition", "summer")


@functools.lru_cache(maxsize=4)
def _profiles(column: str) -> NDArray[np.float64]:
    """The profile's 96 quarter hours per (season, day type): shape (3, 3, 96); seasons as
    :data:`_SEASONS`, day types workday, Saturday, Sunday."""
    path = resources.files("demandlib.bdew").joinpath("bdew_data/selp_series.csv")
    with resources.as_file(path) as file:
        table = pd.read_csv(file, usecols=["period", "weekday", column])
    out = np.zeros((3, 3, 96))
    for s, season in enumerate(_SEASONS):
        for d, weekday in enumerate((1, 6, 7)):  # Monday stands for every workday
            rows = table[(table["period"] == season) & (table["weekday"] == weekday)]
            out[s, d] = rows[column].to_numpy(float)
    return out


def _lookup(wall: pd.DatetimeIndex, column: str) -> NDArray[np.float64]:
    md = wall.month * 100 + wall.day
    season = np.where((md >= 1101) | (md <= 320), 0, np.where((md >= 515) & (md <= 914), 2, 1))
    dow = wall.day_of_week.to_numpy()
    day = np.where(dow < 5, 0, np.where(dow == 5, 1, 2))
    quarter = (wall.hour * 4 + wall.minute // 15).to_numpy()
    return _profiles(column)[season, day, quarter]


def shaped_load_kw(
    shape: str, annual_kwh: float, *, start: str | pd.Timestamp, days: int, step_min: int
) -> NDArray[np.float64]:
    """Mean load (kW) in each step of the wall clock from local midnight of ``start``.

    Parameters
    ----------
    shape : str
        A key of :data:`LOAD_SHAPES`: the BDEW standard load profile (demandlib) scaled.
    annual_kwh : float
        The site's electricity use in the calendar year of ``start``, kWh.
    start : str or pandas.Timestamp
        The first simulated day.
    days : int
        Number of days simulated.
    step_min : int
        Length of a step, min.

    Returns
    -------
    numpy.ndarray
        Mean load in each of the ``days * 1440 / step_min`` steps, kW.
    """
    column = LOAD_SHAPES[shape]
    wall = wall_clock(start, int(round(days * 1440 / step_min)), step_min)
    year = wall[0].year
    whole = pd.date_range(f"{year}-01-01", f"{year + 1}-01-01", freq="15min", inclusive="left")
    scale = annual_kwh / (_lookup(whole, column).sum() * 0.25)
    return _lookup(wall, column) * scale


def measured_load_kw(
    path: str | Path, *, start: str | pd.Timestamp, days: int, step_min: int, tz: str
) -> NDArray[np.float64]:
    """Mean load (kW) in each step from a measured profile: a CSV with columns ``time`` (ISO
    8601, local wall time unless it carries an offset; each value holds from its time to the
    next, every 15 minutes or finer) and ``load_kw`` (>= 0), covering the simulated days.

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV of the measured profile.
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
        Mean load in each step, kW.

    Raises
    ------
    DataError
        The file cannot be read, a column is missing, a value is not a number >= 0, or the
        profile does not cover the simulated period (the first step missing is named).
    """
    return measured_steps(
        path,
        "load_kw",
        key="load_profile_file",
        start=start,
        days=days,
        step_min=step_min,
        tz=tz,
        what="load",
    )
