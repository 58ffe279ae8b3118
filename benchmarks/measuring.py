"""What every measurement in the suite's child processes shares: the clock, best-of runs,
peak memory and the count of SimPy events.

The measurements (:mod:`benchmarks.runner` lists them) each run in a fresh process, so a peak
memory read here belongs to that measurement alone.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

__all__ = ["perf", "LONG_RUN_S", "peak_memory_mb", "counting_simpy_events", "best_of", "timed"]

perf = time.perf_counter

#: every timed run is repeated up to three times and the fastest counts, for emob-sim and the
#: reference alike, except runs longer than this (seconds), which run once
LONG_RUN_S = 15.0


def peak_memory_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports KB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    import sys

    return peak / 1024**2 if sys.platform == "darwin" else peak / 1024


@contextmanager
def counting_simpy_events() -> Iterator[list[int]]:
    """Count the events SimPy processes in this process (``Environment.step`` calls).

    Yields a one-element list holding the count. Counting costs time, so the suite counts in
    an extra, untimed run (the runs are deterministic: the same events as the timed run).
    """
    import simpy

    count = [0]
    step = simpy.Environment.step

    def counted(env: simpy.Environment) -> None:
        count[0] += 1
        step(env)

    simpy.Environment.step = counted
    try:
        yield count
    finally:
        simpy.Environment.step = step


def best_of(fn, *, max_runs: int = 3, long_s: float = LONG_RUN_S) -> tuple[float, object, int]:
    """Run ``fn`` up to ``max_runs`` times (once when a run takes over ``long_s``).

    Returns ``(seconds of the fastest run, fn's result of that run, runs)``: later runs find
    warm memory (the first touch of fresh pages costs up to half the run at 1M trips), so the
    fastest run compares implementations and sizes alike.
    """
    best, result, runs = np.inf, None, 0
    while runs < max_runs:
        t = perf()
        out = fn()
        dt = perf() - t
        runs += 1
        if dt < best:
            best, result = dt, out
        if dt > long_s:
            break
    return best, result, runs


def timed(fn, args) -> float:
    """Seconds that one call ``fn(*args)`` takes."""
    t = perf()
    fn(*args)
    return perf() - t
