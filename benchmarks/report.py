"""Tables of the suite's results: Markdown for results.md and the terminal, JSON beside it."""

from __future__ import annotations

import json
import math
from pathlib import Path

from benchmarks.manual import MANUAL_FILE, load_manual, manual_markdown
from emob_sim.io import atomic_output_dir, check_out_dir

__all__ = ["main_table", "markdown", "write_results", "check_results_dir"]

_NOTES = """\
What is timed (wall s): routing matrices between zones and sites, demand generation,
simulation, KPIs and writing the results (Parquet, JSON), for emob-sim and for the reference
alike; graph loading (files to graph and arrays, snapping zones and sites) and the numba
warm-up are measured apart. Each measurement runs in a fresh process; peak memory is that
process's peak resident set (Python, libraries and data). Every timed run is repeated three
times in its process and the fastest counts, for both implementations (runs over 15 s run
once); the stage table shows that run's stages and the number of runs. The reference
(benchmarks/reference.py) simulates every vehicle as a SimPy process, routes with networkx
cached per pair and computes in plain Python; it uses the same demand sampler, so both
simulate the same trips, and its KPIs are compared with emob-sim's (largest relative
difference over the trip, session, energy, wait and load KPIs). JIT: the warm-up run (the
default Zemgale day) in a fresh process, with an empty numba cache (compiling every kernel)
and with the cache on disk (what every later process pays). SimPy events: the events SimPy
processed (``Environment.step`` calls), counted in one more, untimed run of the same
deterministic workload; emob-sim keeps in SimPy only what the queues at charging sites need
(the cars that need public charging, from that need on), the reference every departure and
arrival of every car. Noise: on a shared machine the same workload can take 10-25 % longer
in one process than in another (a 1M-trip run most), more than the margin the n log n target
leaves. So the workloads of the growth series run in three fresh processes, in interleaved
rounds (every size once, then again), and the growth table compares the fastest process of
each size; it lists every process's time. A slow spell can still last a whole suite run (all
1M processes slower alike), so compare suite runs before reading a margin. The other tables
show the first process, the one measured next to the reference. The sections "Measured by
hand" come from benchmarks/manual.json (each with its date, machine and command), which every
report copies: record a measurement taken outside the suite there, not in this file, which
each full run rewrites. `python -m benchmarks --only site_year` (or `workplace`) measures one
section again, alone, into this file and results.json."""


def _num(x: float | None, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    if isinstance(x, int) or float(x).is_integer() and abs(x) >= 100:
        return f"{int(x):,}"
    return f"{x:,.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def main_table(results: dict) -> str:
    """The one table: per workload emob-sim's numbers and the speed-up over the reference."""
    header = [
        "workload",
        "trips",
        "vehicles",
        "graph nodes",
        "wall s",
        "trips/s",
        "events/s",
        "peak MB",
        "graph load s",
        "JIT s",
        "reference s",
        "speed-up",
        "KPIs agree",
    ]
    rows = []
    for w in results["workloads"]:
        p = w.get("project", {})
        if "wall_s" not in p:
            rows.append(
                [w["name"], f"error: {w.get('error') or p.get('error')}"] + [""] * (len(header) - 2)
            )
            continue
        ref = w.get("reference") or {}
        agree = w.get("kpi_agreement")
        agree_text = "-"
        if agree:
            agree_text = ("yes" if agree["agree"] else "NO") + (
                " (exact)"
                if agree["max_rel_diff"] == 0
                else f" ({agree['max_rel_diff']:.1e} {agree['worst_kpi']})"
            )
        wall = p["wall_s"]
        rows.append(
            [
                w["name"],
                _num(p["trips"]),
                _num(p["vehicles"]),
                _num(p["nodes"]),
                _num(wall),
                _num(p["trips"] / wall, 0),
                _num(p["events"] / wall, 0),
                _num(p["peak_mb"], 0),
                _num(p["graph_load_s"]),
                _num(p["jit_s"]),
                _num(ref.get("wall_s")) if "wall_s" in ref else ref.get("error", "-"),
                f"{w['speedup']:.1f}x" if "speedup" in w else "-",
                agree_text,
            ]
        )
    return _table(header, rows)


def _stage_table(results: dict) -> str:
    stages = ["routing", "demand", "simulation", "kpis", "write"]
    rows = []
    for w in results["workloads"]:
        for impl, key in (("emob-sim", "project"), ("reference", "reference")):
            run = w.get(key) or {}
            if "stages" in run:
                rows.append(
                    [w["name"], impl]
                    + [_num(run["stages"][s], 3) for s in stages]
                    + [
                        _num(run["wall_s"], 3),
                        str(run.get("runs", 1)),
                        _num(run["peak_mb"], 0),
                        _num(run.get("simpy_events"), 0),
                    ]
                )
    return _table(
        [
            "workload",
            "implementation",
            *[f"{s} s" for s in stages],
            "wall s",
            "runs",
            "peak MB",
            "SimPy events",
        ],
        rows,
    )


def _routing_table(results: dict) -> str:
    rows = []
    for r in results["routing"]:
        if "kernel_s" not in r:
            rows.append([r["name"], f"error: {r.get('error')}", "", "", "", "", "", "", ""])
            continue
        rows.append(
            [
                r["name"],
                _num(r["nodes"]),
                _num(r["edges"]),
                _num(r["zones"]),
                _num(r["kernel_s"]),
                _num(r["scipy_times_only_s"]),
                _num(r["scipy_s"]),
                f"{r['scipy_s'] / r['kernel_s']:.1f}x",
                "yes" if r["times_equal_scipy"] else "NO",
            ]
        )
    return _table(
        [
            "workload",
            "nodes",
            "edges",
            "zones",
            "emob-sim s (times + lengths)",
            "scipy s (times only)",
            "scipy s (times + lengths)",
            "speed-up",
            "times equal scipy",
        ],
        rows,
    )


def _kernel_table(results: dict) -> str:
    rows = []
    for k in results["kernels"]:
        if "numba_s" not in k:
            error = f"error: {k.get('error')}"
            rows.append([k.get("kernel", "?"), k.get("size", ""), error, "", "", ""])
            continue
        rows.append(
            [
                k["kernel"],
                k["size"],
                _num(k["numba_s"], 4),
                _num(k["python_s"], 3),
                f"{k['speedup']:.0f}x",
                "yes" if k["same_result"] else "NO",
            ]
        )
    return _table(["kernel", "input", "numba s", "py_func s", "speed-up", "same result"], rows)


def _growth_table(results: dict) -> str:
    """Per growth series and size: the wall time of every process, the fastest, the step."""
    rows = []
    for growth in results.get("growth", {}).values():
        steps = [None, *growth["steps"]]
        for point, step in zip(growth["points"], steps, strict=True):
            rows.append(
                [
                    point["name"],
                    _num(point["trips"]),
                    ", ".join(_num(x) for x in point["wall_s_per_process"]),
                    _num(point["wall_s"]),
                    "-" if step is None else f"x{step['time_ratio']:.1f}",
                    "-" if step is None else f"x{step['nlogn_ratio']:.1f}",
                    "-" if step is None else f"{step['exponent']:.2f}",
                ]
            )
    return _table(
        [
            "workload",
            "trips",
            "wall s per process",
            "fastest s",
            "time step",
            "n log n step",
            "exponent",
        ],
        rows,
    )


def _app_table(results: dict) -> str:
    app = results.get("app") or {}
    if "cli_s" not in app:
        return f"App: not measured ({app.get('error', 'no result')})."
    rows = [
        ["emob-sim run (region, simulation, written folder)", _num(app["cli_s"])],
        ["app, first run (cold: builds the region)", _num(app["app_cold_s"])],
        ["app, run after one lever changed (warm: region kept)", _num(app["app_warm_s"])],
        ["app, the same values again (the run is kept)", _num(app["app_repeat_s"])],
    ]
    return _table(["default scenario (Zemgale, one day)", "seconds"], rows)


def _sweep_table(results: dict) -> str:
    sw = results.get("sweeps") or {}
    if "loop_s" not in sw:
        return f"Sweeps: not measured ({sw.get('error', 'no result')})."
    n = sw["runs"]
    rows = [
        [
            "plain emob_sim.run loop (one process, once)",
            _num(sw["loop_s"]),
            _num(60 * n / sw["loop_s"], 1),
            "-",
        ]
    ]
    for name, label in (
        ("local_1", "sweep, 1 local worker"),
        ("local_2", "sweep, 2 local workers"),
        ("dask_2", "sweep, Dask LocalCluster of 2"),
    ):
        s = sw[f"{name}_s"]
        rows.append([label, _num(s), _num(60 * n / s, 1), _num((s - sw["loop_s"]) / n, 3)])
    head = [
        f"{n} runs",
        f"wall s (median of {sw.get('rounds', 1)} rounds)",
        "runs per minute",
        "overhead s per run over the loop",
    ]
    return _table(head, rows)


def _alone(section: dict) -> str:
    """A sentence for a section measured alone, after the suite run (sections.run_section)."""
    alone = section.get("alone")
    if not alone:
        return ""
    return (
        f" It ran alone (`{alone['command']}`), not in the suite run above; load average at "
        f"its start: {alone['load_average_at_start']}."
    )


def _workplace_table(results: dict) -> str:
    wp = results.get("workplace") or {}
    if "strategies" not in wp:
        return f"Workplace charging: not measured ({wp.get('error', 'no result')})."
    rows = [
        [
            s["strategy"],
            _num(s["stage_s"], 3),
            _num(s["kernel_s"], 4),
            _num(s["kernel_us_per_step"], 1),
            _num(s["peak_grid_kw"], 0),
            f"{100 * s['own_share']:.1f} %",
        ]
        for s in wp["strategies"]
    ]
    head = [
        "strategy",
        "site energy stage s",
        "allocation kernel s",
        "kernel us per step",
        "grid peak kW",
        "solar + battery share",
    ]
    when = f" Measured {wp['measured']}." if wp.get("measured") else ""
    intro = (
        f"{wp['plugs']} plugs, {wp['commuters']:,} electric commuters, {wp['visits']:,} "
        f"arrivals at work, {wp['steps']:,} steps of 15 minutes ({wp['days']} days); the "
        f"whole run of the scenario once: {_num(wp['whole_run_s'])} s.{when}{_alone(wp)}"
    )
    return intro + "\n\n" + _table(head, rows)


def _site_year_table(results: dict) -> str:
    sy = results.get("site_year") or {}
    if "strategies" not in sy:
        return f"A site's year: not measured ({sy.get('error', 'no result')})."
    rows = [
        [
            s["strategy"],
            _num(s["kernel_s"], 3),
            _num(s["kernel_us_per_step"], 1),
            _num(s["delivered_mwh"], 1),
            _num(s["peak_grid_kw"], 0),
        ]
        for s in sy["strategies"]
    ]
    head = [
        "strategy",
        "allocation kernel s",
        "kernel us per step",
        "delivered MWh",
        "grid peak kW (15-minute mean)",
    ]
    intro = (
        f"{sy['plugs']} plugs, {sy['sessions']:,} sessions, {sy['steps']:,} steps of 15 "
        "minutes (a year), a one-shift factory's load (2 GWh), 500 kWp of solar, a 1 MWh "
        f"battery, a 2,500 kW limit. Measured {sy.get('measured', '?')}.{_alone(sy)}"
    )
    why = (
        "Capped-equal and least-laxity spend most of their time in the check against "
        "capped-earliest (a look-ahead at the steps where the limit binds)."
    )
    return intro + "\n\n" + _table(head, rows) + "\n\n" + why


def _targets_table(results: dict) -> str:
    rows = [[t["target"], t["value"], "met" if t["met"] else "NOT met"] for t in results["targets"]]
    return _table(["target", "measured", ""], rows)


def markdown(results: dict) -> str:
    """The whole report: machine, main table, stages, routing, kernels, targets, the
    hand-measured results (``results["manual"]``, :mod:`benchmarks.manual`), notes."""
    m = results["machine"]
    libs = ", ".join(f"{k} {v}" for k, v in m["libraries"].items() if v)
    jit = results.get("jit", {})
    parts = [
        f"# emob-sim benchmarks ({results['size']})",
        (
            f"Run {m['date']} on {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB memory, "
            f"{m['os']}; Python {m['python']}; {libs}. Numba threads: {m['numba_threads']}. "
            f"Load average at start: {m['load_average_at_start']}. Suite wall time: "
            f"{results.get('suite_wall_s', 0):.0f} s."
        ),
        "## Whole runs\n\n" + main_table(results),
        (
            f"JIT: warm-up run with an empty numba cache {_num(jit.get('empty_cache_s'))} s, "
            f"with the cache {_num(jit.get('cached_s'))} s."
        ),
        "## Stages (seconds)\n\n" + _stage_table(results),
        "## Routing\n\n" + _routing_table(results),
        "## Kernels against their pure-Python twins\n\n" + _kernel_table(results),
        "## The app against the command\n\n" + _app_table(results),
        "## Sweeps\n\n" + _sweep_table(results),
        "## Workplace charging (an industrial area)\n\n" + _workplace_table(results),
        "## A site's year (site load, solar, battery)\n\n" + _site_year_table(results),
    ]
    if results.get("growth"):
        parts.append(
            "## Growth with the trips (fastest process of each size)\n\n" + _growth_table(results)
        )
    if results.get("targets"):
        parts.append("## Targets\n\n" + _targets_table(results))
    parts += manual_markdown(results.get("manual") or [])
    parts.append("## Notes\n\n" + _NOTES)
    return "\n\n".join(parts) + "\n"


def _overwrite(out_dir: str | Path, overwrite: bool | None) -> bool:
    """``overwrite`` as given, else on only for the recorded results (``RESULTS_DIR``)."""
    if overwrite is not None:
        return overwrite
    from benchmarks import RESULTS_DIR

    return Path(out_dir).expanduser().resolve() == RESULTS_DIR


def check_results_dir(
    out_dir: str | Path, *, overwrite: bool | None = None, manual: str | Path | None = MANUAL_FILE
) -> Path:
    """Check before the suite runs that :func:`write_results` can write ``out_dir``.

    Raises
    ------
    EmobSimError
        As :func:`emob_sim.io.check_out_dir` for a folder of kind ``bench``, or ``manual`` is
        not a valid file of hand-measured results (:func:`benchmarks.manual.load_manual`).
    """
    if manual is not None:
        load_manual(manual)
    return check_out_dir(out_dir, kind="bench", overwrite=_overwrite(out_dir, overwrite))


def write_results(
    results: dict,
    out_dir: str | Path,
    *,
    overwrite: bool | None = None,
    manual: str | Path | None = MANUAL_FILE,
) -> tuple[Path, Path]:
    """Write the folder ``out_dir`` with ``results.md`` and ``results.json``; return their paths.

    The folder is written like every emob-sim output folder, with kind ``bench``
    (:func:`emob_sim.io.atomic_output_dir`): it must be new or empty, or, with ``overwrite``,
    a bench folder holding only the files its ``manifest.json`` lists; a folder holding
    anything else is refused, naming the files, and left as it was. ``overwrite`` (None) is on
    for the recorded results ``benchmarks/results/`` only (``RESULTS_DIR``, the default folder
    of a full run, committed with its manifest), so that each full run replaces them, and off
    for every other folder.

    The hand-measured results of ``manual`` (``benchmarks/manual.json``,
    :mod:`benchmarks.manual`) replace ``results["manual"]`` (the dict is updated) and are
    written with the suite's, so that no run drops them; ``manual=None`` keeps
    ``results["manual"]`` as it is.

    Raises
    ------
    EmobSimError
        ``out_dir`` cannot be written (:func:`emob_sim.io.check_out_dir`), or ``manual`` is
        not a valid file of hand-measured results (:func:`benchmarks.manual.load_manual`).
    """
    if manual is not None:
        results["manual"] = load_manual(manual)
    with atomic_output_dir(out_dir, kind="bench", overwrite=_overwrite(out_dir, overwrite)) as tmp:
        (tmp / "results.md").write_text(markdown(results), encoding="utf-8")
        (tmp / "results.json").write_text(
            json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8"
        )
    out = Path(out_dir).expanduser().resolve()
    return out / "results.md", out / "results.json"
