"""Running a sweep: every variant x seed once, resumable, on any executor; the tables after.

A sweep folder::

    manifest.json     kind "sweep": the sweep file (resolved), package and library versions
    sweep.yaml        the sweep file as given
    runs/KEY/         one run folder per finished run (written atomically, with record.json)
    failed/KEY.json   the error of a run that raised (retried by the next invocation)
    runs.parquet      one row per run: variant, parameters, seed, status, error, wall time, KPIs
    summary.csv       per variant and KPI: mean, std, p5, p50, p95 across seeds
    sensitivity.csv   for a sampled sweep: Sobol indices of each KPI for each parameter

A run's key is a hash of its resolved scenario (seed included): an invocation skips the keys
that have a run folder, so a rerun of a finished sweep runs nothing, an interrupted one carries
on, and deleting one run folder reruns that run only.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

from emob_sim.batch.config import PlacementStep, Sweep, SweepConfig, Task, load_sweep, run_key
from emob_sim.batch.dispatch import TaskOutcome, dispatch
from emob_sim.batch.executors import check_executor, executor_for
from emob_sim.batch.sensitivity import check_indices, sensitivity_table
from emob_sim.batch.tables import runs_table, summary_table
from emob_sim.config import Scenario
from emob_sim.errors import EmobSimError
from emob_sim.io import (
    Interrupted,
    check_out_dir,
    read_manifest,
    write_atomically,
    write_json,
    write_parquet,
)
from emob_sim.results import Evaluator, RunResult
from emob_sim.runner import write_run

__all__ = ["SweepResult", "SweepProgress", "sweep", "RecordRun"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepProgress:
    """Where a sweep stands: runs done (this invocation and before), failed, left, time left."""

    total: int
    done: int
    failed: int
    skipped: int
    elapsed_s: float

    @property
    def left(self) -> int:
        """Runs not finished or failed yet."""
        return self.total - self.done - self.failed

    @property
    def eta_s(self) -> float | None:
        """Estimated seconds until the last run ends, at the mean pace so far (None before a
        run of this invocation ended)."""
        ran = self.done + self.failed - self.skipped
        return None if ran <= 0 else self.elapsed_s / ran * self.left


@dataclass(frozen=True)
class SweepResult:
    """The tables of a sweep and where they were written."""

    sweep: Sweep
    out_dir: Path
    runs: pd.DataFrame
    summary: pd.DataFrame
    ran: int
    skipped: int
    failed: int
    sensitivity: pd.DataFrame | None = None
    #: why the sensitivity indices cannot be trusted (one line per KPI; empty when sound)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordRun:
    """The ``collect`` of a sweep's runs: write the run folder (with its record) where it ran
    and return the record (picklable, so it runs in any worker)."""

    runs_dir: str
    key: str | None = None  # the task's key (when the scenario that ran is not the task's)

    def __call__(self, result: RunResult, *, wall_s: float | None = None) -> dict:
        key = self.key or run_key(result.scenario)
        record = {"key": key, "seed": result.scenario.seed, "kpis": result.kpis}
        if wall_s is not None:
            record["wall_s"] = wall_s
        folder = Path(self.runs_dir) / key
        try:
            write_run(result, folder, extra_json={"record.json": record})
        except EmobSimError:
            if not (folder / "record.json").is_file():
                raise  # not a second copy of a finished run: a real write problem
        return record

    def finished(self) -> dict | None:
        """The record of this task's run when its folder is complete already, else None.

        Returns
        -------
        dict or None
            The content of the run's ``record.json``.
        """
        if self.key is None:
            return None
        try:
            text = (Path(self.runs_dir) / self.key / "record.json").read_text(encoding="utf-8")
            return json.loads(text)
        except (OSError, ValueError):
            return None


@dataclass(frozen=True)
class PlaceFirst:
    """The ``prepare`` of a sweep with a placement step: propose a layout for the scenario (as
    ``emob-sim place``, with the worker's evaluator) and run that layout."""

    step: PlacementStep

    def __call__(self, scenario: Scenario, evaluator: Evaluator) -> Scenario:
        from emob_sim.placement.simulated import layout_scenario
        from emob_sim.runner import place

        regions = getattr(evaluator, "regions", None)  # the worker's regions, if it keeps them
        region = regions.region_for(scenario) if regions is not None else None
        placement = place(
            scenario,
            method=self.step.method,
            budget=self.step.budget,
            kind=self.step.kind,
            evaluator=evaluator,
            region=region,
        )
        return layout_scenario(scenario, placement.layout)


def _versions() -> dict[str, str | None]:
    out = {}
    for lib in ("emob-sim", "numpy", "pandas", "simpy", "numba", "dask", "distributed"):
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = None
    return out


def _check_folder(out: Path, sw: Sweep) -> bool:
    """Check (writing nothing) that ``out`` can hold this sweep; True when it holds it already
    (then it is resumed)."""
    config = sw.config.model_dump(mode="json")
    if out.is_dir() and any(out.iterdir()):
        manifest = read_manifest(out)
        if manifest is None or manifest.get("kind") != "sweep":
            raise EmobSimError(
                f"--out {out}: holds other files; a sweep resumes only in its own folder"
            )
        if manifest.get("sweep") != config:
            raise EmobSimError(
                f"--out {out}: holds another sweep ({manifest.get('sweep', {}).get('name')}); "
                "choose a new folder for this one"
            )
        return True
    check_out_dir(out, kind="sweep", protect=[p for p in (sw.path, sw.base) if p])
    return False


def _create(out: Path, sw: Sweep) -> None:
    """Make the sweep folder: its manifest, the sweep file, runs/."""
    config = sw.config.model_dump(mode="json")
    (out / "runs").mkdir(parents=True, exist_ok=True)
    if sw.path is not None:
        (out / "sweep.yaml").write_bytes(sw.path.read_bytes())
    manifest = {
        "kind": "sweep",
        "sweep": config,
        "sweep_file": str(sw.path) if sw.path else None,
        "base": str(sw.base),
        "variants": len(sw.variants),
        "runs": len(sw.tasks),
        "versions": _versions(),
        "files": [
            "manifest.json",
            "sweep.yaml",
            "runs.parquet",
            "summary.csv",
            "sensitivity.csv",
            "report/",
            "runs/",
            "failed/",
        ],
    }
    write_atomically(out / "manifest.json", lambda p: write_json(p, manifest))


def _finished(out: Path) -> dict[str, dict]:
    records = {}
    for record in (out / "runs").glob("*/record.json"):
        try:
            records[record.parent.name] = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # an unreadable record: the run is done again
    return records


def _earlier_walls(out: Path, records: dict[str, dict]) -> dict[str, float]:
    """Wall times of the runs finished before: from their records (or, for a folder of an
    earlier version, from its runs.parquet)."""
    walls = {}
    try:
        table = pd.read_parquet(out / "runs.parquet", columns=["key", "status", "wall_s"])
        done = table[table["status"] == "completed"]
        walls = dict(zip(done["key"], done["wall_s"].astype(float)))
    except (OSError, ValueError, KeyError):
        pass
    for key, record in records.items():
        if isinstance(record.get("wall_s"), int | float):
            walls[key] = float(record["wall_s"])
    return walls


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`~emob_sim.io.Interrupted` (as SIGINT raises
    KeyboardInterrupt) while the runs go on, so that the tables are written (main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    sigs = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {sig: signal.signal(sig, interrupt) for sig in sigs}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def sweep(
    source: str | Path | SweepConfig,
    out_dir: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    on_progress: Callable[[SweepProgress], None] | None = None,
) -> SweepResult:
    """Run a sweep (or the part of it not finished yet) and write its tables.

    Parameters
    ----------
    source
        A sweep file (see :mod:`emob_sim.batch.config`) or a :class:`SweepConfig`.
    out_dir
        The sweep folder: created, or resumed when it holds this sweep.
    workers, scheduler
        Where the runs execute (:func:`~emob_sim.batch.executors.executor_for`): local
        processes by default (one per core), ``"local"`` for a Dask LocalCluster, or a Dask
        scheduler's address.
    executor
        An executor already running (e.g. a Dask ``Client(...).get_executor()`` in a
        notebook): used as it is and left running; ``workers`` and ``scheduler`` are then
        not used.
    on_progress
        Called after each run with a :class:`SweepProgress`.

    Returns
    -------
    SweepResult
        The runs and summary tables (and sensitivity indices), and how many runs ran, were
        skipped (finished before) and failed.

    Raises
    ------
    ConfigError
        A bad sweep file or variant (before any run starts).
    EmobSimError
        ``out_dir`` holds something else.
    """
    sw = load_sweep(source)
    if executor is None:
        check_executor(workers=workers, scheduler=scheduler)
    out = Path(out_dir).expanduser().resolve()
    resumed = _check_folder(out, sw)
    done = _finished(out) if resumed else {}
    walls = _earlier_walls(out, done) if resumed else {}
    todo = [t for t in sw.tasks if t.key not in done]
    skipped = len(sw.tasks) - len(todo)
    failures: dict[str, str] = {}
    start = time.perf_counter()
    counts = {"done": skipped, "failed": 0}

    def report() -> None:
        if on_progress is not None:
            on_progress(
                SweepProgress(
                    len(sw.tasks),
                    counts["done"],
                    counts["failed"],
                    skipped,
                    time.perf_counter() - start,
                )
            )

    def record(task: Task, outcome: TaskOutcome) -> None:
        failed_file = out / "failed" / f"{task.key}.json"
        if outcome.ok:
            done[task.key] = outcome.value
            walls[task.key] = outcome.wall_s
            failed_file.unlink(missing_ok=True)
            counts["done"] += 1
        else:
            failures[task.key] = outcome.error
            write_atomically(
                failed_file,
                lambda p: write_json(
                    p,
                    {
                        "key": task.key,
                        "variant": task.variant,
                        "params": task.params,
                        "seed": task.seed,
                        "error": outcome.error,
                    },
                ),
            )
            counts["failed"] += 1
            logger.warning(
                "run %s (variant %d, seed %d) failed: %s",
                task.key,
                task.variant,
                task.seed,
                outcome.error,
            )
        report()

    created = resumed
    try:
        with contextlib.ExitStack() as stack:
            pool = executor
            if todo and pool is None:  # connect first: an executor refused leaves no folder
                pool = stack.enter_context(executor_for(workers=workers, scheduler=scheduler))
            if not resumed:
                _create(out, sw)
                created = True
            report()
            if todo:
                (out / "failed").mkdir(exist_ok=True)
                stack.enter_context(_signals_raise())
                collects = [RecordRun(str(out / "runs"), t.key) for t in todo]
                prepare = PlaceFirst(sw.config.placement) if sw.config.placement else None
                outcomes = dispatch(pool, [t.scenario for t in todo], collects, prepare=prepare)
                for i, outcome in stack.enter_context(contextlib.closing(outcomes)):
                    record(todo[i], outcome)
    except KeyboardInterrupt as exc:  # SIGINT; SIGTERM and SIGHUP as Interrupted
        if not created:
            raise
        signum = getattr(exc, "signum", signal.SIGINT)
        done.update({k: r for k, r in _finished(out).items() if k not in done})
        walls = {**_earlier_walls(out, done), **walls}
        runs = _write_tables(out, sw, done, failures, walls)[0]
        status = runs["status"].value_counts()
        changed = (
            f"wrote runs.parquet and summary.csv in {out} ({status.get('completed', 0)} "
            f"completed, {status.get('failed', 0)} failed, {status.get('pending', 0)} "
            "pending runs); rerun the sweep to finish it"
        )
        raise Interrupted(signum, changed=changed) from None
    runs, summary, sensitivity = _write_tables(out, sw, done, failures, walls)
    warnings = ()
    if sensitivity is not None and sw.config.sample is not None:
        warnings = tuple(check_indices(sensitivity, n=sw.config.sample.n))
        for line in warnings:
            logger.warning("%s", line)
    return SweepResult(
        sw,
        out,
        runs,
        summary,
        ran=len(todo),
        skipped=skipped,
        failed=len(failures),
        sensitivity=sensitivity,
        warnings=warnings,
    )


def _write_tables(
    out: Path, sw: Sweep, done: dict[str, dict], failures: dict[str, str], walls: dict
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """Write runs.parquet, summary.csv and (for a complete sampled sweep) sensitivity.csv."""
    runs = runs_table(sw, done, failures, walls)
    summary = summary_table(runs, sw.parameters)
    write_atomically(out / "runs.parquet", lambda p: write_parquet(runs, p))
    write_atomically(out / "summary.csv", lambda p: summary.to_csv(p, index=False))
    sensitivity = sensitivity_table(sw, summary)
    if sensitivity is not None:
        write_atomically(out / "sensitivity.csv", lambda p: sensitivity.to_csv(p, index=False))
    return runs, summary, sensitivity
