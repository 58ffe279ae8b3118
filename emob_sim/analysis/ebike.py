"""E-bike KPIs (the ``ebike`` section of kpis.json) and the e-bike rows of the site table.

CO2 of the modal shift
----------------------
``co2_avoided_kg`` is the modal shift's part of the one CO2 balance
(:func:`emob_sim.analysis.co2.co2_balance`, against petrol cars)::

    co2_avoided_kg = car km the shifted trips replace x emissions.petrol_car_kg_per_km
                   - e-bike kWh of the shifted trips  x emissions.grid_kg_per_kwh

where the e-bike kWh are what the shifted trips drew from their batteries (no charging losses,
as for cars). Owners' own e-bike trips are not in the balance (what they replace is unknown).
The region-wide ``co2_avoided_kg`` of kpis.json is the whole balance (the electric cars' part,
``co2_avoided_cars_kg``, plus this one). A shifted electric car trip leaves the car demand, so
its credit moves from the cars' part to this one; the shift's effect against the cars it
replaced is the difference of the region-wide balance with and without the shift.
``car_km_avoided`` counts both kinds of car km (``car_km_avoided_electric`` the electric part).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emob_sim.analysis.co2 import co2_balance
from emob_sim.config.models import Scenario
from emob_sim.region.bike import BikeLayer
from emob_sim.results import EbikeRun

__all__ = ["EBIKE_KPI_KEYS", "ebike_kpis", "ebike_site_table"]

#: keys of the ``ebike`` section of kpis.json, in the order they are written
EBIKE_KPI_KEYS = [
    "trips_generated",
    "trips_completed",
    "trips_stranded",  # always 0: a rider with a flat battery rides on unassisted
    "trips",  # = trips_completed
    "vehicles",  # e-bikes simulated (owners and one per shifted car chain)
    "km",
    "energy_kwh",  # drawn from the batteries for riding
    "home_energy_kwh",
    "charging_sessions",  # public e-bike sessions
    "sessions_turned_away",  # riders who found every plug of a near point taken
    "public_energy_kwh",
    "battery_depleted_trips",  # trips on which the battery ran flat (still completed)
    "trips_shifted",  # e-bike trips that replace car trips
    "car_km_avoided",
    "car_km_avoided_electric",
    "co2_avoided_kg",
]

_DECIMALS = 4


def ebike_kpis(scenario: Scenario, run: EbikeRun) -> dict[str, float | int]:
    """The ``ebike`` section of kpis.json (:data:`EBIKE_KPI_KEYS`; CO2: module docstring).

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario (CO2 factors).
    run : EbikeRun
        The e-bike demand and simulation.

    Returns
    -------
    dict[str, float | int]
        KPI key -> value, in the order of :data:`EBIKE_KPI_KEYS`.
    """
    trips, res = run.demand.trips, run.sim.trips
    origin = run.demand.vehicles["origin"].to_numpy(dtype=object)
    bike_origin = origin[trips["ebike_id"].to_numpy(np.int64)] if len(trips) else origin[:0]
    shifted = bike_origin != "owner"
    petrol = bike_origin == "shift_petrol"
    car_km = trips["car_km"].to_numpy(float)
    used_kwh = res["energy_used_kwh"].to_numpy(float)
    co2 = co2_balance(scenario, ebike=run).ebike_kg
    completed = int((res["status"] == "completed").sum())
    values: dict[str, float | int] = {
        "trips_generated": int(len(trips)),
        "trips_completed": completed,
        "trips_stranded": int((res["status"] == "stranded").sum()),
        "trips": completed,
        "vehicles": int(run.demand.n_vehicles),
        "km": float(res["km"].sum()),
        "energy_kwh": float(used_kwh.sum()),
        "home_energy_kwh": float(run.sim.home_energy_kwh),
        "charging_sessions": int(len(run.sim.sessions)),
        "sessions_turned_away": int(len(run.sim.turned_away)),
        "public_energy_kwh": float(run.sim.sessions["energy_kwh"].sum()),
        "battery_depleted_trips": int(res["battery_depleted"].sum()),
        "trips_shifted": int(shifted.sum()),
        "car_km_avoided": float(car_km.sum()),
        "car_km_avoided_electric": float(car_km[shifted & ~petrol].sum()),
        "co2_avoided_kg": float(co2),
    }
    return {
        k: (round(v, _DECIMALS) if isinstance(v, float) else v)
        for k, v in ((k, values[k]) for k in EBIKE_KPI_KEYS)
    }


def ebike_site_table(scenario: Scenario, layer: BikeLayer | None, run: EbikeRun) -> pd.DataFrame:
    """Per public e-bike point: the fields of the car site table.

    ``sessions_abandoned`` counts riders turned away (every plug taken); riders never queue,
    so waits are 0. ``utilisation`` is plug time taken (arrival to departure, the bike stays
    in the plug) over plugs x the simulated period; ``peak_kw`` the highest mean power of a
    profile bin.

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario (simulated days).
    layer : BikeLayer or None
        The region's e-bike layer (its public points).
    run : EbikeRun
        The e-bike demand and simulation.

    Returns
    -------
    pandas.DataFrame
        One row per public e-bike point (no columns without points).
    """
    if layer is None or layer.n_sites == 0:
        return pd.DataFrame()
    sites = layer.sites
    n = len(sites)
    s = run.sim.sessions
    idx = s["site_idx"].to_numpy(np.int64)
    period_s = scenario.time.days * 86400.0
    busy_s = np.bincount(idx, weights=(s["end_s"] - s["start_s"]).to_numpy(float), minlength=n)
    plugs = sites["plugs"].to_numpy(dtype=float)
    load = run.sim.load_kw
    table = pd.DataFrame(
        {
            "site_id": sites["site_id"].to_numpy(),
            "name": sites["name"].to_numpy(),
            "kind": sites["kind"].to_numpy(),
            "lon": sites["lon"].to_numpy(dtype=float),
            "lat": sites["lat"].to_numpy(dtype=float),
            "plugs": sites["plugs"].to_numpy(dtype=np.int64),
            "power_kw": sites["power_kw"].to_numpy(dtype=float),
            "sessions": np.bincount(idx, minlength=n).astype(np.int64),
            "sessions_abandoned": np.bincount(
                run.sim.turned_away["site_idx"].to_numpy(np.int64), minlength=n
            ).astype(np.int64),
            "energy_kwh": np.bincount(idx, weights=s["energy_kwh"].to_numpy(float), minlength=n),
            "utilisation": np.clip(busy_s / (plugs * period_s), 0.0, 1.0),
            "mean_wait_min": np.zeros(n),
            "p95_wait_min": np.zeros(n),
            "peak_kw": load.max(axis=1) if load.size else np.zeros(n),
        }
    )
    floats = table.select_dtypes("float64").columns.difference(["lon", "lat"])
    table[floats] = table[floats].round(_DECIMALS)
    return table
