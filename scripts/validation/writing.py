"""docs/validation.md as text: the table of checks, the known limitations, the trip lengths,
the queue and location sections, the sensitivity table and the plan's definitions."""

from __future__ import annotations

import datetime as dt
import subprocess

import pandas as pd

import emob_sim

from .charging import PARKED_SHARE_TOLERANCE, PUBLIC_PARKED_MENTIONS, QUEUE_SE
from .check import ROOT, Check
from .digest import inputs_digest


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    text = f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return f"{text} {unit}".strip()


#: model definitions behind the plan's figures (no checks), written after the checks
PLAN_NOTES = [
    "## How the plan's figures are built",
    "",
    ("These are model definitions, not checks: no published figure to pass or fail against."),
    "",
    (
        '- **A simulated year** (docs/model.md, "How a year is built", '
        "`emob_sim.runner.run_year`): the scenario's day is run for 4 seasons x weekday, "
        "Saturday and Sunday (12 variants) and weighted by their days in the calendar "
        "year. Weekend trip rates: CSB Mobility Survey of Latvia Population 2017 (2.3 "
        "trips a weekend day against 2.8 on working days), split between Saturday and "
        "Sunday and with weekend work as in Germany (MiD 2017, Destatis LFS 2023; "
        "ASSUMPTION: transferred from Germany). Consumption per km follows each season's "
        "mean temperature (`data/zemgale/climate.csv`, LVĢMC 1991-2020 normals, months "
        "between interpolated: ASSUMPTION) through Geotab's range-vs-temperature findings"
        " (2020, 4,200 EVs: 54 % of the rated range at -15 °C, 100 % from 10 °C, 115 % at"
        " 21.5 °C; linear between: ASSUMPTION). Annual KPIs are day-weighted sums of the "
        "variants' runs, with their range over the seeds. `emob-sim plan` uses it unless "
        "the plan file says `year_model: false` (then `days_per_year` x the scenario's "
        "one weekday)."
    ),
    (
        "- **CO2 avoided** (`emob_sim.analysis.co2.co2_balance`, one definition for run, "
        "compare, plan and app): the petrol counterfactual of the trips as planned (the "
        "electric cars' completed trips at their planned km, detours to chargers earning "
        "no credit, plus the car km the shifted e-bike trips replace) x "
        "`emissions.petrol_car_kg_per_km`, minus the electricity the cars and shifted "
        "e-bike trips used (detours included; no charging losses are modelled: "
        "ASSUMPTION) x `emissions.grid_kg_per_kwh`. A stranded trip and the rest of its "
        "day earn no credit (ASSUMPTION: made by another means that emits as a petrol "
        "car)."
    ),
    (
        "- **Adoption that answers chargers** (`emob_sim.plan.adoption`, optional "
        "`adoption_response` of a plan file): an option's EV share = the path's share x "
        "(1 + elasticity x the relative change of public car charge points per 1,000 "
        "residents against the first option's in the same year), at most the path's share"
        " x (1 + `max_uplift`). The shipped plan uses an elasticity of 0.35: Ma, He, "
        "Kaljevic & Ma (2024, arXiv 2405.17702), Los Angeles County, a 1 % increase in "
        "public charging stations goes with 0.35 % more EV sales. Higher estimates exist "
        "(Huang 2023, 1,800 Californian ZIP codes 2010-2021: 0.7-1.1 %; Li, Tong, Xing & "
        "Zhou 2017, JAERE 4(1), 353 US metro areas 2011-2013, find the effect on the EV "
        "demand side). ASSUMPTION: a US elasticity of sales transferred to Latvia and "
        "applied to the fleet's share; `max_uplift` 0.5 (ASSUMPTION). The response scales"
        " the residents' electric cars' CO2 (not simulated again: the added cars' queues "
        "are not in the figures); `plan_summary.csv` holds CO2 with (`*_response_*`) and "
        "without it. An elasticity of 0 gives the figures without it exactly "
        "(tests/plan/test_adoption.py)."
    ),
]


def table(frame: pd.DataFrame) -> list[str]:
    def cell(v) -> str:
        return f"{v:.4f}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return lines


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def known_limitations(checks: list[Check]) -> list[str]:
    lines = ["## Known limitations", ""]
    for c in checks:
        if c.known_gap is None:
            continue
        gap = c.model - c.expected
        lines.append(
            f"- **{c.section}: {c.name}**: the model has {fmt(c.model, c.unit)} against a "
            f"published {fmt(c.expected, c.unit)}, {fmt(abs(gap), c.unit)} "
            f"({abs(gap) / c.expected:.0%}) {'short' if gap < 0 else 'long'}, beyond the "
            f"tolerance of {fmt(c.tolerance, c.unit)}. {c.why} Accepted up to a gap of "
            f"{fmt(c.known_gap, c.unit)} (`KNOWN_GAP_KM` in scripts/validation/demand.py; the "
            "test fails beyond it)."
        )
    return [*lines, ""] if len(lines) > 2 else []


def location_section(loc: dict, ac_sites: int, dc_sites: int) -> list[str]:
    shares, energy = loc["shares"], loc["energy_kwh"]
    rows = [
        f"| {name.replace('_', ' ')} | {energy[name]:,.0f} kWh | {shares[name]:.1%} |"
        for name in shares.index
    ]
    parked, on_way = PUBLIC_PARKED_MENTIONS
    return [
        "## Public charging energy by location",
        "",
        f"The {loc['days']}-day default run ({ac_sites} public AC and {dc_sites} DC car "
        f"sites, the Rīga aggregate included), {loc['total_kwh']:,.0f} kWh of public car "
        "charging:",
        "",
        "| location | energy | share |",
        "|---|---|---|",
        *rows,
        "",
        "Compared: the share of the **public** car charging energy delivered where cars park "
        "(destination and overnight near home) against the share of parked places among the "
        "public places where European EV drivers say they charge regularly (EVBox Mobility "
        f"Monitor: public parking 31 %, supermarkets 26 %, fuel stations 29 %; {parked} / "
        f"{parked + on_way}). Home and workplace charging are left out on both sides. No "
        "published European breakdown of public charging *energy* by location type was "
        "found (searched: the European Alternative Fuels Observatory, ICCT, Transport & "
        "Environment, NOW GmbH's 'Ladeinfrastruktur nach 2025/2030'); the survey counts "
        "drivers, several answers each, so it is a proxy, and the tolerance "
        f"({PARKED_SHARE_TOLERANCE}) is wide (ASSUMPTION, see `PARKED_SHARE_TOLERANCE`). "
        "A FAIL here means the default's public energy is far more en route than the survey "
        "suggests: the default layout has few AC sites (today's known chargers), so most "
        "parked cars find none in their zone. What would change it: AC sites where cars "
        "park (the centres layout, `configs/zemgale/layout_centres.yaml`), a larger share "
        "of cars without home charging, or a measured European energy split to compare "
        "with. No parameter was tuned to pass.",
        "",
    ]


def markdown(checks: list[Check], extra: dict, sens: pd.DataFrame | None) -> str:
    lines = [
        "# Validation of the default scenario",
        "",
        f"Generated by `python scripts/validation_report.py` on {dt.date.today()} from the code "
        f"at commit {commit()} (emob-sim {emob_sim.__version__}); do not edit by hand. Every "
        "model figure comes from runs the script makes. A check passes when the model is "
        "within the tolerance of the expected value; rows marked context have no published "
        "figure to pass or fail against; a known limitation is a gap beyond the tolerance "
        "whose size is documented below (larger, it fails). The column *used in "
        "calibration* says whether the reference set the model: such a row is a consistency "
        "check, not validation; the rows with *no* stand apart from the fitting.",
        "",
        f"Inputs digest (SHA-256): `{inputs_digest()}` (this script and its modules in "
        "scripts/validation, scripts/calibrate_demand.py, emob_sim, configs/base.yaml, "
        "data/zemgale; tests/test_validation.py fails when it no longer matches: run the "
        "script again).",
        "",
        "| section | check | model | expected | tolerance | verdict | used in calibration "
        "| source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in checks:
        lines.append(
            f"| {c.section} | {c.name} | {fmt(c.model, c.unit)} | "
            f"{fmt(c.expected, c.unit)} | {fmt(c.tolerance, c.unit)} | {c.verdict} | "
            f"{c.calibration} | {c.source} |"
        )
    lines.append("")
    lines += known_limitations(checks)
    dist = extra["demand"]["distribution"]
    lines += [
        f"## Trip lengths of the default demand ({extra['demand']['trips']:,} trips "
        "of resident cars, one day)",
        "",
        "| length | share of trips |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v:.1%} |" for k, v in dist.items()]
    lines += [
        "",
        "No Latvian distribution of car trip lengths was found; for comparison, sensor data "
        "of cars in Germany, the Netherlands and Belgium put 38 % of car trips under 5 km "
        "(Transport Policy 168, 2025).",
        "",
    ]
    q = extra["queue"]
    lines += [
        "## One site in isolation",
        "",
        f"{q['sessions']:,} sessions over {q['days']:,} days at one 50 kW plug, utilisation "
        f"{q['rho']:.2f}, mean charging time {q['mean_service_min']:.1f} min. The tolerance "
        f"is {QUEUE_SE:g} standard errors of the simulated mean wait, the standard error "
        f"({q['se_min']:.2f} min) from the means of 20 consecutive batches of sessions; the "
        "number of days is chosen so that the tolerance is under 10 % of the expected wait.",
        "",
    ]
    lines += location_section(extra["location"], *extra["site_kinds"])
    if sens is not None:
        lines += [
            "## Sensitivity of the headline results",
            "",
            "The gravity model refitted with one fact at each end of its tolerance "
            "(scripts/calibrate_demand.py), the default run with each fit; mean ± "
            "standard deviation over the seeds.",
            "",
            *table(sens),
            "",
        ]
    lines += [*PLAN_NOTES, ""]
    return "\n".join(lines) + "\n"
