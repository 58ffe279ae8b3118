"""``python -m benchmarks [--size full|smoke] [--out DIR] [--no-reference] [--only SECTION]``.

The one way to run the suite: it lives in a source checkout (the wheel does not ship
``benchmarks/``), so it is run from there rather than through the ``emob-sim`` command.
``--only workplace`` or ``--only site_year`` measures that one section again, alone, into the
recorded results (:mod:`benchmarks.sections`); hand-measured results are kept in
``benchmarks/manual.json`` (:mod:`benchmarks.manual`) and merged into every report.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from benchmarks import RESULTS_DIR, main_table, run_suite
from benchmarks.report import check_results_dir
from benchmarks.sections import SECTIONS, run_section
from emob_sim.errors import EmobSimError


def _only(name: str, out: str | Path) -> int:
    """``--only NAME``: one section measured again into the results of ``out``."""
    try:
        check_results_dir(out, overwrite=True)
        results = run_section(name, out_dir=out)
    except EmobSimError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    section = results.get(name, {})
    print(f"{name}: measured {section.get('measured', '?')}; results written to {out}")
    return 1 if "error" in section else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--size", choices=["full", "smoke"], default="full")
    parser.add_argument(
        "--out",
        default=None,
        help=f"results folder (default: {RESULTS_DIR} for full runs, none for smoke)",
    )
    parser.add_argument("--no-reference", action="store_true", help="skip the plain reference")
    parser.add_argument(
        "--only",
        choices=sorted(SECTIONS),
        default=None,
        help="measure this section again, alone, into the results folder's results.json",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    out = args.out if args.out is not None else (RESULTS_DIR if args.size == "full" else None)
    if args.only is not None:
        return _only(args.only, RESULTS_DIR if args.out is None else args.out)
    try:
        if out is not None:
            check_results_dir(out)  # before the minutes of the suite, not after them
        results = run_suite(
            size=args.size,
            out_dir=out,
            reference=not args.no_reference,
            progress=lambda msg: print(f"... {msg}", file=sys.stderr, flush=True),
        )
    except EmobSimError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(main_table(results))
    for t in results["targets"]:
        print(f"[{'met' if t['met'] else 'NOT met'}] {t['target']}: {t['value']}")
    if out is not None:
        print(f"results written to {out}/results.md and results.json")
    failed = [w for w in results["workloads"] if "error" in w or "error" in w.get("project", {})]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
