"""Plain numpy arrays for the simulation, checked and prepared once from the stage values."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from emob_sim.config.models import Scenario
from emob_sim.demand.tables import TRIP_COLUMNS, VEHICLE_COLUMNS, Demand
from emob_sim.errors import DataError
from emob_sim.kernels.structs import PlugRule, make_chain_cars, make_chains, make_plug_rule
from emob_sim.region import SITE_COLUMNS, Region

__all__ = ["SimInputs", "prepare_inputs", "zone_sites"]


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
    # destination and overnight charging (public AC where cars park): zone z's sites are
    # zone_site_idx[zone_site_ptr[z]:zone_site_ptr[z + 1]], nearest first; per trip, the power
    # per plug of the best such site at its destination (0 = none, or destination charging off)
    zone_site_ptr: NDArray[np.int64]
    zone_site_idx: NDArray[np.int64]
    dest_kw: NDArray[np.float64]
    dest_max_soc: float
    dest_min_dwell_s: float
    dest_target_soc: float
    overnight_soc: float
    dest_max_wait_s: float

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

    def chain_energy_args(self) -> tuple:
        """The arguments of :func:`~emob_sim.kernels.chain_energy` (in its order)."""
        chains = make_chains(
            trip_ptr=self.trip_ptr,
            depart_s=self.depart_s,
            duration_s=self.duration_s,
            energy=self.trip_kwh,
            last_of_day=self.last_of_day,
        )
        cars = make_chain_cars(
            battery_kwh=self.battery_kwh,
            initial_soc=self.initial_soc,
            home_charging=self.home_charging,
            home_kw=self.home_kw,
            max_ac_kw=self.max_ac_kw,
        )
        return (
            chains,
            cars,
            self.dest_kw,
            self.home_target_soc,
            self.comfort_soc,
            self.horizon_s,
            self.plug_rule(),
        )

    def plug_rule(self) -> PlugRule:
        """The parameters of :func:`~emob_sim.kernels.wants_to_plug`."""
        return make_plug_rule(
            max_soc=self.dest_max_soc,
            min_dwell_s=self.dest_min_dwell_s,
            target_soc=self.dest_target_soc,
            overnight_soc=self.overnight_soc,
            min_gain_kwh=self.min_charge_gain_kwh,
        )

    def first_site_trip(self) -> NDArray[np.int64]:
        """Per vehicle, its first trip whose destination is a site point (-1 = none)."""
        out = np.full(self.n_vehicles, -1, dtype=np.int64)
        k = np.flatnonzero(self.dest >= self.n_zones)
        owners, first = np.unique(self.trip_vehicle[k], return_index=True)
        out[owners] = k[first]
        return out


def zone_sites(
    dist_km: NDArray[np.float64],
    n_zones: int,
    is_ac: NDArray[np.bool_],
    *,
    walk_m: float,
    nearest_zone: bool,
    parking: NDArray[np.bool_] | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The public AC sites each zone's parked cars can use, as CSR arrays (ptr, site indices).

    A site belongs to zone ``z`` if its network distance from the zone's point is at most
    ``walk_m``, or, with ``nearest_zone``, if ``z`` is the zone nearest to it (ties: the lower
    zone index). Only zones where ``parking`` is True (default: all) have sites (cars do not
    park at a gateway, where through traffic leaves). Each zone's sites are listed nearest
    first (ties: the lower site index).
    """
    n_sites = is_ac.size
    parking = np.ones(n_zones, dtype=np.bool_) if parking is None else parking
    to_site = dist_km[:n_zones, n_zones:]  # zones x sites
    own = to_site * 1000.0 <= walk_m
    if nearest_zone and parking.any() and n_sites:
        nearest = np.argmin(np.where(parking[:, None], to_site, np.inf), axis=0)
        own[nearest, np.arange(n_sites)] = True
    own &= is_ac[None, :] & parking[:, None]
    zone, site = np.nonzero(own)
    order = np.lexsort((site, to_site[zone, site], zone))
    ptr = np.zeros(n_zones + 1, dtype=np.int64)
    np.cumsum(np.bincount(zone, minlength=n_zones), out=ptr[1:])
    return ptr, site[order].astype(np.int64)


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
    dc = ch.destination
    n_zones = region.n_zones
    is_ac = (kinds == "car_ac") & dc.enabled
    zone_site_ptr, zone_site_idx = zone_sites(
        np.asarray(region.dist_km, dtype=np.float64),
        n_zones,
        is_ac,
        walk_m=dc.walk_m,
        nearest_zone=dc.zone_sites and scenario.network.source == "strategic",
        parking=region.zones["kind"].to_numpy(dtype=object) != "gateway",
    )
    zone_kw = np.zeros(n_zones + 1)  # the last entry: trips to a site point
    owner = np.repeat(np.arange(n_zones), np.diff(zone_site_ptr))
    np.maximum.at(zone_kw, owner, plug_kw[zone_site_idx])
    dest_kw = zone_kw[np.minimum(dest, n_zones)]
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
        zone_site_ptr=zone_site_ptr,
        zone_site_idx=zone_site_idx,
        dest_kw=dest_kw,
        dest_max_soc=dc.max_soc,
        dest_min_dwell_s=dc.min_dwell_min * 60.0,
        dest_target_soc=dc.target_soc,
        overnight_soc=dc.overnight_soc,
        dest_max_wait_s=dc.max_wait_min * 60.0,
    )


def n_bins_for(horizon_s: float, last_end_s: float, bin_s: float) -> int:
    """Number of profile bins covering the horizon and the last session end."""
    return int(math.ceil(max(horizon_s, last_end_s) / bin_s))
