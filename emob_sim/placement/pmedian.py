"""p-median (Hakimi 1964): open sites to minimise the demand-weighted time to the nearest one.

Greedy adding (Kuehn and Hamburger 1963) with swap improvement (Teitz and Bart 1968), within a
budget (with unit costs, ``budget = p``). Before any site is open, every demand point counts
as ``unserved_s`` away (default: the largest entry of the time matrix plus one second), so
that the first site opened is the best 1-median.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from emob_sim.placement._search import greedy_swap

__all__ = ["p_median", "median_cost"]


def median_cost(
    weights: NDArray[np.float64],
    time_s: NDArray[np.float64],
    open_: NDArray[np.bool_],
    *,
    unserved_s: float | None = None,
) -> float:
    """Sum over demand points of weight x time to the nearest open candidate."""
    time_s = np.asarray(time_s, dtype=np.float64)
    far = float(time_s.max()) + 1.0 if unserved_s is None else unserved_s
    best = time_s[:, np.asarray(open_, dtype=bool)].min(axis=1, initial=far)
    return float(np.dot(np.asarray(weights, dtype=np.float64), best))


def p_median(
    weights: NDArray[np.float64],
    time_s: NDArray[np.float64],
    *,
    cost: NDArray[np.float64] | None = None,
    budget: float,
    fixed: NDArray[np.bool_] | None = None,
    swap: bool = True,
    unserved_s: float | None = None,
) -> NDArray[np.bool_]:
    """Open candidates within a budget to minimise the weighted time to the nearest one.

    Parameters
    ----------
    weights
        Demand weight of each of the ``n`` demand points (e.g. trip ends per zone).
    time_s
        ``(n, m)`` travel time from demand point ``i`` to candidate ``j``.
    cost
        Cost of each candidate; None = 1 each (``budget`` is then ``p``).
    budget
        Total cost of the candidates opened besides the fixed ones.
    fixed
        Candidates open from the start.
    swap
        Improve the greedy solution by swaps.
    unserved_s
        Time counted for a demand point while no candidate is open.

    Returns
    -------
    numpy.ndarray
        Boolean mask over the ``m`` candidates.
    """
    w = np.asarray(weights, dtype=np.float64)
    t = np.asarray(time_s, dtype=np.float64)
    far = float(t.max()) + 1.0 if unserved_s is None else unserved_s
    cost = np.ones(t.shape[1]) if cost is None else np.asarray(cost, dtype=np.float64)

    def nearest(open_: NDArray[np.bool_]) -> NDArray[np.float64]:
        return t[:, open_].min(axis=1, initial=far)

    def gains(open_: NDArray[np.bool_]) -> NDArray[np.float64]:
        best = nearest(open_)
        return w @ np.maximum(best[:, None] - t, 0.0)

    def value(open_: NDArray[np.bool_]) -> float:
        return -float(w @ nearest(open_))

    return greedy_swap(value, gains, cost=cost, budget=budget, fixed=fixed, swap=swap)
