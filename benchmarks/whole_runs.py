"""The whole-run measurements: the warm-up (numba compiling or loading its cache), and
emob-sim's run stage by stage against the plain reference on the same scenario and seed.

Each function runs in its own fresh process (see :mod:`benchmarks.suite`); heavy imports happen
inside the functions.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.measuring import best_of, counting_simpy_events, peak_memory_mb, perf

__all__ = ["ebikes_off", "warm_up", "measure_jit", "run_project", "run_reference"]


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
    route_s, _, _ = best_of(lambda: point_matrices(region.network, points))
    return sc, region, max(region_s - first, 0.0), route_s


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

    seconds, summary, runs = best_of(once)
    peak_mb = peak_memory_mb()
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
    seconds, out, runs = best_of(
        lambda: reference_run(sc, region, seed_streams(sc.seed)["demand"], out_dir)
    )
    peak_mb = peak_memory_mb()
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
