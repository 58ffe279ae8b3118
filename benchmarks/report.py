"""The suite's report: the Markdown document (its tables from :mod:`benchmarks.tables`) and
the results folder, ``results.md`` with ``results.json`` beside it."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.manual import MANUAL_FILE, load_manual, manual_markdown
from benchmarks.tables import (
    app_table,
    growth_table,
    jit_line,
    kernel_table,
    main_table,
    routing_table,
    site_year_table,
    stage_table,
    sweep_table,
    targets_table,
    workplace_table,
)
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


def markdown(results: dict) -> str:
    """The whole report: machine, main table, stages, routing, kernels, targets, the
    hand-measured results (``results["manual"]``, :mod:`benchmarks.manual`), notes."""
    m = results["machine"]
    libs = ", ".join(f"{k} {v}" for k, v in m["libraries"].items() if v)
    parts = [
        f"# emob-sim benchmarks ({results['size']})",
        (
            f"Run {m['date']} on {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB memory, "
            f"{m['os']}; Python {m['python']}; {libs}. Numba threads: {m['numba_threads']}. "
            f"Load average at start: {m['load_average_at_start']}. Suite wall time: "
            f"{results.get('suite_wall_s', 0):.0f} s."
        ),
        "## Whole runs\n\n" + main_table(results),
        jit_line(results),
        "## Stages (seconds)\n\n" + stage_table(results),
        "## Routing\n\n" + routing_table(results),
        "## Kernels against their pure-Python twins\n\n" + kernel_table(results),
        "## The app against the command\n\n" + app_table(results),
        "## Sweeps\n\n" + sweep_table(results),
        "## Workplace charging (an industrial area)\n\n" + workplace_table(results),
        "## A site's year (site load, solar, battery)\n\n" + site_year_table(results),
    ]
    if results.get("growth"):
        parts.append(
            "## Growth with the trips (fastest process of each size)\n\n" + growth_table(results)
        )
    if results.get("targets"):
        parts.append("## Targets\n\n" + targets_table(results))
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
