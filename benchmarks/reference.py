"""The plain reference: the same model written the way a competent user would without emob-sim.

- Routing: networkx on the road graph, one ``single_source_dijkstra`` per origin node the first
  time a pair from it is asked for, cached per (origin, destination) pair; the length of a
  fastest path is summed along the path.
- Demand: the same sampler as emob-sim (:func:`emob_sim.demand.generate_demand`, vectorised
  numpy, as a competent user would write it too) fed with the reference's own travel matrices,
  so that both implementations simulate the same trips.
- Simulation: every vehicle is a SimPy process that waits for each departure and drives each
  leg with ``env.timeout``; charging sites are ``simpy.Resource`` objects; site choice,
  charging under the taper curve, home charging and the load profile are plain Python
  arithmetic on floats and lists (no numpy in the inner loops, no numba). The rules are those
  of :mod:`emob_sim.sim.fleet` (comfort/reserve levels, site cost, waiting at most
  ``max_wait_min``, at most ``max_site_attempts`` sites per stop, stranding and overnight
  recovery, a trip to a site charging there on arrival, plugging in where a car parks at a
  destination or overnight with the plug kept until it leaves, home charging after the last
  trip of a day).
- Results: the SimResult tables built with pandas from lists, KPIs from the same function as
  emob-sim (:func:`emob_sim.analysis.kpis.compute_kpis`), Parquet and JSON files written.

Ties between events at exactly the same time may be processed in another order than in
emob-sim (here every departure and arrival is a SimPy event), so queue outcomes can differ in
rare cases; the suite reports how closely the KPIs agree.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import simpy

from emob_sim.analysis.kpis import compute_kpis
from emob_sim.config.models import Scenario
from emob_sim.demand import generate_demand
from emob_sim.demand.tables import Demand
from emob_sim.region import Region, intrazonal_distance_km
from emob_sim.sim.inputs import zone_sites
from emob_sim.sim.outputs import (
    ABANDON_COLUMNS,
    EVENT_COLUMNS,
    SESSION_COLUMNS,
    TRIP_RESULT_COLUMNS,
    SimResult,
)

__all__ = ["PairRouter", "reference_matrices", "reference_simulate", "reference_run"]


class PairRouter:
    """Fastest paths between graph nodes with networkx, cached per (origin, destination)."""

    def __init__(self, graph: nx.MultiDiGraph, nodes: list[int]) -> None:
        self.graph = graph
        self.nodes = sorted(set(nodes))
        self.cache: dict[tuple[int, int], tuple[float, float]] = {}

    def get(self, origin: int, dest: int) -> tuple[float, float]:
        """(travel time in s, length in km) of the fastest path."""
        key = (origin, dest)
        if key not in self.cache:
            times, paths = nx.single_source_dijkstra(self.graph, origin, weight="travel_time")
            for node in self.nodes:
                path = paths[node]
                length_m = 0.0
                for u, v in itertools.pairwise(path):
                    edges = self.graph[u][v].values()
                    length_m += min((e["travel_time"], e["length"]) for e in edges)[1]
                self.cache[(origin, node)] = (times[node], length_m / 1000.0)
        return self.cache[key]


def reference_matrices(scenario: Scenario, region: Region) -> tuple[PairRouter, Region]:
    """The router and a copy of ``region`` whose matrices come from it (zones then sites)."""
    graph_ids = region.network.node_ids
    zone_nodes = [int(graph_ids[n]) for n in region.zones["node"]]
    point_nodes = zone_nodes + [int(graph_ids[n]) for n in region.sites["node"]]
    router = PairRouter(region.network.graph, point_nodes)
    n = len(point_nodes)
    time_s = np.zeros((n, n))
    dist_km = np.zeros((n, n))
    for p in range(n):
        for q in range(n):
            time_s[p, q], dist_km[p, q] = router.get(point_nodes[p], point_nodes[q])
    intra_km = intrazonal_distance_km(
        region.zones["area_km2"].to_numpy(dtype=float), min_km=scenario.zones.min_intrazonal_km
    )
    for z in range(len(zone_nodes)):
        dist_km[z, z] = intra_km[z]
        time_s[z, z] = intra_km[z] / scenario.zones.intrazonal_speed_kph * 3600.0
    return router, dataclasses.replace(region, time_s=time_s, dist_km=dist_km)


def charge_walk(soc0, soc1, t_max, battery, curve, max_dc, max_ac, plug_kw, is_dc):
    """Charge from soc0 towards soc1 for at most t_max s; return (seconds, soc reached)."""
    if soc1 <= soc0 or t_max <= 0:
        return 0.0, soc0
    scale = 3600.0 * battery
    if not is_dc:
        p = min(plug_kw, max_ac)
        full = scale * (soc1 - soc0) / p
        return (full, soc1) if full <= t_max else (t_max, min(soc0 + p * t_max / scale, soc1))
    t, s = 0.0, soc0
    for (c0, f0), (c1, f1) in itertools.pairwise(curve):
        if c1 <= c0 or c1 <= s:
            continue
        if c0 >= soc1:
            break
        a, b = max(s, c0), min(soc1, c1)
        slope = max_dc * (f1 - f0) / (c1 - c0)
        g_a = max_dc * f0 + slope * (a - c0)
        x = b  # split where the curve power crosses the plug power
        if slope != 0 and a < a + (plug_kw - g_a) / slope < b:
            x = a + (plug_kw - g_a) / slope
        for u, w in ((a, x), (x, b)):
            if w <= u:
                continue
            g_u = g_a + slope * (u - a)
            if g_a + slope * (0.5 * (u + w) - a) >= plug_kw:  # the plug limits: constant power
                dt = scale * (w - u) / plug_kw
                if t + dt > t_max:
                    return t_max, min(u + plug_kw * (t_max - t) / scale, w)
            elif g_u <= 0:
                return t_max, u
            elif slope == 0:
                dt = scale * (w - u) / g_u
                if t + dt > t_max:
                    return t_max, min(u + g_u * (t_max - t) / scale, w)
            else:  # power linear in soc: soc grows exponentially in time
                ratio = slope * (w - u) / g_u
                dt = math.inf if ratio <= -1 else scale * math.log1p(ratio) / slope
                if t + dt > t_max:
                    return t_max, min(u + g_u / slope * math.expm1(slope * (t_max - t) / scale), w)
            t += dt
        s = b
    return t, soc1


class ReferenceSim:
    """Every vehicle a SimPy process; sites are simpy.Resource objects."""

    def __init__(self, scenario: Scenario, region: Region, demand: Demand, router: PairRouter):
        self.env = simpy.Environment()
        self.ch = scenario.charging
        self.horizon_s = scenario.time.days * 86400.0
        self.n_zones = region.n_zones
        graph_ids = region.network.node_ids
        self.node = [int(graph_ids[n]) for n in region.zones["node"]] + [
            int(graph_ids[n]) for n in region.sites["node"]
        ]
        intra_km = intrazonal_distance_km(
            region.zones["area_km2"].to_numpy(dtype=float), min_km=scenario.zones.min_intrazonal_km
        )
        self.intra = [(km / scenario.zones.intrazonal_speed_kph * 3600.0, km) for km in intra_km]
        self.router = router
        self.sites = list(region.sites.itertuples(index=False))
        self.plugs = [simpy.Resource(self.env, capacity=int(s.plugs)) for s in self.sites]
        self.busy = [0] * len(self.sites)
        self.queued = [0] * len(self.sites)
        self.done_s = [[0.0, 0] for _ in self.sites]  # total session seconds, sessions
        # public AC sites where cars park, per zone (the same geography as emob-sim's)
        self.dest = scenario.charging.destination
        ptr, idx = zone_sites(
            region.dist_km,
            region.n_zones,
            (region.sites["kind"] == "car_ac").to_numpy() & self.dest.enabled,
            walk_m=self.dest.walk_m,
            nearest_zone=self.dest.zone_sites and scenario.network.source == "strategic",
            parking=region.zones["kind"].to_numpy(dtype=object) != "gateway",
        )
        self.zone_sites = [idx[ptr[z] : ptr[z + 1]].tolist() for z in range(region.n_zones)]
        self.curves = [
            list(zip(s, f)) for s, f in zip(demand.curve_soc.tolist(), demand.curve_frac.tolist())
        ]
        n = demand.n_trips
        self.status = ["completed"] * n
        self.arrive = [math.nan] * n
        self.km = [0.0] * n
        self.used = [0.0] * n
        self.charges = [0] * n
        self.events: list[tuple] = []
        self.sessions: list[tuple] = []
        self.abandons: list[tuple] = []
        self.home_kwh = 0.0
        self.rescue_kwh = 0.0

    def leg(self, p: int, q: int) -> tuple[float, float]:
        """(seconds, km) between points; a zone's own diagonal is its intrazonal trip."""
        if p == q and p < self.n_zones:
            return self.intra[p]
        return self.router.get(self.node[p], self.node[q])

    def choose_site(self, car, cur, dest, soc, tried):
        best, best_cost = None, math.inf
        for s, site in enumerate(self.sites):
            if s in tried:
                continue
            p = self.n_zones + s
            t_cs, km_cs = self.leg(cur, p)
            soc_arr = soc - km_cs * car.consumption_kwh_per_km / car.battery_kwh
            if soc_arr < self.ch.reserve_soc or soc_arr >= self.ch.target_soc:
                continue
            t_charge, _ = charge_walk(
                soc_arr,
                self.ch.target_soc,
                math.inf,
                car.battery_kwh,
                self.curves[car.type_idx],
                car.max_dc_kw,
                car.max_ac_kw,
                site.power_kw,
                site.kind == "car_dc",
            )
            if not math.isfinite(t_charge):
                continue
            detour = t_cs + self.leg(p, dest)[0] - self.leg(cur, dest)[0]
            wait = 0.0
            if self.busy[s] + self.queued[s] >= site.plugs:
                total, count = self.done_s[s]
                mean = total / count if count else self.ch.session_prior_min * 60.0
                wait = (self.queued[s] + 1) * mean / site.plugs
            cost = detour + self.ch.wait_weight * wait + t_charge
            if cost < best_cost:
                best, best_cost = s, cost
        return best

    def home_charge(self, car, soc, t_from, t_until, v):
        power = min(self.ch.home_power_kw, car.max_ac_kw)
        target = self.ch.home_target_soc
        if soc >= target or t_until <= t_from:
            return soc
        new_soc = soc + power * (t_until - t_from) / 3600.0 / car.battery_kwh
        t_end = t_until
        if new_soc >= target:
            new_soc, t_end = target, t_from + (target - soc) * car.battery_kwh * 3600.0 / power
        self.home_kwh += (new_soc - soc) * car.battery_kwh
        self.events.append((t_end, v, -1, "home_charge", -1, new_soc))
        return new_soc

    def vehicle(self, v, car, trips):
        env, ch, events = self.env, self.ch, self.events
        soc, ready, i = car.initial_soc, 0.0, 0
        while i < len(trips):
            k, day, origin, dest, depart, last, planned = trips[i]
            yield env.timeout(max(depart, ready) - env.now)
            events.append((env.now, v, k, "depart", -1, soc))
            ok, soc = yield from self.trip(v, car, k, origin, dest, soc, planned)
            if ok:
                self.arrive[k] = env.now
                events.append((env.now, v, k, "arrive", -1, soc))
                gain = (ch.target_soc - soc) * car.battery_kwh
                if dest >= self.n_zones and gain > 0 and gain >= ch.min_charge_gain_kwh:
                    # bound for a charging site: charge there, leave when done (or given up)
                    _, soc = yield from self.session(v, car, k, dest - self.n_zones, soc)
                elif self.zone_sites[dest]:
                    t_next = trips[i + 1][4] if i + 1 < len(trips) else self.horizon_s
                    best_kw = max(self.sites[s].power_kw for s in self.zone_sites[dest])
                    power = min(best_kw, car.max_ac_kw)
                    if self.wants_to_plug(car, soc, t_next - env.now, last, power):
                        soc = yield from self.park(v, car, k, dest, t_next, soc, last)
                ready = env.now
                if last and car.home_charging:
                    t_next = trips[i + 1][4] if i + 1 < len(trips) else self.horizon_s
                    soc = self.home_charge(car, soc, env.now, t_next, v)
                i += 1
                continue
            events.append((env.now, v, k, "stranded", -1, soc))
            self.status[k] = "stranded"
            while i + 1 < len(trips) and trips[i + 1][1] == day:
                i += 1
                self.status[trips[i][0]] = "stranded"
            t_plan_end = trips[i][4] + trips[i][6][0]
            ready = max(env.now, t_plan_end)
            if soc < ch.rescue_soc:
                self.rescue_kwh += (ch.rescue_soc - soc) * car.battery_kwh
                soc = ch.rescue_soc
            if car.home_charging:
                t_next = trips[i + 1][4] if i + 1 < len(trips) else self.horizon_s
                soc = self.home_charge(car, soc, ready, t_next, v)
            i += 1

    def trip(self, v, car, k, origin, dest, soc, planned):
        """Trip ``k``; ``planned`` is its own (seconds, km), as the demand drew it."""
        env, ch = self.env, self.ch
        battery, cons = car.battery_kwh, car.consumption_kwh_per_km
        cur, tried, attempts, km, used = origin, set(), 0, 0.0, 0.0
        # bound for a charging site: it charges there, so it only needs to get there
        enough = ch.reserve_soc if dest >= self.n_zones else ch.comfort_soc
        while True:
            leg_s, leg_km = planned if cur == origin else self.leg(cur, dest)
            soc_end = soc - leg_km * cons / battery
            if soc_end >= enough:
                break
            s = None
            if attempts < ch.max_site_attempts and self.sites:
                s = self.choose_site(car, cur, dest, soc, tried)
            if s is not None and soc_end >= ch.reserve_soc:  # not worth a detour
                at_site = soc - self.leg(cur, self.n_zones + s)[1] * cons / battery
                if (ch.target_soc - at_site) * battery < ch.min_charge_gain_kwh:
                    s = None
            if s is None:
                if soc_end >= ch.reserve_soc:
                    break
                self.km[k], self.used[k] = km, used
                return False, soc
            tried.add(s)
            attempts += 1
            p = self.n_zones + s
            to_s, to_km = self.leg(cur, p)
            soc -= to_km * cons / battery
            km += to_km
            used += to_km * cons
            yield env.timeout(to_s)
            cur = p
            served, soc = yield from self.session(v, car, k, s, soc)
            if served:
                attempts = 0
        yield env.timeout(leg_s)
        self.km[k], self.used[k] = km + leg_km, used + leg_km * cons
        return True, soc_end

    def wants_to_plug(self, car, soc, dwell_s, overnight, power_kw):
        """The parked car's decision rule (emob_sim.sim.fleet, 6.)."""
        d = self.dest
        gain = min((d.target_soc - soc) * car.battery_kwh, power_kw * dwell_s / 3600.0)
        if dwell_s <= 0 or gain < self.ch.min_charge_gain_kwh:
            return False
        if overnight:
            return not car.home_charging and soc < d.overnight_soc
        return dwell_s >= d.min_dwell_min * 60.0 and soc < d.max_soc

    def park(self, v, car, k, z, t_leave, soc, overnight):
        """Plug in at the nearest site of zone ``z`` with a free plug (or wait at the nearest
        at most ``destination.max_wait_min``), keep the plug until ``t_leave``; returns soc."""
        env, events = self.env, self.events
        arrived = env.now
        req = None
        stay_s = t_leave - arrived
        sites = [
            s
            for s in self.zone_sites[z]
            if min(self.sites[s].power_kw, car.max_ac_kw) * stay_s / 3600.0
            >= self.ch.min_charge_gain_kwh
        ]
        if not sites:
            return soc
        for s in sites:
            plugs = self.plugs[s]
            if plugs.count < plugs.capacity and not plugs.queue:
                req = plugs.request()
                break
        if req is None:
            wait_s = min(self.dest.max_wait_min * 60.0, t_leave - arrived)
            if wait_s <= 0:
                return soc
            s = sites[0]
            req = self.plugs[s].request()
            events.append((arrived, v, k, "queue", s, soc))
            self.queued[s] += 1
            yield req | env.timeout(wait_s)
            self.queued[s] -= 1
            if not req.triggered:
                req.cancel()
                self.abandons.append((v, k, s, arrived, env.now))
                events.append((env.now, v, k, "abandon", s, soc))
                return soc
            if env.now >= t_leave:  # served as it leaves: nothing to charge
                self.plugs[s].release(req)
                return soc
        site = self.sites[s]
        self.busy[s] += 1
        start = env.now
        _, soc_end = charge_walk(
            soc,
            self.dest.target_soc,
            t_leave - start,
            car.battery_kwh,
            self.curves[car.type_idx],
            car.max_dc_kw,
            car.max_ac_kw,
            site.power_kw,
            False,
        )
        events.append((start, v, k, "plug_in", s, soc))
        yield env.timeout(t_leave - start)
        self.plugs[s].release(req)
        self.busy[s] -= 1
        self.done_s[s][0] += t_leave - start
        self.done_s[s][1] += 1
        energy = car.battery_kwh * (soc_end - soc)
        location = "overnight" if overnight else "destination"
        self.sessions.append((v, k, s, arrived, start, t_leave, energy, soc, soc_end, location))
        events.append((t_leave, v, k, "plug_out", s, soc_end))
        self.charges[k] += 1
        return soc_end

    def session(self, v, car, k, s, soc):
        """Queue at site ``s`` (at most ``max_wait_min``) and charge to the target there;
        returns (served, soc)."""
        env, ch, events = self.env, self.ch, self.events
        arrived = env.now
        req = self.plugs[s].request()
        if not req.triggered:
            events.append((arrived, v, k, "queue", s, soc))
            self.queued[s] += 1
            yield req | env.timeout(ch.max_wait_min * 60.0)
            self.queued[s] -= 1
            if not req.triggered:
                req.cancel()
                self.abandons.append((v, k, s, arrived, env.now))
                events.append((env.now, v, k, "abandon", s, soc))
                return False, soc
        site = self.sites[s]
        self.busy[s] += 1
        dur, _ = charge_walk(
            soc,
            ch.target_soc,
            math.inf,
            car.battery_kwh,
            self.curves[car.type_idx],
            car.max_dc_kw,
            car.max_ac_kw,
            site.power_kw,
            site.kind == "car_dc",
        )
        start = env.now
        events.append((start, v, k, "plug_in", s, soc))
        yield env.timeout(dur)
        self.plugs[s].release(req)
        self.busy[s] -= 1
        self.done_s[s][0] += dur
        self.done_s[s][1] += 1
        energy = car.battery_kwh * (ch.target_soc - soc)
        self.sessions.append(
            (v, k, s, arrived, start, env.now, energy, soc, ch.target_soc, "en_route")
        )
        events.append((env.now, v, k, "plug_out", s, ch.target_soc))
        self.charges[k] += 1
        return True, ch.target_soc

    def load_profile(self, cars, bin_s: float) -> np.ndarray:
        """Mean kW per site and bin: each session re-integrated bin by bin."""
        last_end = max((row[5] for row in self.sessions), default=0.0)
        n_bins = math.ceil(max(self.horizon_s, last_end) / bin_s)
        load = [[0.0] * n_bins for _ in self.sites]
        for v, _, s, _, start, end, _, soc0, soc1, _ in self.sessions:
            car, site = cars[v], self.sites[s]
            b = min(int(start // bin_s), n_bins - 1)
            t_lo, soc_lo = start, soc0
            while True:
                t_hi = (b + 1) * bin_s
                last = t_hi >= end or b == n_bins - 1
                soc_hi = (
                    soc1
                    if last
                    else charge_walk(
                        soc_lo,
                        soc1,
                        t_hi - t_lo,
                        car.battery_kwh,
                        self.curves[car.type_idx],
                        car.max_dc_kw,
                        car.max_ac_kw,
                        site.power_kw,
                        site.kind == "car_dc",
                    )[1]
                )
                load[s][b] += car.battery_kwh * (soc_hi - soc_lo) * 3600.0 / bin_s
                if last:
                    break
                t_lo, soc_lo, b = t_hi, soc_hi, b + 1
        return np.array(load, dtype=float).reshape(len(self.sites), n_bins)


def reference_simulate(
    scenario: Scenario, region: Region, demand: Demand, router: PairRouter
) -> SimResult:
    """Simulate ``demand`` with every vehicle as a SimPy process (see the module docstring)."""
    sim = ReferenceSim(scenario, region, demand, router)
    cars = list(demand.vehicles.itertuples(index=False))
    by_vehicle: list[list[tuple]] = [[] for _ in cars]
    for t in demand.trips.itertuples(index=False):
        by_vehicle[t.vehicle_id].append(
            (
                t.trip_id,
                t.day,
                t.origin,
                t.dest,
                t.depart_s,
                t.last_of_day,
                (t.duration_s, t.distance_km),
            )
        )
    for v, car in enumerate(cars):
        sim.env.process(sim.vehicle(v, car, by_vehicle[v]))
    sim.env.run()

    site_ids = region.sites["site_id"].tolist()
    trips = pd.DataFrame(
        {
            "trip_id": demand.trips["trip_id"],
            "vehicle_id": demand.trips["vehicle_id"],
            "status": sim.status,
            "arrive_s": sim.arrive,
            "km_driven": sim.km,
            "energy_used_kwh": sim.used,
            "public_charges": sim.charges,
        },
        columns=TRIP_RESULT_COLUMNS,
    )
    sessions = pd.DataFrame(
        sim.sessions,
        columns=[
            "vehicle_id",
            "trip_id",
            "site_idx",
            "arrive_s",
            "start_s",
            "end_s",
            "energy_kwh",
            "soc_start",
            "soc_end",
            "location",
        ],
    )
    sessions["location"] = pd.Categorical(
        sessions["location"], categories=["en_route", "destination", "overnight"]
    )
    sessions = sessions.sort_values(["start_s", "vehicle_id"], kind="stable").reset_index(drop=True)
    sessions["session_id"] = range(len(sessions))
    sessions["site_id"] = [site_ids[s] for s in sessions["site_idx"]]
    sessions["wait_s"] = sessions["start_s"] - sessions["arrive_s"]
    abandoned = pd.DataFrame(
        sim.abandons, columns=["vehicle_id", "trip_id", "site_idx", "arrive_s", "leave_s"]
    )
    abandoned["site_id"] = [site_ids[s] for s in abandoned["site_idx"]]
    abandoned["wait_s"] = abandoned["leave_s"] - abandoned["arrive_s"]
    events = pd.DataFrame(sim.events, columns=EVENT_COLUMNS)
    events = events.sort_values(["time_s", "vehicle_id"], kind="stable").reset_index(drop=True)
    return SimResult(
        trips=trips,
        sessions=sessions[SESSION_COLUMNS],
        abandoned=abandoned[ABANDON_COLUMNS],
        events=events,
        home_energy_kwh=sim.home_kwh,
        rescue_energy_kwh=sim.rescue_kwh,
        load_kw=sim.load_profile(cars, scenario.time.profile_step_min * 60.0),
        bin_s=scenario.time.profile_step_min * 60.0,
    )


def reference_run(
    scenario: Scenario, region: Region, seed_seq: np.random.SeedSequence, out_dir: Path
) -> dict:
    """Routing, demand, simulation, KPIs and written results, timed stage by stage.

    Returns a dict with ``kpis``, ``trips``, ``vehicles``, ``events`` and ``stages`` (seconds
    of ``routing``, ``demand``, ``simulation``, ``kpis`` and ``write``).
    """
    clock = [time.perf_counter()]
    stages: dict[str, float] = {}

    def lap(name: str) -> None:
        clock.append(time.perf_counter())
        stages[name] = clock[-1] - clock[-2]

    router, ref_region = reference_matrices(scenario, region)
    lap("routing")
    demand = generate_demand(scenario, ref_region, seed_seq)
    lap("demand")
    sim = reference_simulate(scenario, ref_region, demand, router)
    lap("simulation")
    kpis = compute_kpis(scenario, demand, sim)
    lap("kpis")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "kpis.json").write_text(json.dumps(kpis, indent=2) + "\n", encoding="utf-8")
    sim.trips.to_parquet(out / "trips.parquet", index=False)
    sim.sessions.to_parquet(out / "sessions.parquet", index=False)
    sim.abandoned.to_parquet(out / "abandoned.parquet", index=False)
    sim.events.to_parquet(out / "events.parquet", index=False)
    n_sites, n_bins = sim.load_kw.shape
    pd.DataFrame(
        {
            "site_id": np.repeat(region.sites["site_id"].to_numpy(dtype=object), n_bins),
            "bin_start_s": np.tile(np.arange(n_bins) * sim.bin_s, n_sites),
            "power_kw": sim.load_kw.reshape(-1),
        }
    ).to_parquet(out / "load_profile.parquet", index=False)
    lap("write")
    return {
        "kpis": kpis,
        "trips": demand.n_trips,
        "vehicles": demand.n_vehicles,
        "events": len(sim.events),
        "stages": stages,
    }
