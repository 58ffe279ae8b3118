"""Where a sweep's runs execute: local processes, a Dask LocalCluster, or a Dask cluster.

Each is a ``concurrent.futures``-style executor handed to the runner's
:class:`~emob_sim.runner.ExecutorEvaluator`, so every path runs the same task code. Dask is
imported only when asked for.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
from collections.abc import Iterator
from concurrent.futures import Executor

from emob_sim.batch.dispatch import LocalPool
from emob_sim.errors import ConfigError

__all__ = ["executor_for", "check_executor", "LOCAL_CLUSTER_CONFIG", "CONNECT_TIMEOUT_S"]

#: seconds to wait for a Dask scheduler to answer (a refused connection fails at once)
CONNECT_TIMEOUT_S = 5
_ADDRESS = re.compile(r"^(tcp|tls)://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$")

#: Dask settings of the LocalCluster (the README gives them for workers you start yourself).
#: A run's queueing part is pure Python, so whatever wakes a worker's other threads takes the
#: GIL from it: the statistical profiler samples every thread every 10 ms, the event loop's
#: watchdog ticks every 20 ms, the memory and system monitors poll every 0.1 and 0.5 s. And
#: MALLOC_TRIM_THRESHOLD_=65536, which Dask sets for its workers to hand freed memory back to
#: the system at once, makes the many short-lived tables of a run cost page faults: unset, as
#: in a local process. Measured on the sweep benchmark (24 runs, 2 workers, 2 cores): per-run
#: time 1.67 s with Dask's defaults, 1.20 s with the profiler and watchdog slowed, a further
#: 4 % with the rest (1.09 of the local pool's time, median of 5 pairs).
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1000ms",
    "distributed.worker.memory.monitor-interval": "2s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}


def check_executor(*, workers: int | None = None, scheduler: str | None = None) -> None:
    """Check the options of :func:`executor_for` before anything is written; for a scheduler
    address, that something listens there (within :data:`CONNECT_TIMEOUT_S`).

    Parameters
    ----------
    workers : int or None
        Number of worker processes asked for (``--workers``).
    scheduler : str or None
        None, ``"local"`` or a Dask scheduler's address ``tcp://host:port`` (``--scheduler``).

    Raises
    ------
    ConfigError
        ``workers`` below 1, a malformed address, or a scheduler that cannot be reached.
    """
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers {workers}: expected at least 1")
    if scheduler is None or scheduler == "local":
        return
    match = _ADDRESS.match(scheduler)
    if match is None or not 0 < int(match.group(3)) < 65536:
        raise ConfigError(
            f"--scheduler {scheduler!r}: expected 'local' or an address like tcp://host:8786"
        )
    host, port = match.group(2).strip("[]"), int(match.group(3))
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"--scheduler {scheduler}: cannot connect ({reason})") from None


@contextlib.contextmanager
def executor_for(*, workers: int | None = None, scheduler: str | None = None) -> Iterator[Executor]:
    """An executor for a sweep, shut down when the block ends.

    Parameters
    ----------
    workers
        Worker processes (default: one per core). With ``scheduler="local"``: the
        LocalCluster's workers; with a scheduler address it is not used.
    scheduler
        None: local processes. ``"local"``: a ``dask.distributed.LocalCluster`` (one thread
        per worker process). ``"tcp://host:port"``: a running Dask scheduler.

    Yields
    ------
    concurrent.futures.Executor
        The executor the sweep's runs are submitted to.

    Raises
    ------
    ConfigError
        ``workers`` below 1, a scheduler address that is not valid or cannot be reached.

    Notes
    -----
    Local processes are a :class:`~emob_sim.batch.dispatch.LocalPool`: replaced when a worker
    dies, its workers ending with this process.
    """
    check_executor(workers=workers)
    n = workers if workers is not None else (os.cpu_count() or 1)
    if scheduler is None:
        pool = LocalPool(n)
        try:
            yield pool
        except BaseException:
            pool.stop()  # interrupted: end the runs now rather than wait for them
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - dask is a dependency
        raise ConfigError(
            "--scheduler: needs dask.distributed (pip install 'dask[distributed]')"
        ) from None
    if scheduler == "local":
        import dask

        settings = dask.config.set(LOCAL_CLUSTER_CONFIG)
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        with settings, cluster, Client(cluster) as client:
            yield client.get_executor()
        return
    check_executor(scheduler=scheduler)
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
    except OSError as exc:
        raise ConfigError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
    with client:
        yield client.get_executor()
