"""Simulating e-bikes: bulk settlement by a kernel, SimPy for riders who use public points.

1. :func:`~emob_sim.kernels.ebike.ebike_chain` walks every e-bike's trips without public
   charging (riding, running flat, overnight home charging) and finds the first arrival at
   which the rider would look for a public e-bike point (module docstring there).
2. E-bikes that never do are settled in bulk from the kernel's arrays.
3. The others (all with ``simulation.all_vehicles_in_simpy``) run as SimPy processes. Each
   public point is a ``simpy.Resource`` with one slot per plug. A rider who wants a charge on
   arrival at a trip end near the destination zone's points parks at the first of them (nearest
   to the zone centre first) with a free plug (full points tried before are recorded as
   *turned away*; riders do not queue), holds the plug
   until the next planned departure and charges meanwhile at
   ``min(site power_kw, ebike.max_charge_kw)``, flat, up to full. Without a free plug the bike
   stays as it is and may run flat on a later trip. Which trips end near the points of their
   destination zone is drawn with the demand (``near_site``; :mod:`emob_sim.region.bike`).
   A rider wants a charge when the battery is low or cannot cover the next trip (session
   ``location`` ``"en_route"``: charging for the journey, the rule of a car's en-route stop),
   or else when the stay lasts at least ``ebike.destination_min_dwell_min`` and the battery is
   below ``ebike.destination_charge_below_soc`` (``"destination"``: a top-up while parked;
   :func:`~emob_sim.kernels.ebike.ebike_public_reason`). The column and its values are those
   of the car sessions.

E-bike trips are never stranded: a rider with a flat battery rides on unassisted (counted as
``battery_depleted``). The outcome is deterministic given the demand; SimPy and bulk give the
same results for e-bikes that never look for a public point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import simpy
from numpy.typing import NDArray

from emob_sim.config.models import Scenario
from emob_sim.demand.ebike import EbikeDemand
from emob_sim.kernels.ebike import (
    PUBLIC_DESTINATION,
    PUBLIC_NONE,
    ebike_chain,
    ebike_public_reason,
    ebike_ride,
)
from emob_sim.kernels.energy import home_charge
from emob_sim.kernels.profile import load_profile
from emob_sim.kernels.structs import (
    make_chains,
    make_curves,
    make_ebike_rule,
    make_profile_sessions,
)

if TYPE_CHECKING:
    from emob_sim.region import Region

__all__ = [
    "EbikeSimResult",
    "simulate_ebikes",
    "EBIKE_TRIP_RESULT_COLUMNS",
    "EBIKE_SESSION_COLUMNS",
    "TURNED_AWAY_COLUMNS",
]

#: EbikeSimResult.trips: one row per e-bike trip, in the order of EbikeDemand.trips
EBIKE_TRIP_RESULT_COLUMNS = [
    "trip_id",
    "ebike_id",
    "status",  # always "completed": a flat battery means riding on unassisted
    "arrive_s",
    "km",
    "energy_used_kwh",  # drawn from the battery (less than needed when depleted)
    "battery_depleted",  # bool: the battery ran flat during this trip
    "public_charges",  # int: public sessions while parked after this trip
]

#: EbikeSimResult.sessions: one row per public charging session
EBIKE_SESSION_COLUMNS = [
    "session_id",
    "ebike_id",
    "trip_id",  # the trip after which the bike was parked
    "site_idx",  # index into region.bike.sites
    "site_id",
    "location",  # "en_route" (low battery for the next trip) or "destination" (long stay)
    "start_s",  # arrival, plug taken
    "charge_end_s",  # battery full or departure, whichever first
    "end_s",  # departure: plug released
    "energy_kwh",
    "soc_start",
    "soc_end",
]

#: EbikeSimResult.turned_away: a rider found every plug of a near point taken
TURNED_AWAY_COLUMNS = ["ebike_id", "trip_id", "site_idx", "site_id", "time_s"]


@dataclass(frozen=True, eq=False)
class EbikeSimResult:
    """Outcome of the e-bike simulation (``load_kw[s, b]``: mean kW of e-bike site ``s``;
    ``final_soc[v]``: e-bike ``v``'s state of charge at the end, for the energy balance)."""

    trips: pd.DataFrame
    sessions: pd.DataFrame
    turned_away: pd.DataFrame
    home_energy_kwh: float
    load_kw: NDArray[np.float64]
    bin_s: float
    in_simpy: NDArray[np.bool_]
    final_soc: NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class _Inputs:
    trip_ptr: NDArray[np.int64]
    depart_s: list[float]
    duration_s: list[float]
    energy_wh: list[float]
    dest: list[int]
    last_of_day: list[bool]
    battery_wh: NDArray[np.float64]
    initial_soc: NDArray[np.float64]
    near_site: list[bool]  # per trip: ends within walking distance of its zone's points
    near: list[list[int]]  # per zone: its public points, nearest to the centre first
    site_kw: NDArray[np.float64]  # charging power per plug, capped by the bike
    site_plugs: NDArray[np.int64]
    home_kw: float
    home_below_soc: float
    public_below_soc: float
    destination_below_soc: float
    min_dwell_s: float
    horizon_s: float


class _Ledger:
    def __init__(self, n_bikes: int, n_trips: int) -> None:
        self.arrive_s = np.full(n_trips, np.nan)
        self.used_wh = np.zeros(n_trips)
        self.depleted = np.zeros(n_trips, dtype=bool)
        self.charges = np.zeros(n_trips, dtype=np.int64)
        self.home_wh = np.zeros(n_bikes)
        self.final_soc = np.zeros(n_bikes)
        #: (bike, trip, site, start_s, charge_end_s, end_s, energy_kwh, soc_start, soc_end,
        #: location)
        self.sessions: list[tuple] = []
        #: (bike, trip, site, time_s)
        self.turned: list[tuple] = []


class _Riders:
    """Public e-bike points and rider processes sharing one SimPy environment."""

    def __init__(self, env: simpy.Environment, inp: _Inputs, led: _Ledger) -> None:
        self.env, self.inp, self.led = env, inp, led
        self.plugs = [simpy.Resource(env, capacity=int(c)) for c in inp.site_plugs]

    def _sync(self, t: float):
        if t > self.env.now:
            yield self.env.timeout(t - self.env.now)

    def ride(self, v: int):
        """SimPy process of e-bike ``v`` over all its trips."""
        inp, led = self.inp, self.led
        b = float(inp.battery_wh[v])
        soc = float(inp.initial_soc[v])
        t = 0.0
        k0, k1 = int(inp.trip_ptr[v]), int(inp.trip_ptr[v + 1])
        for k in range(k0, k1):
            dep = max(inp.depart_s[k], t)
            soc, used, flat = ebike_ride(soc, b, inp.energy_wh[k])
            t = dep + inp.duration_s[k]
            led.arrive_s[k], led.used_wh[k], led.depleted[k] = t, used, flat
            t_next = inp.depart_s[k + 1] if k + 1 < k1 else inp.horizon_s
            if inp.last_of_day[k]:
                if soc < inp.home_below_soc:
                    new_soc, _ = home_charge(soc, t, t_next, inp.home_kw, b / 1000.0, 1.0)
                    led.home_wh[v] += (new_soc - soc) * b
                    soc = new_soc
                continue
            sites = inp.near[inp.dest[k]]
            if not inp.near_site[k] or t_next <= t:
                continue
            reason = ebike_public_reason(
                soc,
                b,
                inp.energy_wh[k + 1],
                t_next - t,
                inp.public_below_soc,
                inp.destination_below_soc,
                inp.min_dwell_s,
            )
            if reason == PUBLIC_NONE:
                continue
            location = "destination" if reason == PUBLIC_DESTINATION else "en_route"
            yield from self._sync(t)
            for s in sites:
                plugs = self.plugs[s]
                if plugs.count >= plugs.capacity:
                    led.turned.append((v, k, s, t))
                    continue
                req = plugs.request()  # granted at once: a plug is free
                kw = float(inp.site_kw[s])
                new_soc, t_full = home_charge(soc, t, t_next, kw, b / 1000.0, 1.0)
                kwh = (new_soc - soc) * b / 1000.0
                led.sessions.append((v, k, s, t, t_full, t_next, kwh, soc, new_soc, location))
                led.charges[k] += 1
                soc = new_soc
                yield from self._sync(t_next)
                plugs.release(req)
                break
        led.final_soc[v] = soc


def _zone_sites(region: Region) -> list[list[int]]:
    """Per zone: the public points serving it, nearest to its centre first."""
    out: list[list[int]] = [[] for _ in range(region.n_zones)]
    layer = region.bike
    if layer is None:
        return out
    for s in np.lexsort((np.arange(layer.n_sites), layer.site_centre_m)).tolist():
        out[int(layer.site_zone[s])].append(s)
    return out


def simulate_ebikes(scenario: Scenario, region: Region, demand: EbikeDemand) -> EbikeSimResult:
    """Simulate the e-bikes of ``demand`` (see the module docstring).

    Parameters
    ----------
    scenario
        Uses ``ebike`` (charging behaviour), ``time`` and ``simulation.all_vehicles_in_simpy``.
    region
        Its e-bike layer (``region.bike``: sites and walking distances).
    demand
        E-bikes and trips from :func:`emob_sim.demand.ebike.generate_ebike_demand`.

    Returns
    -------
    EbikeSimResult
        The e-bike trips' outcome, the public sessions, the riders turned away, the load at
        the e-bike sites, the home charging energy and each bike's final state of charge.
    """
    cfg, layer = scenario.ebike, getattr(region, "bike", None)
    no_sites = pd.DataFrame({"site_id": [], "power_kw": [], "plugs": []})
    sites = layer.sites if layer is not None else no_sites
    veh, trips = demand.vehicles, demand.trips
    n, m = len(veh), len(trips)
    trip_vehicle = trips["ebike_id"].to_numpy(np.int64)
    trip_ptr = np.searchsorted(trip_vehicle, np.arange(n + 1)).astype(np.int64)
    dest = trips["dest"].to_numpy(np.int64)
    last = trips["last_of_day"].to_numpy(bool)
    near = _zone_sites(region)
    seek = trips["near_site"].to_numpy(bool)
    battery = veh["battery_wh"].to_numpy(float)
    horizon_s = scenario.time.days * 86400.0
    depart = trips["depart_s"].to_numpy(float)
    duration = trips["duration_s"].to_numpy(float)
    wh = trips["energy_wh"].to_numpy(float)
    initial = veh["initial_soc"].to_numpy(float)
    home_kw = min(cfg.home_charger_kw, cfg.max_charge_kw)
    min_dwell_s = cfg.destination_min_dwell_min * 60.0
    chains = make_chains(
        trip_ptr=trip_ptr, depart_s=depart, duration_s=duration, energy=wh, last_of_day=last
    )
    rule = make_ebike_rule(
        home_kw=home_kw,
        home_below_soc=cfg.home_charge_below_soc,
        public_below_soc=cfg.public_charge_below_soc,
        destination_below_soc=cfg.destination_charge_below_soc,
        min_dwell_s=min_dwell_s,
    )
    walk = ebike_chain(chains, seek, battery, initial, rule, horizon_s)
    _, arr, _, soc_after, used_wh, depleted, soc_home, _, first_need, final_soc = walk
    in_simpy = first_need >= 0
    if scenario.simulation.all_vehicles_in_simpy:
        in_simpy[:] = True
    bulk = ~in_simpy[trip_vehicle] if m else np.zeros(0, dtype=bool)

    led = _Ledger(n, m)
    led.arrive_s[bulk] = arr[bulk]
    led.used_wh[bulk] = used_wh[bulk]
    led.depleted[bulk] = depleted[bulk]
    gain_wh = (soc_home - soc_after) * battery[trip_vehicle] if m else np.zeros(0)
    led.home_wh[:] = np.bincount(trip_vehicle[bulk], weights=gain_wh[bulk], minlength=n)
    led.final_soc[:] = final_soc
    riders = np.flatnonzero(in_simpy)
    site_kw = np.minimum(sites["power_kw"].to_numpy(float), cfg.max_charge_kw)
    if riders.size:
        inp = _Inputs(
            trip_ptr=trip_ptr,
            depart_s=depart.tolist(),
            duration_s=duration.tolist(),
            energy_wh=wh.tolist(),
            dest=dest.tolist(),
            last_of_day=last.tolist(),
            near_site=seek.tolist(),
            battery_wh=battery,
            initial_soc=initial,
            near=near,
            site_kw=site_kw,
            site_plugs=sites["plugs"].to_numpy(np.int64),
            home_kw=home_kw,
            home_below_soc=cfg.home_charge_below_soc,
            public_below_soc=cfg.public_charge_below_soc,
            destination_below_soc=cfg.destination_charge_below_soc,
            min_dwell_s=min_dwell_s,
            horizon_s=horizon_s,
        )
        env = simpy.Environment()
        fleet = _Riders(env, inp, led)
        for v in riders.tolist():
            env.process(fleet.ride(v))
        env.run()

    site_ids = sites["site_id"].astype(str).to_numpy(dtype=object)
    sessions = _sessions(led, site_ids)
    bin_s = scenario.time.profile_step_min * 60.0
    return EbikeSimResult(
        trips=pd.DataFrame(
            {
                "trip_id": np.arange(m, dtype=np.int64),
                "ebike_id": trip_vehicle,
                "status": np.full(m, "completed", dtype=object),
                "arrive_s": led.arrive_s,
                "km": trips["distance_km"].to_numpy(float),
                "energy_used_kwh": led.used_wh / 1000.0,
                "battery_depleted": led.depleted,
                "public_charges": led.charges,
            },
            columns=EBIKE_TRIP_RESULT_COLUMNS,
        ),
        sessions=sessions,
        turned_away=_turned(led, site_ids),
        home_energy_kwh=float(led.home_wh.sum()) / 1000.0,
        load_kw=_load(sessions, site_kw, veh, horizon_s, bin_s, len(sites)),
        bin_s=bin_s,
        in_simpy=in_simpy,
        final_soc=led.final_soc,
    )


def _sessions(led: _Ledger, site_ids: NDArray[np.object_]) -> pd.DataFrame:
    cols = [
        "ebike_id",
        "trip_id",
        "site_idx",
        "start_s",
        "charge_end_s",
        "end_s",
        "energy_kwh",
        "soc_start",
        "soc_end",
        "location",
    ]
    df = pd.DataFrame(led.sessions, columns=cols)
    df = df.astype({"ebike_id": np.int64, "trip_id": np.int64, "site_idx": np.int64})
    df = df.astype({c: np.float64 for c in cols[3:-1]})
    df["location"] = df["location"].astype(object)
    df = df.sort_values(["start_s", "ebike_id"], kind="stable").reset_index(drop=True)
    df.insert(0, "session_id", np.arange(len(df), dtype=np.int64))
    df.insert(4, "site_id", site_ids[df["site_idx"].to_numpy()].astype(str))
    return df[EBIKE_SESSION_COLUMNS]


def _turned(led: _Ledger, site_ids: NDArray[np.object_]) -> pd.DataFrame:
    df = pd.DataFrame(led.turned, columns=["ebike_id", "trip_id", "site_idx", "time_s"])
    df = df.astype(
        {"ebike_id": np.int64, "trip_id": np.int64, "site_idx": np.int64, "time_s": np.float64}
    )
    df = df.sort_values(["time_s", "ebike_id"], kind="stable").reset_index(drop=True)
    df.insert(3, "site_id", site_ids[df["site_idx"].to_numpy()].astype(str))
    return df[TURNED_AWAY_COLUMNS]


def _load(
    sessions: pd.DataFrame,
    site_kw: NDArray[np.float64],
    veh: pd.DataFrame,
    horizon_s: float,
    bin_s: float,
    n_sites: int,
) -> NDArray[np.float64]:
    """Mean kW per e-bike site and bin: flat power from plug-in until full or departure."""
    last = float(sessions["charge_end_s"].max()) if len(sessions) else 0.0
    n_bins = int(math.ceil(max(horizon_s, last) / bin_s))
    s = sessions["site_idx"].to_numpy(np.int64)
    v = sessions["ebike_id"].to_numpy(np.int64)
    k = len(sessions)
    flat_curve = np.array([[0.0, 1.0]])
    rows = make_profile_sessions(
        site_idx=s,
        start_s=sessions["start_s"].to_numpy(float),
        end_s=sessions["charge_end_s"].to_numpy(float),
        soc_start=sessions["soc_start"].to_numpy(float),
        soc_end=sessions["soc_end"].to_numpy(float),
        battery_kwh=veh["battery_wh"].to_numpy(float)[v] / 1000.0,
        type_idx=np.zeros(k, dtype=np.int64),
        max_dc_kw=np.zeros(k),
        max_ac_kw=site_kw[s],
        plug_kw=site_kw[s],
        is_dc=np.zeros(k, dtype=bool),
    )
    curves = make_curves(curve_soc=flat_curve, curve_frac=np.ones((1, 2)))
    return load_profile(rows, curves, n_sites, n_bins, bin_s)
