"""Exact baselines on small instances: integer programs solved by HiGHS.

HiGHS is called through :func:`scipy.optimize.milp` (SciPy ships HiGHS), so the baselines need
no solver package besides SciPy. They check the heuristics (tests) and are meant for instances
of tens of demand points and candidates.

- :func:`exact_max_coverage`: ``max sum_i w_i z_i`` s.t. ``z_i <= sum_j a_ij y_j``,
  ``sum_j c_j y_j <= B``, binaries (Church and ReVelle 1974);
- :func:`exact_p_median`: ``min sum_ij w_i t_ij x_ij`` s.t. ``sum_j x_ij = 1``, ``x_ij <= y_j``,
  ``sum_j c_j y_j <= B``, binaries (ReVelle and Swain 1970).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp

from emob_sim.errors import EmobSimError

__all__ = ["exact_max_coverage", "exact_p_median"]


def _bounds_y(m: int, fixed: NDArray[np.bool_] | None) -> tuple[NDArray, NDArray]:
    lb = np.zeros(m)
    if fixed is not None:
        lb[np.asarray(fixed, dtype=bool)] = 1.0
    return lb, np.ones(m)


def _solve(c, constraints, lb, ub) -> NDArray[np.float64]:
    res = milp(
        c,
        constraints=constraints,
        integrality=np.ones(c.size),
        bounds=Bounds(lb, ub),
        options={"disp": False},
    )
    if res.status != 0 or res.x is None:
        raise EmobSimError(f"exact baseline: HiGHS found no optimum ({res.message})")
    return np.round(res.x).astype(bool)


def exact_max_coverage(
    weights: NDArray[np.float64],
    covers: NDArray[np.bool_],
    *,
    cost: NDArray[np.float64] | None = None,
    budget: float,
    fixed: NDArray[np.bool_] | None = None,
) -> NDArray[np.bool_]:
    """Optimal maximal coverage (arguments of :func:`~emob_sim.placement.coverage.max_coverage`)."""
    a = sp.csr_matrix(np.asarray(covers, dtype=float))
    n, m = a.shape
    cost = np.ones(m) if cost is None else np.asarray(cost, dtype=np.float64)
    free_cost = np.where(fixed, 0.0, cost) if fixed is not None else cost
    # variables: y (m) then z (n)
    c = np.concatenate([np.zeros(m), -np.asarray(weights, dtype=np.float64)])
    cover = LinearConstraint(sp.hstack([-a, sp.identity(n)]), -np.inf, 0.0)
    budget_row = LinearConstraint(
        np.concatenate([free_cost, np.zeros(n)])[None, :], -np.inf, budget
    )
    lb_y, ub_y = _bounds_y(m, fixed)
    x = _solve(
        c,
        [cover, budget_row],
        np.concatenate([lb_y, np.zeros(n)]),
        np.concatenate([ub_y, np.ones(n)]),
    )
    return x[:m]


def exact_p_median(
    weights: NDArray[np.float64],
    time_s: NDArray[np.float64],
    *,
    cost: NDArray[np.float64] | None = None,
    budget: float,
    fixed: NDArray[np.bool_] | None = None,
) -> NDArray[np.bool_]:
    """Optimal p-median (same arguments as :func:`~emob_sim.placement.pmedian.p_median`)."""
    t = np.asarray(time_s, dtype=np.float64)
    n, m = t.shape
    cost = np.ones(m) if cost is None else np.asarray(cost, dtype=np.float64)
    free_cost = np.where(fixed, 0.0, cost) if fixed is not None else cost
    # variables: y (m) then x (n x m, row-major)
    c = np.concatenate([np.zeros(m), (np.asarray(weights, dtype=np.float64)[:, None] * t).ravel()])
    assign = LinearConstraint(
        sp.hstack([sp.csr_matrix((n, m)), sp.kron(sp.identity(n), np.ones((1, m)))]), 1.0, 1.0
    )
    link = LinearConstraint(
        sp.hstack([-sp.kron(np.ones((n, 1)), sp.identity(m)), sp.identity(n * m)]), -np.inf, 0.0
    )
    budget_row = LinearConstraint(
        np.concatenate([free_cost, np.zeros(n * m)])[None, :], -np.inf, budget
    )
    lb_y, ub_y = _bounds_y(m, fixed)
    x = _solve(
        c,
        [assign, link, budget_row],
        np.concatenate([lb_y, np.zeros(n * m)]),
        np.concatenate([ub_y, np.ones(n * m)]),
    )
    return x[:m]
