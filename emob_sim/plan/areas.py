"""The plan report's "Industrial areas" section: per adoption path, the area scorecard
(:func:`emob_sim.analysis.money.scorecard`, its total as the runs' ``areas_scorecard_*``
columns, :func:`emob_sim.analysis.flat_kpis`) of each option in the last year, with ranges
over the seeds. Only for plans whose runs include energy sites.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from emob_sim.display import header_of, label_of
from emob_sim.plan.markup import keep, section, table
from emob_sim.plan.run import PlanResult
from emob_sim.plan.tables import _options, _spread

__all__ = ["AREA_COLUMNS", "has_areas", "area_table", "areas_section"]

#: the scorecard columns of the runs in the table: (column, header unit, scale of the value)
AREA_COLUMNS = [
    ("areas_scorecard_renewable_share", "%", 100.0),
    ("areas_scorecard_co2_kg_per_employee_year", "kg", 1.0),
    ("areas_scorecard_peak_reduction_kw", "kW", 1.0),
    ("areas_scorecard_peak_reduction_share", "%", 100.0),
    ("areas_scorecard_annual_cost_eur_per_year", "EUR", 1.0),
    ("areas_scorecard_npv_eur", "EUR", 1.0),
    ("areas_scorecard_simple_payback_years", "years", 1.0),
]


def has_areas(result: PlanResult) -> bool:
    """Whether the plan's runs include energy sites (their scorecard columns)."""
    return any(c.startswith("areas_scorecard_") for c in result.runs.columns)


def _values(result: PlanResult, path: str, year: int, option: str, key: str) -> np.ndarray:
    """A scorecard column of one case per seed (already a year's figure: not divided by days;
    a missing value, e.g. no payback, is NaN)."""
    runs = result.runs
    part = runs[(runs["path"] == path) & (runs["year"] == year) & (runs["option"] == option)]
    part = part.sort_values("seed")
    if key not in part:
        return np.array([], dtype=float)

    return pd.to_numeric(part[key], errors="coerce").to_numpy(float)


def area_table(result: PlanResult, path: str) -> pd.DataFrame:
    """Per option in the last year: renewable share, CO2 per employee and year, peak reduction
    (kW and %), annual cost, NPV and simple payback of the plan's energy sites together (the
    scorecard's total), each the mean over the seeds with its range."""
    last = result.plan.config.years[-1]
    rows = []
    for option in _options(result):
        row = {"Year": last, header_of("option"): option}
        for key, unit, scale in AREA_COLUMNS:
            head = f"{label_of(key.removeprefix('areas_scorecard_'))} ({unit})"
            if head in row:  # peak reduction in kW and in %
                head = f"{label_of(key.removeprefix('areas_scorecard_'))} ({unit} of the reference)"
            row[head] = _spread(_values(result, path, last, option, key) * scale)
        rows.append(row)
    return pd.DataFrame(rows)


def areas_section(result: PlanResult) -> list[str]:
    """The "Industrial areas" section (empty when the runs have no energy sites)."""
    if not has_areas(result):
        return []
    cfg = result.plan.config
    money = (
        "Money, energy and CO2 are a year's: twelve representative months of each site, the "
        "simulated days' cars under each month's own solar power and site load, weighted by "
        "the month's days, the capacity charge on each month's peak."
    )
    if cfg.year_model:
        money += (
            " Under the simulated year each variant (day type x period) has such a year with "
            "its own cars; the figures are their means weighted by the days each stands for, "
            "the peaks the largest, and the shares, peak reduction and payback are computed "
            "from those figures."
        )
    head = [
        "<h2>Industrial areas</h2>",
        "<p>The energy sites (industrial areas and their car parks) of each option in "
        f"{cfg.years[-1]}, all sites together: the share of the energy used (site load and "
        "cars) that came from their own solar power, the CO2 of their grid electricity per "
        "employee, the peak grid import saved against the same sites without PV, battery or "
        "smart charging, the annual cost (energy bill, OPEX, CAPEX annuity), the NPV of PV and "
        f"battery and their simple payback. {money} Each figure is the mean over the seeds "
        "with its range (a dash: no payback, or no employees).</p>",
    ]
    out = [
        keep(
            f"<h3>{html.escape(p.capitalize())} adoption path</h3>",
            table(area_table(result, p)),
        )
        for p in cfg.adoption
    ]
    return section(head, out)
