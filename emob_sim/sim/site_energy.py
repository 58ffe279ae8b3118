"""Site energy: the power each plugged car gets, step by step, under its site's strategy, and
the site's whole balance: its own load, solar, battery, grid import, export, curtailment.

Sites with an energy set-up are the workplace sites of the industrial areas (their visits from
:mod:`emob_sim.sim.workplace`) and the public sites named in ``energy.sites`` (their sessions
from the car simulation). Time runs in steps of ``energy.step_min`` (1, 5 or 15 minutes) from
day 0's midnight (``time.start_date``) to the end of the horizon or of the last visit, on the
region's wall clock (``energy.timezone``): simulation second ``s`` is the local civil time
``start + s``, every day 86,400 s, across daylight-saving switches too; solar power is that of
the real instant of each wall time (:mod:`emob_sim.energy.pv`). Each step's ``time`` is its
wall-clock start (naive, local), ``time_utc`` its instant.

- A workplace car is plugged in from its arrival to its departure to the second: in the first
  and the last step of its stay it draws at most ``max_kw`` x the share of the step it is
  plugged in. It needs ``need_kwh``.
- A public session keeps the plug-in time the simulation gave it (drivers leave when they
  planned to) and draws at most its mean power over it, so that uncontrolled charging
  delivers exactly its energy; a binding limit delivers less, reported as energy not
  delivered.

The site's own load (``load_shape`` x ``annual_load_kwh``, :func:`~emob_sim.energy.
shaped_load_kw`, or ``load_profile_file``, :func:`~emob_sim.energy.measured_load_kw`) is
served first; solar power goes to the load, then the cars, then the battery, the rest is
exported up to ``export_limit_kw`` (default: the grid limit) and curtailed beyond. Peaks are
means over one step. The allocation per step is the numba kernel
:func:`~emob_sim.kernels.allocation.allocate_power`; every step balances (see
:data:`SITE_ENERGY_COLUMNS`).

Solar power is pvlib's clear-sky profile at the site scaled to the monthly yields of
``energy.weather.pv_monthly_file`` with a clearness per day drawn from the run's ``weather``
seed stream (:mod:`emob_sim.energy.weather`; without the file: to
``solar.annual_yield_kwh_per_kwp``, :func:`~emob_sim.energy.pv_profile_kw`) or a measured profile
(:func:`~emob_sim.energy.measured_profile_kw`); :mod:`emob_sim.sim.site_inputs` builds them.

Each site also gets its year for its money (``years``, :mod:`emob_sim.sim.site_year`): twelve
representative months of the same cars under each month's sun and load.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from emob_sim.config.models import Scenario, SiteEnergy
from emob_sim.energy import read_monthly_yields, step_instants, wall_clock
from emob_sim.errors import ConfigError
from emob_sim.kernels.allocation import FLOWS
from emob_sim.region import Region
from emob_sim.sim.outputs import SimResult
from emob_sim.sim.site_inputs import allocate_site, plug_steps, site_load_kw, site_solar_kw
from emob_sim.sim.site_year import SiteYear, site_year

__all__ = [
    "SiteEnergyResult",
    "simulate_site_energy",
    "check_site_energy",
    "plug_steps",
    "SITE_ENERGY_COLUMNS",
    "ENERGY_SITE_COLUMNS",
]

#: SiteEnergyResult.steps: one row per energy site and time step; power in kW, means over the
#: step. Balance every step: pv_kw + battery_to_load_kw + battery_to_cars_kw + grid_import_kw
#: == site_load_kw + cars_kw + pv_to_battery_kw + grid_to_battery_kw + export_kw + curtailed_kw
SITE_ENERGY_COLUMNS = [
    "site_id",  # the area_id of a workplace site, the site_id of a public one
    "step",  # int, from 0 at day 0's midnight
    "time",  # wall-clock start of the step (local civil time of energy.timezone, naive)
    "time_utc",  # the instant the step starts (UTC)
    "charging_cars",  # int, cars drawing power in the step
    "site_load_kw",  # the site's own load (factory, offices; 0 without one)
    "cars_kw",  # into the cars
    "pv_kw",  # solar generation
    "pv_to_load_kw",  # solar into the site load
    "pv_to_cars_kw",  # solar into the cars
    "pv_to_battery_kw",  # solar into the battery
    "battery_to_load_kw",  # battery into the site load
    "battery_to_cars_kw",  # battery into the cars
    "grid_import_kw",  # from the grid: grid_to_load + grid_to_cars + grid_to_battery
    "grid_to_load_kw",
    "grid_to_cars_kw",
    "grid_to_battery_kw",  # peak shaving: the battery charged from the grid off-peak
    "export_kw",  # solar surplus fed into the grid (up to export_limit_kw)
    "curtailed_kw",  # solar surplus beyond the export limit, not used
    "battery_kwh",  # stored at the end of the step
    "limit_kw",  # the grid connection (inf: none given)
    "export_limit_kw",  # (inf: none)
]
#: SiteEnergyResult.sites: one row per energy site
ENERGY_SITE_COLUMNS = [
    "site_id",
    "name",
    "kind",
    "lon",
    "lat",
    "plugs",
    "plug_kw",
    "strategy",
    "grid_limit_kw",
    "pv_kwp",
    "battery_kwh",
    "battery_kw",
    "export_limit_kw",
    "load_shape",
    "annual_load_kwh",
    "battery_grid_charge_below_kw",
]


@dataclass(frozen=True, eq=False)
class SiteEnergyResult:
    """The energy of the sites with an energy set-up.

    ``sites`` describes them (:data:`ENERGY_SITE_COLUMNS`; kind ``workplace`` or ``public``),
    ``steps`` holds their power per step (:data:`SITE_ENERGY_COLUMNS`), ``visits`` every car
    at one of them (the workplace visits of :mod:`emob_sim.sim.workplace` and the public
    sessions) with ``site_id``, ``need_kwh``, ``delivered_kwh`` and ``plugged``; ``step_s`` is
    the step length; ``years`` each site's year for its money (by ``site_id``,
    :mod:`emob_sim.sim.site_year`).
    """

    sites: pd.DataFrame
    steps: pd.DataFrame
    visits: pd.DataFrame
    step_s: float
    years: dict[str, SiteYear] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Whether the run has no energy sites (then nothing else is filled)."""
        return not len(self.sites)


def simulate_site_energy(
    scenario: Scenario, region: Region, sim: SimResult, visits: pd.DataFrame
) -> SiteEnergyResult:
    """Allocate the power at every workplace site and every public site of ``energy.sites``.

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario (``energy`` section: sites, strategies, step, time zone).
    region : Region
        The built region (its sites and industrial areas).
    sim : SimResult
        The car simulation: the public sessions at the energy sites.
    visits : pandas.DataFrame
        The workplace visits (:func:`~emob_sim.sim.workplace.workplace_visits`).

    Returns
    -------
    SiteEnergyResult
        Per energy site and step: solar, battery, grid and the power into the cars; per visit
        what it got; the sites' set-up.

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
    times = wall_clock(scenario.time.start_date, n_steps, energy.step_min)
    instants = step_instants(times, energy.timezone).tz_convert("UTC")
    start = pd.Timestamp(scenario.time.start_date)

    rows, steps, delivered = [], [], np.zeros(len(all_visits))
    years: dict[str, SiteYear] = {}
    site_of_visit = all_visits["site_id"].astype(str).to_numpy()
    for spec, site in _energy_sites(scenario, region, areas):
        pv = site_solar_kw(scenario, spec, site, start=start, days=days)[:n_steps]
        load = site_load_kw(scenario, spec, start=start, days=days)[:n_steps]
        idx = np.flatnonzero(site_of_visit == site["site_id"])
        kernel_cars = plug_steps(
            all_visits.iloc[idx], step_s, workplace=site["kind"] == "workplace"
        )
        flows, got, cars = allocate_site(
            spec,
            kernel_cars,
            pv_kw=pv,
            load_kw=load,
            step_s=step_s,
            export_limit_kw=site["export_limit_kw"],
        )
        table = pd.DataFrame(flows, columns=list(FLOWS))
        years[site["site_id"]] = site_year(
            scenario,
            spec,
            site,
            cars=kernel_cars,
            n_steps=n_steps,
            step_s=step_s,
            simulated=(times, table),
        )
        delivered[idx] = got
        table.insert(0, "site_id", site["site_id"])
        table.insert(1, "step", np.arange(n_steps, dtype=np.int64))
        table.insert(2, "time", times)
        table.insert(3, "time_utc", instants)
        table.insert(4, "charging_cars", cars)
        steps.append(
            table.assign(
                limit_kw=spec.grid_limit_kw or np.inf, export_limit_kw=site["export_limit_kw"]
            )
        )
        rows.append(site)
    all_visits = all_visits.assign(delivered_kwh=delivered)
    sites = pd.DataFrame(rows, columns=ENERGY_SITE_COLUMNS)
    table = (
        pd.concat(steps, ignore_index=True)
        if steps
        else pd.DataFrame({c: [] for c in SITE_ENERGY_COLUMNS})
    )
    return SiteEnergyResult(
        sites=sites,
        steps=table[SITE_ENERGY_COLUMNS],
        visits=all_visits,
        step_s=step_s,
        years=years,
    )


def check_site_energy(scenario: Scenario, region: Region) -> None:
    """Refuse, before anything is simulated, what :func:`simulate_site_energy` would: a public
    site of ``energy.sites`` that the run does not have, a measured solar or load profile that
    cannot be read or does not cover the simulated days.

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario (``energy`` section, simulated days).
    region : Region
        The built region (its sites and industrial areas).

    Raises
    ------
    ConfigError, DataError
        As :func:`simulate_site_energy`.
    """
    specs = list(_energy_sites(scenario, region, region.industrial_areas))
    monthly = scenario.energy.weather.pv_monthly_file
    if monthly is not None and any(spec.pv_kwp > 0 for spec, _ in specs):
        read_monthly_yields(monthly)
    start = pd.Timestamp(scenario.time.start_date)
    for spec, site in specs:
        if spec.pv_profile_file is not None:
            site_solar_kw(scenario, spec, site, start=start, days=scenario.time.days)
        if spec.load_profile_file is not None:
            site_load_kw(scenario, spec, start=start, days=scenario.time.days)


def _energy_sites(scenario: Scenario, region: Region, areas: pd.DataFrame):
    """(energy set-up, site row of :data:`ENERGY_SITE_COLUMNS`) of every energy site: the
    workplace sites, then the public ones in the order of ``energy.sites``."""
    for row in areas.to_dict(orient="records"):
        spec = SiteEnergy(**{k: row[k] for k in SiteEnergy.model_fields})
        yield (
            spec,
            _site_row(
                spec,
                row["area_id"],
                row["name"],
                "workplace",
                row["lon"],
                row["lat"],
                row["plugs"],
                row["plug_kw"],
            ),
        )
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
        yield (
            spec,
            _site_row(
                spec,
                spec.site_id,
                s["name"],
                "public",
                s["lon"],
                s["lat"],
                s["plugs"],
                s["power_kw"],
            ),
        )


def _site_row(spec: SiteEnergy, site_id, name, kind, lon, lat, plugs, plug_kw) -> dict:
    return {
        "site_id": str(site_id),
        "name": str(name),
        "kind": kind,
        "lon": float(lon),
        "lat": float(lat),
        "plugs": int(plugs),
        "plug_kw": float(plug_kw),
        "strategy": spec.strategy,
        "grid_limit_kw": spec.grid_limit_kw or np.inf,
        "pv_kwp": spec.pv_kwp,
        "battery_kwh": spec.battery_kwh,
        "battery_kw": spec.battery_kw,
        "export_limit_kw": _export_limit(spec),
        "load_shape": spec.load_shape,
        "annual_load_kwh": spec.annual_load_kwh,
        "battery_grid_charge_below_kw": spec.battery_grid_charge_below_kw,
    }


def _export_limit(spec: SiteEnergy) -> float:
    if spec.export_limit_kw is not None:
        return float(spec.export_limit_kw)
    return float(spec.grid_limit_kw) if spec.grid_limit_kw is not None else np.inf


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
