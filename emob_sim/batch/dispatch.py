"""Running a sweep's tasks on an executor: each result handed back once, dead workers replaced.

- Each future is dropped as soon as its result is handed back (so a Dask scheduler forgets a
  finished run and never computes it again when a worker dies).
- A :class:`LocalPool` whose worker dies (killed, out of memory) is replaced and the runs that
  were running on it are submitted again, at most ``retries`` times each; then such a run is
  handed back as failed with the error. The runs that were only queued are not counted.
- A :class:`LocalPool`'s workers exit when the process that started them dies (SIGKILL
  included: a thread in each worker watches its parent) or when the pool is stopped.
- A task whose run folder is already complete (a worker died after writing it) returns the
  recorded run instead of computing it again.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from emob_sim.config import Scenario
from emob_sim.runner import SequentialEvaluator

__all__ = ["LocalPool", "TaskOutcome", "run_task", "dispatch", "RETRIES"]

#: times a run is submitted again after the worker running it died
RETRIES = 2
#: seconds between a worker's checks that its parent is alive
_WATCH_S = 0.5

_EVALUATOR: SequentialEvaluator | None = None
_STARTED: Any = None  # in a LocalPool worker: the queue that tells the parent what started


@dataclass(frozen=True)
class TaskOutcome:
    """What became of one task: its value, or its error (``ok`` False); the seconds it took;
    whether it was computed (False: its finished run folder was read back)."""

    ok: bool
    value: Any = None
    error: str = ""
    wall_s: float = 0.0
    computed: bool = True


def run_task(
    index: int,
    scenario: Scenario,
    collect: Callable[..., Any],
    prepare: Callable[[Scenario, SequentialEvaluator], Scenario] | None = None,
) -> TaskOutcome:
    """One run in a worker: ``collect(result, wall_s=...)`` of it, or the error it raised.

    ``collect`` may have a ``finished()`` method returning its value when the run was already
    recorded; then nothing is computed.
    """
    global _EVALUATOR
    if _STARTED is not None:
        _STARTED.put((index, os.getpid()))
    finished = getattr(collect, "finished", None)
    record = finished() if finished is not None else None
    if record is not None:
        return TaskOutcome(
            True, value=record, wall_s=record.get("wall_s", float("nan")), computed=False
        )
    start = time.perf_counter()
    try:
        if _EVALUATOR is None:
            _EVALUATOR = SequentialEvaluator()
        if prepare is not None:
            scenario = prepare(scenario, _EVALUATOR)
        result = _EVALUATOR.run(scenario)
        value = collect(result, wall_s=time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - recorded per run; the other runs go on
        return TaskOutcome(
            False, error=f"{type(exc).__name__}: {exc}", wall_s=time.perf_counter() - start
        )
    return TaskOutcome(True, value=value, wall_s=time.perf_counter() - start)


def _init_worker(parent_pid: int, stop: Any, started: Any) -> None:
    """In each worker of a :class:`LocalPool`: report started tasks, die with the parent."""
    global _STARTED
    _STARTED = started
    threading.Thread(target=_watch, args=(parent_pid, stop), daemon=True).start()


def _watch(parent_pid: int, stop: Any) -> None:
    while not stop.wait(_WATCH_S):
        if os.getppid() != parent_pid:  # the parent died: this worker is an orphan
            os._exit(1)
    os._exit(1)  # the pool was stopped (an interrupted sweep): end the run now


class LocalPool(Executor):
    """A pool of spawned worker processes that can be replaced when a worker dies.

    Workers start fresh (spawn): nothing of this process, its threads or its numba state is
    inherited; each keeps its own regions between runs.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._ctx = multiprocessing.get_context("spawn")
        self._stop = self._ctx.Event()
        self.started = self._ctx.Queue()
        self._worker_pids: set[int] = set()  # the workers that started a run
        self._pool = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.workers,
            mp_context=self._ctx,
            initializer=_init_worker,
            initargs=(os.getpid(), self._stop, self.started),
        )

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self._pool.submit(fn, *args, **kwargs)

    def replace(self) -> None:
        """Start a new pool in place of a broken one."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new()

    def drain_started(self) -> list[int]:
        """The indices of the tasks that started since the last call."""
        out = []
        while True:
            try:
                index, pid = self.started.get_nowait()
            except (queue.Empty, OSError, ValueError):
                return out
            out.append(index)
            self._worker_pids.add(pid)

    def stop(self, *, timeout_s: float = 10.0) -> None:
        """End every worker now (their runs too) and the pool; return once they are gone.

        A worker ends within ``_WATCH_S`` of the stop; one that started a run and does not
        end within ``timeout_s`` is killed. So no worker of an interrupted sweep is still
        writing a run folder (and holding its lock) when the command has ended and a rerun
        starts. Other child processes of this process (another pool) are not touched.
        """
        self._stop.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.drain_started()
        deadline = time.monotonic() + timeout_s
        ours = [p for p in multiprocessing.active_children() if p.pid in self._worker_pids]
        for process in ours:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1.0)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def dispatch(
    executor: Executor,
    scenarios: Sequence[Scenario],
    collects: Sequence[Callable[..., Any]],
    *,
    prepare: Callable[[Scenario, SequentialEvaluator], Scenario] | None = None,
    retries: int = RETRIES,
) -> Iterator[tuple[int, TaskOutcome]]:
    """Run each scenario; yield ``(index, TaskOutcome)`` once per scenario as runs finish.

    Closing the iterator (or an exception in the caller) cancels the runs not started.
    """
    local = executor if isinstance(executor, LocalPool) else None
    attempts = [0] * len(scenarios)
    todo = list(range(len(scenarios)))
    while todo:
        futures = {
            executor.submit(run_task, i, scenarios[i], collects[i], prepare): i for i in todo
        }
        todo, broken, started = [], [], set()
        try:
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                if local is not None:  # read often: a full queue would block the workers
                    started.update(local.drain_started())
                for future in done:
                    i = futures.pop(future)  # dropped: a Dask scheduler may forget the run
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        if local is None:
                            raise
                        broken.append(i)
                        continue
                    except Exception as exc:  # noqa: BLE001 - e.g. Dask's KilledWorker
                        outcome = TaskOutcome(False, error=f"{type(exc).__name__}: {exc}")
                    yield i, outcome
                del done
        finally:
            for future in futures:
                future.cancel()
        if not broken:
            break
        started.update(local.drain_started())  # a broken run that started: it was running
        charged = [i for i in broken if i in started] or broken
        local.replace()
        for i in broken:
            if i not in charged:
                todo.append(i)
                continue
            attempts[i] += 1
            if attempts[i] > retries:
                yield (
                    i,
                    TaskOutcome(
                        False,
                        error=f"BrokenProcessPool: the worker process "
                        f"running it died, {attempts[i]} times",
                    ),
                )
            else:
                todo.append(i)
