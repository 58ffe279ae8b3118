"""Fit the gravity model of the default scenario to the published travel facts.

Usage::

    python scripts/calibrate_demand.py [--write]

Reads the facts named by ``demand.facts_file`` of the default scenario
(``data/zemgale/travel_facts.csv``: value, tolerance and source of each figure) and fits
three parameters of ``demand:`` in ``configs/base.yaml``:

- ``work_gravity_beta_per_min`` and ``external_attraction`` (Rīga's pull) to where the
  employed residents of Jelgava city work (in Rīga, in Jelgava);
- ``gravity_beta_per_min`` (other activities) to the mean car trip length.

The fit uses the exact expected statistics of the chain model
(:mod:`emob_sim.demand.expected`), a least-squares fit of the misses divided by each fact's
tolerance. ``--write`` replaces the block between ``# BEGIN calibrated`` and
``# END calibrated`` in ``configs/base.yaml`` with the fitted values and the figures they
match; without it the result is printed only. The defaults of ``DemandConfig`` in
``emob_sim/config/models.py`` are then set to the same values by hand
(``tests/config/test_defaults.py`` fails until they are). The chain shares (trips per car
and day) are set by hand in the config and only reported here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from emob_sim.config import load_scenario
from emob_sim.demand.chains import destination_mass
from emob_sim.demand.expected import chain_expectations
from emob_sim.demand.intrazonal import IntrazonalTrips
from emob_sim.region import build_region

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "configs" / "base.yaml"
BEGIN, END = "  # BEGIN calibrated", "  # END calibrated"
#: the zones the commuting facts are about
HOME, CAPITAL = "Jelgava", "Rīga"


def read_facts(path: Path) -> pd.DataFrame:
    return pd.read_csv(path).set_index("fact")


def model_of(scenario):
    """What the expectations need from the default scenario's region (built once)."""
    region = build_region(scenario)
    zones = region.zones.reset_index(drop=True)
    n = region.n_zones
    time_s = np.asarray(region.time_s, dtype=float)[:n, :n]
    dist_km = np.asarray(region.dist_km, dtype=float)[:n, :n]
    population = np.nan_to_num(zones["population"].to_numpy(dtype=float))
    home_weight = np.where(zones["kind"].to_numpy() == "zone", population, 0.0)
    return zones, time_s, dist_km, home_weight, IntrazonalTrips.of_zones(zones, scenario.zones)


def evaluate(scenario, model, params):
    zones, time_s, dist_km, home_weight, intrazonal = model
    beta_work, beta_other, attraction = params
    demand = scenario.demand.model_copy(
        update={
            "work_gravity_beta_per_min": beta_work,
            "gravity_beta_per_min": beta_other,
            "external_attraction": attraction,
        }
    )
    mass = destination_mass(zones, external_attraction=attraction)
    exp = chain_expectations(
        demand,
        home_weight=home_weight,
        mass=mass,
        time_s=time_s,
        dist_km=dist_km,
        intrazonal=intrazonal,
    )
    ids = list(zones["zone_id"])
    h, c = ids.index(HOME), ids.index(CAPITAL)
    return {
        "mean_car_trip_km": exp.mean_trip_km,
        "jelgava_work_in_riga_share": float(exp.work_destinations[h, c]),
        "jelgava_work_in_jelgava_share": float(exp.work_destinations[h, h]),
        "car_driver_trips_per_day": exp.trips_per_used_car_day,
        "intrazonal_share": exp.intrazonal_share,
        "km_per_car_day": exp.km_per_car_day,
    }


FITTED = ("mean_car_trip_km", "jelgava_work_in_riga_share", "jelgava_work_in_jelgava_share")


def fit(scenario, model, facts: pd.DataFrame):
    def misses(log_params):
        got = evaluate(scenario, model, np.exp(log_params))
        return [(got[f] - facts.at[f, "value"]) / facts.at[f, "tolerance"] for f in FITTED]

    d = scenario.demand
    start = np.log(
        [
            d.work_gravity_beta_per_min or d.gravity_beta_per_min,
            d.gravity_beta_per_min,
            max(d.external_attraction, 1e-3),
        ]
    )
    result = least_squares(
        misses, start, bounds=(np.log([1e-3, 1e-3, 1e-3]), np.log([1.0, 1.0, 10.0]))
    )
    params = np.exp(result.x)
    return params, evaluate(scenario, model, params)


def block(params, got, facts: pd.DataFrame) -> str:
    beta_work, beta_other, attraction = params

    def said(f, fmt):
        return f"{fmt.format(facts.at[f, 'value'])} (model {fmt.format(got[f])})"

    lines = [
        BEGIN + ": written by scripts/calibrate_demand.py from demand.facts_file; do not edit",
        "  # Fitted to: mean car trip " + said("mean_car_trip_km", "{:.1f} km") + ";",
        "  # employed Jelgava residents working in Rīga "
        + said("jelgava_work_in_riga_share", "{:.1%}")
        + ", in Jelgava "
        + said("jelgava_work_in_jelgava_share", "{:.1%}")
        + ".",
        f"  gravity_beta_per_min: {beta_other:.4f}       # other activities",
        f"  work_gravity_beta_per_min: {beta_work:.4f}  # work",
        f"  external_attraction: {attraction:.4f}        # Rīga's pull per inhabitant",
        END,
    ]
    return "\n".join(lines)


def write_block(text: str) -> None:
    config = BASE.read_text(encoding="utf-8")
    start, end = config.index(BEGIN), config.index(END)
    end = config.index("\n", end) if "\n" in config[end:] else len(config)
    BASE.write_text(config[:start] + text + config[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the result into base.yaml")
    args = parser.parse_args(argv)
    scenario = load_scenario()
    facts = read_facts(scenario.demand.facts_file)
    model = model_of(scenario)
    params, got = fit(scenario, model, facts)
    text = block(params, got, facts)
    print(text)
    for name in ("car_driver_trips_per_day", "intrazonal_share", "km_per_car_day"):
        target = facts.at[name, "value"] if name in facts.index else None
        print(f"  {name}: model {got[name]:.3f}" + (f", fact {target}" if target else ""))
    if args.write:
        write_block(text)
        print(f"written to {BASE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
