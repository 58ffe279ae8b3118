"""Validate the default scenario against published facts and theory; write docs/validation.md.

Usage::

    python scripts/validation_report.py [--out docs/validation.md] [--fast]
    python scripts/validation_report.py --check     # exit 1 when docs/validation.md is stale

Every figure in the report comes from runs this script makes with the current code; the
report is never edited by hand. Checks, each with its source, its tolerance and whether its
reference was used in calibration (the column "used in calibration": a check whose reference
set the model is a consistency check, not validation; only the others stand apart):

1. demand: trip length and rates of the default demand against the travel facts
   (``demand.facts_file``; three are the gravity model's fitted targets, one set the chain
   shares, one is implied by them), and its trip length distribution;
2. road distances of the network between towns: those the detour factor was fitted to
   (``calibration.csv``) and published distances it was not fitted to (held out); a gap
   beyond the tolerance that is understood is a *known limitation* with its documented size
   (``KNOWN_GAP_KM``): larger, it fails;
3. the electric cars of the default against the registration statistics (a consistency
   check: ``fleet.ev_share`` was set from the same figure);
4. energy per km of the fleet against published real-world consumption;
5. one charging site in isolation against queueing theory (M/G/1, Pollaczek-Khinchine), the
   tolerance four standard errors of the simulated mean wait (batch means);
6. energy conservation on the default and on a 7-day run;
7. the split of public charging energy by location (en route / destination / overnight) of
   the 7-day default run against a published European survey of where drivers charge;
8. sensitivity of the headline results to the calibrated parameters, refitted at the ends of
   the facts' tolerances (a small sweep with :func:`emob_sim.batch.sweep`).

``--fast`` runs checks 1-7 with smaller samples and skips the sweep (what the tests run).
A failed check is reported, not hidden: the script still writes the report and exits 0.

The checks live in the package scripts/validation/, one module per kind (imported with
scripts/ on the path, as running this file puts it there): ``check`` (the record of a
check), ``demand`` (checks 1-3), ``energy`` (4 and 6), ``charging`` (5 and 7),
``sensitivity`` (8), ``writing`` (the report's text) and ``digest`` (below). This script
runs them and writes the report.

Staleness: the report states the SHA-256 of everything its figures depend on (this
script, every module of scripts/validation/, scripts/calibrate_demand.py, every module of
emob_sim, configs/base.yaml and the files of data/zemgale; ``validation.digest``), so a
change to any of the checks' modules makes the committed report stale. ``--check`` and
tests/test_validation.py compare it with the digest of the working tree, so the test suite
(which CI runs) fails when the committed report no longer comes from the current code and
data; the fix is to run this script again. A digest was chosen over regenerating and
comparing numbers in the test: the full report takes minutes (the sensitivity sweep), the
fast subset's samples differ from the full report's, and a digest is exact and takes
milliseconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from validation import charging, demand, digest, energy
from validation.check import ROOT, Check
from validation.sensitivity import sensitivity
from validation.writing import fmt, markdown

from emob_sim.config import load_scenario
from emob_sim.region import build_region

OUT = ROOT / "docs" / "validation.md"


def collect(*, fast: bool) -> tuple[list[Check], dict]:
    """Run checks 1-7 (``fast``: the demand on 5 % electric cars instead of 20 %, the queue
    over 1,500 days instead of 3,000)."""
    scenario = load_scenario()
    region = build_region(scenario)
    checks, extra = [], {}
    demand_rows, extra["demand"] = demand.demand_checks(
        scenario, region, ev_share=0.05 if fast else 0.2
    )
    checks += demand_rows
    checks += demand.distance_checks(scenario, region)
    checks += demand.fleet_checks(scenario, region)
    checks += energy.consumption_check(scenario)
    queue_rows, extra["queue"] = charging.queue_check(days=1500 if fast else 3000, rho=0.7)
    checks += queue_rows
    rows, runs = energy.conservation_checks((1, 7))
    checks += rows
    external = list(scenario.placement.external_site_ids)
    rows, extra["location"] = charging.location_checks(runs[7], days=7, external=external)
    checks += rows
    kinds = region.sites["kind"].value_counts()
    extra["site_kinds"] = (int(kinds.get("car_ac", 0)), int(kinds.get("car_dc", 0)))
    return checks, extra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--fast", action="store_true", help="smaller samples, no sweep")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the report's inputs digest is stale"
    )
    args = parser.parse_args(argv)
    if args.check:
        stated = digest.report_digest(args.out.read_text(encoding="utf-8"))
        if stated != digest.inputs_digest():
            print(f"{args.out} is stale: run python scripts/validation_report.py")
            return 1
        print(f"{args.out} is up to date")
        return 0
    checks, extra = collect(fast=args.fast)
    sens = None
    if not args.fast:
        with tempfile.TemporaryDirectory(prefix="emob-validation-") as tmp:
            sens = sensitivity(Path(tmp), seeds=3)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown(checks, extra, sens), encoding="utf-8")
    failed = [c for c in checks if c.verdict == "FAIL"]
    for c in checks:
        print(
            f"[{c.verdict}] {c.section}: {c.name}: {fmt(c.model, c.unit)}"
            f" (expected {fmt(c.expected, c.unit)})"
        )
    print(f"written to {args.out}; {len(failed)} of {len(checks)} checks failed (see the report)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
