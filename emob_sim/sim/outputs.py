"""What a simulation returns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = [
    "SimResult",
    "TRIP_RESULT_COLUMNS",
    "SESSION_COLUMNS",
    "ABANDON_COLUMNS",
    "EVENT_COLUMNS",
]

#: SimResult.trips: one row per generated trip, same order as Demand.trips
TRIP_RESULT_COLUMNS = [
    "trip_id",
    "vehicle_id",
    "status",  # "completed" | "stranded"
    "arrive_s",  # float, NaN when stranded
    "km_driven",  # float, km actually driven for this trip (incl. detours to chargers)
    "energy_used_kwh",  # float, drawn from the battery for those km
    "public_charges",  # int, public charging sessions during this trip
]

#: SimResult.sessions: one row per completed public charging session
SESSION_COLUMNS = [
    "session_id",
    "vehicle_id",
    "trip_id",
    "site_idx",  # int, index into Region.sites
    "site_id",
    "arrive_s",
    "start_s",
    "end_s",
    "wait_s",  # start_s - arrive_s, >= 0
    "energy_kwh",
    "soc_start",
    "soc_end",
    "location",  # categorical: en_route | destination | overnight (emob_sim.sim.fleet, 6.)
]

#: SimResult.abandoned: one row per queue a car gave up on
ABANDON_COLUMNS = ["vehicle_id", "trip_id", "site_idx", "site_id", "arrive_s", "leave_s", "wait_s"]

#: SimResult.events: the event log
EVENT_COLUMNS = [
    "time_s",
    "vehicle_id",
    "trip_id",  # -1 where not applicable
    "event",  # depart | arrive | queue | plug_in | plug_out | abandon | stranded | home_charge
    "site_idx",  # -1 where not applicable
    "soc",
]


@dataclass(frozen=True, eq=False)
class SimResult:
    """Outcome of one simulation.

    ``home_energy_kwh`` is the total charged at home; ``rescue_energy_kwh`` what the overnight
    recovery of stranded cars added (to ``charging.rescue_soc``: energy no charger in the model
    delivered); ``load_kw[s, b]`` is the mean power drawn at site ``s`` in profile bin ``b``
    (bins of ``bin_s`` seconds from the scenario start).
    """

    trips: pd.DataFrame
    sessions: pd.DataFrame
    abandoned: pd.DataFrame
    events: pd.DataFrame
    home_energy_kwh: float
    load_kw: NDArray[np.float64]
    bin_s: float
    rescue_energy_kwh: float = 0.0
