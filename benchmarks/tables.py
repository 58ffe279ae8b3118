"""The tables of the suite's results, one per section of the report, in Markdown.

Each takes the whole ``results`` dict (as ``results.json`` holds it) and renders its section;
:func:`benchmarks.report.markdown` puts them together.
"""

from __future__ import annotations

import math

__all__ = [
    "main_table",
    "jit_line",
    "stage_table",
    "routing_table",
    "kernel_table",
    "growth_table",
    "app_table",
    "sweep_table",
    "workplace_table",
    "site_year_table",
    "targets_table",
]


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


def jit_line(results: dict) -> str:
    """The sentence under the main table: the warm-up run with an empty and a full numba cache."""
    jit = results.get("jit", {})
    return (
        f"JIT: warm-up run with an empty numba cache {_num(jit.get('empty_cache_s'))} s, "
        f"with the cache {_num(jit.get('cached_s'))} s."
    )


def stage_table(results: dict) -> str:
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


def routing_table(results: dict) -> str:
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


def kernel_table(results: dict) -> str:
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


def growth_table(results: dict) -> str:
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


def app_table(results: dict) -> str:
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


def sweep_table(results: dict) -> str:
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


def workplace_table(results: dict) -> str:
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


def site_year_table(results: dict) -> str:
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


def targets_table(results: dict) -> str:
    rows = [[t["target"], t["value"], "met" if t["met"] else "NOT met"] for t in results["targets"]]
    return _table(["target", "measured", ""], rows)
