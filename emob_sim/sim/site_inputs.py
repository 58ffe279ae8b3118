"""What an energy site's allocation is given: its solar power and own load over a span of
days, its cars' plug windows, and one call of the allocation kernel on them.

Used for the simulated days (:mod:`emob_sim.sim.site_energy`) and for the representative
year of a site's money (:mod:`emob_sim.sim.site_year`). A day's solar clearness
(:mod:`emob_sim.energy.weather`) is drawn for every day from 1 January of the span's first
year, so a date has the same sky whichever span includes it.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from emob_sim.config.models import Scenario, SiteEnergy
from emob_sim.energy import (
    PVArray,
    clear_sky_monthly_kwh_per_kwp,
    daily_clearness,
    measured_load_kw,
    measured_profile_kw,
    monthly_clearness,
    pv_profile_kw,
    read_monthly_yields,
    shaped_load_kw,
)
from emob_sim.kernels.allocation import STRATEGIES, allocate_power
from emob_sim.kernels.structs import make_plugged_cars, make_site_battery, make_site_steps
from emob_sim.seeds import seed_streams

__all__ = ["plug_steps", "site_load_kw", "site_solar_kw", "allocate_site"]


def plug_steps(
    visits: pd.DataFrame, step_s: float, *, workplace: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The allocation kernel's view of a site's visits: plug-in and departure in steps
    (fractional: the exact times), need (0 without a plug) and most power of each car.

    A workplace car is plugged in from its arrival to its departure and draws at most its
    ``max_kw``; a public session keeps its plug-in time and draws at most its mean power
    over it (so that uncontrolled charging delivers exactly its energy).

    Parameters
    ----------
    visits : pandas.DataFrame
        The site's visits: ``arrive_s``, ``depart_s`` (s), ``need_kwh`` (kWh) and, at a
        workplace, ``plugged`` and ``max_kw`` (kW).
    step_s : float
        Length of an energy step, s.
    workplace : bool
        Whether the site is a workplace site (its visits say who got a plug and at what
        power; a public site's cars draw their mean power over their stay).

    Returns
    -------
    tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray, numpy.ndarray]
        Per visit: plug-in step, plug-out step, energy needed (kWh) and most power (kW).
    """
    arrive_s, depart_s = visits["arrive_s"].to_numpy(float), visits["depart_s"].to_numpy(float)
    depart_s = np.maximum(depart_s, arrive_s)
    arrive, depart = arrive_s / step_s, depart_s / step_s
    if workplace:
        plugged = visits["plugged"].to_numpy(bool)
        max_kw = visits["max_kw"].to_numpy(float)
    else:  # at its mean power over its plug-in time
        plugged = np.ones(len(visits), dtype=bool)
        hours = np.maximum(depart_s - arrive_s, 1e-6) / 3600.0
        max_kw = visits["need_kwh"].to_numpy(float) / hours
        depart = np.maximum(depart, arrive + 1e-6 / step_s)
    depart = np.where(plugged, depart, arrive)  # no plug: no time plugged in
    need = np.where(plugged, visits["need_kwh"].to_numpy(float), 0.0)
    return arrive, depart, need, max_kw


def site_load_kw(
    scenario: Scenario, spec: SiteEnergy, *, start: pd.Timestamp, days: int
) -> np.ndarray:
    """The site's own load in each step of ``days`` days from ``start`` (zeros without one).

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario (``energy.step_min``, ``energy.timezone``).
    spec : SiteEnergy
        The site's energy set-up (``load_profile_file`` or ``load_shape``).
    start : pandas.Timestamp
        The first day (its local midnight starts the steps).
    days : int
        Number of days.

    Returns
    -------
    numpy.ndarray
        kW, the mean over each step.
    """
    energy = scenario.energy
    if spec.load_profile_file is not None:
        return measured_load_kw(
            spec.load_profile_file,
            start=start,
            days=days,
            step_min=energy.step_min,
            tz=energy.timezone,
        )
    if spec.load_shape is None:
        return np.zeros(int(round(days * 1440 / energy.step_min)))
    return shaped_load_kw(
        spec.load_shape, spec.annual_load_kwh, start=start, days=days, step_min=energy.step_min
    )


def site_solar_kw(
    scenario: Scenario, spec: SiteEnergy, site: dict, *, start: pd.Timestamp, days: int
) -> np.ndarray:
    """Solar power of the site's array in each step of ``days`` days from ``start`` (zeros
    without one): measured, or the clear sky scaled to the monthly yields with a clearness
    per day from the run's ``weather`` seed stream (see the module docstring), or to the one
    annual yield.

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario (``solar``, ``energy.weather``, ``seed``).
    spec : SiteEnergy
        The site's energy set-up (``pv_kwp``, orientation, ``pv_profile_file``).
    site : dict
        The site's row (``lat``, ``lon``).
    start : pandas.Timestamp
        The first day (its local midnight starts the steps).
    days : int
        Number of days.

    Returns
    -------
    numpy.ndarray
        kW, the mean over each step.
    """
    energy = scenario.energy
    if spec.pv_kwp <= 0:
        return np.zeros(int(round(days * 1440 / energy.step_min)))
    if spec.pv_profile_file is not None:
        return measured_profile_kw(
            spec.pv_profile_file,
            spec.pv_kwp,
            start=start,
            days=days,
            step_min=energy.step_min,
            tz=energy.timezone,
        )
    solar = scenario.solar
    array = PVArray(
        spec.pv_kwp,
        solar.tilt_deg if spec.pv_tilt_deg is None else spec.pv_tilt_deg,
        solar.azimuth_deg if spec.pv_azimuth_deg is None else spec.pv_azimuth_deg,
        solar.annual_yield_kwh_per_kwp,
    )
    weather = energy.weather
    clearness = None
    if weather.pv_monthly_file is not None:  # monthly yields, a clearness per day
        clear = clear_sky_monthly_kwh_per_kwp(
            site["lat"], site["lon"], tilt_deg=array.tilt_deg, azimuth_deg=array.azimuth_deg
        )
        mu = monthly_clearness(read_monthly_yields(weather.pv_monthly_file), clear)
        skip = (start.normalize() - pd.Timestamp(year=start.year, month=1, day=1)).days
        span = max(skip + days, 731)  # a draw's first values do not depend on its length
        clearness = _clearness_from_new_year(
            scenario.seed, start.year, tuple(mu), weather.daily_concentration, span
        )[skip : skip + days]
    return pv_profile_kw(
        site["lat"],
        site["lon"],
        array,
        start=start,
        days=days,
        step_min=energy.step_min,
        tz=energy.timezone,
        day_clearness=clearness,
    )


@functools.lru_cache(maxsize=32)
def _clearness_from_new_year(
    seed: int, year: int, mu: tuple[float, ...], concentration: float | None, days: int
) -> np.ndarray:
    """The clearness of ``days`` days from 1 January of ``year`` (the run's ``weather``
    stream; the same for every site, block and candidate of a run: drawn once)."""
    first = pd.Timestamp(year=year, month=1, day=1)
    months = pd.date_range(first, periods=days, freq="D").month.to_numpy()
    out = daily_clearness(
        months,
        np.asarray(mu),
        seed_seq=seed_streams(seed)["weather"],
        concentration=concentration,
    )
    out.setflags(write=False)
    return out


def allocate_site(
    spec: SiteEnergy,
    cars: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    *,
    pv_kw: np.ndarray,
    load_kw: np.ndarray,
    step_s: float,
    export_limit_kw: float,
    reference: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The allocation kernel on one site's steps: under its set-up, or (``reference``) the
    same cars and load without solar, battery or limit, charging uncontrolled.

    Parameters
    ----------
    spec : SiteEnergy
        The site's energy set-up (strategy, grid limit, battery).
    cars : tuple of numpy.ndarray
        Plug-in step, plug-out step, need (kWh) and most power (kW) of each car
        (:func:`plug_steps`).
    pv_kw, load_kw : numpy.ndarray
        Solar power and the site's own load in each step, kW.
    step_s : float
        Length of a step, s.
    export_limit_kw : float
        The most power fed into the grid (inf: none).
    reference : bool
        Whether to allocate the reference instead of the site's set-up.

    Returns
    -------
    tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]
        The flows per step (columns :data:`~emob_sim.kernels.allocation.FLOWS`), the energy
        each car got (kWh) and the cars drawing power in each step.
    """
    n = len(load_kw)
    arrive, depart, need, max_kw = cars
    plugged = make_plugged_cars(arrive=arrive, depart=depart, need_kwh=need, max_kw=max_kw)
    step_h = step_s / 3600.0
    if reference:
        steps = make_site_steps(
            step_h=step_h,
            limit_kw=np.full(n, np.inf),
            pv_kw=np.zeros(n),
            load_kw=load_kw,
            export_kw=np.zeros(n),
        )
        battery = make_site_battery(
            capacity_kwh=0.0, power_kw=0.0, efficiency=1.0, grid_charge_below_kw=-1.0
        )
        strategy = STRATEGIES.index("uncontrolled")
    else:
        steps = make_site_steps(
            step_h=step_h,
            limit_kw=np.full(n, spec.grid_limit_kw or np.inf),
            pv_kw=pv_kw,
            load_kw=load_kw,
            export_kw=np.full(n, export_limit_kw),
        )
        below = spec.battery_grid_charge_below_kw
        battery = make_site_battery(
            capacity_kwh=spec.battery_kwh,
            power_kw=spec.battery_kw,
            efficiency=spec.battery_efficiency,
            grid_charge_below_kw=-1.0 if below is None else below,
        )
        strategy = STRATEGIES.index(spec.strategy)
    _, flows, got, drawing = allocate_power(plugged, steps, battery, strategy, False)
    return flows, got, drawing
