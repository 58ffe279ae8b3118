"""What runs inside the suite's child processes: one measurement per fresh process.

Every function here is called in its own spawned process (see :mod:`benchmarks.suite`), so
that its peak memory (``ru_maxrss``) belongs to that measurement alone and no measurement
warms the caches of the next. Heavy imports happen inside the functions.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

__all__ = [
    "warm_up",
    "measure_jit",
    "run_project",
    "run_reference",
    "run_routing",
    "run_kernels",
    "ebikes_off",
    "run_app",
    "run_sweeps",
]

perf = time.perf_counter

#: every timed run is repeated up to three times and the fastest counts, for emob-sim and the
#: reference alike, except runs longer than this (seconds), which run once
LONG_RUN_S = 15.0


def _peak_mb() -> float:
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


def ebikes_off() -> list[str]:
    """The override that switches e-bikes off, when the scenario model has them."""
    from emob_sim.config.models import Scenario

    return ["ebike.enabled=false"] if "ebike" in Scenario.model_fields else []


def warm_up(work_dir: str | Path) -> float:
    """Run the embedded default scenario once (loads or compiles every kernel it uses)."""
    from emob_sim.config import load_scenario
    from emob_sim.runner import run

    Path(work_dir).mkdir(parents=True, exist_ok=True)
    t = perf()
    run(
        load_scenario(None, overrides=ebikes_off()),
        out_dir=Path(work_dir) / "warm-up",
        overwrite=True,
    )
    return perf() - t


def measure_jit(work_dir: str | Path) -> dict:
    """Time the warm-up run in this process (the suite sets ``NUMBA_CACHE_DIR`` for it)."""
    import os

    return {"warm_up_s": warm_up(work_dir), "numba_cache_dir": os.environ.get("NUMBA_CACHE_DIR")}


def _region(scenario_path: str | None, overrides: list[str]):
    """Load the scenario and build its region; time the graph loading and the routing apart."""
    from emob_sim.config import load_scenario
    from emob_sim.network.routing import point_matrices
    from emob_sim.region import build_region

    sc = load_scenario(scenario_path, overrides=overrides)
    t = perf()
    region = build_region(sc)
    region_s = perf() - t
    points = np.concatenate([region.zones["node"], region.sites["node"]]).astype(np.int64)
    first = perf()
    point_matrices(region.network, points)  # as build_region did: it is part of region_s
    first = perf() - first
    route_s, _, _ = _best_of(lambda: point_matrices(region.network, points))
    return sc, region, max(region_s - first, 0.0), route_s


def _best_of(fn, *, max_runs: int = 3, long_s: float = LONG_RUN_S) -> tuple[float, object, int]:
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


def run_project(scenario_path: str | None, overrides: list[str], work_dir: str | Path) -> dict:
    """emob-sim: routing (timed apart), then ``run`` writing its folder, stage by stage."""
    from emob_sim.runner import run

    work = Path(work_dir)
    warm_s = warm_up(work)
    sc, region, graph_s, route_s = _region(scenario_path, overrides)

    def once() -> dict:
        """One timed run; returns a summary (so that no run's tables outlive it)."""
        marks: dict[str, float] = {}
        result = run(
            sc,
            region=region,
            on_stage=lambda stage: marks.__setitem__(stage, perf()),
            out_dir=work / "project-run",
            overwrite=True,
        )
        marks["end"] = perf()
        return {
            "trips": result.demand.n_trips,
            "vehicles": result.demand.n_vehicles,
            "events": len(result.sim.events),
            "sessions": len(result.sim.sessions),
            "stages": {
                "routing": route_s,
                "demand": marks["simulation"] - marks["demand"],
                "simulation": marks["kpis"] - marks["simulation"],
                "kpis": marks["write"] - marks["kpis"],
                "write": marks["end"] - marks["write"],
            },
            "kpis": {k: v for k, v in result.kpis.items() if not isinstance(v, dict)},
        }

    seconds, summary, runs = _best_of(once)
    peak_mb = _peak_mb()
    with counting_simpy_events() as simpy_events:
        once()
    return {
        **summary,
        "simpy_events": simpy_events[0],
        "nodes": region.network.n_nodes,
        "zones": region.n_zones,
        "sites": region.n_sites,
        "wall_s": route_s + seconds,
        "runs": runs,
        "graph_load_s": graph_s,
        "jit_s": warm_s,
        "peak_mb": peak_mb,
    }


def run_reference(scenario_path: str | None, overrides: list[str], work_dir: str | Path) -> dict:
    """The plain reference (:mod:`benchmarks.reference`) on the same scenario and seed."""
    from benchmarks.reference import reference_run
    from emob_sim.seeds import seed_streams

    sc, region, graph_s, _ = _region(scenario_path, overrides)
    out_dir = Path(work_dir) / "ref-run"
    seconds, out, runs = _best_of(
        lambda: reference_run(sc, region, seed_streams(sc.seed)["demand"], out_dir)
    )
    peak_mb = _peak_mb()
    with counting_simpy_events() as simpy_events:
        reference_run(sc, region, seed_streams(sc.seed)["demand"], out_dir)
    return {
        **out,
        "wall_s": seconds,
        "runs": runs,
        "graph_load_s": graph_s,
        "peak_mb": peak_mb,
        "simpy_events": simpy_events[0],
    }


def _scipy_matrices(network, sources: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Times with scipy's Dijkstra alone, then times and path lengths as emob-sim did before
    the kernel (Dijkstra with predecessors and a vectorised pass summing lengths)."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import dijkstra

    from emob_sim.network.routing import tree_sums

    n = network.n_nodes
    graph = sp.csr_matrix((network.travel_time_s, network.indices, network.indptr), shape=(n, n))
    length = sp.csr_matrix((network.length_m, network.indices, network.indptr), shape=(n, n))
    graph.sort_indices()
    length.sort_indices()
    t = perf()
    dijkstra(graph, directed=True, indices=sources)
    times_only_s = perf() - t
    t = perf()
    time_u = np.empty((sources.size, sources.size))
    batch = max(1, 10_000_000 // n)
    for start in range(0, sources.size, batch):
        src = sources[start : start + batch]
        times, pred = dijkstra(graph, directed=True, indices=src, return_predecessors=True)
        time_u[start : start + batch] = times[:, sources]
        tree_sums(pred, length)[:, sources]
    return time_u, times_only_s, perf() - t


def run_routing(n_nodes: int, n_zones: int) -> dict:
    """All zone-to-zone times and lengths on a synthetic grid: emob-sim against scipy."""
    import numba

    from benchmarks.synthetic import synthetic_network, synthetic_tables
    from emob_sim.config import load_scenario
    from emob_sim.kernels.paths import many_to_many
    from emob_sim.network.routing import nearest_nodes, point_matrices

    t = perf()
    tables = synthetic_tables(n_nodes=n_nodes, n_zones=n_zones, n_sites=0, seed=4)
    speeds = dict(load_scenario(None).network.hwy_speeds_kph)
    network = synthetic_network(tables, hwy_speeds_kph=speeds)
    build_s = perf() - t
    zones = tables.zones[tables.zones["kind"] == "zone"]
    nodes, _ = nearest_nodes(network, zones["lon"].to_numpy(), zones["lat"].to_numpy())
    sources = np.unique(nodes)
    t = perf()
    many_to_many(
        network.indptr,
        network.indices,
        network.travel_time_s,
        network.length_m,
        sources[:1],
        sources[:1],
    )
    jit_s = perf() - t
    t = perf()
    time_s, _ = point_matrices(network, nodes)
    kernel_s = perf() - t
    scipy_times, scipy_times_only_s, scipy_s = _scipy_matrices(network, sources)
    order = np.searchsorted(sources, nodes)
    return {
        "nodes": network.n_nodes,
        "edges": network.n_edges,
        "zones": int(nodes.size),
        "build_s": build_s,
        "jit_s": jit_s,
        "kernel_s": kernel_s,
        "scipy_times_only_s": scipy_times_only_s,
        "scipy_s": scipy_s,
        "times_equal_scipy": bool(np.array_equal(time_s, scipy_times[np.ix_(order, order)])),
        "threads": numba.get_num_threads(),
        "peak_mb": _peak_mb(),
    }


def _same(a, b) -> bool:
    if isinstance(a, tuple):
        return all(_same(x, y) for x, y in zip(a, b, strict=True))
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bool(np.allclose(x, y, rtol=1e-9, atol=1e-9, equal_nan=True))


def _compare(name: str, size: str, kernel, make_args) -> dict:
    """Best of three compiled runs against one run of ``kernel.py_func`` on the same inputs."""
    args = make_args()
    compiled = [kernel(*a) for a in args]  # compiles (or loads) before timing
    best = np.inf
    for _ in range(3):
        t = perf()
        for a in args:
            kernel(*a)
        best = min(best, perf() - t)
    t = perf()
    python = [kernel.py_func(*a) for a in args]
    python_s = perf() - t
    return {
        "kernel": name,
        "size": size,
        "numba_s": best,
        "python_s": python_s,
        "speedup": python_s / best if best > 0 else float("nan"),
        "same_result": all(_same(c, p) for c, p in zip(compiled, python, strict=True)),
    }


def run_kernels(sizes) -> list[dict]:
    """Each numba kernel against its pure-Python twin (``.py_func``) on random inputs."""
    from emob_sim.config import load_scenario
    from emob_sim.demand.fleet import type_arrays
    from emob_sim.kernels import (
        chain_energy,
        choose_site,
        load_profile,
        make_car,
        make_chain_cars,
        make_chains,
        make_choice_rule,
        make_curves,
        make_plug_rule,
        make_profile_sessions,
        make_sites,
        make_travel,
        stable_argsort,
    )

    rng = np.random.default_rng(0)
    types = type_arrays(load_scenario(None).fleet)
    rows = []

    def chain_args():
        v, per = sizes.vehicles, 7
        m = v * per
        depart = (np.arange(m) % per) * 20_000.0 + rng.uniform(0, 3600, m)
        chains = make_chains(
            trip_ptr=np.arange(0, m + 1, per, dtype=np.int64),
            depart_s=depart,
            duration_s=rng.uniform(600, 3600, m),
            energy=rng.uniform(1, 15, m),
            last_of_day=np.arange(m) % 2 == 1,
        )
        cars = make_chain_cars(
            battery_kwh=rng.uniform(40, 80, v),
            initial_soc=rng.uniform(0.3, 0.9, v),
            home_charging=rng.random(v) < 0.6,
            home_kw=np.full(v, 7.4),
            max_ac_kw=np.full(v, 11.0),
        )
        rule = make_plug_rule(
            max_soc=0.8, min_dwell_s=900.0, target_soc=1.0, overnight_soc=0.5, min_gain_kwh=3.0
        )
        dest_kw = rng.choice([0.0, 11.0, 22.0], m)
        return [(chains, cars, dest_kw, 0.9, 0.2, 7 * 86400.0, rule)]

    rows.append(_compare("chain_energy", f"{sizes.vehicles * 7:,} trips", chain_energy, chain_args))

    def profile_args():
        n = sizes.sessions
        start = rng.uniform(0, 86400, n)
        typ = rng.integers(0, len(types.ids), n)
        plug_kw = rng.choice([22.0, 50.0, 150.0], n)
        sessions = make_profile_sessions(
            site_idx=rng.integers(0, 10, n),
            start_s=start,
            end_s=start + rng.uniform(600, 5400, n),
            soc_start=rng.uniform(0.05, 0.3, n),
            soc_end=np.full(n, 0.8),
            battery_kwh=types.battery_kwh[typ],
            type_idx=typ,
            max_dc_kw=types.max_dc_kw[typ],
            max_ac_kw=types.max_ac_kw[typ],
            plug_kw=plug_kw,
            is_dc=rng.random(n) < 0.6,
        )
        curves = make_curves(curve_soc=types.curve_soc, curve_frac=types.curve_frac)
        return [(sessions, curves, 10, 100, 900.0)]

    rows.append(
        _compare("load_profile", f"{sizes.sessions:,} sessions", load_profile, profile_args)
    )

    def choice_args():
        n_points, n_sites = 100, 50
        xy = rng.uniform(0, 100, (n_points, 2))
        dist = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
        sites = np.arange(n_points - n_sites, n_points)
        travel = make_travel(time_s=dist * 60.0, dist_km=dist)
        rule = make_choice_rule(reserve_soc=0.05, target_soc=0.8, wait_weight=1.0)
        out = []
        for _ in range(sizes.choices):
            t = int(rng.integers(0, len(types.ids)))
            busy, queued = rng.integers(0, 3, n_sites), np.zeros(n_sites, np.int64)
            car = make_car(
                battery_kwh=types.battery_kwh[t],
                curve_soc=types.curve_soc[t],
                curve_frac=types.curve_frac[t],
                max_dc_kw=types.max_dc_kw[t],
                max_ac_kw=types.max_ac_kw[t],
                consumption_kwh_per_km=types.consumption_kwh_per_km[t],
            )
            state = make_sites(
                point=sites,
                is_dc=rng.random(n_sites) < 0.6,
                plug_kw=np.full(n_sites, 50.0),
                plugs=np.full(n_sites, 2),
                busy=busy,
                queued=queued,
                mean_s=np.full(n_sites, 1800.0),
            )
            cur, dest = int(rng.integers(0, 50)), int(rng.integers(0, 50))
            soc, tried = rng.uniform(0.1, 0.3), np.zeros(n_sites, bool)
            out.append((cur, dest, soc, car, travel, state, tried, rule))
        return out

    rows.append(
        _compare("choose_site", f"{sizes.choices:,} choices of 50 sites", choose_site, choice_args)
    )
    from emob_sim.kernels.allocation import CAPPED_EQUAL, allocate_power
    from emob_sim.kernels.structs import make_plugged_cars, make_site_battery, make_site_steps

    def allocation_args():  # workplace plugs over a week of 15-minute steps, a binding limit
        n, steps = max(sizes.sessions // 4, 10), 7 * 96
        arrive = rng.integers(0, steps - 40, n).astype(float)
        cars = make_plugged_cars(
            arrive=arrive,
            depart=arrive + rng.integers(16, 40, n),
            need_kwh=rng.uniform(5, 40, n),
            max_kw=rng.choice([11.0, 22.0], n),
        )
        site = make_site_steps(
            step_h=0.25,
            limit_kw=np.full(steps, 4.0 * n),
            pv_kw=np.zeros(steps),
            load_kw=np.zeros(steps),
            export_kw=np.full(steps, 4.0 * n),
        )
        battery = make_site_battery(
            capacity_kwh=0.0, power_kw=0.0, efficiency=0.0, grid_charge_below_kw=-1.0
        )
        return [(cars, site, battery, CAPPED_EQUAL)]

    n_cars = max(sizes.sessions // 4, 10)
    rows.append(
        _compare(
            "allocate_power",
            f"{n_cars:,} workplace plugs x 672 steps",
            allocate_power,
            allocation_args,
        )
    )
    n_times = 10 * sizes.sessions
    rows.append(
        _compare(
            "stable_argsort",
            f"{n_times:,} event times",
            stable_argsort,
            lambda: [(rng.uniform(0, 7 * 86400, n_times),)],
        )
    )
    try:  # the placement's scoring kernel, where it exists
        from emob_sim.kernels.coverage import coverage_gains
    except ImportError:
        return rows

    def coverage_args():
        n, per = sizes.coverage_candidates, 50
        indptr = np.arange(0, n * per + 1, per, dtype=np.int64)
        indices = rng.integers(0, 10 * n, n * per).astype(np.int64)
        return [(indptr, indices, rng.uniform(0, 100, 10 * n), rng.integers(0, 3, 10 * n))]

    try:
        rows.append(
            _compare(
                "coverage_gains",
                f"{sizes.coverage_candidates:,} candidates x 50",
                coverage_gains,
                coverage_args,
            )
        )
    except (TypeError, ValueError) as exc:  # its signature changed: report instead of failing
        rows.append({"kernel": "coverage_gains", "size": "-", "error": str(exc)})
    return rows


def _cli_timing(out_dir: str) -> dict:
    """In a fresh process: one run as ``emob-sim run`` does it (region, simulation, written
    folder), timed."""
    from emob_sim.runner import run

    t = perf()
    run(None, out_dir=out_dir, overwrite=True)
    return {"cli_s": perf() - t, "peak_mb": _peak_mb()}


def _app_timings() -> dict:
    """In a fresh process: the app through Streamlit's AppTest, three Run clicks timed (see
    :func:`run_app`)."""
    import os

    from streamlit.testing.v1 import AppTest

    os.environ["EMOB_SIM_BASEMAP"] = "off"
    app_file = Path(__file__).resolve().parents[1] / "apps" / "streamlit_app.py"
    at = AppTest.from_file(str(app_file), default_timeout=600)
    at.run()
    lever = "lever:zemgale/baseline.yaml:fleet.ev_share"  # shown in %

    def click() -> float:
        t = perf()
        at.button(key="run").click().run()
        if at.exception:
            raise RuntimeError(at.exception[0].value)
        return perf() - t

    cold_s = click()
    at.number_input(key=lever).set_value(1.13).run()
    warm_s = click()
    at.number_input(key=lever).set_value(1.12).run()  # the scenario's own value again
    repeat_s = click()
    return {
        "app_cold_s": cold_s,
        "app_warm_s": warm_s,
        "app_repeat_s": repeat_s,
        "peak_mb": _peak_mb(),
    }


def _in_fresh_python(function: str, *args: str, timeout_s: float = 1800.0) -> dict:
    """Call ``function`` of this module in a new Python process (nothing imported, nothing
    cached in memory) and return the dict it returns."""
    import json
    import os
    import subprocess
    import sys
    import tempfile

    root = Path(__file__).resolve().parents[1]
    code = (
        "import json, sys\n"
        f"from benchmarks.runner import {function} as measure\n"
        "json.dump(measure(*sys.argv[2:]), open(sys.argv[1], 'w', encoding='utf-8'))\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH")) if p),
    }
    with tempfile.TemporaryDirectory(prefix="emob-sim-bench-") as tmp:
        out = Path(tmp) / "result.json"
        done = subprocess.run(
            [sys.executable, "-c", code, str(out), *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{function} failed: {done.stderr[-2000:]}")
        return json.loads(out.read_text(encoding="utf-8"))


def run_app(work_dir: str | Path) -> dict:
    """The planners' app against the command, on the embedded default scenario.

    Each side starts in its own fresh Python process, so neither warms the other: a run as
    ``emob-sim run`` does it (region, simulation, written folder); then the app through
    Streamlit's AppTest: the first run from a fresh app (``cold``: builds the region), in the
    same process a run after one lever changed (``warm``: the region is kept) and the same
    values again (``repeat``: the run is kept). Times are of the run call and of the Run
    click (imports and the app's first page are not timed); ``peak_mb`` is the larger peak
    of the two processes.
    """
    work = Path(work_dir)
    cli = _in_fresh_python("_cli_timing", str(work / "cli-run"))
    app = _in_fresh_python("_app_timings")
    return {
        "cli_s": cli["cli_s"],
        "app_cold_s": app["app_cold_s"],
        "app_warm_s": app["app_warm_s"],
        "app_repeat_s": app["app_repeat_s"],
        "peak_mb": max(cli["peak_mb"], app["peak_mb"]),
    }


def _import_emob_sim() -> int:
    """A warm-up task for a worker: import what a run needs."""
    import os

    import emob_sim.runner  # noqa: F401

    return os.getpid()


def run_sweeps(work_dir: str | Path, days: int = 7, seeds: int = 3, rounds: int = 3) -> dict:
    """Sweep throughput: a 24-run Zemgale sweep (4 EV shares x 2 waits x ``seeds`` seeds) run
    as a plain ``emob_sim.run`` loop, then ``rounds`` times in turn as a sweep with 1 and 2
    local workers and on a Dask LocalCluster of 2 workers, each into a fresh folder.

    Each figure is the median over the rounds, and the ratios are the medians of the ratios
    within a round (this shared machine's speed drifts by 10-25 % between minutes)."""
    import statistics

    import yaml

    from emob_sim.batch import executor_for, load_sweep, sweep
    from emob_sim.config import bundled_path
    from emob_sim.runner import run

    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    spec = {
        "name": "bench",
        "base": str(bundled_path("configs/zemgale/baseline.yaml")),
        "seeds": seeds,
        "grid": {
            "fleet.ev_share": [0.03, 0.04, 0.05, 0.06],
            "charging.max_wait_min": [15, 30],
            "time.days": [days],
        },
    }
    path = work / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec))
    tasks = load_sweep(path).tasks
    t = perf()
    for i, task in enumerate(tasks):
        run(task.scenario, out_dir=work / "loop" / str(i))
    loop_s = perf() - t
    rows: dict = {"runs": len(tasks), "loop_s": loop_s, "rounds": rounds}
    configs = (
        ("local_1", {"workers": 1}),
        ("local_2", {"workers": 2}),
        ("dask_2", {"workers": 2, "scheduler": "local"}),
    )
    times: dict[str, list[float]] = {name: [] for name, _ in configs}
    failed = 0
    for r in range(rounds):
        for name, kwargs in configs:
            # the executor is started and its workers have imported emob-sim before the clock
            # starts: the rows compare running the runs, not starting the workers
            with executor_for(**kwargs) as pool:
                n = kwargs["workers"]
                for f in [pool.submit(_import_emob_sim) for _ in range(4 * n)]:
                    f.result()
                t = perf()
                result = sweep(path, work / f"{name}-{r}", executor=pool)
                times[name].append(perf() - t)
            failed += result.failed
    for name, values in times.items():
        rows[f"{name}_s"] = statistics.median(values)
        rows[f"{name}_s_rounds"] = values
    rows["speedup_2"] = statistics.median(a / b for a, b in zip(times["local_1"], times["local_2"]))
    rows["dask_over_local"] = statistics.median(
        a / b for a, b in zip(times["dask_2"], times["local_2"])
    )
    rows["failed"] = failed
    return rows


#: the industrial area of the workplace benchmark: 500 plugs for about 1,050 electric commuters
WORKPLACE_AREA = {
    "area_id": "bench-park",
    "name": "Benchmark park",
    "zone": "Jelgava",
    "lon": 23.78,
    "lat": 56.66,
    "employees": 5000,
    "car_share": 0.7,
    "ev_share": 0.3,
    "plugs": 500,
    "plug_kw": 11.0,
    "grid_limit_kw": 1500.0,
    "pv_kwp": 1000.0,
    "battery_kwh": 500.0,
    "battery_kw": 250.0,
}


def run_workplace(days: int = 7) -> dict:
    """A week of an industrial area with 500 workplace plugs under each charging strategy.

    The default scenario with the area runs once (region, demand, car simulation, everything);
    then, per strategy, the site energy stage alone (the plugs' SimPy pass and the allocation
    kernel with the solar profile: what a strategy changes), best of three, and the allocation
    kernel alone on the same inputs, per step.
    """
    from emob_sim.config.models import AreaSpec
    from emob_sim.kernels.allocation import STRATEGIES, allocate_power
    from emob_sim.kernels.structs import make_plugged_cars, make_site_battery, make_site_steps
    from emob_sim.region import build_region, with_areas
    from emob_sim.runner import resolve_scenario, run_stages
    from emob_sim.sim import simulate_site_energy, workplace_visits
    from emob_sim.sim.site_energy import plug_steps

    def with_strategy(scenario, strategy):
        area = AreaSpec(**{**WORKPLACE_AREA, "strategy": strategy})
        return scenario.model_copy(
            update={"energy": scenario.energy.model_copy(update={"areas": [area]})}
        )

    base = with_strategy(resolve_scenario(None, overrides=[f"time.days={days}"]), "uncontrolled")
    t = perf()
    region = build_region(base)
    result = run_stages(base, region)
    whole_s = perf() - t
    measured = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    out = {
        "days": days,
        "plugs": WORKPLACE_AREA["plugs"],
        "whole_run_s": whole_s,
        "measured": measured,
        "commuters": int((result.demand.workplace >= 0).sum()),
        "visits": int(len(result.energy.visits)),
        "steps": None,
        "strategies": [],
    }
    for strategy in STRATEGIES:
        scenario = with_strategy(base, strategy)
        area_region = with_areas(result.region, scenario)

        def stage(scenario=scenario, area_region=area_region):
            visits = workplace_visits(scenario, area_region, result.demand, result.sim)
            return simulate_site_energy(scenario, area_region, result.sim, visits)

        stage_s, energy, _ = _best_of(stage)
        step_s = energy.step_s
        arrive, depart, need, max_kw = plug_steps(energy.visits, step_s, workplace=True)
        steps = energy.steps
        series = make_site_steps(
            step_h=step_s / 3600.0,
            limit_kw=steps["limit_kw"].to_numpy(),
            pv_kw=steps["pv_kw"].to_numpy(),
            load_kw=steps["site_load_kw"].to_numpy(),
            export_kw=steps["export_limit_kw"].to_numpy(),
        )
        battery = make_site_battery(
            capacity_kwh=WORKPLACE_AREA["battery_kwh"],
            power_kw=WORKPLACE_AREA["battery_kw"],
            efficiency=0.9,
            grid_charge_below_kw=-1.0,
        )
        cars = make_plugged_cars(arrive=arrive, depart=depart, need_kwh=need, max_kw=max_kw)
        # as the site energy stage calls it: no cars x steps matrix
        args = (cars, series, battery, STRATEGIES.index(strategy), False)
        kernel_s = min(_timed(allocate_power, args) for _ in range(3))
        out["steps"] = len(steps)
        total = steps[["pv_to_cars_kw", "battery_to_cars_kw", "grid_to_cars_kw"]].sum()
        out["strategies"].append(
            {
                "strategy": strategy,
                "stage_s": stage_s,
                "kernel_s": kernel_s,
                "kernel_us_per_step": kernel_s / len(steps) * 1e6,
                "peak_grid_kw": float(steps["grid_import_kw"].max()),
                "own_share": float(
                    (total["pv_to_cars_kw"] + total["battery_to_cars_kw"]) / total.sum()
                ),
            }
        )
    return out


#: the site of the year benchmark: 500 plugs, a one-shift factory, solar and a battery
SITE_YEAR = {
    "plugs": 500,
    "plug_kw": 11.0,
    "grid_limit_kw": 2500.0,
    "pv_kwp": 500.0,
    "annual_load_kwh": 2_000_000.0,
    "battery_kwh": 1000.0,
    "battery_kw": 500.0,
    "lat": 56.65,
    "lon": 23.73,
}


def run_site_year(year: int = 2025) -> dict:
    """A year of 15-minute steps (35,040) at one site with 500 plugs, a one-shift factory's
    load (BDEW G1, 2 GWh), 500 kWp of solar and a 1 MWh battery, under each strategy.

    The sessions are synthetic (seeded): every plug takes one car each working day, arriving
    7-9 h, leaving 16-18 h, needing 5-30 kWh at up to 11 kW; the grid limit binds. Times the
    allocation kernel alone (best of two) and reports its time per step.
    """
    import pandas as pd

    from emob_sim.energy import PVArray, pv_profile_kw, shaped_load_kw
    from emob_sim.kernels.allocation import FLOWS, STRATEGIES, allocate_power
    from emob_sim.kernels.structs import make_plugged_cars, make_site_battery, make_site_steps

    site = SITE_YEAR
    start = f"{year}-01-01"
    days = 365
    steps = days * 96
    pv = pv_profile_kw(
        site["lat"], site["lon"], PVArray(site["pv_kwp"]), start=start, days=days, step_min=15
    )
    load = shaped_load_kw(
        "factory_1shift", site["annual_load_kwh"], start=start, days=days, step_min=15
    )
    workdays = np.flatnonzero(pd.date_range(start, periods=days, freq="D").day_of_week < 5)
    rng = np.random.default_rng(2027)
    day = np.repeat(workdays, site["plugs"])
    n = len(day)
    arrive = day * 96 + rng.uniform(7, 9, n) * 4
    depart = day * 96 + rng.uniform(16, 18, n) * 4
    need = rng.uniform(5, 30, n)
    max_kw = np.full(n, site["plug_kw"])
    limit = np.full(steps, site["grid_limit_kw"])
    out = {
        "steps": steps,
        "plugs": site["plugs"],
        "sessions": int(n),
        "strategies": [],
        "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    col = {c: k for k, c in enumerate(FLOWS)}
    one = np.ones(1)
    battery = make_site_battery(
        capacity_kwh=site["battery_kwh"],
        power_kw=site["battery_kw"],
        efficiency=0.9,
        grid_charge_below_kw=-1.0,
    )
    # compiled (or loaded from the cache) before timing
    allocate_power(
        make_plugged_cars(arrive=one * 0, depart=one, need_kwh=one, max_kw=one),
        make_site_steps(step_h=0.25, limit_kw=one, pv_kw=one, load_kw=one, export_kw=one),
        battery,
        0,
        False,
    )
    cars = make_plugged_cars(arrive=arrive, depart=depart, need_kwh=need, max_kw=max_kw)
    series = make_site_steps(step_h=0.25, limit_kw=limit, pv_kw=pv, load_kw=load, export_kw=limit)
    for strategy in STRATEGIES:
        args = (cars, series, battery, STRATEGIES.index(strategy), False)
        t = perf()
        _, flows, delivered, _ = allocate_power(*args)
        kernel_s = perf() - t
        out["strategies"].append(
            {
                "strategy": strategy,
                "kernel_s": kernel_s,
                "kernel_us_per_step": kernel_s / steps * 1e6,
                "delivered_mwh": float(delivered.sum()) / 1000.0,
                "peak_grid_kw": float(flows[:, col["grid_import_kw"]].max()),
                "export_mwh": float(flows[:, col["export_kw"]].sum()) * 0.25 / 1000.0,
            }
        )
    return out


def _timed(fn, args) -> float:
    t = perf()
    fn(*args)
    return perf() - t
