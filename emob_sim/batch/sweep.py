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
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

from emob_sim.batch.config import PlacementStep, Sweep, SweepConfig, load_sweep, run_key
from emob_sim.batch.executors import executor_for
from emob_sim.batch.sensitivity import sensitivity_table
from emob_sim.batch.tables import runs_table, summary_table
from emob_sim.config import Scenario
from emob_sim.errors import EmobSimError
from emob_sim.io import check_out_dir, read_manifest, write_atomically, write_json, write_parquet
from emob_sim.results import Evaluator, RunResult
from emob_sim.runner import ExecutorEvaluator, write_run

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
        return self.total - self.done - self.failed

    @property
    def eta_s(self) -> float | None:
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


@dataclass(frozen=True)
class RecordRun:
    """The ``collect`` of a sweep's runs: write the run folder (with its record) where it ran
    and return the record (picklable, so it runs in any worker)."""

    runs_dir: str
    key: str | None = None  # the task's key (when the scenario that ran is not the task's)

    def __call__(self, result: RunResult) -> dict:
        key = self.key or run_key(result.scenario)
        record = {"key": key, "seed": result.scenario.seed, "kpis": result.kpis}
        folder = Path(self.runs_dir) / key
        try:
            write_run(result, folder, extra_json={"record.json": record})
        except EmobSimError:
            if not (folder / "record.json").is_file():
                raise  # not a second copy of a finished run: a real write problem
        return record


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
        placement = place(scenario, method=self.step.method, budget=self.step.budget,
                          kind=self.step.kind, evaluator=evaluator, region=region)  # fmt: skip
        return layout_scenario(scenario, placement.layout)


def _versions() -> dict[str, str | None]:
    out = {}
    for lib in ("emob-sim", "numpy", "pandas", "simpy", "numba", "dask", "distributed"):
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = None
    return out


def _prepare(out: Path, sw: Sweep) -> None:
    """Create the sweep folder, or check that it is this sweep's (then it is resumed)."""
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
        return
    check_out_dir(out, kind="sweep", protect=[p for p in (sw.path, sw.base) if p])
    (out / "runs").mkdir(parents=True, exist_ok=True)
    if sw.path is not None:
        (out / "sweep.yaml").write_bytes(sw.path.read_bytes())
    manifest = {
        "kind": "sweep", "sweep": config, "sweep_file": str(sw.path) if sw.path else None,
        "base": str(sw.base), "variants": len(sw.variants), "runs": len(sw.tasks),
        "versions": _versions(), "files": ["manifest.json", "sweep.yaml", "runs.parquet",
                                           "summary.csv", "sensitivity.csv", "report/",
                                           "runs/", "failed/"],
    }  # fmt: skip
    write_atomically(out / "manifest.json", lambda p: write_json(p, manifest))


def _finished(out: Path) -> dict[str, dict]:
    records = {}
    for record in (out / "runs").glob("*/record.json"):
        try:
            records[record.parent.name] = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # an unreadable record: the run is done again
    return records


def _earlier_walls(out: Path) -> dict[str, float]:
    """Wall times of the runs finished by an earlier invocation (from its runs.parquet)."""
    try:
        table = pd.read_parquet(out / "runs.parquet", columns=["key", "status", "wall_s"])
    except (OSError, ValueError, KeyError):
        return {}
    done = table[table["status"] == "completed"]
    return dict(zip(done["key"], done["wall_s"].astype(float)))


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

    Raises
    ------
    ConfigError
        A bad sweep file or variant (before any run starts).
    EmobSimError
        ``out_dir`` holds something else.
    """
    sw = load_sweep(source)
    out = Path(out_dir).expanduser().resolve()
    _prepare(out, sw)
    done = _finished(out)
    walls = _earlier_walls(out)
    todo = [t for t in sw.tasks if t.key not in done]
    skipped = len(sw.tasks) - len(todo)
    failures: dict[str, str] = {}
    start = time.perf_counter()
    counts = {"done": skipped, "failed": 0}

    def report() -> None:
        if on_progress is not None:
            on_progress(SweepProgress(len(sw.tasks), counts["done"], counts["failed"], skipped,
                                      time.perf_counter() - start))  # fmt: skip

    report()
    if todo:
        (out / "failed").mkdir(exist_ok=True)
        given = contextlib.nullcontext(executor) if executor is not None else None
        with given or executor_for(workers=workers, scheduler=scheduler) as pool:
            evaluator = ExecutorEvaluator(pool)
            collects = [RecordRun(str(out / "runs"), t.key) for t in todo]
            prepare = PlaceFirst(sw.config.placement) if sw.config.placement else None
            outcomes = evaluator.each([t.scenario for t in todo], collect=collects,
                                      prepare=prepare)  # fmt: skip
            for i, outcome in outcomes:
                task = todo[i]
                failed_file = out / "failed" / f"{task.key}.json"
                if outcome.ok:
                    done[task.key] = outcome.value
                    walls[task.key] = outcome.wall_s
                    failed_file.unlink(missing_ok=True)
                    counts["done"] += 1
                else:
                    failures[task.key] = outcome.error
                    write_atomically(failed_file, lambda p, t=task, o=outcome: write_json(
                        p, {"key": t.key, "variant": t.variant, "params": t.params,
                            "seed": t.seed, "error": o.error}))  # fmt: skip
                    counts["failed"] += 1
                    logger.warning("run %s (variant %d, seed %d) failed: %s", task.key,
                                   task.variant, task.seed, outcome.error)  # fmt: skip
                report()
    runs = runs_table(sw, done, failures, walls)
    summary = summary_table(runs, sw.parameters)
    write_atomically(out / "runs.parquet", lambda p: write_parquet(runs, p))
    write_atomically(out / "summary.csv", lambda p: summary.to_csv(p, index=False))
    sensitivity = sensitivity_table(sw, summary)
    if sensitivity is not None:
        write_atomically(out / "sensitivity.csv", lambda p: sensitivity.to_csv(p, index=False))
    return SweepResult(sw, out, runs, summary, ran=len(todo), skipped=skipped,
                       failed=len(failures), sensitivity=sensitivity)  # fmt: skip
