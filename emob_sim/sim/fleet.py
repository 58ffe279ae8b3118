"""SimPy model: vehicles that may need public charging, and the charging sites they queue at.

Each site is a :class:`~emob_sim.sim.resources.Plugs` resource (a ``simpy.Resource``) with one
slot per plug. A vehicle process walks its trips:

1. It departs at ``max(planned departure, its arrival from the previous trip)``.
2. If the leg leaves at least ``comfort_soc`` it is driven directly (no SimPy event is needed:
   nothing on the way interacts with other vehicles; times are kept as the vehicle's own
   logical clock and the process only synchronises the SimPy clock before it looks at or joins
   a queue; a wait into a later hour first waits for that hour to begin,
   :class:`~emob_sim.sim.resources.LaterWaits`, so that the vehicles waiting for their next
   stop do not fill SimPy's event heap).
3. Otherwise the driver picks the cheapest untried site (:func:`~emob_sim.kernels.choose_site`),
   drives there, requests a plug and waits at most ``max_wait_min`` (``request | timeout``).
   On timeout the request is cancelled, an abandon row is recorded and the next site is tried
   from there. When served, the car charges to ``target_soc`` (time from
   :func:`~emob_sim.kernels.charge_time`) and continues towards the destination, where the same
   check is made again (long trips may charge more than once; a site is tried at most once
   per trip). At most ``max_site_attempts`` sites are tried per charging stop.
4. Without an acceptable site the car drives on if the leg leaves at least ``reserve_soc``,
   otherwise the trip is stranded where the car stands, and so are its remaining trips of
   that day. The car is recovered overnight: it is back at home at the later of the stranding
   time and the planned end of its day with ``max(soc, rescue_soc)`` (the difference is
   recorded as rescue energy), then charges at home as usual.
5. A trip whose destination is a site point (a trip table's ``dest_site``) means "drive to
   that site and charge there": the car drives there directly if it arrives with at least
   ``reserve_soc`` (else as in 3 and 4, stopping elsewhere first or stranding), and on
   arrival queues at that site's plugs as in 3 (same wait limit and give-up, charging to
   ``target_soc``; after a give-up it does not try another site) if it gains at least
   ``min_charge_gain_kwh``, else it just arrives. Its next trip starts when it leaves.
6. A car that parks (trip completed) in a zone with public AC sites may plug in there, at a
   destination or overnight near home, and keeps the plug until it leaves: see
   :mod:`emob_sim.sim.parking`.
7. After a trip with ``last_of_day`` a home-charging car charges at home
   (:func:`~emob_sim.kernels.home_charge`, the same arithmetic as the bulk kernel).
"""

from __future__ import annotations

import numpy as np
import simpy

from emob_sim.kernels import (
    charge_time,
    choose_site,
    home_charge,
    make_choice_rule,
    make_sites,
    make_travel,
    wants_to_plug,
)
from emob_sim.sim.inputs import SimInputs
from emob_sim.sim.parking import Parking
from emob_sim.sim.records import (
    ABANDON,
    ABANDON_FIELDS,
    ARRIVE,
    DEPART,
    EN_ROUTE,
    EVENT_FIELDS,
    EVENT_NAMES,
    GAVE_UP,
    HOME,
    LOCATIONS,
    PLUG_IN,
    PLUG_OUT,
    QUEUE,
    SESSION_FIELDS,
    STRANDED,
    STRANDED_TRIP,
    TRIP_STATUS,
    Ledger,
    withdraw,
)
from emob_sim.sim.resources import LaterWaits, Plugs

__all__ = [
    "Ledger",
    "Fleet",
    "EVENT_NAMES",
    "TRIP_STATUS",
    "EVENT_FIELDS",
    "SESSION_FIELDS",
    "ABANDON_FIELDS",
    "LOCATIONS",
]

#: column of the day in Fleet.trip_rows
_DAY = 6


class Fleet(Parking):
    """Charging sites and vehicle processes sharing one SimPy environment."""

    def __init__(self, env: simpy.Environment, inp: SimInputs, ledger: Ledger) -> None:
        self.env = env
        self.inp = inp
        self.ledger = ledger
        n_sites = inp.n_sites
        self.n_sites = n_sites
        self.max_attempts = inp.max_site_attempts if n_sites else 0
        self.plugs = [Plugs(env, capacity=int(c)) for c in inp.site_plugs]
        self.later = LaterWaits(env)
        # arrays the site-choice kernel reads (updated in place: the structures see them)
        self.busy = np.zeros(n_sites, dtype=np.int64)
        self.queued = np.zeros(n_sites, dtype=np.int64)
        self.mean_s = np.full(n_sites, inp.session_prior_s)
        self.travel = make_travel(time_s=inp.time_s, dist_km=inp.dist_km)
        self.site_state = make_sites(
            point=inp.site_point,
            is_dc=inp.site_is_dc,
            plug_kw=inp.site_plug_kw,
            plugs=inp.site_plugs,
            busy=self.busy,
            queued=self.queued,
            mean_s=self.mean_s,
        )
        self.choice_rule = make_choice_rule(
            reserve_soc=inp.reserve_soc, target_soc=inp.target_soc, wait_weight=inp.wait_weight
        )
        # python lists: cheap scalar access inside the processes
        self.sum_s = [0.0] * n_sites
        self.n_done = [0] * n_sites
        self.last_end_s = [0.0] * n_sites
        self.n_zones = inp.n_zones
        self.site_point = inp.site_point.tolist()
        self.site_plug_kw = inp.site_plug_kw.tolist()
        self.site_is_dc = inp.site_is_dc.tolist()
        self.time_rows = inp.time_s.tolist()
        self.dist_rows = inp.dist_km.tolist()
        # destination and overnight charging: each zone's sites, the rule's parameters
        ptr, idx = inp.zone_site_ptr.tolist(), inp.zone_site_idx.tolist()
        self.zone_sites = [idx[ptr[z] : ptr[z + 1]] for z in range(len(ptr) - 1)]
        self.plug_rule = inp.plug_rule()
        # one row (64 bytes) per trip: depart_s, duration_s, km, kWh, origin, dest, day,
        # last_of_day. A process reads a trip's row when it gets there: Python lists of the
        # trips (per field, or per process) would keep about 200 bytes a trip alive as Python
        # objects, and a larger live heap costs cache misses at every step of a long run.
        self.trip_rows = np.column_stack(
            [
                inp.depart_s,
                inp.duration_s,
                inp.distance_km,
                inp.trip_kwh,
                inp.origin,
                inp.dest,
                inp.day,
                inp.last_of_day,
            ]
        ).astype(np.float64)

    def vehicle(self, v: int, k: int, soc: float, t: float):
        """SimPy process of vehicle ``v`` from its trip ``k``.

        ``soc`` and ``t`` are the state of charge and the time at which the vehicle is ready
        for trip ``k`` (its initial state at time 0, or as settled in bulk for the trips
        before ``k``).
        """
        inp, led = self.inp, self.ledger
        events = led.events
        battery = float(inp.battery_kwh[v])
        home = bool(inp.home_charging[v])
        home_kw = float(inp.home_kw[v])
        comfort, horizon = inp.comfort_soc, inp.horizon_s
        reserve, target, min_gain = inp.reserve_soc, inp.target_soc, inp.min_charge_gain_kwh
        n_zones = self.n_zones
        dest_kw = inp.dest_kw
        max_ac = float(inp.max_ac_kw[v])
        plug_rule = self.plug_rule
        k1 = int(inp.trip_ptr[v + 1])
        rows = self.trip_rows
        while k < k1:
            planned, duration, km, kwh, origin, dest, day, last_of_day = rows[k].tolist()
            dep = planned if planned > t else t
            events.fromlist([dep, v, k, DEPART, -1, soc])
            soc_end = soc - kwh / battery
            # a car bound for a charging site charges there on arrival: it drives there directly
            # when it arrives above the reserve
            to_site = dest >= n_zones
            if soc_end >= (reserve if to_site else comfort):
                t = dep + duration
                soc = soc_end
                led.km[k] = km
                led.used_kwh[k] = kwh
                ok = True
            else:
                if dep > self.env.now:  # wait here: a waiting process keeps a small frame
                    yield from self.later.wait_until(dep)
                trip = (int(origin), int(dest), km, kwh, duration)
                ok, t, soc = yield from self._charging_trip(v, k, trip, dep, soc, battery)
            if ok:
                led.arrive_s[k] = t
                events.fromlist([t, v, k, ARRIVE, -1, soc])
                gain = (target - soc) * battery
                if to_site and gain > 0.0 and gain >= min_gain:
                    # the trip's destination is a charging site: queue at its plugs there;
                    # the next trip starts when the car leaves (charged or given up)
                    if t > self.env.now:
                        yield from self.later.wait_until(t)
                    _, t, soc = yield from self._plug_session(v, k, int(dest) - n_zones, t, soc)
                elif dest_kw[k] > 0.0:
                    t_next = float(rows[k + 1, 0]) if k + 1 < k1 else horizon
                    power = min(float(dest_kw[k]), max_ac)
                    overnight = bool(last_of_day)
                    if wants_to_plug(soc, t_next - t, overnight, home, battery, power, plug_rule):
                        soc = yield from self._park_session(v, k, int(dest), t, t_next, soc)
                if last_of_day and home:
                    soc = self._home(v, k, k1, t, soc, battery, home_kw)
                k += 1
                continue
            # stranded: the rest of the day is lost, the car is recovered overnight
            events.fromlist([t, v, k, STRANDED, -1, soc])
            led.status[k] = STRANDED_TRIP
            while k + 1 < k1 and rows[k + 1, _DAY] == day:
                k += 1
                led.status[k] = STRANDED_TRIP
            planned, duration = rows[k, :2].tolist()
            t = max(t, planned + duration)
            if soc < inp.rescue_soc:
                led.rescue_kwh[v] += (inp.rescue_soc - soc) * battery
                soc = inp.rescue_soc
            if home:
                soc = self._home(v, k, k1, t, soc, battery, home_kw)
            k += 1
        led.final_soc[v] = soc

    def _home(
        self, v: int, k: int, k1: int, t: float, soc: float, battery: float, home_kw: float
    ) -> float:
        """Vehicle ``v`` home from ``t`` after trip ``k`` (of its trips up to ``k1``): charge
        until its next planned departure (the horizon after its final trip), record the energy
        and the event; returns the state of charge."""
        t_next = float(self.trip_rows[k + 1, 0]) if k + 1 < k1 else self.inp.horizon_s
        new_soc, t_end = home_charge(soc, t, t_next, home_kw, battery, self.inp.home_target_soc)
        if new_soc > soc:
            self.ledger.home_kwh[v] += (new_soc - soc) * battery
            soc = new_soc
            self.ledger.events.fromlist([t_end, v, -1, HOME, -1, soc])
        return soc

    def _give_up_after(self, req: simpy.Event) -> None:
        """After ``max_wait_min`` a request still waiting is withdrawn (the driver leaves).

        The same as waiting for ``req | env.timeout(max_wait_s)`` with one event less.
        """
        self.env.timeout(self.inp.max_wait_s).callbacks.append(lambda _: withdraw(req))

    def _charging_trip(
        self,
        v: int,
        k: int,
        trip: tuple[int, int, float, float, float],
        t: float,
        soc: float,
        battery: float,
    ):
        """Trip ``k`` of vehicle ``v`` that needs public charging; returns (ok, time, soc).

        ``trip`` is (origin, destination, km, kWh, duration) as planned.
        """
        inp, led, env = self.inp, self.ledger, self.env
        time_rows, dist_rows = self.time_rows, self.dist_rows
        site_point = self.site_point
        comfort, reserve, target = inp.comfort_soc, inp.reserve_soc, inp.target_soc
        min_gain = inp.min_charge_gain_kwh
        car = self.car(v)
        cons = car.consumption_kwh_per_km
        tried = np.zeros(self.n_sites, dtype=np.bool_)
        # the planned leg: the trip's own distance and duration
        cur, d, leg_km, leg_kwh, leg_s = trip
        # a car bound for a charging site charges there: it only needs to get there
        enough = reserve if d >= self.n_zones else comfort
        attempts = 0
        km = used = 0.0
        while True:
            soc_end = soc - leg_kwh / battery
            if soc_end >= enough:
                break
            s = -1
            if attempts < self.max_attempts:
                if t > env.now:  # after a give-up: bring the SimPy clock to the car's time
                    yield env.timeout(t - env.now)
                s, _ = choose_site(
                    cur, d, soc, car, self.travel, self.site_state, tried, self.choice_rule
                )
                # a car that can arrive above the reserve does not detour to a charger to gain
                # less than the minimum (charging from 79.9 % to the 80 % target): it goes on
                if s >= 0 and soc_end >= reserve:
                    at_site = soc - dist_rows[cur][site_point[s]] * cons / battery
                    if (target - at_site) * battery < min_gain:
                        s = -1
            if s < 0:
                if soc_end >= reserve:
                    break
                led.km[k], led.used_kwh[k] = km, used
                return False, t, soc
            tried[s] = True
            attempts += 1
            p = site_point[s]
            to_km = dist_rows[cur][p]
            to_kwh = to_km * cons
            soc -= to_kwh / battery
            km += to_km
            used += to_kwh
            t += time_rows[cur][p]
            cur = p
            leg_km = dist_rows[cur][d]
            leg_kwh, leg_s = leg_km * cons, time_rows[cur][d]
            served, t, soc = yield from self._plug_session(v, k, s, t, soc)
            if served:
                attempts = 0
        soc = soc_end
        led.km[k] = km + leg_km
        led.used_kwh[k] = used + leg_kwh
        return True, t + leg_s, soc

    def _plug_session(self, v: int, k: int, s: int, t: float, soc: float):
        """Vehicle ``v`` (trip ``k``) at site ``s`` at time ``t``: take a free plug or queue
        for at most ``max_wait_min``, then charge to ``target_soc``.

        Records the queue, the session or the give-up (abandon row) and their events;
        returns (served, time the car leaves, soc).
        """
        inp, led, env = self.inp, self.ledger, self.env
        events = led.events
        busy, queued = self.busy, self.queued
        if t > env.now:  # bring the SimPy clock to the car's time
            yield env.timeout(t - env.now)
        plugs = self.plugs[s]
        holder = plugs.take()
        if holder is None:  # every plug in use, or others waiting: queue
            req = plugs.request()
            events.fromlist([t, v, k, QUEUE, s, soc])
            queued[s] += 1
            self._give_up_after(req)
            served = (yield req) is not GAVE_UP
            queued[s] -= 1
            if not served:
                leave = t + inp.max_wait_s
                led.abandons.fromlist([v, k, s, t, leave])
                events.fromlist([leave, v, k, ABANDON, s, soc])
                return False, leave, soc
            holder = req
            start = max(t, env.now, self.last_end_s[s])
        else:
            start = max(t, self.last_end_s[s])
        busy[s] += 1
        target = inp.target_soc
        dur, energy = charge_time(
            soc, target, self.car(v), self.site_plug_kw[s], self.site_is_dc[s]
        )
        end = start + dur
        events.fromlist([start, v, k, PLUG_IN, s, soc])
        if end > env.now:  # bring the SimPy clock to the car's time
            yield env.timeout(end - env.now)
        plugs.give_back(holder)
        busy[s] -= 1
        self.last_end_s[s] = max(self.last_end_s[s], end)
        self.sum_s[s] += dur
        self.n_done[s] += 1
        self.mean_s[s] = self.sum_s[s] / self.n_done[s]
        led.sessions.fromlist([v, k, s, t, start, end, energy, soc, target, EN_ROUTE])
        events.fromlist([end, v, k, PLUG_OUT, s, target])
        led.charges[k] += 1
        return True, end, target
