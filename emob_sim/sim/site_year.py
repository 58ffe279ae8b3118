"""A site's year for its money: twelve representative months of its steps.

A site's bill, savings, NPV and scorecard are a year's figures, but the car simulation runs a
few days. The year is built from the simulated days (``time.days``, day 0 on
``time.start_date``): for each calendar month of the start date's year a *block* of the same
length as the simulated steps starts on the same weekday as ``time.start_date``, on the
month's 9th to 15th. A block has the solar power and site load of its own dates (the sun of
those days, their clearness as drawn, scaled so that the block's solar energy is that of the
month's mean clearness: a week's weather does not stand for a month of it) and the simulated
days' cars at the same clock times. It is allocated by the same kernel under the site's
set-up and as the reference (no solar, no battery, no limit, uncontrolled). Each block
stands for its month: its energies count ``days of the month / days of the block`` times,
and its peak is the month's peak (the capacity charge is billed on each month's peak).

So the cars of the simulated days are taken to come every day of the year (as a simulated
week stands for every week); the sun, the site's load and the monthly peaks are the year's.
When the simulated days span four weeks or more, or a measured solar or load profile does
not cover every block, the year is the simulated steps themselves, each counting
``365 / simulated days`` times (``basis`` says which).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

import numpy as np
import pandas as pd

from emob_sim.config.models import Scenario, SiteEnergy
from emob_sim.energy import wall_clock
from emob_sim.errors import DataError
from emob_sim.kernels.allocation import FLOWS
from emob_sim.sim.site_inputs import allocate_site, site_load_kw, site_solar_kw

__all__ = ["SiteYear", "site_year", "block_starts", "BASIS_MONTHS", "BASIS_DAYS"]

#: ``SiteYear.basis`` of twelve representative months
BASIS_MONTHS = "12 representative months"
#: ``SiteYear.basis`` of the simulated steps annualised
BASIS_DAYS = "the simulated days x 365 / days"
#: a run of this many days or more is its own year (its steps annualised)
_LONG_RUN_DAYS = 28


@dataclass(frozen=True, eq=False)
class SiteYear:
    """A site's year of steps: ``flows`` (columns :data:`~emob_sim.kernels.allocation.FLOWS`)
    and ``reference_import_kw`` per step, ``time`` the wall-clock start of each step,
    ``block`` the month (1-12) or block each step belongs to, ``weight`` the days of the year
    each step's day stands for (energies x ``weight`` add up to a year), ``basis`` how the
    year was built (:data:`BASIS_MONTHS` or :data:`BASIS_DAYS`)."""

    time: pd.DatetimeIndex
    block: np.ndarray
    weight: np.ndarray
    flows: pd.DataFrame
    reference_import_kw: np.ndarray
    basis: str


def block_starts(start: pd.Timestamp) -> list[pd.Timestamp]:
    """The first day of each month's block: the day from the 9th to the 15th of the month
    of the start date's year on the start date's weekday.

    Parameters
    ----------
    start : pandas.Timestamp
        ``time.start_date``.

    Returns
    -------
    list[pandas.Timestamp]
        Twelve dates, January first.
    """
    out = []
    for month in range(1, 13):
        mid = pd.Timestamp(year=start.year, month=month, day=15)
        out.append(mid - pd.Timedelta(days=(mid.day_of_week - start.day_of_week) % 7))
    return out


def _block_solar_kw(
    scenario: Scenario, spec: SiteEnergy, site: dict, first: pd.Timestamp, days: int
) -> np.ndarray:
    """A block's solar power: its days' drawn clearness, scaled so that the block's energy is
    that of its month's mean clearness (one week's weather stands for the month's mean, not
    for a month of that week's weather)."""
    pv = site_solar_kw(scenario, spec, site, start=first, days=days)
    weather = scenario.energy.weather
    if spec.pv_profile_file is not None or weather.pv_monthly_file is None:
        return pv
    if weather.daily_concentration is None or pv.sum() <= 0:
        return pv
    calm = weather.model_copy(update={"daily_concentration": None})
    mean = scenario.model_copy(
        update={"energy": scenario.energy.model_copy(update={"weather": calm})}
    )
    return pv * (site_solar_kw(mean, spec, site, start=first, days=days).sum() / pv.sum())


def site_year(
    scenario: Scenario,
    spec: SiteEnergy,
    site: dict,
    *,
    cars: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    n_steps: int,
    step_s: float,
    simulated: tuple[pd.DatetimeIndex, pd.DataFrame],
) -> SiteYear:
    """The site's year (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario (``time``, ``energy``, ``solar``, ``seed``).
    spec : SiteEnergy
        The site's energy set-up.
    site : dict
        The site's row (``lat``, ``lon``, ``export_limit_kw``).
    cars : tuple of numpy.ndarray
        The site's cars as the kernel sees them (:func:`~emob_sim.sim.site_inputs.plug_steps`).
    n_steps : int
        Steps of the simulated days (a block has as many).
    step_s : float
        Length of a step, s.
    simulated : tuple[pandas.DatetimeIndex, pandas.DataFrame]
        The simulated steps' wall-clock times and flows (the year when the run is its own).

    Returns
    -------
    SiteYear
        The year's steps, their weights and the reference's grid import.
    """
    days = n_steps * step_s / 86400.0
    start = pd.Timestamp(scenario.time.start_date)
    block_days = int(np.ceil(days - 1e-9))
    export = site["export_limit_kw"]
    if days < _LONG_RUN_DAYS:
        try:
            pieces = []
            for month, first in enumerate(block_starts(start), start=1):
                pv = _block_solar_kw(scenario, spec, site, first, block_days)[:n_steps]
                load = site_load_kw(scenario, spec, start=first, days=block_days)[:n_steps]
                flows, _, _ = allocate_site(
                    spec, cars, pv_kw=pv, load_kw=load, step_s=step_s, export_limit_kw=export
                )
                ref, _, _ = allocate_site(
                    spec,
                    cars,
                    pv_kw=pv,
                    load_kw=load,
                    step_s=step_s,
                    export_limit_kw=export,
                    reference=True,
                )
                times = wall_clock(first.date(), n_steps, scenario.energy.step_min)
                weight = calendar.monthrange(start.year, month)[1] / days
                pieces.append((times, month, weight, flows, ref))
        except DataError:  # a measured profile that does not cover every block
            pieces = None
        if pieces is not None:
            return SiteYear(
                time=pd.DatetimeIndex(np.concatenate([p[0] for p in pieces])),
                block=np.concatenate([np.full(n_steps, p[1]) for p in pieces]),
                weight=np.concatenate([np.full(n_steps, p[2]) for p in pieces]),
                flows=pd.DataFrame(np.concatenate([p[3] for p in pieces]), columns=list(FLOWS)),
                reference_import_kw=np.concatenate(
                    [p[4][:, FLOWS.index("grid_import_kw")] for p in pieces]
                ),
                basis=BASIS_MONTHS,
            )
    times, flows = simulated
    load = flows["site_load_kw"].to_numpy(float)
    ref, _, _ = allocate_site(
        spec,
        cars,
        pv_kw=np.zeros(len(load)),
        load_kw=load,
        step_s=step_s,
        export_limit_kw=export,
        reference=True,
    )
    return SiteYear(
        time=pd.DatetimeIndex(times),
        block=pd.DatetimeIndex(times).month.to_numpy(),
        weight=np.full(len(load), 365.0 / days if days > 0 else 0.0),
        flows=flows.reset_index(drop=True),
        reference_import_kw=ref[:, FLOWS.index("grid_import_kw")],
        basis=BASIS_DAYS,
    )
