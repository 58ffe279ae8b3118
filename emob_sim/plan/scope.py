"""A plan's tables restricted to one municipality (``emob-sim plan --municipality``).

With ``--municipality`` every table of the plan folder is that municipality's:

``plan.csv``
    per path, option, year and municipal KPI (the columns of ``municipalities.csv``): mean,
    standard deviation, minimum and maximum over the seeds, and the seeds.
``plan_summary.csv``
    per path, option and year (:data:`MUNICIPAL_SUMMARY_COLUMNS`): the sites and plugs on its
    territory, the CAPEX spent that year on them (what their cost to build grew by since the
    horizon year before), their OPEX a year, the NPV of both from the first year (discounted
    at the plan's rate, as :mod:`emob_sim.plan.money`), and a year of its residents' stranded
    trips and of the CO2 their electric cars avoid (mean and range over the seeds).
``plan_runs.csv``, ``municipalities.csv``
    its rows of the municipality table, one per path, year, seed and option.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emob_sim.plan.run import PlanResult, plan_table

__all__ = ["municipal_tables", "MUNICIPAL_SUMMARY_COLUMNS"]

MUNICIPAL_SUMMARY_COLUMNS = [
    "path",
    "option",
    "year",
    "municipality",
    "sites",
    "plugs",
    "capex_eur",
    "opex_eur_per_year",
    "npv_cost_eur",
    "trips_stranded_per_year",
    "co2_avoided_cars_t_per_year",
    "co2_avoided_cars_t_per_year_low",
    "co2_avoided_cars_t_per_year_high",
]


def _money(result: PlanResult, option: str, municipality: str) -> pd.DataFrame:
    """Per horizon year: sites, plugs, CAPEX spent that year, OPEX a year, NPV so far."""
    cfg = result.plan.config
    years = cfg.years
    rows, before = [], 0.0
    for year in years:
        t = result.sites[(year, option)]
        t = t[t["municipality"] == municipality]
        capex = float(t["capex_eur"].sum())
        rows.append(
            {
                "year": year,
                "sites": len(t),
                "plugs": int(t["plugs"].sum()),
                "capex_eur": max(capex - before, 0.0),
                "opex_eur_per_year": float(t["opex_eur_per_year"].sum()),
            }
        )
        before = max(before, capex)
    money = pd.DataFrame(rows)
    calendar = np.arange(years[0], years[-1] + 1)
    horizon = np.searchsorted(years, calendar, side="right") - 1
    rate = float(cfg.discount_rate.value)
    discount = (1.0 + rate) ** -(calendar - years[0]).astype(float)
    built = np.isin(calendar, years)
    cost = np.where(built, money["capex_eur"].to_numpy()[horizon], 0.0)
    cost = cost + money["opex_eur_per_year"].to_numpy()[horizon]
    money["npv_cost_eur"] = np.cumsum(cost * discount)[np.searchsorted(calendar, years)]
    return money


def municipal_tables(result: PlanResult, municipality: str) -> dict[str, pd.DataFrame]:
    """File name -> the table of the plan folder restricted to ``municipality``."""
    cfg = result.plan.config
    per_year = float(cfg.days_per_year.value)
    m = result.municipalities
    mine = m[m["municipality"] == municipality].reset_index(drop=True)
    keys = ["path", "year", "seed", "option"]
    runs = mine[[*keys, *[c for c in mine.columns if c not in keys]]]
    long = plan_table(runs.drop(columns=["municipality"]))
    rows = []
    for path in cfg.adoption:
        for option in (o.name for o in cfg.options):
            money = _money(result, option, municipality).set_index("year")
            for year in cfg.years:
                part = mine[
                    (mine["path"] == path) & (mine["option"] == option) & (mine["year"] == year)
                ]
                days = next(
                    c.scenario.time.days
                    for c in result.plan.cases
                    if (c.path, c.year, c.option) == (path, year, option)
                )
                co2 = part["co2_avoided_cars_kg"].to_numpy(float) / days * per_year / 1000.0
                rows.append(
                    {
                        "path": path,
                        "option": option,
                        "year": year,
                        "municipality": municipality,
                        **money.loc[year].to_dict(),
                        "trips_stranded_per_year": float(part["trips_stranded"].mean())
                        / days
                        * per_year,
                        "co2_avoided_cars_t_per_year": float(co2.mean()) if co2.size else np.nan,
                        "co2_avoided_cars_t_per_year_low": float(co2.min()) if co2.size else np.nan,
                        "co2_avoided_cars_t_per_year_high": float(co2.max())
                        if co2.size
                        else np.nan,
                    }
                )
    summary = pd.DataFrame(rows, columns=MUNICIPAL_SUMMARY_COLUMNS)
    summary[["sites", "plugs"]] = summary[["sites", "plugs"]].astype(int)
    return {
        "plan.csv": long,
        "plan_summary.csv": summary,
        "plan_runs.csv": runs,
        "municipalities.csv": mine,
    }
