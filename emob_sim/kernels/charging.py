"""Charging under a taper curve: time, energy and state of charge over time.

Power model
-----------
DC (``is_dc=True``): ``P(soc) = min(plug_kw, max_dc_kw * frac(soc))`` where ``frac`` is the
vehicle's charging curve, piecewise linear between the points ``(curve_soc[j], curve_frac[j])``
(``curve_soc`` ascending from 0 to 1; repeated points, as produced by padding, are skipped).
AC (``is_dc=False``): ``P = min(plug_kw, max_ac_kw)``, flat.

The state of charge follows ``dsoc/dt = P(soc) / (3600 * battery_kwh)`` (t in s, P in kW).
Charging losses are ignored (ASSUMPTION): the energy delivered equals the energy stored,
``battery_kwh * (soc1 - soc0)``.

Integration is exact, piece by piece: each curve segment is split where ``max_dc_kw * frac``
crosses ``plug_kw``; on a piece where the plug limits, P is constant and soc is linear in time;
on a piece where the curve limits, ``P = g_u + m (soc - u)`` is linear in soc, so
``t = 3600 B ln(P(w) / P(u)) / m`` and ``soc(t) = u + P(u) / m * (exp(m t / (3600 B)) - 1)``
(``log1p``/``expm1`` keep this accurate for small slopes). A piece where the power reaches 0
takes forever (``inf``).

The vehicle is one :class:`~emob_sim.kernels.structs.Car` argument. ``charge_time`` and
``soc_after_time`` are ``charge_walk`` read two ways: the curve is integrated in one place.
All functions are numba kernels (``@njit(cache=True)``) on scalars and arrays; their pure-Python
versions are available as ``.py_func``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from emob_sim.kernels.structs import Car

__all__ = ["charge_walk", "charge_time", "soc_after_time"]


@njit(cache=True)
def charge_walk(
    soc0: float, soc1: float, t_max_s: float, car: Car, plug_kw: float, is_dc: bool
) -> tuple[float, float]:
    """Charge from ``soc0`` towards ``soc1`` for at most ``t_max_s`` seconds.

    Parameters
    ----------
    soc0, soc1
        Start and target state of charge (nothing happens when ``soc1 <= soc0``).
    t_max_s
        Time available (``inf`` = until ``soc1`` is reached).
    car
        The vehicle (:class:`~emob_sim.kernels.structs.Car`): usable capacity, DC curve points,
        DC and AC power limits.
    plug_kw, is_dc
        The plug: power per plug and whether it is a DC plug.

    Returns
    -------
    tuple of float
        ``(time_s, soc)``: time spent (``<= t_max_s``; ``inf`` when the power vanishes before
        ``soc1`` and ``t_max_s`` is ``inf``) and the state of charge reached.
    """
    if soc1 <= soc0 or t_max_s <= 0.0:
        return 0.0, soc0
    battery_kwh, curve_soc, curve_frac = car.battery_kwh, car.curve_soc, car.curve_frac
    max_dc_kw, max_ac_kw = car.max_dc_kw, car.max_ac_kw
    scale = 3600.0 * battery_kwh  # kWs per unit of soc
    if not is_dc:
        p = min(plug_kw, max_ac_kw)
        if p <= 0.0:
            return t_max_s, soc0
        full = scale * (soc1 - soc0) / p
        if full > t_max_s:
            return t_max_s, min(soc0 + p * t_max_s / scale, soc1)
        return full, soc1
    t = 0.0
    s = soc0
    n = curve_soc.shape[0]
    for j in range(n - 1):
        c0 = curve_soc[j]
        c1 = curve_soc[j + 1]
        if c1 <= c0 or c1 <= s:
            continue
        if c0 >= soc1:
            break
        a = max(s, c0)
        b = min(soc1, c1)
        slope = max_dc_kw * (curve_frac[j + 1] - curve_frac[j]) / (c1 - c0)
        g_a = max_dc_kw * curve_frac[j] + slope * (a - c0)
        # split [a, b] where the curve power crosses the plug power
        x = b
        if slope != 0.0:
            cross = a + (plug_kw - g_a) / slope
            if a < cross < b:
                x = cross
        u = a
        for piece in range(2):
            w = x if piece == 0 else b
            if w <= u:
                continue
            g_u = g_a + slope * (u - a)
            g_mid = g_a + slope * (0.5 * (u + w) - a)
            if g_mid >= plug_kw:
                dt = scale * (w - u) / plug_kw
                if t + dt > t_max_s:
                    return t_max_s, min(u + plug_kw * (t_max_s - t) / scale, w)
            elif g_u <= 0.0:
                return t_max_s, u
            elif slope == 0.0:
                dt = scale * (w - u) / g_u
                if t + dt > t_max_s:
                    return t_max_s, min(u + g_u * (t_max_s - t) / scale, w)
            else:
                ratio = slope * (w - u) / g_u
                if ratio <= -1.0:
                    dt = np.inf
                else:
                    dt = scale * math.log1p(ratio) / slope
                if t + dt > t_max_s:
                    reached = u + g_u / slope * math.expm1(slope * (t_max_s - t) / scale)
                    return t_max_s, min(reached, w)
            t += dt
            u = w
        s = b
    return t, soc1


@njit(cache=True)
def charge_time(
    soc0: float, soc1: float, car: Car, plug_kw: float, is_dc: bool
) -> tuple[float, float]:
    """Time and energy to charge from ``soc0`` to ``soc1`` (see the module docstring).

    Parameters
    ----------
    soc0 : float
        State of charge (0-1) at plug-in.
    soc1 : float
        State of charge (0-1) to reach.
    car : Car
        The car: capacity, DC charging curve and power limits.
    plug_kw : float
        The plug's power, kW.
    is_dc : bool
        Whether the plug is DC (the car's DC curve and limit) or AC (its on-board charger).

    Returns
    -------
    tuple of float
        ``(time_s, energy_kwh)`` with ``energy_kwh = battery_kwh * (soc1 - soc0)`` (no losses);
        ``(0, 0)`` when ``soc1 <= soc0``; ``time_s`` is ``inf`` when the power vanishes.
    """
    if soc1 <= soc0:
        return 0.0, 0.0
    t, _ = charge_walk(soc0, soc1, np.inf, car, plug_kw, is_dc)
    return t, car.battery_kwh * (soc1 - soc0)


@njit(cache=True)
def soc_after_time(
    soc0: float, soc1: float, t_s: float, car: Car, plug_kw: float, is_dc: bool
) -> float:
    """State of charge after charging ``t_s`` seconds from ``soc0``, capped at ``soc1``.

    Parameters
    ----------
    soc0 : float
        State of charge (0-1) at plug-in.
    soc1 : float
        State of charge (0-1) at which charging stops.
    t_s : float
        Time plugged in, s.
    car : Car
        The car: capacity, DC charging curve and power limits.
    plug_kw : float
        The plug's power, kW.
    is_dc : bool
        Whether the plug is DC (the car's DC curve and limit) or AC (its on-board charger).

    Returns
    -------
    float
        The state of charge (0-1) at plug-out.
    """
    _, s = charge_walk(soc0, soc1, t_s, car, plug_kw, is_dc)
    return s
