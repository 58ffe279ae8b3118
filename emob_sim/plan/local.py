"""A municipality's own figures in a plan (the ``--municipality`` report, ``municipalities.csv``).

Per run and municipality, beside compare's :data:`emob_sim.runner.MUNICIPALITY_COLUMNS`:

``co2_avoided_cars_kg``
    the CO2 balance (:func:`emob_sim.analysis.co2.co2_balance`) of the electric cars of the
    residents whose home zone lies in the municipality (their part only: the e-bikes' modal
    shift is regional).
``opex_eur_per_year``
    the OPEX of the sites on its territory.
``car_sessions``, ``car_sessions_abandoned``, ``car_mean_wait_min``
    sessions, drivers turned away (gave up at a full site) and the mean wait of every driver
    who arrived (NaN where nobody did) at its car sites.
``ebike_sessions``, ``ebike_sessions_abandoned``, ``ebike_energy_kwh``
    sessions, riders who found every plug taken and energy at its public e-bike points
    (sites of kind ``ebike``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emob_sim.analysis.co2 import co2_balance
from emob_sim.results import RunResult

__all__ = ["municipal_extras", "LOCAL_COLUMNS"]

#: the columns :func:`municipal_extras` adds to a municipality row
LOCAL_COLUMNS = [
    "co2_avoided_cars_kg",  # CO2 balance of its residents' electric cars
    "opex_eur_per_year",  # OPEX of the sites on its territory
    "car_sessions",  # sessions at its car sites
    "car_sessions_abandoned",  # drivers who gave up at its full car sites
    "car_mean_wait_min",  # mean wait of every driver who arrived there (empty: nobody)
    "ebike_sessions",  # sessions at its public e-bike points
    "ebike_sessions_abandoned",  # riders who found every plug of its e-bike points taken
    "ebike_energy_kwh",  # energy charged at its public e-bike points
]


def municipal_extras(result: RunResult, sites: pd.DataFrame) -> pd.DataFrame:
    """One row per municipality of the resident zones: :data:`LOCAL_COLUMNS`.

    Parameters
    ----------
    result
        The run.
    sites
        Its site table with ``municipality``, ``opex_eur_per_year`` (compare's site table).
    """
    zones = result.region.zones
    resident_zone = (zones["kind"] == "zone").to_numpy()
    names = sorted(set(zones.loc[resident_zone, "municipality"]))
    vehicles = result.demand.vehicles
    home = vehicles["home_zone"].to_numpy(np.int64)
    resident = vehicles["resident"].to_numpy(bool)
    zone_muni = zones["municipality"].to_numpy(dtype=object)
    home_muni = np.where(
        (home >= 0) & (home < len(zones)), zone_muni[np.clip(home, 0, len(zones) - 1)], ""
    )
    bike = sites[sites["kind"] == "ebike"]
    rows = []
    for name in names:
        mine = resident & (home_muni == name)
        co2 = co2_balance(result.scenario, demand=result.demand, sim=result.sim, vehicles=mine)
        here = sites["municipality"] == name
        at_bike = bike["municipality"] == name
        car = sites[here & (sites["kind"] != "ebike")]
        arrivals = car["sessions"] + car["sessions_abandoned"]
        wait = (
            (car["mean_wait_min"] * arrivals).sum() / arrivals.sum() if arrivals.sum() else np.nan
        )
        rows.append(
            {
                "municipality": name,
                "co2_avoided_cars_kg": round(co2.cars_kg, 4),
                "opex_eur_per_year": float(sites.loc[here, "opex_eur_per_year"].sum()),
                "car_sessions": int(car["sessions"].sum()),
                "car_sessions_abandoned": int(car["sessions_abandoned"].sum()),
                "car_mean_wait_min": round(float(wait), 4),
                "ebike_sessions": int(bike.loc[at_bike, "sessions"].sum()),
                "ebike_sessions_abandoned": int(bike.loc[at_bike, "sessions_abandoned"].sum()),
                "ebike_energy_kwh": round(float(bike.loc[at_bike, "energy_kwh"].sum()), 4),
            }
        )
    return pd.DataFrame(rows, columns=["municipality", *LOCAL_COLUMNS])
