"""Charging where cars park: at a destination, or overnight near home (public AC sites).

A car that arrives (trip completed) in a zone with public AC sites (``charging.destination``:
sites within ``walk_m`` of the zone's point, on the strategic network also the zone's own
sites, those nearest to its point) plugs in there if :func:`~emob_sim.kernels.wants_to_plug`
says so for its state of charge and its stay until the next planned departure (the end of
the horizon after its final trip):

- at a destination (not its last trip of the day): a stay of at least ``min_dwell_min`` and
  a state of charge below ``max_soc``;
- overnight (its last trip of the day): no home charging and below ``overnight_soc``;
- either way only if it would gain at least ``charging.min_charge_gain_kwh`` during the stay
  at the zone's best site.

It takes a free plug at the nearest of the zone's sites that has one and where the stay is
worth it; if every plug is taken (or others queue) it waits at the nearest such site for at
most ``destination.max_wait_min`` (0 by default: it just parks, and nothing is recorded; a
wait that runs out is an abandon row). A plugged car charges flat at ``min(site kW, the
car's on-board AC kW)`` towards ``destination.target_soc`` and keeps the plug until it leaves
(plug blocking): the session ends at its departure, not when charged. Its energy is its own
for the following trips. Sessions say where they happened (``location``: ``en_route`` for a
stop on the way or at a trip's charging site, ``destination``, ``overnight``). The decision
is deterministic (no drawn probability). The bulk kernel
(:func:`~emob_sim.kernels.chain_energy`) finds each car's first such opportunity, where its
SimPy process starts at the latest.
"""

from __future__ import annotations

from emob_sim.kernels import Car, make_car, soc_after_time
from emob_sim.sim.records import (
    ABANDON,
    DESTINATION,
    GAVE_UP,
    OVERNIGHT,
    PLUG_IN,
    PLUG_OUT,
    QUEUE,
    withdraw,
)

__all__ = ["Parking"]


class Parking:
    """The part of :class:`~emob_sim.sim.fleet.Fleet` that serves parked cars (mixed in)."""

    def car(self, v: int) -> Car:
        """Vehicle ``v`` as the charging and choice kernels take it."""
        inp = self.inp
        typ = int(inp.type_idx[v])
        return make_car(
            battery_kwh=inp.battery_kwh[v],
            curve_soc=inp.curve_soc[typ],
            curve_frac=inp.curve_frac[typ],
            max_dc_kw=inp.max_dc_kw[v],
            max_ac_kw=inp.max_ac_kw[v],
            consumption_kwh_per_km=inp.consumption_kwh_per_km[v],
        )

    def _park_session(self, v: int, k: int, z: int, t: float, t_leave: float, soc: float):
        """Vehicle ``v`` parked in zone ``z`` after trip ``k`` from ``t`` until ``t_leave``:
        plug in at the nearest of the zone's sites with a free plug (or wait at the nearest
        for at most ``destination.max_wait_min``), keep the plug until ``t_leave``.

        Records the session (location destination or overnight) and its events; returns the
        state of charge when the car leaves (unchanged without a plug).
        """
        inp, led, env = self.inp, self.ledger, self.env
        if t > env.now:
            yield from self.later.wait_until(t)
        # the zone's sites where the stay is worth it (its best one is, see wants_to_plug)
        max_ac, min_gain = float(inp.max_ac_kw[v]), inp.min_charge_gain_kwh
        stay_s = t_leave - t
        kw = self.site_plug_kw
        sites = [s for s in self.zone_sites[z] if min(kw[s], max_ac) * stay_s / 3600.0 >= min_gain]
        if not sites:
            return soc
        s, holder = -1, None
        for s in sites:
            holder = self.plugs[s].take()
            if holder is not None:
                break
        start = t
        if holder is None:
            wait_s = min(inp.dest_max_wait_s, t_leave - t)
            if wait_s <= 0.0:
                return soc  # every plug taken: it just parks
            s = sites[0]
            plugs = self.plugs[s]
            req = plugs.request()
            led.events.fromlist([t, v, k, QUEUE, s, soc])
            self.queued[s] += 1
            self.env.timeout(wait_s).callbacks.append(lambda _: withdraw(req))
            served = (yield req) is not GAVE_UP
            self.queued[s] -= 1
            if not served:
                led.abandons.fromlist([v, k, s, t, t + wait_s])
                led.events.fromlist([t + wait_s, v, k, ABANDON, s, soc])
                return soc
            if env.now >= t_leave:  # served as it leaves: nothing to charge
                self.plugs[s].give_back(req)
                return soc
            holder = req
            start = env.now
        self.busy[s] += 1
        car = self.car(v)
        battery = car.battery_kwh
        soc_end = soc_after_time(
            soc, inp.dest_target_soc, t_leave - start, car, self.site_plug_kw[s], False
        )
        led.events.fromlist([start, v, k, PLUG_IN, s, soc])
        if t_leave > env.now:  # the plug stays taken until the car leaves
            yield from self.later.wait_until(t_leave)
        self.plugs[s].give_back(holder)
        self.busy[s] -= 1
        self.last_end_s[s] = max(self.last_end_s[s], t_leave)
        self.sum_s[s] += t_leave - start
        self.n_done[s] += 1
        self.mean_s[s] = self.sum_s[s] / self.n_done[s]
        location = OVERNIGHT if self.trip_rows[k, 7] else DESTINATION
        energy = (soc_end - soc) * battery
        led.sessions.fromlist([v, k, s, t, start, t_leave, energy, soc, soc_end, location])
        led.events.fromlist([t_leave, v, k, PLUG_OUT, s, soc_end])
        led.charges[k] += 1
        return soc_end
