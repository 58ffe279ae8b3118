"""The steps of the allocation kernel (:mod:`emob_sim.kernels.allocation`): the room the
site leaves the cars, the site's flows for a given car power, the strategies' shares, and the
look-ahead of capped-earliest that the other strategies are checked against."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from emob_sim.kernels.structs import PluggedCars, SiteBattery, SiteSteps

_LOAD, _CARS, _PV, _PV_LOAD, _PV_CARS, _PV_BATT, _B_LOAD, _B_CARS = 0, 1, 2, 3, 4, 5, 6, 7
_GRID, _G_LOAD, _G_CARS, _G_BATT, _EXPORT, _CURTAIL, _STORED = 8, 9, 10, 11, 12, 13, 14
_N_FLOWS = 15
_EPS = 1e-12
_LOOKAHEAD_H = 48.0


class Model(NamedTuple):
    """The allocation's inputs: the plugged cars, the site's series, its battery."""

    cars: PluggedCars
    site: SiteSteps
    battery: SiteBattery


class Work(NamedTuple):
    """The allocation's working arrays: the plugged cars in order of departure (``act``), all
    cars in order of arrival (``by_arr``), what each still needs (``left``), and scratch
    space for the look-ahead (overwritten by :func:`_value`)."""

    act: np.ndarray
    by_arr: np.ndarray
    left: np.ndarray
    act2: np.ndarray
    left2: np.ndarray
    want: np.ndarray
    spare: np.ndarray
    order: np.ndarray
    scratch: np.ndarray


@njit(cache=True)
def _room(t, soc, site, battery):  # pragma: no cover
    """(solar, battery, grid) power the cars may have in step ``t`` after the site load."""
    pv_kw, load_kw, limit_kw, step_h = site.pv_kw, site.load_kw, site.limit_kw, site.step_h
    battery_kw, below = battery.power_kw, battery.grid_charge_below_kw
    pv, load = pv_kw[t], load_kw[t]
    pv_rest = max(pv - load, 0.0)
    load_rest = max(load - pv, 0.0)
    can_out = min(battery_kw, soc / step_h)
    b_load = min(can_out, max(load_rest - below, 0.0) if below >= 0 else load_rest)
    grid_room = max(limit_kw[t] - (load_rest - b_load), 0.0)
    return pv_rest, can_out - b_load, grid_room


@njit(cache=True)
def _flows(t, cars, soc, site, battery, out):  # pragma: no cover
    """Fill ``out`` with the flows of step ``t`` when the cars take ``cars`` kW (within
    :func:`_room`); return the battery's energy after the step."""
    pv_kw, load_kw, limit_kw, step_h = site.pv_kw, site.load_kw, site.limit_kw, site.step_h
    export_kw = site.export_kw
    battery_kwh, battery_kw = battery.capacity_kwh, battery.power_kw
    efficiency, below = battery.efficiency, battery.grid_charge_below_kw
    pv, load = pv_kw[t], load_kw[t]
    out[_LOAD], out[_CARS], out[_PV] = load, cars, pv
    pv_load = min(pv, load)
    load_rest = load - pv_load
    can_out = min(battery_kw, soc / step_h)
    b_load = min(can_out, max(load_rest - below, 0.0) if below >= 0 else load_rest)
    g_load = load_rest - b_load
    pv_cars = min(cars, pv - pv_load)
    rest = cars - pv_cars
    if below >= 0:  # peak shaving: the battery only for the import above the threshold
        b_cars = min(can_out - b_load, max(g_load + rest - below, 0.0), rest)
    else:
        b_cars = min(can_out - b_load, rest)
    b_cars = max(b_cars, 0.0)
    g_cars = rest - b_cars
    out_kw = b_load + b_cars
    surplus = pv - pv_load - pv_cars
    pv_batt = 0.0
    g_batt = 0.0
    if efficiency > 0 and battery_kwh > 0:
        room_kwh = battery_kwh - (soc - out_kw * step_h)
        pv_batt = max(min(surplus, battery_kw, room_kwh / (efficiency * step_h)), 0.0)
        if below >= 0 and out_kw <= 0:
            room_kwh -= efficiency * pv_batt * step_h
            head = min(below, limit_kw[t]) - (g_load + g_cars)
            g_batt = max(min(head, battery_kw - pv_batt, room_kwh / (efficiency * step_h)), 0.0)
    surplus -= pv_batt
    export = min(surplus, export_kw[t])
    out[_PV_LOAD], out[_PV_CARS], out[_PV_BATT] = pv_load, pv_cars, pv_batt
    out[_B_LOAD], out[_B_CARS] = b_load, b_cars
    out[_G_LOAD], out[_G_CARS], out[_G_BATT] = g_load, g_cars, g_batt
    out[_GRID] = g_load + g_cars + g_batt
    out[_EXPORT], out[_CURTAIL] = export, surplus - export
    soc = min(max(soc + (efficiency * (pv_batt + g_batt) - out_kw) * step_h, 0.0), battery_kwh)
    out[_STORED] = soc
    return soc


@njit(cache=True)
def _want(act, m, t, cars, left, step_h, want):  # pragma: no cover
    """The power each active car could take in step ``t`` (its plugged fraction of it)."""
    arrive, depart, max_kw = cars.arrive, cars.depart, cars.max_kw
    total = 0.0
    for k in range(m):
        i = act[k]
        frac = min(depart[i], t + 1.0) - max(arrive[i], float(t))
        w = 0.0
        if left[i] > _EPS and frac > 0:
            w = min(max_kw[i] * frac, left[i] / step_h)
        want[k] = w
        total += w
    return total


@njit(cache=True)
def _greedy(m, want, room, give, order):  # pragma: no cover
    """Give ``room`` to the cars in ``order`` (positions), each up to its want."""
    for k in range(m):
        give[k] = 0.0
    for j in range(m):
        k = order[j]
        g = min(want[k], room)
        give[k] = g
        room -= g
    return room


@njit(cache=True)
def _share_equal(m, want, available, give):  # pragma: no cover
    """Water-filling: split ``available`` among the first ``m`` of ``want``."""
    active = np.zeros(m, dtype=np.bool_)
    count = 0
    for k in range(m):
        give[k] = 0.0
        if want[k] > _EPS:
            active[k] = True
            count += 1
    left = available
    while count > 0 and left > _EPS:
        share = left / count
        done = True
        for k in range(m):
            if active[k] and want[k] - give[k] <= share:
                left -= want[k] - give[k]
                give[k] = want[k]
                active[k] = False
                count -= 1
                done = False
        if done:
            for k in range(m):
                if active[k]:
                    give[k] += share
            left = 0.0


@njit(cache=True)
def _insert(act, m, i, depart):  # pragma: no cover
    """Insert car ``i`` into ``act[:m]`` kept in order of departure (then index)."""
    k = m
    while k > 0 and (
        depart[act[k - 1]] > depart[i] or (depart[act[k - 1]] == depart[i] and act[k - 1] > i)
    ):
        act[k] = act[k - 1]
        k -= 1
    act[k] = i
    return m + 1


@njit(cache=True)
def _plug_changes(act, m, nxt, t, cars, by_arr, left):  # pragma: no cover
    """At step ``t``: the cars of ``act[:m]`` gone before it leave, those arriving in it (from
    ``by_arr[nxt]``) join in order of departure with their whole need in ``left``; returns
    the new ``(m, nxt)``."""
    arrive, depart, need = cars.arrive, cars.depart, cars.need_kwh
    n = arrive.shape[0]
    k2 = 0
    for k in range(m):
        if depart[act[k]] > t:
            act[k2] = act[k]
            k2 += 1
    m = k2
    while nxt < n and arrive[by_arr[nxt]] < t + 1:
        i = by_arr[nxt]
        nxt += 1
        if depart[i] > t and depart[i] > arrive[i] and need[i] > 0:
            left[i] = need[i]
            m = _insert(act, m, i, depart)
    return m, nxt


@njit(cache=True)
def _future_kwh(t0, end, m, nxt, soc, model, work):  # pragma: no cover
    """Energy capped-earliest delivers from step ``t0`` to ``end`` (exclusive) to the cars of
    ``work.act[:m]`` (needs in ``work.left2``) and those arriving meanwhile (from
    ``work.by_arr[nxt]``)."""
    step_h = model.site.step_h
    act, by_arr, act2, left2 = work.act, work.by_arr, work.act2, work.left2
    want, give, order = work.want, work.spare, work.order
    for k in range(m):
        act2[k] = act[k]
    total = 0.0
    for t in range(t0, end):
        m, nxt = _plug_changes(act2, m, nxt, t, model.cars, by_arr, left2)
        _want(act2, m, t, model.cars, left2, step_h, want)
        pv_r, b_r, g_r = _room(t, soc, model.site, model.battery)
        for k in range(m):
            order[k] = k
        left_room = _greedy(m, want, pv_r + b_r + g_r, give, order)
        cars = pv_r + b_r + g_r - left_room
        for k in range(m):
            left2[act2[k]] -= give[k] * step_h
        total += cars * step_h
        soc = _flows(t, cars, soc, model.site, model.battery, work.scratch)
    return total


@njit(cache=True)
def _value(t, end, give, m, nxt, soc, model, work):  # pragma: no cover
    """The energy of step ``t`` given as ``give`` plus what capped-earliest delivers after it
    until ``end`` (``work``'s ``want``, ``spare``, ``order``, ``act2``, ``left2`` and
    ``scratch`` are overwritten; ``work.spare`` must not be ``give``)."""
    act, left, left2 = work.act, work.left, work.left2
    step_h = model.site.step_h
    now = 0.0
    for k in range(m):
        now += give[k]
        left2[act[k]] = left[act[k]] - give[k] * step_h
    soc = _flows(t, now, soc, model.site, model.battery, work.scratch)
    return now * step_h + _future_kwh(t + 1, end, m, nxt, soc, model, work)
