"""Measure one section of the suite again, alone, into the recorded results.

``python -m benchmarks --only site_year`` runs one self-contained measurement of the suite (the
workplace week or the site's year: seconds each) in a fresh process, exactly as a full run
does, and puts it into the existing ``results.json`` of the results folder, stamped as measured
alone (when, the command, the load average at its start); the report is rendered again from
that file and the hand-measured results (:mod:`benchmarks.manual`). Nothing else of the
recorded suite run changes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from benchmarks import runner
from benchmarks.report import write_results
from emob_sim.errors import ConfigError

__all__ = ["SECTIONS", "run_section"]

#: the sections that can be measured alone: results key -> what runs it (as in run_suite)
SECTIONS: dict[str, Callable[[], dict]] = {
    "workplace": runner.run_workplace,
    "site_year": runner.run_site_year,
}


def run_section(
    name: str,
    *,
    out_dir: str | Path,
    isolate: bool = True,
    overwrite: bool = True,
) -> dict:
    """Measure section ``name`` alone and write it into ``out_dir``'s results.

    Parameters
    ----------
    name
        One of :data:`SECTIONS`.
    out_dir
        A results folder written by a suite run (its ``results.json`` is read and replaced).
    isolate
        Measure in a fresh process, as the suite does.
    overwrite
        Replace ``out_dir`` (a bench folder holding only the files of its manifest, as
        :func:`benchmarks.report.write_results` checks): on, since updating it is the point.

    Returns
    -------
    dict
        The whole results, the section replaced (when the measurement failed: its error, and
        nothing written).

    Raises
    ------
    ConfigError
        ``name`` is not a section, or ``out_dir`` holds no ``results.json`` of a suite run.
    """
    from benchmarks.suite import _measure

    if name not in SECTIONS:
        raise ConfigError(f"--only: expected one of {', '.join(SECTIONS)}, got {name!r}")
    source = Path(out_dir) / "results.json"
    try:
        results = json.loads(source.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError) as exc:
        raise ConfigError(
            f"{source}: expected the results.json of a suite run ({type(exc).__name__})"
        ) from None
    if not isinstance(results, dict) or "machine" not in results:
        raise ConfigError(f"{source}: expected the results.json of a suite run")
    load = [round(x, 2) for x in os.getloadavg()]
    section = _measure(name, SECTIONS[name], isolate=isolate)
    if "error" in section:  # the recorded section stays as it was
        return {**results, name: section}
    section["alone"] = {
        "command": f"python -m benchmarks --only {name}",
        "load_average_at_start": load,
    }
    results[name] = section
    write_results(results, out_dir, overwrite=overwrite)
    return results
