"""Scoring kernels of the placement heuristics (numpy and numba only).

- :func:`coverage_gains`: for every candidate, the demand weight it would newly cover and the
  weight only it covers (maximal coverage greedy and swap moves).
- :func:`refuelled_flows`: which flows of the flow-refuelling model can be driven with the open
  stations, and how far the others get (greedy FRLM).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["coverage_gains", "refuelled_flows"]


@njit(cache=True)
def coverage_gains(
    indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray, count: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Marginal coverage of every candidate.

    Parameters
    ----------
    indptr, indices
        CSR rows: candidate ``j`` covers the demand points ``indices[indptr[j]:indptr[j + 1]]``.
    weights
        Demand weight of each point.
    count
        Number of open candidates covering each point.

    Returns
    -------
    gain, loss
        ``gain[j]``: weight of the points ``j`` covers that no open candidate covers (what
        opening ``j`` adds); ``loss[j]``: weight of the points ``j`` covers that exactly one
        open candidate covers (what closing ``j`` loses when ``j`` is open).
    """
    m = indptr.shape[0] - 1
    gain = np.zeros(m)
    loss = np.zeros(m)
    for j in range(m):
        g = 0.0
        lo = 0.0
        for k in range(indptr[j], indptr[j + 1]):
            i = indices[k]
            if count[i] == 0:
                g += weights[i]
            elif count[i] == 1:
                lo += weights[i]
        gain[j] = g
        loss[j] = lo
    return gain, loss


@njit(cache=True)
def refuelled_flows(
    flow_ptr: np.ndarray,
    stop_candidate: np.ndarray,
    stop_km: np.ndarray,
    flow_km: np.ndarray,
    is_open: np.ndarray,
    start_km: float,
    range_km: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Which flows reach their destination, charging only at open stations on their path.

    A vehicle leaves the origin able to drive ``start_km`` and can refill to ``range_km`` at
    every open station it passes; charging at every open station it reaches is optimal, so the
    flow is refuelled when each open station is within reach of the previous refill and the
    destination is within reach of the last one.

    Parameters
    ----------
    flow_ptr
        Flow ``f`` owns the stops ``flow_ptr[f]:flow_ptr[f + 1]`` (ordered along its path).
    stop_candidate, stop_km
        Candidate index of each stop and its distance from the flow's origin.
    flow_km
        Path length of each flow.
    is_open
        Per candidate: open (a station) or not.
    start_km, range_km
        Distance a vehicle can drive at the origin and after each charge.

    Returns
    -------
    ok, reach_km
        ``ok[f]``: flow ``f`` is refuelled; ``reach_km[f]``: how far along its path it gets
        (``flow_km[f]`` when refuelled).
    """
    n = flow_ptr.shape[0] - 1
    ok = np.zeros(n, dtype=np.bool_)
    reach_km = np.zeros(n)
    for f in range(n):
        reach = start_km
        for k in range(flow_ptr[f], flow_ptr[f + 1]):
            if stop_km[k] > reach:
                break
            if is_open[stop_candidate[k]]:
                reach = max(reach, stop_km[k] + range_km)
        ok[f] = flow_km[f] <= reach
        reach_km[f] = min(reach, flow_km[f])
    return ok, reach_km
