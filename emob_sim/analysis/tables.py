"""Tables derived from a run for its output files: trips, load profile, the e-bike tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from emob_sim.demand.ebike import EBIKE_TRIP_COLUMNS
from emob_sim.results import RunResult
from emob_sim.sim.ebike import EBIKE_SESSION_COLUMNS, EBIKE_TRIP_RESULT_COLUMNS

__all__ = [
    "trip_table",
    "TRIP_TABLE_COLUMNS",
    "load_profile_table",
    "ebike_trip_table",
    "ebike_session_table",
]

#: trips.parquet: each trip as the demand planned it, then its outcome
TRIP_TABLE_COLUMNS = [
    "trip_id",
    "vehicle_id",
    "day",
    "seq",
    "purpose",
    "depart_s",
    "origin",
    "dest",  # point indices (zones, then sites)
    "origin_id",
    "dest_id",  # the zone_id or site_id of those points
    "distance_km",
    "duration_s",  # planned (network) distance and time
    "status",
    "arrive_s",
    "km_driven",
    "energy_used_kwh",
    "public_charges",
]


def trip_table(result: RunResult) -> pd.DataFrame:
    """Every car trip: the demand's plan (vehicle, day, departure, origin and destination,
    planned distance and time) followed by the simulated outcome (:data:`TRIP_TABLE_COLUMNS`),
    so that a trip table given as demand can be checked against what ran.

    Parameters
    ----------
    result : RunResult
        A finished run.

    Returns
    -------
    pandas.DataFrame
        One row per car trip, columns :data:`TRIP_TABLE_COLUMNS` (trips.parquet).
    """
    region, trips = result.region, result.demand.trips
    ids = [region.zones["zone_id"], region.sites["site_id"]]
    points = np.concatenate([c.astype(str).to_numpy(dtype=object) for c in ids])
    plan = trips[
        [
            "trip_id",
            "vehicle_id",
            "day",
            "seq",
            "purpose",
            "depart_s",
            "origin",
            "dest",
            "distance_km",
            "duration_s",
        ]
    ].reset_index(drop=True)
    outcome = result.sim.trips.reset_index(drop=True)
    table = plan.assign(
        origin_id=points[plan["origin"].to_numpy(np.int64)],
        dest_id=points[plan["dest"].to_numpy(np.int64)],
        **{
            c: outcome[c]
            for c in ("status", "arrive_s", "km_driven", "energy_used_kwh", "public_charges")
        },
    )
    return table[TRIP_TABLE_COLUMNS]


def load_profile_table(result: RunResult) -> pd.DataFrame:
    """Long table: site_id, bin_start_s, power_kw (mean over the bin) of the car sites.

    Parameters
    ----------
    result : RunResult
        A finished run.

    Returns
    -------
    pandas.DataFrame
        One row per car site and time bin: ``site_id``, ``bin_start_s`` (s since the start of
        the simulation) and ``power_kw`` (mean load over the bin, kW).
    """
    sim = result.sim
    n_sites, n_bins = sim.load_kw.shape if sim.load_kw.ndim == 2 else (0, 0)
    return pd.DataFrame(
        {
            "site_id": np.repeat(result.region.sites["site_id"].to_numpy(dtype=object), n_bins),
            "bin_start_s": np.tile(np.arange(n_bins, dtype=np.float64) * sim.bin_s, n_sites),
            "power_kw": sim.load_kw.reshape(-1),
        }
    )


def ebike_trip_table(result: RunResult) -> pd.DataFrame:
    """E-bike trips: the demand columns followed by the simulated outcome.

    Parameters
    ----------
    result : RunResult
        A finished run.

    Returns
    -------
    pandas.DataFrame
        One row per e-bike trip (no rows when the run has no e-bikes).
    """
    outcome = [c for c in EBIKE_TRIP_RESULT_COLUMNS if c not in ("trip_id", "ebike_id")]
    if result.ebike is None:
        return pd.DataFrame(columns=EBIKE_TRIP_COLUMNS + outcome)
    return pd.concat([result.ebike.demand.trips, result.ebike.sim.trips[outcome]], axis=1)


def ebike_session_table(result: RunResult) -> pd.DataFrame:
    """Public e-bike charging sessions (:data:`emob_sim.sim.ebike.EBIKE_SESSION_COLUMNS`).

    Parameters
    ----------
    result : RunResult
        A finished run.

    Returns
    -------
    pandas.DataFrame
        One row per public e-bike charging session (no rows when the run has no e-bikes).
    """
    if result.ebike is None:
        return pd.DataFrame(columns=EBIKE_SESSION_COLUMNS)
    return result.ebike.sim.sessions
