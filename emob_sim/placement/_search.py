"""Budgeted greedy selection with swap improvement, shared by the coverage and p-median models.

The objective is given by two functions of the open set (a boolean mask over candidates):
``value(open)`` and ``gains(open)``, the increase of the value when each candidate is added.

1. **Greedy**: add the affordable candidate with the largest gain per cost while a gain is
   positive. With costs that differ, the result is compared with the best single affordable
   candidate and the better one is kept (Khuller, Moss and Naor 1999); with equal costs the
   greedy's first choice is that candidate anyway.
2. **Swap**: for every open candidate that is not fixed, find the best candidate to replace it
   within the budget; apply the best improving swap of each open candidate in turn, then fill
   the budget greedily again, until a whole round changes nothing (Teitz and Bart 1968).
3. **Starts**: steps 1-2 are repeated from each of the few best single candidates as the
   first choice, and the best local optimum is kept (a 1-swap local optimum can miss the
   optimum when two sites must move at once).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

__all__ = ["greedy_swap"]

_EPS = 1e-9

Mask = NDArray[np.bool_]


def _greedy(start: Mask, gains: Callable[[Mask], NDArray], cost: NDArray, budget: float) -> Mask:
    open_ = start.copy()
    left = budget
    while True:
        g = gains(open_)
        ok = ~open_ & (cost <= left + _EPS) & (g > _EPS)
        if not ok.any():
            return open_
        ratio = np.where(ok, g / np.maximum(cost, _EPS), -np.inf)
        k = int(np.argmax(ratio))
        open_[k] = True
        left -= cost[k]


def greedy_swap(
    value: Callable[[Mask], float],
    gains: Callable[[Mask], NDArray],
    *,
    cost: NDArray[np.float64],
    budget: float,
    fixed: Mask | None = None,
    swap: bool = True,
    starts: int = 5,
    max_rounds: int = 100,
) -> Mask:
    """Open candidates within ``budget`` to maximise ``value``.

    Parameters
    ----------
    value
        Objective of an open set (larger is better).
    gains
        Increase of ``value`` when each candidate is added to an open set (any value for the
        open ones).
    cost
        Cost of opening each candidate (fixed candidates are open and free).
    budget
        Total cost allowed for the candidates that are not fixed.
    fixed
        Candidates that are open from the start and never closed.
    swap
        Improve the greedy solution by swaps.
    starts
        With ``swap``, also start the greedy from each of the ``starts`` best single
        candidates (by gain per cost) and keep the best local optimum.
    max_rounds
        Upper bound on swap rounds per start (each round that changes something improves).

    Returns
    -------
    numpy.ndarray
        Boolean mask of the open candidates.
    """
    cost = np.asarray(cost, dtype=np.float64)
    m = cost.size
    fixed = np.zeros(m, dtype=bool) if fixed is None else np.asarray(fixed, dtype=bool)
    open_ = _greedy(fixed, gains, cost, budget)
    g0 = gains(fixed)
    single_ok = ~fixed & (cost <= budget + _EPS) & (g0 > _EPS)
    if single_ok.any():  # the best single candidate (matters with unequal costs only)
        k = int(np.argmax(np.where(single_ok, g0, -np.inf)))
        if value(fixed) + g0[k] > value(open_) + _EPS:
            open_ = fixed.copy()
            open_[k] = True
    if not swap:
        return open_

    def improve(sol: Mask) -> tuple[Mask, float]:
        current = value(sol)
        for _ in range(max_rounds):
            changed = False
            for j in np.flatnonzero(sol & ~fixed):
                closed = sol.copy()
                closed[j] = False
                left = budget - cost[closed & ~fixed].sum()
                g = gains(closed)
                ok = ~closed & (cost <= left + _EPS)
                ok[j] = False
                if not ok.any():
                    continue
                k = int(np.argmax(np.where(ok, g, -np.inf)))
                new_value = value(closed) + g[k]
                if new_value > current + _EPS * max(1.0, abs(current)):
                    closed[k] = True
                    sol, current, changed = closed, new_value, True
            filled = _greedy(sol, gains, cost, budget - cost[sol & ~fixed].sum())
            if filled.sum() > sol.sum():
                sol, current, changed = filled, value(filled), True
            if not changed:
                break
        return sol, current

    best, best_value = improve(open_)
    ratio = np.where(single_ok, g0 / np.maximum(cost, _EPS), -np.inf)
    for k in np.argsort(-ratio, kind="stable")[:starts]:
        if not single_ok[k]:
            break
        first = fixed.copy()
        first[k] = True
        sol, val = improve(_greedy(first, gains, cost, budget - cost[k]))
        if val > best_value + _EPS * max(1.0, abs(best_value)):
            best, best_value = sol, val
    return best
