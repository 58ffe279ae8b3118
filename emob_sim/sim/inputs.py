"""Plain numpy arrays for the simulation, checked and prepared once from the stage values."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from emob_sim.config.models import Scenario
from emob_sim.demand.tables import TRIP_COLUMNS, VEHICLE_COLUMNS, Demand
from emob_sim.errors import DataError
from emob_sim.region import SITE_COLUMNS, Region

__all__ = ["SimInputs", "prepare_inputs"]


@dataclass(frozen=True, eq=False)
class SimInputs:
    """Everything the engine needs, as arrays (per vehicle, per trip, per site) and scalars."""

    # vehicles
    battery_kwh: NDArray[np.float64]
    consumption_kwh_per_km: NDArray[np.float64]
    max_ac_kw: NDArray[np.float64]
    max_dc_kw: NDArray[np.float64]
    initial_soc: NDArray[np.float64]
    home_charging: NDArray[np.bool_]
    home_kw: NDArray[np.float64]  # min(home_power_kw, max_ac_kw)
    type_idx: NDArray[np.int64]
    # trips (sorted by vehicle, then departure); vehicle v owns trip_ptr[v]:trip_ptr[v+1]
    trip_ptr: NDArray[np.int64]
    trip_vehicle: NDArray[np.int64]
    origin: NDArray[np.int64]
    dest: NDArray[np.int64]
    day: NDArray[np.int64]
    depart_s: NDArray[np.float64]
    duration_s: NDArray[np.float64]
    distance_km: NDArray[np.float64]
    trip_kwh: NDArray[np.float64]  # distance_km * consumption of the trip's vehicle
    last_of_day: NDArray[np.bool_]
    # sites and travel matrices over points (zones then sites)
    site_ids: NDArray[np.object_]
    site_point: NDArray[np.int64]
    site_is_dc: NDArray[np.bool_]
    site_plug_kw: NDArray[np.float64]
    site_plugs: NDArray[np.int64]
    time_s: NDArray[np.float64]
    dist_km: NDArray[np.float64]
    # charging curves per vehicle type
    curve_soc: NDArray[np.float64]
    curve_frac: NDArray[np.float64]
    # behaviour and time
    comfort_soc: float
    reserve_soc: float
    target_soc: float
    max_wait_s: float
    max_site_attempts: int
    wait_weight: float
    home_target_soc: float
    rescue_soc: float
    min_charge_gain_kwh: float  # a stop must gain at least this much energy
    session_prior_s: float  # expected session length at a site before one has ended there
    horizon_s: float
    bin_s: float

    @property
    def n_vehicles(self) -> int:
        return int(self.battery_kwh.shape[0])

    @property
    def n_trips(self) -> int:
        return int(self.depart_s.shape[0])

    @property
    def n_sites(self) -> int:
        return int(self.site_point.shape[0])

    @property
    def n_zones(self) -> int:
        """Points below this index are zones, the others sites (``site_point``)."""
        return int(self.time_s.shape[0]) - self.n_sites

    def first_site_trip(self) -> NDArray[np.int64]:
        """Per vehicle, its first trip whose destination is a site point (-1 = none)."""
        out = np.full(self.n_vehicles, -1, dtype=np.int64)
        k = np.flatnonzero(self.dest >= self.n_zones)
        owners, first = np.unique(self.trip_vehicle[k], return_index=True)
        out[owners] = k[first]
        return out


def _missing(table, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataError(f"{what}: missing columns {missing}, expected {columns}")


def prepare_inputs(scenario: Scenario, region: Region, demand: Demand) -> SimInputs:
    """Check the inputs and turn them into :class:`SimInputs`.

    Raises
    ------
    DataError
        A table misses a column, ids are not 0..n-1, trips are not sorted by vehicle and
        departure, a point index is out of range, or a vehicle/site value is not positive.
    """
    veh, trips, sites = demand.vehicles, demand.trips, region.sites
    _missing(veh, VEHICLE_COLUMNS, "demand.vehicles")
    _missing(trips, TRIP_COLUMNS, "demand.trips")
    _missing(sites, SITE_COLUMNS, "region.sites")
    n_veh, m = len(veh), len(trips)
    if not np.array_equal(veh["vehicle_id"].to_numpy(), np.arange(n_veh)):
        raise DataError("demand.vehicles.vehicle_id: expected 0..n-1 in row order")
    if not np.array_equal(trips["trip_id"].to_numpy(), np.arange(m)):
        raise DataError("demand.trips.trip_id: expected 0..m-1 in row order")
    trip_vehicle = trips["vehicle_id"].to_numpy(np.int64)
    depart_s = trips["depart_s"].to_numpy(np.float64)
    if m and (trip_vehicle.min() < 0 or trip_vehicle.max() >= n_veh):
        raise DataError(f"demand.trips.vehicle_id: expected values in [0, {n_veh})")
    same = trip_vehicle[1:] == trip_vehicle[:-1]
    unsorted = same & (depart_s[1:] < depart_s[:-1])
    if np.any(trip_vehicle[1:] < trip_vehicle[:-1]) or np.any(unsorted):
        raise DataError("demand.trips: expected rows sorted by (vehicle_id, depart_s)")
    if m and not np.all(np.isfinite(depart_s) & (depart_s >= 0)):
        raise DataError("demand.trips.depart_s: expected finite values >= 0")
    n_points = region.n_zones + region.n_sites
    if region.time_s.shape != (n_points, n_points) or region.dist_km.shape != (n_points, n_points):
        raise DataError(
            f"region.time_s/dist_km: expected shape ({n_points}, {n_points}) for zones then sites, "
            f"got {region.time_s.shape} and {region.dist_km.shape}"
        )
    origin = trips["origin"].to_numpy(np.int64)
    dest = trips["dest"].to_numpy(np.int64)
    for name, arr in (("origin", origin), ("dest", dest)):
        if m and (arr.min() < 0 or arr.max() >= n_points):
            raise DataError(f"demand.trips.{name}: expected point indices in [0, {n_points})")
    battery = veh["battery_kwh"].to_numpy(np.float64)
    cons = veh["consumption_kwh_per_km"].to_numpy(np.float64)
    max_ac = veh["max_ac_kw"].to_numpy(np.float64)
    positive = {"battery_kwh": battery, "consumption_kwh_per_km": cons, "max_ac_kw": max_ac}
    for name, arr in positive.items():
        if n_veh and not np.all(arr > 0):
            raise DataError(f"demand.vehicles.{name}: expected values > 0")
    initial_soc = veh["initial_soc"].to_numpy(np.float64)
    if n_veh and not np.all((initial_soc >= 0) & (initial_soc <= 1)):
        raise DataError("demand.vehicles.initial_soc: expected values in [0, 1]")
    kinds = sites["kind"].to_numpy(dtype=object)
    bad = sorted({str(k) for k in kinds if k not in ("car_ac", "car_dc")})
    if bad:
        raise DataError(f"region.sites.kind: expected 'car_ac' or 'car_dc', got {bad}")
    plugs = sites["plugs"].to_numpy(np.int64)
    plug_kw = sites["power_kw"].to_numpy(np.float64)
    if len(sites) and (plugs.min() < 1 or plug_kw.min() <= 0):
        raise DataError("region.sites: expected plugs >= 1 and power_kw > 0")
    ch, time_cfg = scenario.charging, scenario.time
    trip_ptr = np.searchsorted(trip_vehicle, np.arange(n_veh + 1)).astype(np.int64)
    return SimInputs(
        battery_kwh=battery,
        consumption_kwh_per_km=cons,
        max_ac_kw=max_ac,
        max_dc_kw=veh["max_dc_kw"].to_numpy(np.float64),
        initial_soc=initial_soc,
        home_charging=veh["home_charging"].to_numpy(bool),
        home_kw=np.minimum(ch.home_power_kw, max_ac),
        type_idx=veh["type_idx"].to_numpy(np.int64),
        trip_ptr=trip_ptr,
        trip_vehicle=trip_vehicle,
        origin=origin,
        dest=dest,
        day=trips["day"].to_numpy(np.int64),
        depart_s=depart_s,
        duration_s=trips["duration_s"].to_numpy(np.float64),
        distance_km=trips["distance_km"].to_numpy(np.float64),
        trip_kwh=trips["distance_km"].to_numpy(np.float64) * cons[trip_vehicle],
        last_of_day=trips["last_of_day"].to_numpy(bool),
        site_ids=sites["site_id"].astype(str).to_numpy(dtype=object),
        site_point=region.n_zones + np.arange(len(sites), dtype=np.int64),
        site_is_dc=kinds == "car_dc",
        site_plug_kw=plug_kw,
        site_plugs=plugs,
        time_s=np.ascontiguousarray(region.time_s, dtype=np.float64),
        dist_km=np.ascontiguousarray(region.dist_km, dtype=np.float64),
        curve_soc=np.ascontiguousarray(demand.curve_soc, dtype=np.float64),
        curve_frac=np.ascontiguousarray(demand.curve_frac, dtype=np.float64),
        comfort_soc=ch.comfort_soc,
        reserve_soc=ch.reserve_soc,
        target_soc=ch.target_soc,
        max_wait_s=ch.max_wait_min * 60.0,
        max_site_attempts=ch.max_site_attempts,
        wait_weight=ch.wait_weight,
        home_target_soc=ch.home_target_soc,
        rescue_soc=ch.rescue_soc,
        min_charge_gain_kwh=ch.min_charge_gain_kwh,
        session_prior_s=ch.session_prior_min * 60.0,
        horizon_s=time_cfg.days * 86400.0,
        bin_s=time_cfg.profile_step_min * 60.0,
    )


def n_bins_for(horizon_s: float, last_end_s: float, bin_s: float) -> int:
    """Number of profile bins covering the horizon and the last session end."""
    return int(math.ceil(max(horizon_s, last_end_s) / bin_s))
