"""What the demand from files (OD matrix, trip table) shares: vehicles and trip arrays.

*Vehicles.* Each vehicle gets its vehicle type (drawn with the catalogue's shares unless the
file gives it), home charging ~ Bernoulli(its home zone's share,
:func:`emob_sim.demand.fleet.home_access_share`) and an initial state
of charge ~ Uniform[``fleet.initial_soc_min``, ``fleet.initial_soc_max``] (with home charging:
``charging.home_target_soc``) unless the file gives it, as the resident fleet
(:mod:`emob_sim.demand.fleet`). All draws are made for every vehicle whatever the file gives,
so that a column filled in for some vehicles does not change the others. Its home zone is
the origin of its first trip; it is a resident of the region (``resident`` True: the modal
shift to e-bikes treats its trips of a day as a chain) unless it is a *site visitor* (a trip
goes to a charging site): those are not residents, have no home charging and are never
shifted to e-bikes.

*Trips.* ``day`` is the day of the departure, ``seq`` the trip's position among the vehicle's
trips of that day; distance and duration are those of the region's matrices over points
(zones, then sites). A trip is the car's last of the day (``last_of_day``: it is home and may
charge there) when it is the vehicle's last trip of its day and ends in the home zone; its
purpose is ``"home"`` when it ends in the home zone, else ``"other"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.config.models import Scenario
from emob_sim.demand.chains import DAY_S, PURPOSES
from emob_sim.demand.fleet import TypeArrays, draw_types, home_access_share, vehicle_frame

if TYPE_CHECKING:
    from emob_sim.region import Region

__all__ = ["file_vehicles", "trip_arrays"]


def file_vehicles(
    scenario: Scenario,
    *,
    types: TypeArrays,
    rng: np.random.Generator,
    home_zone: NDArray[np.int64],
    visitor: NDArray[np.bool_],
    type_idx: NDArray[np.int64],
    initial_soc: NDArray[np.float64],
    zones: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The vehicle table of a demand file (see the module docstring).

    Parameters
    ----------
    home_zone
        Zone index of each vehicle's home (the origin of its first trip).
    visitor
        Vehicles that drive to a charging site: not residents, no home charging.
    type_idx, initial_soc
        Given by the file; -1 and NaN where they are drawn.
    zones
        The region's zone table, for the home-charging share of each home zone (a home that is
        not a zone row, or no table, takes the regional ``fleet.home_charging_share``).
    """
    n = home_zone.shape[0]
    fleet = scenario.fleet
    drawn_type = draw_types(types.share, n, rng)
    share = np.full(n, fleet.home_charging_share)
    if zones is not None:
        by_zone = home_access_share(fleet, zones)
        known = (home_zone >= 0) & (home_zone < len(by_zone))
        share[known] = by_zone[home_zone[known]]
    home_charging = (rng.random(n) < share) & ~visitor
    drawn_soc = rng.uniform(fleet.initial_soc_min, fleet.initial_soc_max, n)
    drawn_soc[home_charging] = scenario.charging.home_target_soc
    return vehicle_frame(
        type_idx=np.where(type_idx >= 0, type_idx, drawn_type),
        home_zone=home_zone,
        resident=~visitor,
        home_charging=home_charging,
        initial_soc=np.where(np.isnan(initial_soc), drawn_soc, initial_soc),
        types=types,
    )


def trip_arrays(
    region: Region,
    *,
    vehicle: NDArray[np.int64],
    origin: NDArray[np.int64],
    dest: NDArray[np.int64],
    depart_s: NDArray[np.float64],
) -> dict[str, NDArray]:
    """Chain-style trip arrays (as :func:`~emob_sim.demand.chains.generate_chains` returns).

    ``vehicle``, ``origin``, ``dest`` (point indices) and ``depart_s`` must be sorted by
    (vehicle, departure).
    """
    vehicle = np.asarray(vehicle, dtype=np.int64)
    origin = np.asarray(origin, dtype=np.int64)
    dest = np.asarray(dest, dtype=np.int64)
    depart_s = np.asarray(depart_s, dtype=np.float64)
    m = vehicle.shape[0]
    day = np.floor(depart_s / DAY_S).astype(np.int64)
    new_day = np.ones(m, dtype=bool)
    new_day[1:] = (vehicle[1:] != vehicle[:-1]) | (day[1:] != day[:-1])
    starts = np.flatnonzero(new_day)
    seq = np.arange(m, dtype=np.int64) - np.repeat(starts, np.diff(np.append(starts, m)))
    last = np.zeros(m, dtype=bool)
    last[starts - 1] = True  # the trip before each (vehicle, day) start ends a day
    if m:
        last[-1] = True
    first_of_vehicle = np.ones(m, dtype=bool)
    first_of_vehicle[1:] = vehicle[1:] != vehicle[:-1]
    home = origin[first_of_vehicle][np.cumsum(first_of_vehicle) - 1]
    at_home = dest == home
    time_s = np.asarray(region.time_s, dtype=np.float64)
    dist_km = np.asarray(region.dist_km, dtype=np.float64)
    return {
        "vehicle": vehicle,
        "day": day,
        "seq": seq,
        "origin": origin,
        "dest": dest,
        "depart_s": depart_s,
        "distance_km": dist_km[origin, dest],
        "duration_s": time_s[origin, dest],
        "purpose_code": np.where(at_home, PURPOSES.index("home"), PURPOSES.index("other")).astype(
            np.int64
        ),
        "last_of_day": last & at_home,
    }
