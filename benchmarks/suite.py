"""The benchmark suite: fixed workloads, each measured in a fresh process, and the report.

``run_suite(size="full")`` runs :data:`benchmarks.workloads.WORKLOADS` and returns the results
as a dict (see :mod:`benchmarks.tables` for the tables); with ``out_dir`` it also writes
``results.md`` and ``results.json`` there. Every measurement runs in its own spawned process
(:mod:`benchmarks.runner`), so each peak memory is that run's own and no run profits from
another's warm caches, except the numba cache on disk, whose loading is reported as JIT time.
"""

from __future__ import annotations

import itertools
import logging
import math
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from benchmarks import runner
from benchmarks.machine import describe_machine
from benchmarks.report import write_results
from benchmarks.workloads import DESTINATION_PAIR, GROWTH_SERIES, SIZES, WORKLOADS, SimWorkload

__all__ = ["run_suite", "compare_kpis", "evaluate_targets", "KPI_TOLERANCE"]

logger = logging.getLogger(__name__)

#: largest relative difference of a KPI between emob-sim and the reference that still agrees
KPI_TOLERANCE = 0.01
_COMPARED_KPIS = [
    "trips_generated",
    "trips_completed",
    "trips_stranded",
    "vehicles",
    "km_electric",
    "charging_sessions",
    "sessions_abandoned",
    "energy_delivered_kwh",
    "home_energy_kwh",
    "mean_wait_min",
    "peak_load_kw",
]


def _in_child(fn: Callable, *args, env: dict[str, str] | None = None):
    """Call ``fn(*args)`` in a fresh spawned process (with extra environment variables)."""
    saved = {k: os.environ.get(k) for k in env or {}}
    os.environ.update(env or {})
    try:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            return pool.submit(fn, *args).result()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _measure(
    what: str, fn: Callable, *args, env: dict[str, str] | None = None, isolate: bool = True
) -> dict:
    """Run a measurement (in a child unless not ``isolate``); record a failure, don't stop."""
    try:
        return _in_child(fn, *args, env=env) if isolate else fn(*args)
    except Exception as exc:  # noqa: BLE001 - a failed workload must not end the suite
        logger.error("%s failed: %s", what, exc)
        return {"error": f"{type(exc).__name__}: {exc}"}


def _scenario(wl: SimWorkload, work: Path) -> tuple[str | None, list[str], float]:
    """Scenario path, overrides and EV share that give ``wl.trips`` trips in expectation."""
    from benchmarks.synthetic import ev_share_for_trips, synthetic_tables, write_synthetic
    from emob_sim.config import load_scenario
    from emob_sim.region.sites import load_sites
    from emob_sim.region.zones import load_zones

    path = None
    if wl.region == "grid":
        tables = synthetic_tables(
            n_nodes=wl.grid_nodes, n_zones=wl.grid_zones, n_sites=wl.grid_sites, seed=1
        )
        path = str(write_synthetic(tables, work / wl.name, name=wl.name, days=wl.days))
    overrides = [f"time.days={wl.days}", *runner.ebikes_off(), *wl.overrides]
    sc = load_scenario(path, overrides=overrides)
    share = ev_share_for_trips(sc, load_zones(sc.zones.file), wl.trips)
    overrides.append(f"fleet.ev_share={share!r}")
    if wl.scale_plugs:
        sites = load_sites(sc.charging)
        sites["plugs"] = np.ceil(sites["plugs"] * share / sc.fleet.ev_share).astype(np.int64)
        sites_file = work / f"{wl.name}-sites.csv"
        sites.to_csv(sites_file, index=False)
        overrides += [f"charging.sites_file={sites_file}", "charging.sites=[]"]
    return path, overrides, share


def compare_kpis(project: dict, reference: dict, *, tolerance: float = KPI_TOLERANCE) -> dict:
    """Largest relative difference between the two runs' KPIs (relative to max(|a|, 1))."""
    worst, worst_key = 0.0, None
    for key in _COMPARED_KPIS:
        if key in project and key in reference:
            a, b = float(project[key]), float(reference[key])
            diff = abs(a - b) / max(abs(a), 1.0)
            if diff > worst:
                worst, worst_key = diff, key
    return {
        "max_rel_diff": worst,
        "worst_kpi": worst_key,
        "agree": worst <= tolerance,
        "tolerance": tolerance,
    }


def _sim_row(
    wl: SimWorkload, work: Path, *, reference: bool, isolate: bool, say: Callable[[str], None]
) -> dict:
    try:
        path, overrides, share = _scenario(wl, work)
    except Exception as exc:  # noqa: BLE001
        return {"name": wl.name, "error": f"{type(exc).__name__}: {exc}"}
    row = {
        "name": wl.name,
        "region": wl.region,
        "days": wl.days,
        "target_trips": wl.trips,
        "ev_share": share,
        "overrides": overrides,
    }
    say(f"{wl.name}: emob-sim")
    row["project"] = _measure(
        wl.name, runner.run_project, path, overrides, str(work / wl.name), isolate=isolate
    )
    row["reference"] = None
    if reference and wl.reference:
        say(f"{wl.name}: reference")
        ref = _measure(
            f"{wl.name} reference",
            runner.run_reference,
            path,
            overrides,
            str(work / wl.name),
            isolate=isolate,
        )
        row["reference"] = ref
        if "error" not in ref and "error" not in row["project"]:
            row["speedup"] = ref["wall_s"] / row["project"]["wall_s"]
            row["kpi_agreement"] = compare_kpis(row["project"]["kpis"], ref["kpis"])
    return row


def _growth_names() -> list[str]:
    return [f"{series}-{size}" for series in GROWTH_SERIES for size in ("10k", "100k", "1M")]


def _more_growth_processes(
    rows: list[dict],
    workloads: list[SimWorkload],
    work: Path,
    processes: int,
    *,
    isolate: bool,
    say: Callable[[str], None],
) -> None:
    """Measure the growth series' workloads again in fresh processes, round by round.

    Each row of a growth workload gets ``growth_wall_s``: the wall time of its first process
    (the row's own) and of each later one. Rounds are interleaved (every workload once, then
    again) so that a slow spell of the machine does not fall on one size only.
    """
    by_name = {wl.name: wl for wl in workloads}
    growth = [r for r in rows if r["name"] in _growth_names() and "wall_s" in r["project"]]
    for row in growth:
        row["growth_wall_s"] = [row["project"]["wall_s"]]
    for process in range(2, processes + 1):
        for row in growth:
            say(f"{row['name']}: emob-sim, process {process} of {processes}")
            wl = by_name[row["name"]]
            path, overrides, _ = _scenario(wl, work)
            again = _measure(
                wl.name, runner.run_project, path, overrides, str(work / wl.name), isolate=isolate
            )
            if "wall_s" in again:
                row["growth_wall_s"].append(again["wall_s"])


def _nlogn(rows: dict[str, dict], names: list[str]) -> dict | None:
    """Growth of the wall time from size to size against n log n (fastest process of each)."""
    points = []
    for name in names:
        row = rows.get(name, {})
        if "wall_s" in row.get("project", {}):
            walls = row.get("growth_wall_s") or [row["project"]["wall_s"]]
            points.append(
                {
                    "name": name,
                    "trips": row["project"]["trips"],
                    "events": row["project"]["events"],
                    "wall_s": min(walls),
                    "wall_s_per_process": walls,
                    "processes": len(walls),
                }
            )
    if len(points) < 2:
        return None
    steps = []
    for a, b in itertools.pairwise(points):
        bound = b["trips"] * math.log(b["trips"]) / (a["trips"] * math.log(a["trips"]))
        ratio = b["wall_s"] / a["wall_s"]
        exponent = math.log(ratio) / math.log(b["trips"] / a["trips"])
        steps.append(
            {
                "from": a["trips"],
                "to": b["trips"],
                "time_ratio": ratio,
                "nlogn_ratio": bound,
                "exponent": exponent,
                "events_ratio": b["events"] / a["events"],
            }
        )
    return {
        "points": points,
        "steps": steps,
        "met": all(s["time_ratio"] <= s["nlogn_ratio"] for s in steps),
    }


def evaluate_targets(results: dict) -> list[dict]:
    """The issue's targets, where the workloads that measure them ran."""
    rows = {r["name"]: r for r in results["workloads"] if "project" in r}
    targets = []
    sw = results.get("sweeps") or {}
    if "speedup_2" in sw:
        speedup, dask, rounds = sw["speedup_2"], sw["dask_over_local"], sw["rounds"]
        targets.append(
            {
                "target": "sweep: 2 local workers at least 1.7x one worker",
                "value": f"{speedup:.2f}x (median of {rounds} rounds; medians "
                f"{sw['local_1_s']:.1f} s / {sw['local_2_s']:.1f} s, "
                f"{sw['runs']} runs)",
                "met": speedup >= 1.7,
            }
        )
        targets.append(
            {
                "target": "sweep: a Dask LocalCluster of 2 within 15 % of 2 local workers",
                "value": f"{dask:.2f} (median of {rounds} rounds; medians "
                f"{sw['dask_2_s']:.1f} s / {sw['local_2_s']:.1f} s)",
                "met": dask <= 1.15,
            }
        )
    big = rows.get("zemgale-1M", {}).get("project", {})
    if "wall_s" in big:
        targets.append(
            {
                "target": "1M car trips over a week, Zemgale: < 60 s wall and < 4 GB peak memory",
                "value": f"{big['trips']:,} trips in {big['wall_s']:.1f} s, peak "
                f"{big['peak_mb'] / 1024:.2f} GB",
                "met": big["wall_s"] < 60 and big["peak_mb"] < 4096,
            }
        )
    with_, without = (rows.get(name, {}).get("project", {}) for name in DESTINATION_PAIR)
    if "wall_s" in with_ and "wall_s" in without:
        ratio = with_["wall_s"] / without["wall_s"]
        sessions = with_.get("kpis", {})
        targets.append(
            {
                "target": "charging where cars park: 1M car trips over a week, Zemgale, under 2x "
                "the time without it",
                "value": f"{ratio:.2f}x ({with_['wall_s']:.1f} s / {without['wall_s']:.1f} s; "
                f"{sessions.get('destination_sessions', '-')} destination and "
                f"{sessions.get('overnight_sessions', '-')} overnight sessions)",
                "met": ratio < 2,
            }
        )
    for name, what in (("zemgale-50k", "Zemgale"), ("grid10k-50k", "10,000-node grid")):
        if "speedup" in rows.get(name, {}):
            row = rows[name]
            project, ref = row["project"], row["reference"]
            value = f"{row['speedup']:.1f}x ({ref['wall_s']:.2f} s / {project['wall_s']:.2f} s)"
            if project.get("simpy_events") and ref.get("simpy_events"):
                value += (
                    f"; SimPy events: reference {ref['simpy_events']:,}, emob-sim "
                    f"{project['simpy_events']:,}"
                )
            targets.append(
                {
                    "target": f">= 30x faster than the reference at 50,000 trips ({what})",
                    "value": value,
                    "met": row["speedup"] >= 30,
                }
            )
    results["growth"] = {}
    for series, what in GROWTH_SERIES.items():
        growth = _nlogn(rows, [f"{series}-10k", f"{series}-100k", f"{series}-1M"])
        if growth:
            results["growth"][series] = growth
            value = "; ".join(
                f"{s['from']:,}->{s['to']:,} trips: time x{s['time_ratio']:.1f} "
                f"(n log n x{s['nlogn_ratio']:.1f}, events x{s['events_ratio']:.1f})"
                for s in growth["steps"]
            )
            processes = min(point["processes"] for point in growth["points"])
            if processes > 1:
                value = f"fastest of {processes} processes: {value}"
            targets.append(
                {
                    "target": f"run time grows no worse than n log n in trips (10k, "
                    f"100k, 1M; Zemgale, {what})",
                    "value": value,
                    "met": growth["met"],
                }
            )
    for r in results["routing"]:
        if r.get("nodes", 0) >= 200_000 and "kernel_s" in r:
            targets.append(
                {
                    "target": "routing: all zone-to-zone times, 200,000-node graph, "
                    "500 zones < 10 s",
                    "value": f"{r['kernel_s']:.1f} s (scipy: {r['scipy_s']:.1f} s with lengths, "
                    f"{r['scipy_times_only_s']:.1f} s times only)",
                    "met": r["kernel_s"] < 10,
                }
            )
    return targets


def run_suite(
    *,
    size: str = "full",
    out_dir: str | Path | None = None,
    reference: bool = True,
    isolate: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Run the benchmark suite and return its results.

    Parameters
    ----------
    size
        ``"full"`` (the recorded workloads, a few minutes) or ``"smoke"`` (under a minute;
        seconds without ``isolate``).
    out_dir
        Where to write ``results.md`` and ``results.json`` (None: nothing is written).
    reference
        Also run the plain reference where the workload allows it.
    isolate
        Run every measurement in a fresh process (peak memory per run, JIT measured with an
        empty numba cache). False runs them in this process: for quick checks only.
    progress
        Called with a short message as each measurement starts.

    Returns
    -------
    dict
        ``machine``, ``jit``, ``workloads`` (emob-sim, reference, speed-up, KPI agreement per
        workload), ``routing``, ``kernels``, ``targets`` and ``suite_wall_s``.
    """
    if size not in SIZES:
        raise ValueError(f"size: expected one of {SIZES}, got {size!r}")
    say = progress or (lambda msg: None)
    spec = WORKLOADS[size]
    t0 = time.perf_counter()
    results: dict = {"size": size, "isolated": isolate, "machine": describe_machine()}
    with tempfile.TemporaryDirectory(prefix="emob-bench-") as tmp:
        work = Path(tmp)
        say("JIT: warm-up run with an empty numba cache, then with the cache")
        empty = {}
        if isolate:
            empty = _measure(
                "jit",
                runner.measure_jit,
                str(work / "jit"),
                env={"NUMBA_CACHE_DIR": str(work / "numba-cache")},
            )
        cached = _measure("jit cached", runner.measure_jit, str(work / "jit"), isolate=isolate)
        results["jit"] = {
            "empty_cache_s": empty.get("warm_up_s"),
            "cached_s": cached.get("warm_up_s"),
        }
        results["workloads"] = [
            _sim_row(wl, work, reference=reference, isolate=isolate, say=say) for wl in spec["sim"]
        ]
        _more_growth_processes(
            results["workloads"],
            spec["sim"],
            work,
            spec["growth_processes"],
            isolate=isolate,
            say=say,
        )
        results["routing"] = []
        for rw in spec["routing"]:
            say(f"{rw.name}: emob-sim kernel and scipy")
            row = _measure(rw.name, runner.run_routing, rw.nodes, rw.zones, isolate=isolate)
            results["routing"].append({"name": rw.name, **row})
        say("app: cold and warm runs of the default scenario against the command")
        results["app"] = _measure("app", runner.run_app, str(work / "app"), isolate=isolate)
        if spec.get("sweeps"):
            say("sweeps: 24 runs as a loop, on 1 and 2 local workers, on a LocalCluster of 2")
            results["sweeps"] = _measure(
                "sweeps", runner.run_sweeps, str(work / "sweeps"), *spec["sweeps"], isolate=isolate
            )
        say("workplace: a week of an industrial area with 500 plugs under each strategy")
        results["workplace"] = _measure("workplace", runner.run_workplace, isolate=isolate)
        say("site year: 35,040 steps, 500 plugs, site load and battery, each strategy")
        results["site_year"] = _measure("site year", runner.run_site_year, isolate=isolate)
        say("kernels: numba against .py_func")
        kernels = _measure("kernels", runner.run_kernels, spec["kernels"], isolate=isolate)
        results["kernels"] = kernels if isinstance(kernels, list) else [kernels]
    results["targets"] = evaluate_targets(results)
    results["suite_wall_s"] = time.perf_counter() - t0
    if out_dir is not None:
        write_results(results, out_dir)
    return results
