"""Power for the cars plugged in at one site, step by step, under a charging strategy.

A car is plugged in from step ``arrive[i]`` (inclusive) to ``depart[i]`` (exclusive), needs
``need_kwh[i]`` and draws at most ``max_kw[i]``. Each step lasts ``step_h`` hours. The site
has a grid connection of ``limit_kw[t]`` and solar generation ``pv_kw[t]`` in each step.

Strategies (:data:`UNCONTROLLED`, ...):

- **uncontrolled**: every plugged car draws its maximum until its need is met; the limit is
  not looked at (today's behaviour).
- **capped, equal share**: the site never draws more than ``limit_kw + pv_kw``; the power is
  shared equally among the cars that still need energy (a car that needs less than its share
  leaves the rest to the others).
- **capped, earliest departure first**: as above, but the car leaving first is served first.
- **PV-following**: solar power first (then the battery), earliest departure first, up to
  each car's maximum; from the grid, at once and within the limit (earliest departure first),
  only what the car will not get from the sun: its need less its share of the solar power
  still to come before it leaves (the site's clear-sky or measured profile is known ahead;
  the share is that power split equally among the cars now plugged in that still need
  energy, at most what the car can take). With no solar power this is exactly the capped,
  earliest-departure-first strategy.

A stationary battery (``battery_kwh`` capacity, ``battery_kw`` power, ``efficiency``, the
round trip, counted on charging; it starts empty) is charged from solar power the cars do not
take and discharged for the cars before the grid: under the capped strategies its power adds
to what the site may give. Returns ``power_kw`` (cars x steps; with ``keep_power`` False an
empty array, so that a long run of a busy site needs no cars x steps memory), per step the
solar power the cars used, the battery's charge and discharge, the grid power and the
battery's energy after the step, the energy each car got, and per step the power into the
cars and the number of cars drawing power. Energy conservation in every step:
``power_kw.sum(axis=0) == charging_kw == pv_used + battery_out + grid`` and
``pv_used + battery_in <= pv_kw``; no car gets more than its need.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "allocate_power",
    "UNCONTROLLED",
    "CAPPED_EQUAL",
    "CAPPED_EARLIEST",
    "PV_FOLLOWING",
    "STRATEGIES",
]

UNCONTROLLED, CAPPED_EQUAL, CAPPED_EARLIEST, PV_FOLLOWING = 0, 1, 2, 3
#: strategy names (the index is the code the kernel takes)
STRATEGIES = ("uncontrolled", "capped-equal", "capped-earliest", "pv-following")

_EPS = 1e-12


@njit(cache=True)
def _share_equal(want, available):  # pragma: no cover - compiled
    """Water-filling: split ``available`` among ``want`` (kW each car could take)."""
    n = want.shape[0]
    give = np.zeros(n)
    left = available
    active = want > _EPS
    count = 0
    for i in range(n):
        if active[i]:
            count += 1
    while count > 0 and left > _EPS:
        share = left / count
        done = True
        for i in range(n):
            if active[i] and want[i] - give[i] <= share:
                left -= want[i] - give[i]
                give[i] = want[i]
                active[i] = False
                count -= 1
                done = False
        if done:
            for i in range(n):
                if active[i]:
                    give[i] += share
            left = 0.0
    return give


@njit(cache=True)
def allocate_power(
    arrive, depart, need_kwh, max_kw, limit_kw, pv_kw, step_h, battery_kwh, battery_kw,
    efficiency, strategy, keep_power=True,
):  # fmt: skip
    """Power per car and step (if ``keep_power``); per step the solar power used for cars,
    the battery's charge and discharge, the grid power, and the battery's energy at the end of
    the step; the energy of each car; per step the power into the cars and the cars drawing
    power (see the module docstring)."""
    n = arrive.shape[0]
    steps = limit_kw.shape[0]
    power = np.zeros((n if keep_power else 0, steps))
    delivered = np.zeros(n)
    charging_kw = np.zeros(steps)
    charging_cars = np.zeros(steps, dtype=np.int64)
    pv_used = np.zeros(steps)
    batt_in = np.zeros(steps)
    batt_out = np.zeros(steps)
    grid = np.zeros(steps)
    stored = np.zeros(steps)
    soc = 0.0  # kWh in the battery (it starts empty)
    left = need_kwh.copy()
    order = np.argsort(depart, kind="mergesort")  # earliest departure first, stable
    # solar_cum[u]: the solar energy (kWh) of steps 0..u-1
    solar_cum = np.zeros(steps + 1)
    for u in range(steps):
        solar_cum[u + 1] = solar_cum[u] + pv_kw[u] * step_h
    for t in range(steps):
        # what each plugged car could take in this step
        want = np.zeros(n)
        for i in range(n):
            if arrive[i] <= t < depart[i] and left[i] > _EPS:
                want[i] = min(max_kw[i], left[i] / step_h)
        can_out = min(battery_kw, soc / step_h)
        if strategy == PV_FOLLOWING:
            give = np.zeros(n)
            room_pv, room_batt, room_grid = pv_kw[t], can_out, limit_kw[t]
            used_pv = used_batt = used_grid = 0.0
            n_active = 0
            for k in range(n):  # own energy first (solar, then battery), earliest departure
                i = order[k]
                if want[i] > _EPS:
                    n_active += 1
                g = min(want[i], room_pv)
                room_pv -= g
                used_pv += g
                b = min(want[i] - g, room_batt)
                room_batt -= b
                used_batt += b
                give[i] = g + b
            for k in range(n):  # then the grid: what the sun still to come will not give
                i = order[k]
                if want[i] - give[i] <= _EPS:
                    continue
                later = max(depart[i] - t - 1, 0)
                sun_kwh = (solar_cum[min(depart[i], steps)] - solar_cum[t + 1]) / n_active
                sun_kwh = min(sun_kwh, max_kw[i] * later * step_h)
                due = (left[i] - give[i] * step_h - sun_kwh) / step_h
                if due > _EPS:
                    g = min(due, want[i] - give[i], room_grid)
                    give[i] += g
                    room_grid -= g
                    used_grid += g
            pv_used[t] = used_pv
            batt_out[t] = used_batt
            grid[t] = used_grid
        else:
            if strategy == UNCONTROLLED:
                give = want
            elif strategy == CAPPED_EQUAL:
                give = _share_equal(want, limit_kw[t] + pv_kw[t] + can_out)
            else:  # CAPPED_EARLIEST
                give = np.zeros(n)
                room = limit_kw[t] + pv_kw[t] + can_out
                for k in range(n):
                    i = order[k]
                    g = min(want[i], room)
                    give[i] = g
                    room -= g
            total = give.sum()
            pv_used[t] = min(total, pv_kw[t])
            batt_out[t] = min(total - pv_used[t], can_out)
            grid[t] = total - pv_used[t] - batt_out[t]
        # solar power the cars did not take charges the battery
        if efficiency > 0:
            room_kwh = battery_kwh - (soc - batt_out[t] * step_h)
            batt_in[t] = max(
                min(pv_kw[t] - pv_used[t], battery_kw, room_kwh / (efficiency * step_h)), 0.0
            )
        soc += (efficiency * batt_in[t] - batt_out[t]) * step_h
        stored[t] = soc
        for i in range(n):
            if give[i] > 0:
                charging_kw[t] += give[i]
                charging_cars[t] += 1
                delivered[i] += give[i] * step_h
                left[i] -= give[i] * step_h
                if keep_power:
                    power[i, t] = give[i]
    return (power, pv_used, batt_in, batt_out, grid, stored, delivered, charging_kw,
            charging_cars)  # fmt: skip
