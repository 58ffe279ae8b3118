"""Evaluators: run many resolved scenarios, each with its own seed, one way or another.

Every evaluator has one method, ``evaluate(scenarios, *, collect=None)`` (the
:class:`emob_sim.results.Evaluator` interface), and is a context manager::

    with SequentialEvaluator() as ev:                 # in this process, one after another
        kpis = ev.evaluate(scenarios, collect=kpis_of)
    with ExecutorEvaluator(max_workers=2) as ev:      # local processes
        kpis = ev.evaluate(scenarios, collect=kpis_of)
    with ExecutorEvaluator(client.get_executor()) as ev:   # any concurrent.futures executor,
        ...                                                  # e.g. a dask.distributed Client's

Each scenario runs through :func:`emob_sim.runner.stages.run_stages`, so a scenario gives the
same result in any evaluator as ``emob_sim.run`` gives it. Regions are built once per
network, zones and e-bike settings and reused with each scenario's own sites
(:class:`RegionCache`); in a process evaluator each worker keeps its own cache.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from emob_sim.config.models import Scenario
from emob_sim.errors import NetworkError
from emob_sim.region import Region, build_region, load_sites, with_sites
from emob_sim.results import RunResult
from emob_sim.runner.stages import run_stages

__all__ = [
    "RegionCache",
    "SequentialEvaluator",
    "ExecutorEvaluator",
    "Outcome",
    "kpis_of",
    "local_pool",
]

logger = logging.getLogger(__name__)

#: scenario sections a region depends on, apart from its sites
REGION_SECTIONS = ("network", "zones", "ebike")


def kpis_of(result: RunResult) -> dict[str, Any]:
    """The KPIs of a run (a ``collect`` function that keeps only them).

    Parameters
    ----------
    result : RunResult
        A finished run.

    Returns
    -------
    dict[str, Any]
        ``result.kpis``: KPI key -> value, as in kpis.json.
    """
    return result.kpis


def _region_key(scenario: Scenario) -> str:
    data = scenario.model_dump(mode="json")
    key = {k: data.get(k) for k in REGION_SECTIONS}
    key["max_snap_distance_m"] = scenario.charging.max_snap_distance_m
    return json.dumps(key, sort_keys=True)


def _without_sites(scenario: Scenario) -> Scenario:
    charging = scenario.charging.model_copy(update={"sites_file": None, "sites": []})
    return scenario.model_copy(update={"charging": charging})


class RegionCache:
    """Regions built once per network, zones and e-bike settings, with any scenario's sites.

    ``region_for(scenario)`` builds the scenario's region without sites the first time its
    network is seen (:func:`~emob_sim.region.build_region`), then puts the scenario's own sites
    on it (:func:`~emob_sim.region.with_sites`). At most ``max_regions`` networks are kept
    (the least recently used is dropped).

    Parameters
    ----------
    max_regions : int
        Number of regions (distinct network, zones and e-bike settings) kept in memory.
    """

    def __init__(self, *, max_regions: int = 4) -> None:
        self.max_regions = max_regions
        self._regions: OrderedDict[str, Region] = OrderedDict()
        self.builds = 0

    def region_for(self, scenario: Scenario, *, label: str | None = None) -> Region:
        """The scenario's region; ``label`` names the scenario in a site's error message.

        Parameters
        ----------
        scenario : Scenario
            A resolved scenario: its network, zones and e-bike settings pick the cached
            region, its charging sites are put on it.
        label : str or None
            The scenario's name, put before the message of a site that cannot be snapped.

        Returns
        -------
        Region
            The region with the scenario's own sites.

        Raises
        ------
        NetworkError
            A site is farther from the road network than ``max_snap_distance_m``.
        """
        key = _region_key(scenario)
        region = self._regions.get(key)
        if region is None:
            region = build_region(_without_sites(scenario))
            self.builds += 1
            self._regions[key] = region
            while len(self._regions) > self.max_regions:
                self._regions.popitem(last=False)
        self._regions.move_to_end(key)
        try:
            region = with_sites(
                region,
                load_sites(scenario.charging),
                scenario=scenario,
                max_snap_distance_m=scenario.charging.max_snap_distance_m,
            )
        except NetworkError as exc:
            raise NetworkError(f"{label}: {exc}" if label else str(exc)) from None
        self._regions[key] = region  # keeps its e-bike layer for the next scenario's sites
        return region


class SequentialEvaluator:
    """Runs scenarios in this process, one after another, reusing their regions.

    Parameters
    ----------
    max_regions : int
        Number of regions kept in memory between runs (:class:`RegionCache`).
    """

    def __init__(self, *, max_regions: int = 4) -> None:
        self.regions = RegionCache(max_regions=max_regions)

    def __enter__(self) -> SequentialEvaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def run(
        self,
        scenario: Scenario,
        *,
        label: str | None = None,
        on_stage: Callable[[str], None] | None = None,
    ) -> RunResult:
        """One run of a resolved scenario (its own seed).

        Parameters
        ----------
        scenario : Scenario
            A resolved scenario.
        label : str or None
            The scenario's name in error messages.
        on_stage : callable or None
            Called with the name of each stage as it starts (``"region"``, then the stages
            of :func:`~emob_sim.runner.run_stages`).

        Returns
        -------
        RunResult
            The run's record of every stage.
        """
        notify = on_stage or (lambda stage: None)
        notify("region")
        region = self.regions.region_for(scenario, label=label)
        return run_stages(scenario, region, on_stage=notify)

    def evaluate(
        self,
        scenarios: Sequence[Scenario],
        *,
        collect: Callable[[RunResult], Any] | None = None,
    ) -> list[Any]:
        """Run each scenario; return ``collect(run)`` of each (the runs without ``collect``).

        Parameters
        ----------
        scenarios : Sequence[Scenario]
            Resolved scenarios, run in this order.
        collect : callable or None
            What to keep of each run (e.g. :func:`kpis_of`); ``None`` keeps the whole
            :class:`RunResult`.

        Returns
        -------
        list
            One collected value per scenario, in the order of ``scenarios``.
        """
        out = []
        for scenario in scenarios:
            result = self.run(scenario)
            out.append(result if collect is None else collect(result))
        return out


@dataclass(frozen=True)
class Outcome:
    """What became of one scenario in :meth:`ExecutorEvaluator.each`: the collected value, or
    the error it raised (``ok`` False), and the seconds it took where it ran."""

    ok: bool
    value: Any = None
    error: str = ""
    wall_s: float = 0.0


_WORKER: SequentialEvaluator | None = None


def _outcome_in_worker(
    scenario: Scenario,
    collect: Callable[[RunResult], Any] | None,
    prepare: Callable[[Scenario, SequentialEvaluator], Scenario] | None = None,
) -> Outcome:
    """One run in a worker process (after ``prepare``, e.g. a placement, turned the scenario
    into the one to run); an error is returned as an outcome, not raised."""
    start = time.perf_counter()
    try:
        if prepare is not None:
            scenario = prepare(scenario, _worker())
        value = _worker().evaluate([scenario], collect=collect)[0]
    except Exception as exc:  # noqa: BLE001 - recorded per run; the other runs go on
        return Outcome(
            False, error=f"{type(exc).__name__}: {exc}", wall_s=time.perf_counter() - start
        )
    return Outcome(True, value=value, wall_s=time.perf_counter() - start)


def _evaluate_in_worker(scenario: Scenario, collect: Callable[[RunResult], Any] | None) -> Any:
    """One run in a worker process, with the worker's own region cache."""
    return _worker().evaluate([scenario], collect=collect)[0]


def _worker() -> SequentialEvaluator:
    """This worker process's evaluator (its regions are kept between tasks)."""
    global _WORKER
    if _WORKER is None:
        _WORKER = SequentialEvaluator()
    return _WORKER


def local_pool(max_workers: int | None = None) -> ProcessPoolExecutor:
    """A pool of fresh (spawned) worker processes: nothing of this process, its threads or
    its numba state is inherited; each worker imports emob-sim and keeps its own regions.

    Parameters
    ----------
    max_workers : int or None
        Number of worker processes (``None``: one per core).

    Returns
    -------
    concurrent.futures.ProcessPoolExecutor
        The pool; the caller shuts it down.
    """
    return ProcessPoolExecutor(max_workers, mp_context=multiprocessing.get_context("spawn"))


class ExecutorEvaluator:
    """Runs scenarios on a :class:`concurrent.futures.Executor`, in parallel.

    Parameters
    ----------
    executor
        Any executor whose workers can import emob_sim: a ``ProcessPoolExecutor``, or a
        ``dask.distributed`` Client's ``get_executor()``. None starts a process pool of
        ``max_workers`` processes, shut down when the ``with`` block ends.
    max_workers
        Size of the pool started when no executor is given (None: one per core).

    Notes
    -----
    ``collect`` must be picklable (a module-level function), as must its return value.
    """

    def __init__(self, executor: Executor | None = None, *, max_workers: int | None = None):
        self._owned = executor is None
        self.executor = executor if executor is not None else local_pool(max_workers)

    def __enter__(self) -> ExecutorEvaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._owned:
            self.executor.shutdown(wait=True, cancel_futures=True)

    def evaluate(
        self,
        scenarios: Sequence[Scenario],
        *,
        collect: Callable[[RunResult], Any] | None = None,
    ) -> list[Any]:
        """Run each scenario on the executor; results in the order of ``scenarios``.

        Parameters
        ----------
        scenarios : Sequence[Scenario]
            Resolved scenarios.
        collect : callable or None
            What to keep of each run, picklable (e.g. :func:`kpis_of`); ``None`` keeps the
            whole :class:`RunResult`.

        Returns
        -------
        list
            One collected value per scenario, in the order of ``scenarios``; the first error
            raised by a run is raised here and the runs not started are cancelled.
        """
        futures = [self.executor.submit(_evaluate_in_worker, sc, collect) for sc in scenarios]
        try:
            return [f.result() for f in futures]
        except BaseException:
            for f in futures:
                f.cancel()
            raise

    def each(
        self,
        scenarios: Sequence[Scenario],
        *,
        collect: Callable[[RunResult], Any] | Sequence[Callable[[RunResult], Any]] | None = None,
        prepare: Callable[[Scenario, SequentialEvaluator], Scenario] | None = None,
    ) -> Iterator[tuple[int, Outcome]]:
        """Run each scenario; yield ``(index, Outcome)`` as the runs finish.

        ``collect`` is one callable for every run or a list of one per scenario; ``prepare``
        (picklable) turns each scenario into the one that runs, in the worker, with the
        worker's evaluator (e.g. a placement proposes the layout that then runs). A run that
        raises is yielded as a failed outcome and the others go on; stopping the iteration (or
        Ctrl-C) cancels the runs not started yet.

        Parameters
        ----------
        scenarios : Sequence[Scenario]
            Resolved scenarios.
        collect : callable, sequence of callables, or None
            What to keep of each run (picklable): one for all runs or one per scenario;
            ``None`` keeps the whole :class:`RunResult`.
        prepare : callable or None
            ``prepare(scenario, evaluator) -> scenario``, run in the worker before the run.

        Yields
        ------
        tuple[int, Outcome]
            The index of the scenario in ``scenarios`` and what became of it, in the order
            the runs finish.
        """
        collects = list(collect) if isinstance(collect, Sequence) else [collect] * len(scenarios)
        futures = {
            self.executor.submit(_outcome_in_worker, sc, collects[i], prepare): i
            for i, sc in enumerate(scenarios)
        }
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.cancel()
