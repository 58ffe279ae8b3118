"""Weather of solar generation: monthly yields and the day-to-day clearness of the sky.

A clear-sky profile (:mod:`emob_sim.energy.pv`) knows the sun but not the clouds. With a
monthly yield table (``energy.weather.pv_monthly_file``: kWh per kWp in each calendar month,
with its source) each day of month ``m`` is the clear-sky day times the day's *clearness*
``c_d`` (the day's energy over its clear-sky energy, in [0, 1]). Its mean over month ``m`` is
``mu_m`` = the month's yield over the clear-sky irradiation on the array's plane in that month
(pvlib, Ineichen, :func:`~emob_sim.energy.pv.clear_sky_monthly_kwh_per_kwp`), so that a
month's expected total is its yield.

Day-to-day variation (``energy.weather.daily_concentration`` = kappa): ``c_d`` is drawn from a
beta distribution with mean ``mu_m`` and concentration kappa (shape parameters
``mu_m * kappa`` and ``(1 - mu_m) * kappa``; variance ``mu_m (1 - mu_m) / (kappa + 1)``),
ASSUMPTION: a common model of daily clearness indices (bounded, skewed towards overcast in
winter), not fitted to Latvian measurements. The draws come from the run's ``weather`` seed
stream (:mod:`emob_sim.seeds`), one uniform number per day from 1 January of the run's first
year (:mod:`emob_sim.sim.site_inputs`) turned into the day's clearness by the beta quantile
function, so every site of a run sees the same sky, a date has the same sky in every span
that includes it (the simulated days and the money's representative months), and the same
seed gives the same days. Without a concentration every day of a month is ``mu_m``.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.errors import DataError
from emob_sim.io.tables import read_text_table

__all__ = ["read_monthly_yields", "daily_clearness", "monthly_clearness"]

#: a month's mean clearness is kept below this (a beta distribution needs a mean < 1)
_MAX_CLEARNESS = 0.999


def read_monthly_yields(path: str | Path) -> NDArray[np.float64]:
    """The 12 monthly yields (kWh per kWp, January first) of a CSV with columns ``month``
    (1-12, each once), ``kwh_per_kwp`` (a number >= 0) and ``source``.

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV (``energy.weather.pv_monthly_file``).

    Returns
    -------
    numpy.ndarray
        12 yields, kWh per kWp, January first.

    Raises
    ------
    DataError
        The file cannot be read, a column is missing, a month is missing or repeated, a
        value is not a number >= 0 or a source is empty.
    """
    path = Path(path)
    try:
        info = path.stat()
    except OSError:  # let the reader name the problem
        return _read_monthly_yields(path, None).copy()
    return _read_monthly_yields(path, (info.st_ino, info.st_size, info.st_mtime_ns)).copy()


@functools.lru_cache(maxsize=16)
def _read_monthly_yields(path: Path, stamp: tuple | None) -> NDArray[np.float64]:
    """:func:`read_monthly_yields`, read once per file version (``stamp``: its inode, size and
    modification time; a run reads the table for every site and solar profile)."""
    key = "energy.weather.pv_monthly_file"
    raw = read_text_table(path, ["month", "kwh_per_kwp", "source"], key=key)
    month = pd.to_numeric(raw["month"], errors="coerce")
    value = pd.to_numeric(raw["kwh_per_kwp"], errors="coerce")
    for i in range(len(raw)):
        if month.iloc[i] not in range(1, 13):
            raise DataError(
                f"{key}: {path}: row {i + 2}: month: expected 1-12, got {raw['month'].iloc[i]!r}"
            )
        if not value.iloc[i] >= 0:
            raise DataError(
                f"{key}: {path}: row {i + 2}: kwh_per_kwp: expected a number >= 0, "
                f"got {raw['kwh_per_kwp'].iloc[i]!r}"
            )
        if not raw["source"].iloc[i]:
            raise DataError(
                f"{key}: {path}: row {i + 2}: source: expected the value's source "
                "or the word ASSUMPTION, got an empty cell"
            )
    have = sorted(month.astype(int))
    if have != list(range(1, 13)):
        missing = sorted(set(range(1, 13)) - set(have))
        what = f"month {missing[0]} missing" if missing else "a month given twice"
        raise DataError(f"{key}: {path}: expected each month 1-12 once, {what}")
    out = np.zeros(12)
    out[month.astype(int).to_numpy() - 1] = value.to_numpy(float)
    return out


def monthly_clearness(
    yields_kwh_per_kwp: NDArray[np.float64], clear_kwh_per_kwp: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Each month's mean clearness ``mu_m``: its yield over its clear-sky yield (both per
    kWp, 12 values), kept in [0, 0.999].

    Parameters
    ----------
    yields_kwh_per_kwp : numpy.ndarray
        The 12 monthly yields, kWh per kWp, January first (:func:`read_monthly_yields`).
    clear_kwh_per_kwp : numpy.ndarray
        The 12 clear-sky yields of the site and array, kWh per kWp
        (:func:`~emob_sim.energy.pv.clear_sky_monthly_kwh_per_kwp`).

    Returns
    -------
    numpy.ndarray
        ``mu_m`` of each month (0 where the clear sky gives nothing).
    """
    clear = np.asarray(clear_kwh_per_kwp, float)
    mu = np.divide(yields_kwh_per_kwp, clear, out=np.zeros(12), where=clear > 0)
    return np.clip(mu, 0.0, _MAX_CLEARNESS)


def daily_clearness(
    months: NDArray[np.int64],
    mean_clearness: NDArray[np.float64],
    *,
    seed_seq: np.random.SeedSequence | None,
    concentration: float | None,
) -> NDArray[np.float64]:
    """The clearness of each day (see the module docstring).

    Parameters
    ----------
    months
        The calendar month (1-12) of each day of the run, in order.
    mean_clearness
        ``mu_m`` of each calendar month (:func:`monthly_clearness`).
    seed_seq
        The run's ``weather`` stream; None (or no ``concentration``): every day its mean.
    concentration
        kappa of the beta distribution (> 0); None: no day-to-day variation.

    Returns
    -------
    numpy.ndarray
        The clearness of each day (0-1): generation over clear-sky generation.
    """
    mu = np.asarray(mean_clearness, float)[np.asarray(months, np.int64) - 1]
    if seed_seq is None or concentration is None:
        return mu
    from scipy.stats import beta

    u = np.random.default_rng(seed_seq).random(len(mu))
    out = np.zeros(len(mu))
    lit = mu > 0
    out[lit] = beta.ppf(u[lit], mu[lit] * concentration, (1.0 - mu[lit]) * concentration)
    return out
