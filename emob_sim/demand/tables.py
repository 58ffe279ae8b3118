"""Demand: the value the demand stage hands on (fleet and trips)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["Demand", "VEHICLE_COLUMNS", "TRIP_COLUMNS"]

#: columns of Demand.vehicles (row i is vehicle_id i)
VEHICLE_COLUMNS = [
    "vehicle_id",  # int 0..n-1
    "type_idx",  # int, index into Demand.type_ids / curve arrays
    "home_zone",  # int zone index (for through vehicles: the zone they enter from)
    "resident",  # bool, False for through traffic
    "home_charging",  # bool, charges overnight at home
    "battery_kwh",
    "consumption_kwh_per_km",
    "max_ac_kw",
    "max_dc_kw",
    "initial_soc",  # state of charge at its first departure, in [0, 1]
]

#: columns of Demand.trips, sorted by (vehicle_id, depart_s); row i is trip_id i
TRIP_COLUMNS = [
    "trip_id",  # int 0..m-1
    "vehicle_id",
    "day",  # int, 0-based
    "seq",  # int, position in the vehicle's day chain
    "origin",  # int point index (zone)
    "dest",  # int point index (zone)
    "depart_s",  # float, planned departure, seconds from scenario start
    "distance_km",  # float, network distance origin -> dest
    "duration_s",  # float, network travel time
    "purpose",  # "work" | "other" | "home" | "through"
    "last_of_day",  # bool, the car is home (and may charge) after this trip
]


@dataclass(frozen=True, eq=False)
class Demand:
    """Fleet and trips of one scenario and seed.

    ``curve_soc[t]`` and ``curve_frac[t]`` hold the DC charging curve of vehicle type ``t``
    (padded to a common length by repeating the last point). ``workplace[v]`` is the index of
    the industrial area vehicle ``v`` commutes to or is based at (Region.areas), -1 for the
    others, and ``depot[v]`` whether it is based at the area's depot; both None when the region
    has no areas.
    """

    vehicles: pd.DataFrame
    trips: pd.DataFrame
    type_ids: list[str]
    curve_soc: NDArray[np.float64]
    curve_frac: NDArray[np.float64]
    workplace: NDArray[np.int64] | None = None
    depot: NDArray[np.bool_] | None = None

    @property
    def n_vehicles(self) -> int:
        """Number of vehicles (rows of ``vehicles``)."""
        return len(self.vehicles)

    @property
    def n_trips(self) -> int:
        """Number of trips (rows of ``trips``)."""
        return len(self.trips)
