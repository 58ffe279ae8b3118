"""SimPy model: vehicles that may need public charging, and the charging sites they queue at.

Each site is a ``simpy.Resource`` with one slot per plug. A vehicle process walks its trips:

1. It departs at ``max(planned departure, its arrival from the previous trip)``.
2. If the leg leaves at least ``comfort_soc`` it is driven directly (no SimPy event is needed:
   nothing on the way interacts with other vehicles; times are kept as the vehicle's own
   logical clock and the process only synchronises the SimPy clock before it looks at or joins
   a queue).
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
5. After a trip with ``last_of_day`` a home-charging car charges at home
   (:func:`~emob_sim.kernels.home_charge`, the same arithmetic as the bulk kernel).
"""

from __future__ import annotations

import numpy as np
import simpy

from emob_sim.kernels import charge_time, choose_site, home_charge
from emob_sim.sim.inputs import SimInputs

__all__ = ["Ledger", "Fleet", "EVENT_NAMES", "TRIP_STATUS"]

EVENT_NAMES = np.array(
    ["depart", "arrive", "queue", "plug_in", "plug_out", "abandon", "stranded", "home_charge"],
    dtype=object,
)
DEPART, ARRIVE, QUEUE, PLUG_IN, PLUG_OUT, ABANDON, STRANDED, HOME = range(8)
#: trip status by ledger code
TRIP_STATUS = ["completed", "stranded"]
COMPLETED, STRANDED_TRIP = range(2)


class Ledger:
    """What the simulation records: per-trip and per-vehicle arrays and row lists."""

    def __init__(self, n_vehicles: int, n_trips: int) -> None:
        self.status = np.zeros(n_trips, dtype=np.int8)
        self.arrive_s = np.full(n_trips, np.nan)
        self.km = np.zeros(n_trips)
        self.used_kwh = np.zeros(n_trips)
        self.charges = np.zeros(n_trips, dtype=np.int64)
        self.final_soc = np.zeros(n_vehicles)
        self.home_kwh = np.zeros(n_vehicles)
        self.rescue_kwh = np.zeros(n_vehicles)
        #: flat: time_s, vehicle, trip, event code, site, soc of each event in turn (cheaper to
        #: turn into an array than a list of tuples); list position breaks ties
        self.events: list[float | int] = []
        #: (vehicle, trip, site, arrive_s, start_s, end_s, energy_kwh, soc_start, soc_end)
        self.sessions: list[tuple[int, int, int, float, float, float, float, float, float]] = []
        #: (vehicle, trip, site, arrive_s, leave_s)
        self.abandons: list[tuple[int, int, int, float, float]] = []


#: value of a plug request withdrawn because the driver gave up waiting
_GAVE_UP = "gave up"


def _withdraw(req: simpy.Event) -> None:
    """Take a still waiting plug request out of its queue and wake its process."""
    if not req.triggered:
        req.cancel()
        req.succeed(_GAVE_UP)


class Fleet:
    """Charging sites and vehicle processes sharing one SimPy environment."""

    def __init__(self, env: simpy.Environment, inp: SimInputs, ledger: Ledger) -> None:
        self.env = env
        self.inp = inp
        self.ledger = ledger
        n_sites = inp.n_sites
        self.n_sites = n_sites
        self.max_attempts = inp.max_site_attempts if n_sites else 0
        self.plugs = [simpy.Resource(env, capacity=int(c)) for c in inp.site_plugs]
        # arrays the site-choice kernel reads
        self.busy = np.zeros(n_sites, dtype=np.int64)
        self.queued = np.zeros(n_sites, dtype=np.int64)
        self.mean_s = np.full(n_sites, inp.session_prior_s)
        # python lists: cheap scalar access inside the processes
        self.sum_s = [0.0] * n_sites
        self.n_done = [0] * n_sites
        self.last_end_s = [0.0] * n_sites
        self.site_point = inp.site_point.tolist()
        self.site_plug_kw = inp.site_plug_kw.tolist()
        self.site_is_dc = inp.site_is_dc.tolist()
        self.time_rows = inp.time_s.tolist()
        self.dist_rows = inp.dist_km.tolist()
        self.depart = inp.depart_s.tolist()
        self.duration = inp.duration_s.tolist()
        self.distance = inp.distance_km.tolist()
        self.trip_kwh = inp.trip_kwh.tolist()
        self.origin = inp.origin.tolist()
        self.dest = inp.dest.tolist()
        self.day = inp.day.tolist()
        self.last_of_day = inp.last_of_day.tolist()

    def vehicle(self, v: int, k: int | None = None, soc: float | None = None, t: float = 0.0):
        """SimPy process of vehicle ``v`` from its trip ``k`` (default: its first trip).

        ``soc`` and ``t`` are the state of charge and the time at which the vehicle is ready
        for trip ``k`` (default: its initial state of charge at time 0), as settled in bulk for
        the trips before ``k``.
        """
        inp, led = self.inp, self.ledger
        events = led.events
        depart, duration, trip_kwh = self.depart, self.duration, self.trip_kwh
        battery = float(inp.battery_kwh[v])
        home = bool(inp.home_charging[v])
        home_kw = float(inp.home_kw[v])
        comfort, home_target, horizon = inp.comfort_soc, inp.home_target_soc, inp.horizon_s
        soc = float(inp.initial_soc[v]) if soc is None else soc
        k1 = int(inp.trip_ptr[v + 1])
        k = int(inp.trip_ptr[v]) if k is None else k
        while k < k1:
            dep = depart[k] if depart[k] > t else t
            events.extend((dep, v, k, DEPART, -1, soc))
            soc_end = soc - trip_kwh[k] / battery
            if soc_end >= comfort:
                t = dep + duration[k]
                soc = soc_end
                led.km[k] = self.distance[k]
                led.used_kwh[k] = trip_kwh[k]
                ok = True
            else:
                ok, t, soc = yield from self._charging_trip(v, k, dep, soc, battery)
            if ok:
                led.arrive_s[k] = t
                events.extend((t, v, k, ARRIVE, -1, soc))
                if self.last_of_day[k] and home:
                    t_next = depart[k + 1] if k + 1 < k1 else horizon
                    new_soc, t_end = home_charge(soc, t, t_next, home_kw, battery, home_target)
                    if new_soc > soc:
                        led.home_kwh[v] += (new_soc - soc) * battery
                        soc = new_soc
                        events.extend((t_end, v, -1, HOME, -1, soc))
                k += 1
                continue
            # stranded: the rest of the day is lost, the car is recovered overnight
            events.extend((t, v, k, STRANDED, -1, soc))
            led.status[k] = STRANDED_TRIP
            while k + 1 < k1 and self.day[k + 1] == self.day[k]:
                k += 1
                led.status[k] = STRANDED_TRIP
            t = max(t, depart[k] + duration[k])
            if soc < inp.rescue_soc:
                led.rescue_kwh[v] += (inp.rescue_soc - soc) * battery
                soc = inp.rescue_soc
            if home:
                t_next = depart[k + 1] if k + 1 < k1 else horizon
                new_soc, t_end = home_charge(soc, t, t_next, home_kw, battery, home_target)
                if new_soc > soc:
                    led.home_kwh[v] += (new_soc - soc) * battery
                    soc = new_soc
                    events.extend((t_end, v, -1, HOME, -1, soc))
            k += 1
        led.final_soc[v] = soc

    def _give_up_after(self, req: simpy.Event) -> None:
        """After ``max_wait_min`` a request still waiting is withdrawn (the driver leaves).

        The same as waiting for ``req | env.timeout(max_wait_s)`` with one event less.
        """
        self.env.timeout(self.inp.max_wait_s).callbacks.append(lambda _: _withdraw(req))

    def _charging_trip(self, v: int, k: int, t: float, soc: float, battery: float):
        """Trip ``k`` of vehicle ``v`` that needs public charging; returns (ok, time, soc)."""
        inp, led, env = self.inp, self.ledger, self.env
        events = led.events
        time_rows, dist_rows = self.time_rows, self.dist_rows
        site_point, busy, queued = self.site_point, self.busy, self.queued
        comfort, reserve, target = inp.comfort_soc, inp.reserve_soc, inp.target_soc
        cons = float(inp.consumption_kwh_per_km[v])
        typ = int(inp.type_idx[v])
        curve_soc, curve_frac = inp.curve_soc[typ], inp.curve_frac[typ]
        max_dc, max_ac = float(inp.max_dc_kw[v]), float(inp.max_ac_kw[v])
        d = self.dest[k]
        tried = np.zeros(self.n_sites, dtype=np.bool_)
        cur = self.origin[k]
        # the planned leg: the trip's own distance and duration
        leg_km, leg_kwh, leg_s = self.distance[k], self.trip_kwh[k], self.duration[k]
        attempts = 0
        km = used = 0.0
        while True:
            soc_end = soc - leg_kwh / battery
            if soc_end >= comfort:
                break
            s = -1
            if attempts < self.max_attempts:
                if t > env.now:  # bring the SimPy clock to the car's time
                    yield env.timeout(t - env.now)
                s, _ = choose_site(
                    cur, d, soc, battery, cons, curve_soc, curve_frac, max_dc, max_ac,
                    inp.time_s, inp.dist_km, inp.site_point, inp.site_is_dc, inp.site_plug_kw,
                    inp.site_plugs, busy, queued, self.mean_s, tried, reserve, target,
                    inp.wait_weight,
                )  # fmt: skip
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
            if t > env.now:  # bring the SimPy clock to the car's time
                yield env.timeout(t - env.now)
            req = self.plugs[s].request()
            if not req.triggered:
                events.extend((t, v, k, QUEUE, s, soc))
                queued[s] += 1
                self._give_up_after(req)
                served = (yield req) is not _GAVE_UP
                queued[s] -= 1
                if not served:
                    leave = t + inp.max_wait_s
                    led.abandons.append((v, k, s, t, leave))
                    events.extend((leave, v, k, ABANDON, s, soc))
                    t = leave
                    continue
                start = max(t, env.now, self.last_end_s[s])
            else:
                start = max(t, self.last_end_s[s])
            busy[s] += 1
            dur, energy = charge_time(
                soc, target, battery, curve_soc, curve_frac, max_dc, max_ac,
                self.site_plug_kw[s], self.site_is_dc[s],
            )  # fmt: skip
            end = start + dur
            events.extend((start, v, k, PLUG_IN, s, soc))
            if end > env.now:  # bring the SimPy clock to the car's time
                yield env.timeout(end - env.now)
            self.plugs[s].release(req)
            busy[s] -= 1
            self.last_end_s[s] = max(self.last_end_s[s], end)
            self.sum_s[s] += dur
            self.n_done[s] += 1
            self.mean_s[s] = self.sum_s[s] / self.n_done[s]
            led.sessions.append((v, k, s, t, start, end, energy, soc, target))
            soc = target
            events.extend((end, v, k, PLUG_OUT, s, soc))
            led.charges[k] += 1
            t = end
            attempts = 0
        soc = soc_end
        led.km[k] = km + leg_km
        led.used_kwh[k] = used + leg_kwh
        return True, t + leg_s, soc
