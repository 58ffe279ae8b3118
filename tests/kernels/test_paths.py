"""Many-to-many fastest paths: against the pure-Python twin, scipy and hand-made graphs."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from emob_sim.kernels.paths import (
    _bucket_search,
    _heap_search,
    bucket_width,
    dijkstra_targets,
    many_rows,
    many_to_many,
)
from emob_sim.kernels.structs import BucketQueue, CsrGraph, TargetSlots


def _random_graph(n: int, m: int, seed: int, *, integer: bool = False):
    """Random strongly connected digraph as CSR (a ring plus random chords)."""
    rng = np.random.default_rng(seed)
    u = np.concatenate([np.arange(n), rng.integers(0, n, m)])
    v = np.concatenate([(np.arange(n) + 1) % n, rng.integers(0, n, m)])
    keep = u != v
    u, v = u[keep], v[keep]
    pairs = np.unique(np.stack([u, v], axis=1), axis=0)  # one edge per node pair
    u, v = pairs[:, 0], pairs[:, 1]
    if integer:  # many equally fast paths
        weight = rng.integers(1, 4, u.size).astype(float)
    else:
        weight = rng.uniform(1.0, 100.0, u.size)
    length = rng.uniform(10.0, 1000.0, u.size)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(u, minlength=n), out=indptr[1:])
    return indptr, v.astype(np.int64), weight, length


def test_many_to_many_matches_py_func_and_scipy():
    indptr, indices, weight, length = _random_graph(300, 1200, seed=1)
    sources = np.array([0, 5, 17, 299, 5])
    targets = np.array([3, 0, 150, 299, 42, 7])
    time_j, len_j = many_to_many(indptr, indices, weight, length, sources, targets)
    time_t, len_t = many_to_many(indptr, indices, weight, length, sources, targets, threads=3)
    np.testing.assert_array_equal(time_j, time_t)
    np.testing.assert_array_equal(len_j, len_t)
    slot = np.full(300, -1)
    slot[targets] = np.arange(targets.size)
    time_p, len_p = np.empty_like(time_j), np.empty_like(len_j)
    graph = CsrGraph(indptr, indices, weight, length)
    queue = BucketQueue(*bucket_width(weight))
    many_rows.py_func(graph, sources, TargetSlots(slot, targets.size), queue, time_p, len_p)
    np.testing.assert_array_equal(time_j, time_p)
    np.testing.assert_array_equal(len_j, len_p)
    graph = sp.csr_matrix((weight, indices, indptr), shape=(300, 300))
    ref = dijkstra(graph, directed=True, indices=sources)[:, targets]
    np.testing.assert_array_equal(time_j, ref)  # same sums in the same order: bit for bit
    assert time_j[3, 3] == 0.0 and len_j[3, 3] == 0.0


def test_searches_match_their_pure_python_versions():
    indptr, indices, weight, length = _random_graph(150, 600, seed=4, integer=True)
    slot = np.full(150, -1)
    slot[::3] = np.arange(50)
    width, n_buckets = bucket_width(weight)
    graph, targets = CsrGraph(indptr, indices, weight, length), TargetSlots(slot, 50)
    for search, extra in ((_heap_search, ()), (_bucket_search, (BucketQueue(width, n_buckets),))):
        outs = []
        for fn in (search, search.py_func):
            t_out, l_out = np.empty(50), np.empty(50)
            dist, lens = np.full(150, np.inf), np.full(150, np.inf)
            dist[7] = lens[7] = 0.0
            fn(graph, 7, targets, t_out, l_out, dist, lens, *extra)
            outs.append((t_out, l_out))
        np.testing.assert_array_equal(outs[0][0], outs[1][0])
        np.testing.assert_array_equal(outs[0][1], outs[1][1])
        assert np.isfinite(outs[0][0]).all()


def test_lengths_are_the_shortest_among_equally_fast_paths():
    # 0 -> 1 -> 3 and 0 -> 2 -> 3 both take 2 s; the second is shorter
    indptr = np.array([0, 2, 3, 4, 4])
    indices = np.array([1, 2, 3, 3])
    weight = np.array([1.0, 1.0, 1.0, 1.0])
    length = np.array([500.0, 100.0, 500.0, 100.0])
    for bucket in (bucket_width(weight), (0.0, 0)):
        t_out, l_out = np.empty(1), np.empty(1)
        slot = np.array([-1, -1, -1, 0])
        graph = CsrGraph(indptr, indices, weight, length)
        dijkstra_targets(graph, 0, TargetSlots(slot, 1), t_out, l_out, BucketQueue(*bucket))
        assert t_out[0] == 2.0 and l_out[0] == 200.0


def test_bucket_and_heap_searches_agree_with_ties():
    indptr, indices, weight, length = _random_graph(400, 1600, seed=2, integer=True)
    width, n_buckets = bucket_width(weight)
    assert 0 < width <= weight.min() and n_buckets >= weight.max() / width + 1
    slot = np.full(400, -1)
    slot[::7] = np.arange(slot[::7].size)
    k = int((slot >= 0).sum())
    for source in (0, 123, 399):
        outs = []
        for bucket in ((width, n_buckets), (0.0, 0)):
            t_out, l_out = np.empty(k), np.empty(k)
            graph = CsrGraph(indptr, indices, weight, length)
            queue = BucketQueue(*bucket)
            dijkstra_targets(graph, source, TargetSlots(slot, k), t_out, l_out, queue)
            outs.append((t_out, l_out))
        np.testing.assert_array_equal(outs[0][0], outs[1][0])
        np.testing.assert_array_equal(outs[0][1], outs[1][1])


def _bellman_ford(indptr, indices, weight, source):
    n = indptr.size - 1
    rows = np.repeat(np.arange(n), np.diff(indptr))
    dist = np.full(n, np.inf)
    dist[source] = 0.0
    for _ in range(n):
        new = dist.copy()
        np.minimum.at(new, indices, dist[rows] + weight)
        if np.array_equal(new, dist):
            break
        dist = new
    return dist


def test_zero_weights_use_the_heap_and_stay_exact():
    indptr, indices, weight, length = _random_graph(200, 800, seed=3)
    weight[::5] = 0.0
    assert bucket_width(weight) == (0.0, 0)
    sources = np.arange(0, 200, 9)
    time_j, _ = many_to_many(indptr, indices, weight, length, sources, sources)
    for i, s in enumerate(sources):
        np.testing.assert_allclose(
            time_j[i], _bellman_ford(indptr, indices, weight, s)[sources], rtol=1e-12
        )
    time_t, _ = many_to_many(indptr, indices, weight, length, sources, sources, threads=2)
    np.testing.assert_array_equal(time_j, time_t)


def test_safe_in_processes_forked_after_a_call():
    import multiprocessing

    indptr, indices, weight, length = _random_graph(100, 300, seed=5)
    sources = np.arange(0, 100, 10)
    expected, _ = many_to_many(indptr, indices, weight, length, sources, sources, threads=2)
    with multiprocessing.get_context("fork").Pool(1) as pool:
        got = pool.apply_async(_child_search, (indptr, indices, weight, length, sources))
        np.testing.assert_array_equal(got.get(timeout=60), expected)


def _child_search(indptr, indices, weight, length, sources):
    return many_to_many(indptr, indices, weight, length, sources, sources, threads=2)[0]


def test_unreachable_targets_are_infinite():
    # 0 <-> 1, and 2 <-> 3: no road between the pairs
    indptr = np.array([0, 1, 2, 3, 4])
    indices = np.array([1, 0, 3, 2])
    weight = np.array([5.0, 5.0, 7.0, 7.0])
    length = np.array([50.0, 50.0, 70.0, 70.0])
    time, dist = many_to_many(indptr, indices, weight, length, np.array([0, 2]), np.array([1, 3]))
    np.testing.assert_array_equal(time, [[5.0, np.inf], [np.inf, 7.0]])
    np.testing.assert_array_equal(dist, [[50.0, np.inf], [np.inf, 70.0]])
