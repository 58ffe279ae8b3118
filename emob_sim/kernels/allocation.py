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
- **PV-following**: solar power first (earliest departure first, up to each car's maximum);
  from the grid, in each step, only what a car must draw now to still get its need by its
  departure at full power later, within the limit. With no solar power and a limit that does
  not bind, every car still gets its need (if its dwell allows), as late as it can.

Returns ``power_kw`` (cars x steps), and per step the solar and grid power used. Energy
conservation: ``power_kw.sum(axis=0) == pv_used + grid`` in every step, and no car gets more
than its need.
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
def allocate_power(arrive, depart, need_kwh, max_kw, limit_kw, pv_kw, step_h, strategy):
    """Power per car and step, solar and grid power per step (see the module docstring)."""
    n = arrive.shape[0]
    steps = limit_kw.shape[0]
    power = np.zeros((n, steps))
    pv_used = np.zeros(steps)
    grid = np.zeros(steps)
    left = need_kwh.copy()
    order = np.argsort(depart, kind="mergesort")  # earliest departure first, stable
    for t in range(steps):
        # what each plugged car could take in this step
        want = np.zeros(n)
        for i in range(n):
            if arrive[i] <= t < depart[i] and left[i] > _EPS:
                want[i] = min(max_kw[i], left[i] / step_h)
        if strategy == UNCONTROLLED:
            give = want
            total = give.sum()
            from_pv = min(total, pv_kw[t])
            pv_used[t] = from_pv
            grid[t] = total - from_pv
        elif strategy == CAPPED_EQUAL or strategy == CAPPED_EARLIEST:
            available = limit_kw[t] + pv_kw[t]
            if strategy == CAPPED_EQUAL:
                give = _share_equal(want, available)
            else:
                give = np.zeros(n)
                room = available
                for k in range(n):
                    i = order[k]
                    g = min(want[i], room)
                    give[i] = g
                    room -= g
            total = give.sum()
            from_pv = min(total, pv_kw[t])
            pv_used[t] = from_pv
            grid[t] = total - from_pv
        else:  # PV_FOLLOWING
            give = np.zeros(n)
            room_pv = pv_kw[t]
            for k in range(n):  # solar first, earliest departure first
                i = order[k]
                g = min(want[i], room_pv)
                give[i] = g
                room_pv -= g
            room_grid = limit_kw[t]
            for k in range(n):  # then the grid, only what cannot wait
                i = order[k]
                if want[i] <= _EPS:
                    continue
                later_h = max(depart[i] - t - 1, 0) * step_h
                must = left[i] - give[i] * step_h - max_kw[i] * later_h
                if must > _EPS:
                    g = min(must / step_h, want[i] - give[i], room_grid)
                    give[i] += g
                    room_grid -= g
            pv_used[t] = pv_kw[t] - room_pv
            grid[t] = limit_kw[t] - room_grid
        for i in range(n):
            power[i, t] = give[i]
            left[i] -= give[i] * step_h
    return power, pv_used, grid
