"""Plug sizing from simulated arrivals with the Erlang-C queue, checked by the simulation.

Each site is treated as an M/M/c queue in its busiest period: ``lambda`` = the most arrivals
(served and given up) the simulation saw in ``placement.sizing_peak_window_h`` consecutive
clock hours, per hour (sites with fewer than ``placement.sizing_min_arrivals`` there are left
as they are), the mean service time = the mean plug time of its sessions (sites without
sessions: the mean over all sessions, else 30 min).
The Erlang-C formula gives the probability of waiting ``C(c, a)`` with ``a = lambda / mu``
and the mean wait ``Wq = C(c, a) / (c mu - lambda)``.

:func:`plan_plugs` adds plugs one at a time where they save the most busy-period waiting
minutes per cost, until each site meets ``placement.sizing_target_wait_min`` or has
``placement.sizing_max_plugs`` plugs, or the budget is spent. The caller then simulates the
sized layout: drivers re-choose sites when plugs change, so the simulation is the check of
the queueing estimate (both are reported side by side).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.results import RunResult

__all__ = [
    "erlang_c",
    "erlang_c_wait_s",
    "plugs_for_wait",
    "peak_arrivals",
    "plan_plugs",
]


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (1 when ``offered_load >= servers``).

    Computed from the Erlang-B recursion ``B(k) = a B(k-1) / (k + a B(k-1))`` (stable for
    large ``c``) and ``C = c B / (c - a (1 - B))``.
    """
    c, a = int(servers), float(offered_load)
    if c < 1:
        raise ValueError(f"servers: must be >= 1, got {servers}")
    if a <= 0.0:
        return 0.0
    if a >= c:
        return 1.0
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return c * b / (c - a * (1.0 - b))


def erlang_c_wait_s(servers: int, arrivals_per_s: float, mean_service_s: float) -> float:
    """Mean wait in queue of an M/M/c system (``inf`` when it is overloaded)."""
    if arrivals_per_s <= 0.0:
        return 0.0
    a = arrivals_per_s * mean_service_s
    if a >= servers:
        return math.inf
    mu = 1.0 / mean_service_s
    return erlang_c(servers, a) / (servers * mu - arrivals_per_s)


def plugs_for_wait(
    arrivals_per_s: float, mean_service_s: float, *, target_wait_s: float, max_plugs: int
) -> int:
    """Fewest plugs (at most ``max_plugs``) whose Erlang-C mean wait meets the target."""
    for c in range(1, max_plugs + 1):
        if erlang_c_wait_s(c, arrivals_per_s, mean_service_s) <= target_wait_s:
            return c
    return max_plugs


def peak_arrivals(
    run: RunResult, *, prior_service_s: float, window_h: int, min_arrivals: int
) -> pd.DataFrame:
    """Per site of ``run.region``: the arrival rate of its busiest window and mean plug time.

    The rate is the most arrivals (served and given up) in ``placement.sizing_peak_window_h``
    consecutive clock hours, per hour; sites with fewer than ``placement.sizing_min_arrivals``
    arrivals in that window get rate 0 (too few to estimate a rate: not sized). Where no session
    ended at all, the mean plug time is ``prior_service_s`` (``charging.session_prior_min``).

    Returns
    -------
    pandas.DataFrame
        ``peak_arrivals_per_h``, ``mean_service_min`` (index = site index).
    """
    n = run.region.n_sites
    s, a = run.sim.sessions, run.sim.abandoned
    site = np.concatenate([s["site_idx"].to_numpy(np.int64), a["site_idx"].to_numpy(np.int64)])
    hour = np.concatenate([s["arrive_s"].to_numpy(), a["arrive_s"].to_numpy()]) // 3600.0
    n_hours = int(hour.max()) + 1 if hour.size else 1
    counts = np.bincount(site * n_hours + hour.astype(np.int64), minlength=n * n_hours)
    hourly = counts[: n * n_hours].reshape(n, n_hours)
    window = np.cumsum(np.pad(hourly, ((0, 0), (1, 0))), axis=1)
    w = min(window_h, n_hours)
    busiest = (window[:, w:] - window[:, :-w]).max(axis=1)
    peak = np.where(busiest >= min_arrivals, busiest / w, 0.0)
    dur = (s["end_s"] - s["start_s"]).to_numpy()
    idx = s["site_idx"].to_numpy(np.int64)
    total = np.bincount(idx, weights=dur, minlength=n)[:n]
    k = np.bincount(idx, minlength=n)[:n]
    fallback = float(dur.mean()) if dur.size else prior_service_s
    service_s = np.where(k > 0, total / np.maximum(k, 1), fallback)
    return pd.DataFrame(
        {"peak_arrivals_per_h": peak.astype(float), "mean_service_min": service_s / 60.0}
    )


def plan_plugs(
    plugs: NDArray[np.int64],
    arrivals_per_h: NDArray[np.float64],
    service_min: NDArray[np.float64],
    *,
    cost_per_plug: NDArray[np.float64],
    budget: float,
    target_wait_min: float,
    max_plugs: int,
    sizable: NDArray[np.bool_] | None = None,
) -> NDArray[np.int64]:
    """Add plugs where the Erlang-C peak-hour waiting saved per cost is largest.

    Parameters
    ----------
    plugs
        Plugs per site now (never reduced).
    arrivals_per_h, service_min
        Peak-hour arrivals and mean plug time per site.
    cost_per_plug
        Cost of one more plug per site (EUR, or 1 for a budget in plugs).
    budget
        Total cost of the added plugs.
    target_wait_min, max_plugs
        A site gets no more plugs once its mean wait meets the target or it has ``max_plugs``.
    sizable
        Sites that may get plugs (default all).

    Returns
    -------
    numpy.ndarray
        Plugs per site after sizing.
    """
    out = np.asarray(plugs, dtype=np.int64).copy()
    lam = np.asarray(arrivals_per_h, dtype=float) / 3600.0
    svc = np.asarray(service_min, dtype=float) * 60.0
    ok = np.ones(out.size, dtype=bool) if sizable is None else np.asarray(sizable, dtype=bool)
    left = float(budget)

    def wait_min(c: int, i: int) -> float:
        return erlang_c_wait_s(c, lam[i], svc[i]) / 60.0

    while True:
        best, best_score = -1, 0.0
        for i in np.flatnonzero(ok & (out < max_plugs) & (cost_per_plug <= left + 1e-9)):
            now = wait_min(int(out[i]), i)
            if now <= target_wait_min:
                continue
            after = wait_min(int(out[i]) + 1, i)
            saved = 1e12 if math.isinf(now) else (now - after) * arrivals_per_h[i]
            score = saved / max(float(cost_per_plug[i]), 1e-9)
            if score > best_score:
                best, best_score = int(i), score
        if best < 0:
            return out
        out[best] += 1
        left -= float(cost_per_plug[best])
