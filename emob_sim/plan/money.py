"""Money and CO2 over a plan's life (``plan_summary.csv``).

Per adoption path, option and horizon year, in both scopes (``_area``: the planning area's own
sites and its residents' trips; ``_total``: everything simulated, through traffic and the
aggregate Rīga site included; the columns of :mod:`emob_sim.runner.compare`):

- **CAPEX in the year each site is built.** A horizon year pays for what its layout adds to
  the layouts before it (today's chargers, then the option's earlier horizon years): a new
  site its full cost, a site already built only its added plugs (sites compared by
  ``site_id`` and plug count, :func:`emob_sim.placement.costs.site_costs`); a site kept from
  an earlier year is not paid again. External sites cost nothing, so money is the same in
  both scopes.
- **OPEX per year** of every plug in service: a horizon year's layout is in service from that
  year until the next horizon year (the last for itself alone).
- **NPV** (``npv_cost_eur``) = CAPEX + OPEX of each calendar year from the first horizon year
  to this one, discounted to the first year at the plan's ``discount_rate``:
  ``cost_t / (1 + rate) ** (t - first year)``.
- **CO2 and stranded trips** per year = the simulated days' mean x the days of a year, per
  seed: the runs hold a mean day of the simulated year (``year_model``, the days of its
  calendar year) or the scenario's one day (``days_per_year`` of them). A horizon year's
  figures stand for every year until the next one, and the cumulative
  figures add them up to this year. Tonnes of CO2 are *not* discounted (a tonne avoided in
  2030 counts as one avoided in 2024); money is.
- **Against the baseline** (the first option), on the same seeds (paired: the same demand):
  ``extra_npv_cost_eur`` and the cost per tonne of CO2 avoided = extra NPV / extra cumulative
  tonnes (per stranded trip avoided likewise), as the mean and its range over the seeds
  (``_low``, ``_high``: extra NPV / each seed's difference). The text column
  (``cost_per_t_co2_avoided_area``, ...) is what people read: the figure with its range, or
  ``within noise`` when the seeds disagree on the sign of the difference (its range over the
  seeds includes 0), ``no difference``, ``baseline`` or ``less than the baseline``; the
  numbers are then empty. A negative figure means the option costs less and avoids more.
- **With the adoption response** (:mod:`emob_sim.plan.adoption`): the columns ``..._response_``
  hold the CO2 figures and the cost per tonne with each option's EV share answering its
  chargers; without a response in the plan file they equal the ones without.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from emob_sim.config import Scenario
from emob_sim.placement import site_costs
from emob_sim.placement.costs import built_plugs
from emob_sim.plan.config import Plan

__all__ = ["plan_summary", "SUMMARY_COLUMNS", "SCOPES", "layout_costs"]

SCOPES = ("area", "total")
_RATIOS = ("cost_per_t_co2_avoided", "cost_per_stranded_trip_avoided")
#: the CO2 figures with the adoption response (:mod:`emob_sim.plan.adoption`)
_RESPONSE = [
    "co2_avoided_t_response_per_year",
    "cumulative_co2_avoided_t_response",
    "cost_per_t_co2_avoided_response_eur",
]
_PER_SCOPE = [
    "capex_eur",
    "opex_eur_per_year",
    "npv_cost_eur",
    "co2_avoided_t_per_year",
    "cumulative_co2_avoided_t",
    "trips_stranded_per_year",
    "cumulative_trips_stranded",
    "extra_npv_cost_eur",
    *(f"{r}_eur" for r in _RATIOS),
]
#: plan_summary.csv: every figure per scope, the seed ranges (``_low``, ``_high``) and the text
SUMMARY_COLUMNS = [
    "path",
    "option",
    "year",
    *(f"{key}_{scope}" for key in _PER_SCOPE for scope in SCOPES),
    *(
        f"{key}_{scope}_{end}"
        for key in (
            "cumulative_co2_avoided_t",
            "cumulative_trips_stranded",
            *(f"{r}_eur" for r in _RATIOS),
        )
        for scope in SCOPES
        for end in ("low", "high")
    ),
    *(f"{r}_{scope}" for r in _RATIOS for scope in SCOPES),
    *(f"{key}_{scope}" for key in _RESPONSE for scope in SCOPES),
    *(
        f"{key}_{scope}_{end}"
        for key in ("cumulative_co2_avoided_t_response", "cost_per_t_co2_avoided_response_eur")
        for scope in SCOPES
        for end in ("low", "high")
    ),
    *(f"cost_per_t_co2_avoided_response_{scope}" for scope in SCOPES),
]


def layout_costs(
    sites: Mapping[int, pd.DataFrame], *, plan: Plan, path: str, option: str
) -> pd.DataFrame:
    """Per horizon year of one option: CAPEX spent that year and OPEX per year, per scope.

    ``sites`` maps each horizon year to the option's site table (``site_id``, ``plugs``,
    ``power_kw``) on this adoption path.

    Parameters
    ----------
    sites : Mapping[int, pandas.DataFrame]
        Horizon year -> the option's site table that year.
    plan : Plan
        The plan (years, the cases' scenarios with their cost settings).
    path : str
        The adoption path.
    option : str
        The option's name.

    Returns
    -------
    pandas.DataFrame
        One row per horizon year: ``year``, ``capex_eur_<scope>`` (EUR spent that year) and
        ``opex_eur_per_year_<scope>`` (EUR a year) for each scope.
    """
    rows, built = [], None
    for year in plan.config.years:
        scenario = _scenario(plan, path, year, option)
        if built is None:
            built = dict(built_plugs(scenario))
        table = sites[year].reset_index(drop=True)
        costs = site_costs(table, scenario, built=built)
        capex, opex = float(costs["capex_eur"].sum()), float(costs["opex_eur_per_year"].sum())
        rows.append(
            {
                "year": year,
                **{f"capex_eur_{s}": capex for s in SCOPES},
                **{f"opex_eur_per_year_{s}": opex for s in SCOPES},
            }
        )
        for site_id, plugs in zip(table["site_id"].astype(str), table["plugs"].astype(int)):
            built[site_id] = max(built.get(site_id, 0), int(plugs))
    return pd.DataFrame(rows).set_index("year")


def _scenario(plan: Plan, path: str, year: int, option: str) -> Scenario:
    """The resolved scenario of one case of the plan."""
    return next(
        c.scenario for c in plan.cases if (c.path, c.year, c.option) == (path, year, option)
    )


def _in_service(years: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Calendar years of the plan and, for each, the index of the horizon year in force."""
    calendar = np.arange(years[0], years[-1] + 1)
    return calendar, np.searchsorted(years, calendar, side="right") - 1


def _verdict(extra: float, diff: np.ndarray, less: str) -> tuple[float, float, float, str]:
    """Ratio extra / mean difference, its range over the seeds, and the text people read."""
    nan = float("nan")
    if not diff.size or np.all(diff == 0):
        return nan, nan, nan, "no difference"
    if diff.min() <= 0 <= diff.max():
        return nan, nan, nan, "within noise"
    if diff.max() < 0:
        return nan, nan, nan, less
    per_seed = extra / diff
    ratio, low, high = extra / diff.mean(), float(per_seed.min()), float(per_seed.max())
    text = f"{ratio:,.0f} EUR ({low:,.0f} to {high:,.0f})"
    return float(ratio), low, high, text


def plan_summary(
    runs: pd.DataFrame, plan: Plan, *, sites: Mapping[tuple[str, int, str], pd.DataFrame]
) -> pd.DataFrame:
    """Money, CO2 and stranded trips over the plan's life, against the baseline (module
    docstring; :data:`SUMMARY_COLUMNS`).

    Parameters
    ----------
    runs
        One row per path, year, seed and option (the plan's ``runs`` table).
    plan
        The plan (years, ``days_per_year``, ``discount_rate``, the cases' scenarios).
    sites
        (path, year, option) -> that layout's site table.

    Returns
    -------
    pandas.DataFrame
        One row per adoption path, option and year, columns :data:`SUMMARY_COLUMNS`.
    """
    cfg = plan.config
    years, per_year = cfg.years, plan.days_a_year
    rate = float(cfg.discount_rate.value)
    calendar, horizon = _in_service(years)
    discount = (1.0 + rate) ** -(calendar - years[0]).astype(float)
    built_in = np.isin(calendar, years)
    seeds = sorted(runs["seed"].unique())
    out, per_seed = [], {}
    for path in cfg.adoption:
        for option in (o.name for o in cfg.options):
            money = layout_costs(
                {y: sites[(path, y, option)] for y in years}, plan=plan, path=path, option=option
            )
            part = runs[(runs["path"] == path) & (runs["option"] == option)]
            days = np.array([_scenario(plan, path, y, option).time.days for y in years], float)
            row = {"path": [path] * len(years), "option": option, "year": years}
            for scope in SCOPES:
                capex = money[f"capex_eur_{scope}"].reindex(years).to_numpy(float)
                opex = money[f"opex_eur_per_year_{scope}"].reindex(years).to_numpy(float)
                cost_t = np.where(built_in, capex[horizon], 0.0) + opex[horizon]
                npv = np.cumsum(cost_t * discount)[np.searchsorted(calendar, years)]
                row |= {
                    f"capex_eur_{scope}": capex,
                    f"opex_eur_per_year_{scope}": opex,
                    f"npv_cost_eur_{scope}": npv,
                }
                for column, name, scale in (
                    (f"co2_avoided_kg_{scope}", "co2_avoided_t", 1000.0),
                    (f"trips_stranded_{scope}", "trips_stranded", 1.0),
                    (f"co2_avoided_kg_{scope}_response", "co2_avoided_t_response", 1000.0),
                ):
                    if column not in part:  # runs without the response columns
                        part = part.assign(**{column: part[f"co2_avoided_kg_{scope}"]})
                    wide = part.pivot(index="year", columns="seed", values=column)
                    annual = wide.reindex(index=years, columns=seeds).to_numpy(float)
                    annual = annual / days[:, None] * per_year / scale
                    cumulative = np.cumsum(annual[horizon], axis=0)[
                        np.searchsorted(calendar, years)
                    ]
                    per_seed[(path, option, scope, name)] = cumulative
                    row |= {
                        f"{name}_per_year_{scope}": annual.mean(axis=1),
                        f"cumulative_{name}_{scope}": cumulative.mean(axis=1),
                        f"cumulative_{name}_{scope}_low": cumulative.min(axis=1),
                        f"cumulative_{name}_{scope}_high": cumulative.max(axis=1),
                    }
            out.append(pd.DataFrame(row))
    summary = pd.concat(out, ignore_index=True)
    return _against_baseline(summary, plan, per_seed)[SUMMARY_COLUMNS]


def _against_baseline(summary: pd.DataFrame, plan: Plan, per_seed: dict) -> pd.DataFrame:
    """The extra NPV and the costs per tonne and per stranded trip avoided, per scope."""
    base, years = plan.baseline, plan.config.years
    summary = summary.copy()
    npv = summary.set_index(["path", "option", "year"])
    for scope in SCOPES:
        cols: dict[str, list] = {}
        for r in summary.itertuples(index=False):
            i = years.index(r.year)
            extra = float(
                npv.loc[(r.path, r.option, r.year), f"npv_cost_eur_{scope}"]
                - npv.loc[(r.path, base, r.year), f"npv_cost_eur_{scope}"]
            )
            cols.setdefault("extra", []).append(extra)
            co2 = (
                per_seed[(r.path, r.option, scope, "co2_avoided_t")][i]
                - per_seed[(r.path, base, scope, "co2_avoided_t")][i]
            )
            fewer = (
                per_seed[(r.path, base, scope, "trips_stranded")][i]
                - per_seed[(r.path, r.option, scope, "trips_stranded")][i]
            )
            co2_response = (
                per_seed[(r.path, r.option, scope, "co2_avoided_t_response")][i]
                - per_seed[(r.path, base, scope, "co2_avoided_t_response")][i]
            )
            for name, diff, less in (
                ("cost_per_t_co2_avoided", co2, "less CO2 avoided than the baseline"),
                ("cost_per_stranded_trip_avoided", fewer, "more stranded than the baseline"),
                (
                    "cost_per_t_co2_avoided_response",
                    co2_response,
                    "less CO2 avoided than the baseline",
                ),
            ):
                values = (
                    _verdict(extra, diff, less)
                    if r.option != base
                    else (np.nan, np.nan, np.nan, "baseline")
                )
                for end, v in zip(("", "_low", "_high", "text"), values):
                    cols.setdefault(f"{name}{end}", []).append(v)
        summary[f"extra_npv_cost_eur_{scope}"] = cols["extra"]
        for name in (*_RATIOS, "cost_per_t_co2_avoided_response"):
            summary[f"{name}_eur_{scope}"] = cols[name]
            summary[f"{name}_eur_{scope}_low"] = cols[f"{name}_low"]
            summary[f"{name}_eur_{scope}_high"] = cols[f"{name}_high"]
            summary[f"{name}_{scope}"] = cols[f"{name}text"]
    return summary
