"""Many-to-many fastest paths on CSR arrays: one Dijkstra search per source, in parallel.

:func:`many_to_many` returns, for every source and target node, the least travel time and the
length of that fastest path (among equally fast paths, the shortest), both summed edge by edge
from the source, so the times equal :func:`scipy.sparse.csgraph.dijkstra`'s bit for bit. Each
source's search stops as soon as every target is settled. Blocks of sources run in Python
threads on the compiled kernel :func:`many_rows`, which releases the GIL (not numba's
``parallel=True``: its GNU OpenMP layer aborts processes forked after a call). The queue is
a bucket queue (Dial's algorithm, buckets as wide as the shortest edge time, exact) when every
edge takes a positive time, else a lazy-deletion 4-ary heap. On the 200,000-node synthetic
grid this is several times faster than scipy's Dijkstra plus the path-length pass it needs
(see benchmarks/results/).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from numba import njit

from emob_sim.kernels.structs import BucketQueue, CsrGraph, TargetSlots

__all__ = ["many_to_many", "many_rows", "dijkstra_targets", "bucket_width", "MAX_BUCKETS"]

#: below this many (source, node) pairs a single thread is faster than starting threads
_MIN_CELLS_PER_THREAD = 2_000_000

#: largest ratio of the longest to the shortest edge time for the bucket search
MAX_BUCKETS = 1 << 22


#: children per heap node: a 4-ary heap is shallower than a binary one and faster here
_ARITY = 4


@njit(cache=True)
def _push(heap_key, heap_node, size, key, node):
    """Add ``(key, node)`` to the heap of ``size`` items; return the new size."""
    i = size
    while i > 0:
        parent = (i - 1) // _ARITY
        if heap_key[parent] <= key:
            break
        heap_key[i] = heap_key[parent]
        heap_node[i] = heap_node[parent]
        i = parent
    heap_key[i] = key
    heap_node[i] = node
    return size + 1


@njit(cache=True)
def _pop(heap_key, heap_node, size):
    """Remove the smallest item; return ``(key, node, new size)``."""
    key = heap_key[0]
    node = heap_node[0]
    size -= 1
    last_key = heap_key[size]
    last_node = heap_node[size]
    i = 0
    while True:
        first = _ARITY * i + 1
        if first >= size:
            break
        best = first
        best_key = heap_key[first]
        for c in range(first + 1, min(first + _ARITY, size)):
            if heap_key[c] < best_key:
                best = c
                best_key = heap_key[c]
        if best_key >= last_key:
            break
        heap_key[i] = best_key
        heap_node[i] = heap_node[best]
        i = best
    heap_key[i] = last_key
    heap_node[i] = last_node
    return key, node, size


@njit(cache=True)
def _settle(u, d, len_u, target_slot, time_out, length_out):
    """Record a settled node if it is a target; return 1 if it was, else 0."""
    slot = target_slot[u]
    if slot < 0:
        return 0
    time_out[slot] = d
    length_out[slot] = len_u
    return 1


@njit(cache=True)
def _heap_search(graph, source, targets, time_out, length_out, dist, lens):
    """Dijkstra with a lazy-deletion 4-ary heap (any non-negative weights)."""
    indptr, indices, weight, length = graph.indptr, graph.indices, graph.weight, graph.length
    target_slot, n_targets = targets.slot, targets.n
    heap_key = np.empty(indices.shape[0] + 1)
    heap_node = np.empty(indices.shape[0] + 1, dtype=indices.dtype)
    size = _push(heap_key, heap_node, 0, 0.0, source)
    left = n_targets
    while size > 0 and left > 0:
        d, u, size = _pop(heap_key, heap_node, size)
        if d > dist[u]:
            continue  # a stale entry: u was reached faster later
        len_u = lens[u]
        left -= _settle(u, d, len_u, target_slot, time_out, length_out)
        for e in range(indptr[u], indptr[u + 1]):
            v = indices[e]
            nd = d + weight[e]
            if nd < dist[v]:
                dist[v] = nd
                lens[v] = len_u + length[e]
                size = _push(heap_key, heap_node, size, nd, v)
            elif nd == dist[v] and len_u + length[e] < lens[v]:
                lens[v] = len_u + length[e]


@njit(cache=True)
def _bucket_search(graph, source, targets, time_out, length_out, dist, lens, queue):
    """Dijkstra with a circular bucket queue (Dial) of width ``bucket_s`` <= every weight.

    A node in bucket ``k`` (time in ``[k, k + 1) * bucket_s``) cannot improve another node of
    the same bucket, since every edge takes at least ``bucket_s``; so the nodes of the lowest
    non-empty bucket are final in any order, and the result equals the heap search's.
    """
    indptr, indices, weight, length = graph.indptr, graph.indices, graph.weight, graph.length
    target_slot, n_targets = targets.slot, targets.n
    bucket_s, n_buckets = queue.bucket_s, queue.n_buckets
    n_entries = indices.shape[0] + 1
    entry_node = np.empty(n_entries, dtype=indices.dtype)
    entry_next = np.empty(n_entries, dtype=np.int64)
    head = np.full(n_buckets, -1, dtype=np.int64)
    done = np.zeros(dist.shape[0], dtype=np.bool_)
    entry_node[0] = source
    entry_next[0] = -1
    head[0] = 0
    used = 1
    queued = 1
    left = n_targets
    k = 0
    while queued > 0 and left > 0:
        b = k % n_buckets
        while head[b] >= 0 and left > 0:
            entry = head[b]
            head[b] = entry_next[entry]
            queued -= 1
            u = entry_node[entry]
            if done[u]:
                continue
            done[u] = True
            d = dist[u]
            len_u = lens[u]
            left -= _settle(u, d, len_u, target_slot, time_out, length_out)
            for e in range(indptr[u], indptr[u + 1]):
                v = indices[e]
                nd = d + weight[e]
                if nd < dist[v]:
                    dist[v] = nd
                    lens[v] = len_u + length[e]
                    bv = int(nd / bucket_s) % n_buckets
                    entry_node[used] = v
                    entry_next[used] = head[bv]
                    head[bv] = used
                    used += 1
                    queued += 1
                elif nd == dist[v] and len_u + length[e] < lens[v]:
                    lens[v] = len_u + length[e]
        k += 1


@njit(cache=True)
def dijkstra_targets(
    graph: CsrGraph,
    source: int,
    targets: TargetSlots,
    time_out: np.ndarray,
    length_out: np.ndarray,
    queue: BucketQueue,
) -> None:
    """Fastest paths from ``source`` until every target is settled.

    Parameters
    ----------
    graph
        CSR graph (:class:`~emob_sim.kernels.structs.CsrGraph`): edge ``e`` of row ``u`` leads
        to ``indices[e]`` with travel time ``weight[e]`` (>= 0) and length ``length[e]``.
    source
        Start node.
    targets
        Per node its column in the output, -1 when it is not a target, and the number of
        targets (:class:`~emob_sim.kernels.structs.TargetSlots`).
    time_out, length_out
        Output rows (length ``targets.n``), filled with the fastest time and the length of the
        shortest fastest path (``inf`` for unreachable targets).
    queue
        ``bucket_s`` 0 for the heap search; else the bucket width of the bucket search (positive,
        at most the smallest weight) and the size of its circular bucket array (more than the
        largest weight / ``bucket_s`` + 1); see :func:`bucket_width`
        (:class:`~emob_sim.kernels.structs.BucketQueue`).
    """
    n = graph.indptr.shape[0] - 1
    dist = np.full(n, np.inf)
    lens = np.full(n, np.inf)
    time_out[:] = np.inf
    length_out[:] = np.inf
    dist[source] = 0.0
    lens[source] = 0.0
    if queue.bucket_s > 0.0:
        _bucket_search(graph, source, targets, time_out, length_out, dist, lens, queue)
    else:
        _heap_search(graph, source, targets, time_out, length_out, dist, lens)


@njit(cache=True)
def bucket_width(weight: np.ndarray) -> tuple[float, int]:
    """Bucket width and count for :func:`dijkstra_targets`, or ``(0, 0)`` for the heap.

    The width is just under the smallest weight (the margin covers rounding); the heap is used
    when a weight is 0 or the weights span more than :data:`MAX_BUCKETS` widths.
    """
    if weight.shape[0] == 0:
        return 0.0, 0
    low = np.min(weight)
    high = np.max(weight)
    if not low > 0.0 or high / low > MAX_BUCKETS:
        return 0.0, 0
    width = low * (1.0 - 1e-9)
    return width, int(high / width) + 2


@njit(cache=True, nogil=True)
def many_rows(
    graph: CsrGraph,
    sources: np.ndarray,
    targets: TargetSlots,
    queue: BucketQueue,
    time_out: np.ndarray,
    length_out: np.ndarray,
) -> None:
    """Fill row ``i`` of ``time_out`` and ``length_out`` with the search from ``sources[i]``.

    Releases the GIL, so that threads can run it on disjoint blocks of sources.
    """
    for i in range(sources.shape[0]):
        dijkstra_targets(graph, sources[i], targets, time_out[i], length_out[i], queue)


def many_to_many(
    indptr: np.ndarray,
    indices: np.ndarray,
    weight: np.ndarray,
    length: np.ndarray,
    sources: np.ndarray,
    targets: np.ndarray,
    *,
    threads: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Fastest travel time and its path length from every source to every target.

    Parameters
    ----------
    indptr, indices, weight, length
        CSR graph (see :func:`dijkstra_targets`); weights must be non-negative.
    sources
        Start nodes (repeats allowed).
    targets
        Distinct target nodes.
    threads
        Threads sharing the sources (default: ``numba.config.NUMBA_NUM_THREADS``, the cores,
        or one for small problems). Python threads, not OpenMP: safe to call from several
        threads at once and in processes forked after a call.

    Returns
    -------
    time, length
        ``(len(sources), len(targets))`` arrays; ``inf`` where a target cannot be reached.
        Among equally fast paths the shortest gives the length.
    """
    sources = np.ascontiguousarray(sources, dtype=np.int64)
    targets = np.ascontiguousarray(targets, dtype=np.int64)
    n = indptr.shape[0] - 1
    target_slot = np.full(n, -1, dtype=np.int64)
    target_slot[targets] = np.arange(targets.shape[0])
    bucket_s, n_buckets = bucket_width(weight)
    graph = CsrGraph(indptr, indices, weight, length)
    slots = TargetSlots(target_slot, int(targets.shape[0]))
    queue = BucketQueue(float(bucket_s), int(n_buckets))
    time_out = np.empty((sources.shape[0], targets.shape[0]))
    length_out = np.empty((sources.shape[0], targets.shape[0]))
    if threads is None:
        small = sources.shape[0] * n < _MIN_CELLS_PER_THREAD
        threads = 1 if small else numba.config.NUMBA_NUM_THREADS
    blocks = np.array_split(np.arange(sources.shape[0]), max(1, min(threads, sources.shape[0])))

    def run(rows: np.ndarray) -> None:
        if rows.size:
            block = slice(rows[0], rows[-1] + 1)
            many_rows(graph, sources[rows], slots, queue, time_out[block], length_out[block])

    if len(blocks) == 1:
        run(blocks[0])
    else:
        with ThreadPoolExecutor(max_workers=len(blocks)) as pool:
            list(pool.map(run, blocks))
    return time_out, length_out
