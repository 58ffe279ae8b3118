"""Demand-weighted maximal coverage (Church and ReVelle 1974), greedy with swap improvement.

A demand point is covered when an open site is within the travel-time radius; the heuristic
opens sites within a budget to maximise the covered demand weight. Marginal coverage is
scored by the numba kernel :func:`emob_sim.kernels.coverage.coverage_gains`.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from emob_sim.kernels.coverage import coverage_gains
from emob_sim.placement._search import greedy_swap

__all__ = ["max_coverage", "covered_weight", "cover_matrix"]


def cover_matrix(time_s: NDArray[np.float64], radius_s: float) -> NDArray[np.bool_]:
    """``covers[i, j]``: candidate ``j`` is within ``radius_s`` of demand point ``i``."""
    return np.asarray(time_s) <= radius_s


def covered_weight(
    weights: NDArray[np.float64], covers: NDArray[np.bool_], open_: NDArray[np.bool_]
) -> float:
    """Demand weight covered by the open candidates."""
    hit = covers[:, np.asarray(open_, dtype=bool)].any(axis=1)
    return float(np.asarray(weights, dtype=np.float64)[hit].sum())


def max_coverage(
    weights: NDArray[np.float64],
    covers: NDArray[np.bool_],
    *,
    cost: NDArray[np.float64] | None = None,
    budget: float,
    fixed: NDArray[np.bool_] | None = None,
    swap: bool = True,
) -> NDArray[np.bool_]:
    """Open candidates within a budget to cover as much demand weight as possible.

    Parameters
    ----------
    weights
        Demand weight of each of the ``n`` demand points.
    covers
        ``(n, m)`` boolean: candidate ``j`` covers point ``i``.
    cost
        Cost of each candidate; None = 1 each (``budget`` is then the number of sites).
    budget
        Total cost of the candidates opened besides the fixed ones.
    fixed
        Candidates open from the start.
    swap
        Improve the greedy solution by swaps.

    Returns
    -------
    numpy.ndarray
        Boolean mask over the ``m`` candidates.
    """
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    csr = sp.csr_matrix(np.asarray(covers, dtype=bool).T)
    indptr = csr.indptr.astype(np.int64)
    indices = csr.indices.astype(np.int64)
    m = csr.shape[0]
    cost = np.ones(m) if cost is None else np.asarray(cost, dtype=np.float64)

    def count(open_: NDArray[np.bool_]) -> NDArray[np.int64]:
        return np.asarray(csr[open_].sum(axis=0), dtype=np.int64).ravel()

    def gains(open_: NDArray[np.bool_]) -> NDArray[np.float64]:
        return coverage_gains(indptr, indices, weights, count(open_))[0]

    def value(open_: NDArray[np.bool_]) -> float:
        return float(weights[count(open_) > 0].sum())

    return greedy_swap(value, gains, cost=cost, budget=budget, fixed=fixed, swap=swap)
