"""Measurements taken by hand, kept in ``benchmarks/manual.json`` and merged into every report.

Some measurements do not fit in a suite run: the shipped plan on a simulated year takes about
two minutes on its own, and a before/after comparison needs two commits. They are recorded by
hand in ``benchmarks/manual.json`` (each with its date, machine, command and table), and
:func:`benchmarks.report.write_results` copies them into ``results.json`` and renders them in
``results.md``, so that a full suite run, which rewrites both, never drops them.

The file lives beside the suite, not in ``benchmarks/results/``: that folder is written whole
by each full run (a bench output folder holding only the files its manifest lists), so a file
kept there by hand would be refused or replaced.
"""

from __future__ import annotations

import json
from pathlib import Path

from emob_sim.errors import ConfigError

__all__ = ["MANUAL_FILE", "load_manual", "manual_markdown"]

#: the hand-measured results merged into every report
MANUAL_FILE = Path(__file__).resolve().parent / "manual.json"

_REQUIRED = ("id", "title", "measured", "machine", "command", "method", "header", "rows")


def _check(entry: object, k: int, path: Path) -> dict:
    """One measurement of the file, or a one-line error naming what is wrong."""
    where = f"{path}: measurements[{k}]"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected an object, got {type(entry).__name__}")
    missing = [key for key in _REQUIRED if key not in entry]
    if missing:
        expected = ", ".join(_REQUIRED)
        raise ConfigError(f"{where}: missing {', '.join(missing)} (expected {expected})")
    header, rows = entry["header"], entry["rows"]
    if not isinstance(header, list) or not header:
        raise ConfigError(f"{where}.header: expected a list of column names, got {header!r}")
    if not isinstance(rows, list) or not rows:
        raise ConfigError(f"{where}.rows: expected a list of rows, got {rows!r}")
    for j, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(header):
            raise ConfigError(
                f"{where}.rows[{j}]: expected a list of {len(header)} cells (the header's), "
                f"got {row!r}"
            )
    return entry


def load_manual(path: str | Path = MANUAL_FILE) -> list[dict]:
    """The hand-measured results of ``path`` (``benchmarks/manual.json``), checked.

    Parameters
    ----------
    path
        A JSON file ``{"measurements": [...]}``; each measurement has ``id``, ``title``,
        ``measured`` (date and time, UTC), ``machine``, ``command`` (what was run), ``method``
        (how it was measured), ``header`` and ``rows`` (the table, as text cells) and optionally
        ``notes``.

    Returns
    -------
    list of dict
        The measurements in the file's order.

    Raises
    ------
    ConfigError
        The file is missing, is not JSON, or a measurement lacks a field or has a row of the
        wrong length; one line names the file and the field.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (expected the hand-measured results)") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not JSON ({exc})") from None
    entries = data.get("measurements") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ConfigError(f'{path}: expected an object with a list "measurements"')
    checked = [_check(entry, k, path) for k, entry in enumerate(entries)]
    ids = [entry["id"] for entry in checked]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ConfigError(f"{path}: measurement id {twice[0]!r} appears twice (ids are unique)")
    return checked


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def manual_markdown(entries: list[dict]) -> list[str]:
    """One Markdown section per hand-measured result (title, how, table, notes).

    Parameters
    ----------
    entries
        Measurements as :func:`load_manual` returns them.

    Returns
    -------
    list of str
        The sections, each starting ``## Measured by hand: <title>``.
    """
    parts = []
    for e in entries:
        text = [
            f"## Measured by hand: {e['title']}",
            f"Measured {e['measured']} on {e['machine']}. Command: {e['command']}.",
            e["method"],
            _table(e["header"], e["rows"]),
        ]
        if e.get("notes"):
            text.append(e["notes"])
        parts.append("\n\n".join(text))
    return parts
