"""Site energy: the power each plugged car gets, step by step, under its site's strategy, and
where that power comes from (solar, battery, grid).

Sites with an energy set-up are the workplace sites of the industrial areas (their visits from
:mod:`emob_sim.sim.workplace`) and the public sites named in ``energy.sites`` (their sessions
from the car simulation). Time runs in steps of ``energy.step_min`` from day 0's midnight
(``time.start_date``, ``energy.timezone``) to the end of the horizon or of the last visit.

- A workplace car is plugged in from the first whole step after its arrival to the last whole
  step before its departure (a shorter stay gets nothing), needs ``need_kwh`` and draws at
  most ``max_kw``.
- A public session keeps the plug-in time the simulation gave it (drivers leave when they
  planned to): it covers the steps it overlaps and draws at most its mean power over them,
  so that uncontrolled charging delivers exactly its energy; a binding limit delivers less,
  reported as energy not delivered.

Solar power is pvlib's clear-sky profile at the site scaled to ``solar.annual_yield_kwh_per_kwp``
(:func:`~emob_sim.energy.pv_profile_kw`) or a measured profile
(:func:`~emob_sim.energy.measured_profile_kw`). The allocation per step is the numba kernel
:func:`~emob_sim.kernels.allocation.allocate_power`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from emob_sim.config.models import Scenario, SiteEnergy
from emob_sim.energy import PVArray, measured_profile_kw, pv_profile_kw
from emob_sim.errors import ConfigError
from emob_sim.kernels.allocation import STRATEGIES, allocate_power
from emob_sim.region import Region
from emob_sim.sim.outputs import SimResult

__all__ = [
    "SiteEnergyResult",
    "simulate_site_energy",
    "check_site_energy",
    "plug_steps",
    "SITE_ENERGY_COLUMNS",
    "ENERGY_SITE_COLUMNS",
]

#: SiteEnergyResult.steps: one row per energy site and time step
SITE_ENERGY_COLUMNS = [
    "site_id",  # the area_id of a workplace site, the site_id of a public one
    "step",  # int, from 0 at day 0's midnight
    "time",  # local start of the step (energy.timezone)
    "charging_cars",  # int, cars drawing power in the step
    "charging_kw",  # mean power into the cars
    "pv_kw",  # solar generation
    "pv_used_kw",  # of which into the cars
    "battery_in_kw",  # of which into the battery
    "battery_out_kw",  # from the battery into the cars
    "grid_kw",  # from the grid into the cars
    "battery_kwh",  # stored at the end of the step
    "limit_kw",  # the grid connection (inf: none given)
]
#: SiteEnergyResult.sites: one row per energy site
ENERGY_SITE_COLUMNS = [
    "site_id", "name", "kind", "lon", "lat", "plugs", "plug_kw", "strategy", "grid_limit_kw",
    "pv_kwp", "battery_kwh", "battery_kw",
]  # fmt: skip


@dataclass(frozen=True, eq=False)
class SiteEnergyResult:
    """The energy of the sites with an energy set-up.

    ``sites`` describes them (:data:`ENERGY_SITE_COLUMNS`; kind ``workplace`` or ``public``),
    ``steps`` holds their power per step (:data:`SITE_ENERGY_COLUMNS`), ``visits`` every car
    at one of them (the workplace visits of :mod:`emob_sim.sim.workplace` and the public
    sessions) with ``site_id``, ``need_kwh``, ``delivered_kwh`` and ``plugged``; ``step_s`` is
    the step length.
    """

    sites: pd.DataFrame
    steps: pd.DataFrame
    visits: pd.DataFrame
    step_s: float

    @property
    def empty(self) -> bool:
        return not len(self.sites)


def simulate_site_energy(
    scenario: Scenario, region: Region, sim: SimResult, visits: pd.DataFrame
) -> SiteEnergyResult:
    """Allocate the power at every workplace site and every public site of ``energy.sites``.

    Raises
    ------
    ConfigError
        ``energy.sites`` names a site that the run does not have, or an industrial area's id.
    DataError
        A measured solar profile is unreadable or does not cover the simulated period.
    """
    energy = scenario.energy
    step_s = energy.step_min * 60.0
    public = _public_visits(scenario, region, sim)
    areas = region.industrial_areas
    work = visits.assign(site_id=visits["area_id"]).drop(columns=["area_idx", "area_id"])
    all_visits = pd.concat([work, public], ignore_index=True) if len(public) else work
    last = float(all_visits["depart_s"].max()) if len(all_visits) else 0.0
    n_steps = int(math.ceil(max(scenario.time.days * 86400.0, last) / step_s))
    days = int(math.ceil(n_steps * step_s / 86400.0))
    begin = pd.Timestamp(scenario.time.start_date).tz_localize(energy.timezone)
    times = pd.date_range(begin, periods=n_steps, freq=f"{energy.step_min}min")

    rows, steps, delivered = [], [], np.zeros(len(all_visits))
    site_of_visit = all_visits["site_id"].astype(str).to_numpy()
    for spec, site in _energy_sites(scenario, region, areas):
        pv = _solar_kw(scenario, spec, site, days=days)[:n_steps]
        idx = np.flatnonzero(site_of_visit == site["site_id"])
        v = all_visits.iloc[idx]
        arrive, depart, need, max_kw = plug_steps(v, step_s, workplace=site["kind"] == "workplace")
        limit = np.full(n_steps, spec.grid_limit_kw or np.inf)
        _, pv_used, batt_in, batt_out, grid, stored, got, charging_kw, cars = allocate_power(
            arrive, depart, need, max_kw, limit, pv, step_s / 3600.0, spec.battery_kwh,
            spec.battery_kw, spec.battery_efficiency, STRATEGIES.index(spec.strategy), False,
        )  # fmt: skip
        delivered[idx] = got
        steps.append(pd.DataFrame({
            "site_id": site["site_id"], "step": np.arange(n_steps, dtype=np.int64),
            "time": times, "charging_cars": cars,
            "charging_kw": charging_kw, "pv_kw": pv, "pv_used_kw": pv_used,
            "battery_in_kw": batt_in, "battery_out_kw": batt_out, "grid_kw": grid,
            "battery_kwh": stored, "limit_kw": limit,
        }))  # fmt: skip
        rows.append(site)
    all_visits = all_visits.assign(delivered_kwh=delivered)
    sites = pd.DataFrame(rows, columns=ENERGY_SITE_COLUMNS)
    table = (pd.concat(steps, ignore_index=True) if steps
             else pd.DataFrame({c: [] for c in SITE_ENERGY_COLUMNS}))  # fmt: skip
    return SiteEnergyResult(sites=sites, steps=table[SITE_ENERGY_COLUMNS], visits=all_visits,
                            step_s=step_s)  # fmt: skip


def check_site_energy(scenario: Scenario, region: Region) -> None:
    """Refuse, before anything is simulated, what :func:`simulate_site_energy` would: a public
    site of ``energy.sites`` that the run does not have, a measured solar profile that cannot
    be read or does not cover the simulated days.

    Raises
    ------
    ConfigError, DataError
        As :func:`simulate_site_energy`.
    """
    specs = list(_energy_sites(scenario, region, region.industrial_areas))
    for spec, site in specs:
        if spec.pv_profile_file is not None:
            _solar_kw(scenario, spec, site, days=scenario.time.days)


def plug_steps(
    visits: pd.DataFrame, step_s: float, *, workplace: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The allocation kernel's view of a site's visits: first step, step after the last,
    need (0 without a plug) and most power of each car (see the module docstring)."""
    arrive_s, depart_s = visits["arrive_s"].to_numpy(float), visits["depart_s"].to_numpy(float)
    if workplace:  # whole steps inside the stay
        arrive = np.ceil(arrive_s / step_s).astype(np.int64)
        depart = np.floor(depart_s / step_s).astype(np.int64)
        plugged = visits["plugged"].to_numpy(bool)
        max_kw = visits["max_kw"].to_numpy(float)
    else:  # the steps the session overlaps, at its mean power over them
        arrive = np.floor(arrive_s / step_s).astype(np.int64)
        depart = np.maximum(np.ceil(depart_s / step_s).astype(np.int64), arrive + 1)
        plugged = np.ones(len(visits), dtype=bool)
        max_kw = visits["need_kwh"].to_numpy(float) / ((depart - arrive) * step_s / 3600.0)
    depart = np.where(plugged, np.maximum(depart, arrive), arrive)  # no plug: no steps
    need = np.where(plugged, visits["need_kwh"].to_numpy(float), 0.0)
    return arrive, depart, need, max_kw


def _energy_sites(scenario: Scenario, region: Region, areas: pd.DataFrame):
    """(energy set-up, site row of :data:`ENERGY_SITE_COLUMNS`) of every energy site: the
    workplace sites, then the public ones in the order of ``energy.sites``."""
    for row in areas.to_dict(orient="records"):
        spec = SiteEnergy(**{k: row[k] for k in SiteEnergy.model_fields})
        yield spec, _site_row(spec, row["area_id"], row["name"], "workplace", row["lon"],
                              row["lat"], row["plugs"], row["plug_kw"])  # fmt: skip
    public = region.sites.set_index(region.sites["site_id"].astype(str))
    area_ids = set(areas["area_id"].astype(str))
    for spec in scenario.energy.sites:
        if spec.site_id in area_ids:
            raise ConfigError(
                f"energy.sites: site_id {spec.site_id!r} is also the area_id of an industrial "
                "area, expected different ids (the cars of both would be counted as one site's)"
            )
        if spec.site_id not in public.index:
            known = ", ".join(list(public.index)[:10])
            raise ConfigError(
                f"energy.sites: site_id {spec.site_id!r} is not a car site of this run, "
                f"expected one of: {known}"
            )
        s = public.loc[spec.site_id]
        yield spec, _site_row(spec, spec.site_id, s["name"], "public", s["lon"], s["lat"],
                              s["plugs"], s["power_kw"])  # fmt: skip


def _site_row(spec: SiteEnergy, site_id, name, kind, lon, lat, plugs, plug_kw) -> dict:
    return {
        "site_id": str(site_id), "name": str(name), "kind": kind, "lon": float(lon),
        "lat": float(lat), "plugs": int(plugs), "plug_kw": float(plug_kw),
        "strategy": spec.strategy, "grid_limit_kw": spec.grid_limit_kw or np.inf,
        "pv_kwp": spec.pv_kwp, "battery_kwh": spec.battery_kwh, "battery_kw": spec.battery_kw,
    }  # fmt: skip


def _solar_kw(scenario: Scenario, spec: SiteEnergy, site: dict, *, days: int) -> np.ndarray:
    """Solar power of the site's array in each step (zeros without one)."""
    energy = scenario.energy
    n = int(round(days * 1440 / energy.step_min))
    if spec.pv_kwp <= 0:
        return np.zeros(n)
    start = pd.Timestamp(scenario.time.start_date)
    if spec.pv_profile_file is not None:
        return measured_profile_kw(spec.pv_profile_file, spec.pv_kwp, start=start, days=days,
                                   step_min=energy.step_min, tz=energy.timezone)  # fmt: skip
    solar = scenario.solar
    array = PVArray(
        spec.pv_kwp,
        solar.tilt_deg if spec.pv_tilt_deg is None else spec.pv_tilt_deg,
        solar.azimuth_deg if spec.pv_azimuth_deg is None else spec.pv_azimuth_deg,
        solar.annual_yield_kwh_per_kwp,
    )
    return pv_profile_kw(site["lat"], site["lon"], array, start=start, days=days,
                         step_min=energy.step_min, tz=energy.timezone)  # fmt: skip


def _public_visits(scenario: Scenario, region: Region, sim: SimResult) -> pd.DataFrame:
    """The sessions at the public sites of ``energy.sites`` as visits."""
    ids = {s.site_id for s in scenario.energy.sites}
    sessions = sim.sessions
    chosen = sessions[sessions["site_id"].astype(str).isin(ids)]
    return pd.DataFrame(
        {
            "site_id": chosen["site_id"].astype(str).to_numpy(dtype=object),
            "vehicle_id": chosen["vehicle_id"].to_numpy(np.int64),
            "trip_id": chosen["trip_id"].to_numpy(np.int64),
            "arrive_s": chosen["start_s"].to_numpy(float),
            "depart_s": chosen["end_s"].to_numpy(float),
            "need_kwh": chosen["energy_kwh"].to_numpy(float),
            "plugged": np.ones(len(chosen), dtype=bool),
        }
    )
