"""The placement kernels against their pure-Python versions on random inputs."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from emob_sim.kernels.coverage import coverage_gains, refuelled_flows


@pytest.mark.parametrize("seed", range(5))
def test_coverage_gains_matches_python_and_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, m = 40, 12
    covers = rng.random((n, m)) < 0.2
    w = rng.uniform(0.0, 10.0, n)
    open_ = rng.random(m) < 0.3
    count = covers[:, open_].sum(axis=1).astype(np.int64)
    csr = sp.csr_matrix(covers.T)
    args = (csr.indptr.astype(np.int64), csr.indices.astype(np.int64), w, count)
    gain, loss = coverage_gains(*args)
    gain_py, loss_py = coverage_gains.py_func(*args)
    np.testing.assert_allclose(gain, gain_py)
    np.testing.assert_allclose(loss, loss_py)
    covered = count > 0
    for j in range(m):
        with_j = covered | covers[:, j]
        assert gain[j] == pytest.approx(w[with_j].sum() - w[covered].sum())
        if open_[j]:
            others = covers[:, open_ & (np.arange(m) != j)].any(axis=1)
            assert loss[j] == pytest.approx(w[covered].sum() - w[others].sum())


def _refuelled_reference(stops, flow_km, is_open, start_km, range_km):
    """Brute force: drive along the path, charging at every open station within reach."""
    fuel_left = start_km
    pos = 0.0
    for cand, km in stops:
        fuel_left -= km - pos
        pos = km
        if fuel_left < 0:
            return False
        if is_open[cand]:
            fuel_left = range_km
    return fuel_left - (flow_km - pos) >= 0


@pytest.mark.parametrize("seed", range(5))
def test_refuelled_flows_matches_python_and_reference(seed):
    rng = np.random.default_rng(seed)
    m, n_flows = 8, 30
    ptr, cand, km, length = [0], [], [], []
    flows = []
    for _ in range(n_flows):
        k = int(rng.integers(0, 6))
        pos = np.sort(rng.uniform(0.0, 400.0, k))
        c = rng.integers(0, m, k)
        total = float(pos[-1] + rng.uniform(0, 150) if k else rng.uniform(0, 400))
        cand += c.tolist()
        km += pos.tolist()
        ptr.append(len(cand))
        length.append(total)
        flows.append((list(zip(c.tolist(), pos.tolist())), total))
    is_open = rng.random(m) < 0.5
    args = (
        np.array(ptr, np.int64),
        np.array(cand, np.int64),
        np.array(km),
        np.array(length),
        is_open,
        120.0,
        250.0,
    )
    ok, reach = refuelled_flows(*args)
    ok_py, reach_py = refuelled_flows.py_func(*args)
    np.testing.assert_array_equal(ok, ok_py)
    np.testing.assert_allclose(reach, reach_py)
    expected = [_refuelled_reference(s, L, is_open, 120.0, 250.0) for s, L in flows]
    np.testing.assert_array_equal(ok, expected)
    assert (reach <= np.array(length) + 1e-9).all()
    np.testing.assert_allclose(reach[ok], np.array(length)[ok])
