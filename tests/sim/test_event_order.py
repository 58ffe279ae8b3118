"""The event log's sort order: time, then vehicle, then production order."""

from __future__ import annotations

import numpy as np
import pytest

from emob_sim.sim.engine import _time_order


@pytest.mark.parametrize("n", [0, 1, 2, 7, 1_000, 50_000])
def test_time_order_equals_lexsort_with_many_ties(n):
    rng = np.random.default_rng(n)
    # few distinct times: most rows tie with others
    time_s = rng.integers(0, n // 3 + 1, n).astype(np.float64)
    vehicle = rng.integers(0, 20, n)
    seq = rng.permutation(n)
    order = _time_order(time_s, vehicle, seq)
    assert np.array_equal(order, np.lexsort((seq, vehicle, time_s)))


def test_time_order_without_ties_is_by_time():
    rng = np.random.default_rng(3)
    time_s = rng.uniform(0, 1e5, 10_000)
    order = _time_order(time_s, rng.integers(0, 5, 10_000), np.arange(10_000))
    assert np.all(np.diff(time_s[order]) > 0)
