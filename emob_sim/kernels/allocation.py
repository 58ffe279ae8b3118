"""Power for the cars plugged in at one site, step by step, under a charging strategy, and the
site's whole energy balance (its own load, solar, battery, grid import, export).

Time runs in steps of ``step_h`` hours. A car is plugged in from ``arrive[i]`` to
``depart[i]``, both in steps and fractional (3.4 is 40 % into step 3): in a step it is
plugged for only part of, it draws at most ``max_kw[i]`` x that fraction (the step's mean).
It needs ``need_kwh[i]``. The site has a grid connection of ``limit_kw[t]`` (import), an
export limit ``export_kw[t]``, solar generation ``pv_kw[t]`` and its own load ``load_kw[t]``
(a factory's or an office's base load, always served) in each step.

Order of use, every step:

1. solar serves the site load, then the cars, then the battery; what is left is exported up
   to ``export_kw`` and curtailed beyond;
2. the battery (``battery_kwh``, ``battery_kw``, round trip ``efficiency`` counted on
   charging; it starts empty) serves the load and then the cars before the grid. With
   ``grid_charge_below_kw`` >= 0 it shaves the peak instead: it discharges only for the
   import above that threshold and charges from the grid while the import is below it;
3. the grid gives the rest of the load (even above the limit: the load is not controlled)
   and, within what the limit leaves, the cars.

Under the capped strategies the cars take what the limit leaves (the battery's power adds to
it), so peak shaving lowers the import only where the cars do not fill the limit: the limit
is the peak the site plans for.

Strategies (:data:`STRATEGIES`, the index is the code):

- **uncontrolled**: every plugged car draws its maximum until its need is met; no limit.
- **capped-earliest**: the site's room (solar and battery left after the load, plus the grid
  limit less the load's import) goes to the car leaving first, then the next.
- **capped-equal**: the room shared equally (a car needing less leaves the rest to others).
- **pv-following**: solar and battery first (earliest departure first); from the grid only
  what the solar power still to come before the car leaves will not give (that power split
  equally among the cars drawing now).
- **least-laxity**: least laxity first (the reference scheduler of ACN-Sim): laxity = time to
  departure - remaining energy / max power; the car with the least slack is served first.

Correct smart charging: the three strategies other than capped-earliest never deliver less
than capped-earliest. Each step their allocation is checked against capped-earliest's: what
it gives now plus what capped-earliest would deliver from the resulting state until the
cars plugged in (and those arriving meanwhile) have left (at most two days ahead) must be at
least the same for capped-earliest's own step; otherwise the step is capped-earliest's.
Deferring grid energy to later sun, sharing equally or following laxity thus never costs
energy the grid limit allowed.

Returns ``power_kw`` (cars x steps; with ``keep_power`` False an empty array), ``flows``
(steps x :data:`FLOWS`, in kW; ``battery_kwh`` the energy stored at the end of the step),
the energy each car got, and per step the number of cars drawing power. Balance every step:
``pv + battery_to_load + battery_to_cars + grid_import == site_load + cars + pv_to_battery +
grid_to_battery + export + curtailed``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from emob_sim.kernels._allocation_steps import (
    _EPS,
    _LOOKAHEAD_H,
    _N_FLOWS,
    Model,
    Work,
    _flows,
    _greedy,
    _plug_changes,
    _room,
    _share_equal,
    _value,
    _want,
)
from emob_sim.kernels.structs import PluggedCars, SiteBattery, SiteSteps

__all__ = [
    "allocate_power",
    "UNCONTROLLED",
    "CAPPED_EQUAL",
    "CAPPED_EARLIEST",
    "PV_FOLLOWING",
    "LEAST_LAXITY",
    "STRATEGIES",
    "FLOWS",
]

UNCONTROLLED, CAPPED_EQUAL, CAPPED_EARLIEST, PV_FOLLOWING, LEAST_LAXITY = 0, 1, 2, 3, 4
#: strategy names (the index is the code the kernel takes)
STRATEGIES = ("uncontrolled", "capped-equal", "capped-earliest", "pv-following", "least-laxity")
#: the columns of ``flows`` (kW, but ``battery_kwh``)
FLOWS = (
    "site_load_kw",
    "cars_kw",
    "pv_kw",
    "pv_to_load_kw",
    "pv_to_cars_kw",
    "pv_to_battery_kw",
    "battery_to_load_kw",
    "battery_to_cars_kw",
    "grid_import_kw",
    "grid_to_load_kw",
    "grid_to_cars_kw",
    "grid_to_battery_kw",
    "export_kw",
    "curtailed_kw",
    "battery_kwh",
)
assert len(FLOWS) == _N_FLOWS  # the column indices of _allocation_steps


@njit(cache=True)
def allocate_power(
    cars: PluggedCars,
    site: SiteSteps,
    battery: SiteBattery,
    strategy: int,
    keep_power: bool = True,
):
    """Power per car and step (if ``keep_power``), the site's flows per step, the energy of
    each car and the cars drawing power per step (see the module docstring).

    Parameters
    ----------
    cars
        The plugged cars (:class:`~emob_sim.kernels.structs.PluggedCars`).
    site
        The site's series (:class:`~emob_sim.kernels.structs.SiteSteps`).
    battery
        Its stationary battery (:class:`~emob_sim.kernels.structs.SiteBattery`).
    strategy
        The index of the strategy in :data:`STRATEGIES`.
    keep_power
        Whether to return the cars x steps matrix (else an empty array).
    """
    arrive, depart, need_kwh, max_kw = cars.arrive, cars.depart, cars.need_kwh, cars.max_kw
    step_h = site.step_h
    limit_kw, pv_kw, load_kw = site.limit_kw, site.pv_kw, site.load_kw
    model = Model(cars, site, battery)
    n = arrive.shape[0]
    steps = limit_kw.shape[0]
    power = np.zeros((n if keep_power else 0, steps))
    flows = np.zeros((steps, _N_FLOWS))
    delivered = np.zeros(n)
    charging_cars = np.zeros(steps, dtype=np.int64)
    left = need_kwh.copy()
    left2 = np.zeros(n)
    by_arr = np.argsort(arrive, kind="mergesort")
    act = np.zeros(n, dtype=np.int64)
    act2 = np.zeros(n, dtype=np.int64)
    want = np.zeros(n)
    give = np.zeros(n)
    give_ce = np.zeros(n)
    spare = np.zeros(n)
    order = np.zeros(n, dtype=np.int64)
    key = np.zeros(n)
    scratch = np.zeros(_N_FLOWS)
    work = Work(act, by_arr, left, act2, left2, want, spare, order, scratch)
    lookahead = max(int(round(_LOOKAHEAD_H / step_h)), 1)
    # net_cum[u]: the solar energy (kWh) left after the site load in steps 0..u-1
    net_cum = np.zeros(steps + 1)
    for u in range(steps):
        net_cum[u + 1] = net_cum[u] + max(pv_kw[u] - load_kw[u], 0.0) * step_h
    m = 0
    nxt = 0
    soc = 0.0
    for t in range(steps):
        # the cars gone before this step leave, those arriving in it join (a car's need is
        # untouched until it joins: resetting it there changes nothing)
        m, nxt = _plug_changes(act, m, nxt, t, cars, by_arr, left)
        total_want = _want(act, m, t, cars, left, step_h, want)
        pv_r, b_r, g_r = _room(t, soc, site, battery)
        room = pv_r + b_r + g_r
        for k in range(m):
            order[k] = k
        if strategy == UNCONTROLLED:
            for k in range(m):
                give[k] = want[k]
        elif strategy == CAPPED_EARLIEST or total_want <= room:
            _greedy(m, want, room, give, order)
        elif strategy == CAPPED_EQUAL:
            _share_equal(m, want, room, give)
        elif strategy == LEAST_LAXITY:
            for k in range(m):
                i = act[k]
                key[k] = (depart[i] - t) * step_h - left[i] / max(max_kw[i], _EPS)
            order[:m] = np.argsort(key[:m], kind="mergesort")
            _greedy(m, want, room, give, order)
        if strategy == PV_FOLLOWING:
            _greedy(m, want, pv_r + b_r, give, order)  # solar and battery, by departure
            n_active = 0
            for k in range(m):
                if want[k] > _EPS:
                    n_active += 1
            grid_room = g_r
            for k in range(m):  # then the grid: what the sun still to come will not give
                i = act[k]
                if want[k] - give[k] <= _EPS:
                    continue
                last = min(int(np.ceil(depart[i])), steps)
                later = max(depart[i] - t - 1.0, 0.0)
                sun_kwh = (net_cum[max(last, t + 1)] - net_cum[t + 1]) / n_active
                sun_kwh = min(sun_kwh, max_kw[i] * later * step_h)
                due = (left[i] - give[k] * step_h - sun_kwh) / step_h
                if due > _EPS:
                    g = min(due, want[k] - give[k], grid_room)
                    give[k] += g
                    grid_room -= g
        if strategy != UNCONTROLLED and strategy != CAPPED_EARLIEST:
            # the check against capped-earliest (module docstring)
            for k in range(m):
                order[k] = k
            _greedy(m, want, room, give_ce, order)
            differ = False
            for k in range(m):
                if abs(give[k] - give_ce[k]) > _EPS:
                    differ = True
            if differ:
                end = t + 1
                for k in range(m):
                    end = max(end, int(np.ceil(depart[act[k]])))
                j = nxt
                while j < n and arrive[by_arr[j]] < end:
                    end = max(end, int(np.ceil(depart[by_arr[j]])))
                    j += 1
                end = min(end, steps, t + 1 + lookahead)
                value_own = _value(t, end, give, m, nxt, soc, model, work)
                value_ce = _value(t, end, give_ce, m, nxt, soc, model, work)
                if value_own < value_ce - 1e-9:
                    _want(act, m, t, cars, left, step_h, want)
                    for k in range(m):
                        order[k] = k
                    _greedy(m, want, room, give, order)
        cars_kw = 0.0
        for k in range(m):
            cars_kw += give[k]
        soc = _flows(t, cars_kw, soc, site, battery, flows[t])
        for k in range(m):
            g = give[k]
            if g > 0:
                i = act[k]
                charging_cars[t] += 1
                delivered[i] += g * step_h
                left[i] -= g * step_h
                if keep_power:
                    power[i, t] = g
    return power, flows, delivered, charging_cars
