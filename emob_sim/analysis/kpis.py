"""Key performance indicators of a run, for the whole region and per charging site."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.analysis.co2 import co2_balance
from emob_sim.analysis.ebike import ebike_kpis, ebike_site_table
from emob_sim.analysis.energy import site_energy_kpis
from emob_sim.config.models import Scenario
from emob_sim.demand.tables import Demand
from emob_sim.region import Region
from emob_sim.results import EbikeRun
from emob_sim.sim.outputs import SimResult
from emob_sim.sim.site_energy import SiteEnergyResult

__all__ = [
    "flat_kpis",
    "compute_kpis",
    "scoped_kpis",
    "site_table",
    "KPI_KEYS",
    "SCOPED_KPI_KEYS",
    "SITE_TABLE_COLUMNS",
]

#: keys of kpis.json, in the order they are written
KPI_KEYS = [
    "trips_generated",
    "trips_completed",
    "trips_stranded",
    "vehicles",
    "km_electric",
    "charging_sessions",
    "sessions_abandoned",
    "energy_delivered_kwh",
    "destination_sessions",
    "destination_energy_kwh",
    "overnight_sessions",
    "overnight_energy_kwh",
    "home_energy_kwh",
    "rescue_energy_kwh",
    "mean_wait_min",
    "p95_wait_min",
    "peak_load_kw",
    "co2_avoided_kg",
    "co2_avoided_cars_kg",
]

SITE_TABLE_COLUMNS = [
    "site_id",
    "name",
    "kind",
    "lon",
    "lat",
    "plugs",
    "power_kw",
    "sessions",
    "sessions_en_route",
    "sessions_destination",
    "sessions_overnight",
    "sessions_abandoned",
    "energy_kwh",
    "utilisation",
    "mean_wait_min",
    "p95_wait_min",
    "peak_kw",
]

_DECIMALS = 4


def _wait_stats_min(wait_s: pd.Series | np.ndarray) -> tuple[float, float]:
    """Mean and 95th percentile of waits in minutes; (0, 0) when there are none."""
    w = np.asarray(wait_s, dtype=np.float64) / 60.0
    if w.size == 0:
        return 0.0, 0.0
    return float(w.mean()), float(np.percentile(w, 95))


def compute_kpis(
    scenario: Scenario,
    demand: Demand,
    sim: SimResult,
    *,
    ebike: EbikeRun | None = None,
    energy: SiteEnergyResult | None = None,
) -> dict[str, float | int | dict]:
    """Region-wide KPIs of one run.

    The keys of :data:`KPI_KEYS` are the electric cars' (``trips_*`` count car trips); with
    ``ebike`` an ``ebike`` section follows with the e-bikes' own trip accounting, km, energy,
    public sessions, battery-depleted trips, car km avoided and the CO2 of the modal shift
    (:func:`emob_sim.analysis.ebike.ebike_kpis`), so that completed + stranded == generated holds
    for each mode.

    ``energy_delivered_kwh`` is the energy of the public charging sessions (the sum of
    ``sessions.energy_kwh``); ``destination_*`` and ``overnight_*`` count the sessions and
    energy of cars that plugged in where they parked (sessions' ``location``; the rest were
    en route); home charging is reported apart as ``home_energy_kwh``, and the
    overnight recovery of stranded cars (energy no modelled charger delivered) as
    ``rescue_energy_kwh``. Waits are
    over every driver who arrived at a site: served sessions and drivers who gave up (whose wait
    is the time until they left), so that turning people away never looks like a shorter wait.
    ``co2_avoided_kg`` is the CO2 balance of :mod:`emob_sim.analysis.co2` (the completed trips'
    planned km x petrol-car factor - energy used x grid factor, plus the modal shift's part);
    ``co2_avoided_cars_kg`` its electric cars' part.

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario of the run (CO2 factors, simulated days).
    demand : Demand
        The electric cars and their trips.
    sim : SimResult
        The simulation's trips, sessions, drivers who gave up and load profile.
    ebike : EbikeRun or None
        The e-bike demand and simulation; adds the ``ebike`` section.
    energy : SiteEnergyResult or None
        The energy sites' simulation; adds the ``areas`` section.

    Returns
    -------
    dict[str, float | int | dict]
        KPI key -> value, as written to kpis.json (sections as nested dicts).
    """
    trips = sim.trips
    completed = int((trips["status"] == "completed").sum())
    stranded = int((trips["status"] == "stranded").sum())
    km_electric = float(trips["km_driven"].sum())
    energy_public = float(sim.sessions["energy_kwh"].sum())
    by_location = _location_totals(sim.sessions, np.ones(len(sim.sessions), dtype=bool))
    mean_wait, p95_wait = _wait_stats_min(_all_waits_s(sim))
    peak = float(sim.load_kw.sum(axis=0).max()) if sim.load_kw.size else 0.0
    co2 = co2_balance(scenario, demand=demand, sim=sim, ebike=ebike)
    values: dict[str, float | int] = {
        "trips_generated": int(demand.n_trips),
        "trips_completed": completed,
        "trips_stranded": stranded,
        "vehicles": int(demand.n_vehicles),
        "km_electric": km_electric,
        "charging_sessions": int(len(sim.sessions)),
        "sessions_abandoned": int(len(sim.abandoned)),
        "energy_delivered_kwh": energy_public,
        **by_location,
        "home_energy_kwh": float(sim.home_energy_kwh),
        "rescue_energy_kwh": float(sim.rescue_energy_kwh),
        "mean_wait_min": mean_wait,
        "p95_wait_min": p95_wait,
        "peak_load_kw": peak,
        "co2_avoided_kg": co2.avoided_kg,
        "co2_avoided_cars_kg": co2.cars_kg,
    }
    out: dict[str, float | int | dict[str, float | int]] = {
        k: (round(v, _DECIMALS) if isinstance(v, float) else v)
        for k, v in ((k, values[k]) for k in KPI_KEYS)
    }
    if ebike is not None:
        out["ebike"] = ebike_kpis(scenario, ebike)
    if energy is not None and not energy.empty:
        out["areas"] = site_energy_kpis(scenario, energy)
    return out


#: the KPIs :func:`scoped_kpis` gives for a part of the sites and vehicles
SCOPED_KPI_KEYS = [
    "charging_sessions",
    "sessions_abandoned",
    "energy_kwh",
    "destination_sessions",
    "destination_energy_kwh",
    "overnight_sessions",
    "overnight_energy_kwh",
    "peak_kw",
    "mean_wait_min",
    "p95_wait_min",
    "trips_stranded",
    "co2_avoided_kg",
]


def scoped_kpis(
    scenario: Scenario,
    demand: Demand,
    sim: SimResult,
    *,
    sites: NDArray[np.bool_],
    vehicles: NDArray[np.bool_],
    ebike: EbikeRun | None = None,
) -> dict[str, float | int]:
    """The KPIs of :data:`SCOPED_KPI_KEYS` for some car sites and some vehicles.

    Site KPIs (sessions, give-ups, energy, peak, waits) count what happened at the car sites
    where ``sites`` (per row of ``region.sites``) is True; trip KPIs (stranded trips, CO2)
    count the vehicles where ``vehicles`` (per row of ``demand.vehicles``) is True; CO2 is
    their part of :func:`emob_sim.analysis.co2.co2_balance` (the energy they used, from the
    trip table), with the modal shift's part when ``ebike`` is given (shifted trips are
    residents'). With every site and vehicle the values are those of
    :func:`compute_kpis` (``energy_kwh`` = ``energy_delivered_kwh``, ``peak_kw`` =
    ``peak_load_kw``).

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario of the run (CO2 factors).
    demand : Demand
        The electric cars and their trips.
    sim : SimResult
        The simulation's trips, sessions, drivers who gave up and load profile.
    sites : numpy.ndarray
        Per car site (row of ``region.sites``): whether it is counted.
    vehicles : numpy.ndarray
        Per vehicle (row of ``demand.vehicles``): whether its trips are counted.
    ebike : EbikeRun or None
        The e-bike run, for the modal shift's part of the CO2.

    Returns
    -------
    dict[str, float | int]
        The KPIs of :data:`SCOPED_KPI_KEYS`, key -> value.
    """
    sites = np.asarray(sites, dtype=bool)
    vehicles = np.asarray(vehicles, dtype=bool)
    s, a = sim.sessions, sim.abandoned
    at = sites[s["site_idx"].to_numpy(np.int64)]
    gave_up_at = sites[a["site_idx"].to_numpy(np.int64)]
    waits = np.concatenate(
        [s["wait_s"].to_numpy(np.float64)[at], a["wait_s"].to_numpy(np.float64)[gave_up_at]]
    )
    mean_wait, p95_wait = _wait_stats_min(waits)
    load = sim.load_kw[sites] if sim.load_kw.size else np.zeros((0, 0))
    peak = float(load.sum(axis=0).max()) if load.size else 0.0
    trips = sim.trips
    mine = vehicles[trips["vehicle_id"].to_numpy(np.int64)]
    co2 = co2_balance(scenario, demand=demand, sim=sim, vehicles=vehicles, ebike=ebike)
    values = {
        "charging_sessions": int(at.sum()),
        "sessions_abandoned": int(gave_up_at.sum()),
        "energy_kwh": float(s["energy_kwh"].to_numpy()[at].sum()),
        **_location_totals(s, at),
        "peak_kw": peak,
        "mean_wait_min": mean_wait,
        "p95_wait_min": p95_wait,
        "trips_stranded": int((trips["status"].to_numpy() == "stranded")[mine].sum()),
        "co2_avoided_kg": co2.avoided_kg,
    }
    return {k: (round(v, _DECIMALS) if isinstance(v, float) else v) for k, v in values.items()}


#: the sessions' locations that have KPIs of their own (the others were en route)
_PARKED_LOCATIONS = ("destination", "overnight")


def _location_codes(sessions: pd.DataFrame) -> NDArray[np.str_]:
    """Each session's location (``en_route`` where a table has no such column)."""
    if "location" not in sessions.columns:
        return np.full(len(sessions), "en_route")
    return sessions["location"].to_numpy(dtype=str)


def _location_totals(sessions: pd.DataFrame, rows: NDArray[np.bool_]) -> dict[str, float | int]:
    """Sessions and energy at destinations and overnight among the ``rows`` of ``sessions``."""
    loc = _location_codes(sessions)
    energy = sessions["energy_kwh"].to_numpy(np.float64)
    out: dict[str, float | int] = {}
    for name in _PARKED_LOCATIONS:
        here = rows & (loc == name)
        out[f"{name}_sessions"] = int(here.sum())
        out[f"{name}_energy_kwh"] = float(energy[here].sum())
    return out


def _all_waits_s(sim: SimResult) -> np.ndarray:
    """Waits of served sessions followed by those of drivers who gave up, in seconds."""
    return np.concatenate(
        [sim.sessions["wait_s"].to_numpy(np.float64), sim.abandoned["wait_s"].to_numpy(np.float64)]
    )


def site_table(
    scenario: Scenario, region: Region, sim: SimResult, *, ebike: EbikeRun | None = None
) -> pd.DataFrame:
    """One row per public site: sessions, energy, utilisation, waits, peak power.

    With ``ebike`` the public e-bike points (kind ``ebike``) follow the car sites, with the
    same fields (:func:`emob_sim.analysis.ebike.ebike_site_table`).

    ``sessions_en_route``, ``sessions_destination`` and ``sessions_overnight`` split the
    sessions by where they happened (the sessions' ``location``). Utilisation is the share of
    plug time taken (charging, or blocked by a parked car until it leaves) over the simulated period
    (``time.days`` days): sum of session durations / (plugs x period), in [0, 1]. Waits are over
    every driver who arrived, as in :func:`compute_kpis`.

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario of the run (simulated days).
    region : Region
        The region: its car sites (``region.sites``) and e-bike points.
    sim : SimResult
        The simulation's sessions, drivers who gave up and load profile.
    ebike : EbikeRun or None
        The e-bike run; adds its public points.

    Returns
    -------
    pandas.DataFrame
        One row per site, columns :data:`SITE_TABLE_COLUMNS` (sites.csv, sites.geojson).
    """
    sites = region.sites
    n = len(sites)
    period_s = scenario.time.days * 86400.0
    s = sim.sessions
    idx = s["site_idx"].to_numpy(dtype=np.int64)
    sessions = np.bincount(idx, minlength=n)
    loc = _location_codes(s)
    by_location = {
        f"sessions_{name}": np.bincount(idx[loc == name], minlength=n).astype(np.int64)
        for name in ("en_route", *_PARKED_LOCATIONS)
    }
    energy = np.bincount(idx, weights=s["energy_kwh"].to_numpy(), minlength=n)
    busy_s = np.bincount(idx, weights=(s["end_s"] - s["start_s"]).to_numpy(), minlength=n)
    abandoned = np.bincount(sim.abandoned["site_idx"].to_numpy(dtype=np.int64), minlength=n)
    plugs = sites["plugs"].to_numpy(dtype=np.float64)
    utilisation = np.clip(busy_s / (plugs * period_s), 0.0, 1.0)
    arrivals_idx = np.concatenate([idx, sim.abandoned["site_idx"].to_numpy(dtype=np.int64)])
    waits = [_wait_stats_min(g) for g in _groups(_all_waits_s(sim), arrivals_idx, n)]
    peak = sim.load_kw.max(axis=1) if sim.load_kw.size else np.zeros(n)
    table = pd.DataFrame(
        {
            "site_id": sites["site_id"].to_numpy(),
            "name": sites["name"].to_numpy(),
            "kind": sites["kind"].to_numpy(),
            "lon": sites["lon"].to_numpy(dtype=np.float64),
            "lat": sites["lat"].to_numpy(dtype=np.float64),
            "plugs": sites["plugs"].to_numpy(dtype=np.int64),
            "power_kw": sites["power_kw"].to_numpy(dtype=np.float64),
            "sessions": sessions.astype(np.int64),
            **by_location,
            "sessions_abandoned": abandoned.astype(np.int64),
            "energy_kwh": energy,
            "utilisation": utilisation,
            "mean_wait_min": [w[0] for w in waits],
            "p95_wait_min": [w[1] for w in waits],
            "peak_kw": peak,
        }
    )
    floats = table.select_dtypes("float64").columns.difference(["lon", "lat"])
    table[floats] = table[floats].round(_DECIMALS)
    if ebike is not None and region.bike is not None and region.bike.n_sites:
        bikes = ebike_site_table(scenario, region.bike, ebike).reindex(columns=table.columns)
        bs = ebike.sim.sessions
        bike_idx, bike_loc = bs["site_idx"].to_numpy(np.int64), _location_codes(bs)
        for col in by_location:  # the e-bike points' sessions by their own location
            name = col.removeprefix("sessions_")
            bikes[col] = np.bincount(bike_idx[bike_loc == name], minlength=len(bikes))
        table = pd.concat([table, bikes], ignore_index=True) if len(table) else bikes
    return table[SITE_TABLE_COLUMNS]


def _groups(values: np.ndarray, idx: np.ndarray, n: int) -> list[np.ndarray]:
    """Split ``values`` by group index ``idx`` into ``n`` arrays (empty where a group is absent)."""
    order = np.argsort(idx, kind="stable")
    bounds = np.searchsorted(idx[order], np.arange(n + 1))
    return [values[order[bounds[i] : bounds[i + 1]]] for i in range(n)]


def flat_kpis(kpis: dict) -> dict:
    """A run's KPIs in one level, for tables: the region-wide ones as they are, each section's
    (``ebike``) as ``section_key``, and of the ``areas`` section its total as ``areas_key``
    and its scorecard's total as ``areas_scorecard_key`` (the per-site entries stay in
    kpis.json).

    Parameters
    ----------
    kpis : dict
        A run's KPIs as :func:`compute_kpis` returns them (kpis.json).

    Returns
    -------
    dict
        Flat key -> value (no nested dicts).
    """
    out = {}
    for key, value in kpis.items():
        if key == "areas" and isinstance(value, dict):
            out.update({f"areas_{k}": v for k, v in value["total"].items()})
            if "scorecard" in value:
                card = value["scorecard"]["total"]
                out.update({f"areas_scorecard_{k}": v for k, v in card.items()})
        elif isinstance(value, dict):
            out.update({f"{key}_{k}": v for k, v in value.items() if not isinstance(v, dict)})
        else:
            out[key] = value
    return out
