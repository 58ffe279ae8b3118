"""A simulated year: the scenario's day run once per day type and period, weighted by days.

How a year is built (``year:`` of the scenario, :class:`emob_sim.config.year.YearConfig`):
every period (season or month) x day type (weekday, Saturday, Sunday) is a *variant*, an
ordinary scenario made from the scenario with overrides (nothing in the simulation knows of
years):

- ``demand.chain_shares`` (and ``ebike.chain_shares``): the work chains times the day type's
  ``work_factor`` (the rest of those cars drive the same chain with an other activity:
  HWH -> HOH, HWOH -> HOOH, HWHOH -> HOHOH), then every chain times its ``trip_factor``;
- ``fleet.vehicle_types[*].consumption_kwh_per_km`` times ``range(reference_temp_c) /
  range(T)``, ``T`` the period's mean temperature (the months' normals of ``climate_file``,
  weighted by their days) and ``range`` the ``temperature_curve``. The curve is a range
  curve (heating, cooling and the battery's own losses together), so the whole range effect
  is carried by the consumption; the usable battery (``battery_kwh``) is left as it is;
- ``time.start_date``: a Monday in the period's middle month (the sun at sites), unless the
  period is the whole year or ``period_dates`` is false.

Each variant runs with each seed on an evaluator (:mod:`emob_sim.runner.evaluate`), in
parallel on an :class:`~emob_sim.runner.evaluate.ExecutorEvaluator`. Annual KPIs
(:func:`annual_kpis`): counts, energies and CO2 are sums of days x the variant's value per
simulated day (a run of ``time.days`` days holds their total); ``mean_wait_min`` is weighted
by days x arrivals (sessions + give-ups); ``peak_kw``, ``p95_wait_min`` and the sites'
``peak`` figures are the maximum over the variants (an upper bound of the year's 95th
percentile: the waits themselves are not kept);
``_share`` ratios and vehicle counts are day-weighted means; the layout's own figures
(sites, plugs, CAPEX, OPEX per year, population near a fast charger) are the layout's. The
energy sites' scorecard (``areas_scorecard_*``) is a year's in every variant (its money year,
:mod:`emob_sim.sim.site_year`): day-weighted means, its peaks the maximum; the energy sites'
shares, renewable share, peak reduction and payback are recomputed from the year's figures
(:data:`DERIVED_KPIS`).
The seed spread of each annual KPI is its minimum and maximum over the seeds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from emob_sim.config.models import Scenario
from emob_sim.config.year import YearConfig
from emob_sim.errors import ConfigError, DataError
from emob_sim.io.tables import read_text_table, validation_problem
from emob_sim.results import Evaluator, RunResult
from emob_sim.runner.compare import _layout_rows, _unique_names
from emob_sim.runner.evaluate import SequentialEvaluator

__all__ = [
    "YearVariant",
    "YearResult",
    "year_variants",
    "run_year",
    "annual_kpis",
    "monthly_temperatures",
    "consumption_factor",
    "seed_spread",
    "kpi_rule",
    "DERIVED_KPIS",
    "WORK_TO_OTHER",
]

#: the chain a work chain becomes when its car does something else that day
WORK_TO_OTHER = {"HWH": "HOH", "HWOH": "HOOH", "HWHOH": "HOHOH"}
#: columns of :attr:`YearResult.variants` before the KPIs
VARIANT_COLUMNS = [
    "layout",
    "seed",
    "period",
    "day_type",
    "days",
    "sim_days",
    "temp_c",
    "consumption_factor",
]
#: KPIs of the layout itself, the same in every variant
LAYOUT_KPIS = (
    "sites",
    "plugs",
    "dc_plugs",
    "capex_eur",
    "opex_eur_per_year",
    "pop_fast_10min_share",
)


@dataclass(frozen=True)
class YearVariant:
    """One (period, day type) of a year: its weight in days and the scenario that runs it."""

    period: str
    day_type: str
    days: float
    temp_c: float | None
    consumption_factor: float
    scenario: Scenario


@dataclass(frozen=True, eq=False)
class YearResult:
    """The runs of a year and its annual KPIs.

    ``variants``: one row per layout, seed and variant (:data:`VARIANT_COLUMNS`, then the
    comparison row's KPIs per day, :data:`emob_sim.runner.COMPARISON_COLUMNS`, and
    ``energy_used_kwh_total``, ``km_electric_total``); ``annual``: one row per layout and seed
    (``days``, then the annual KPIs, :func:`annual_kpis`); ``spread``: one row per layout and
    KPI with the mean, minimum and maximum over the seeds and the number of seeds.
    """

    variants: pd.DataFrame
    annual: pd.DataFrame
    spread: pd.DataFrame


def monthly_temperatures(path: str | Path) -> dict[int, float]:
    """Mean temperature of each month 1-12 from a CSV with ``month`` and ``mean_temp_c``.

    Parameters
    ----------
    path : str or pathlib.Path
        The climate CSV (``year.climate_file``).

    Returns
    -------
    dict[int, float]
        Month (1-12) -> mean temperature, deg C.

    Raises
    ------
    InputFileNotFoundError, DataError
        The file is missing, unreadable, or a month is missing, repeated or not a number.
    """
    table = read_text_table(path, ["month", "mean_temp_c"], key="year.climate_file")
    out: dict[int, float] = {}
    for i, row in enumerate(table[["month", "mean_temp_c"]].itertuples(index=False)):
        try:
            month, temp = int(row.month), float(row.mean_temp_c)
        except ValueError:
            month, temp = 0, math.nan
        if not 1 <= month <= 12 or not math.isfinite(temp) or month in out:
            raise DataError(
                f"year.climate_file: {path}: row {i + 2}: expected a month 1-12 (once) and a "
                f"temperature in deg C, got {row.month!r}, {row.mean_temp_c!r}"
            )
        out[month] = temp
    missing = [m for m in range(1, 13) if m not in out]
    if missing:
        raise DataError(f"year.climate_file: {path}: no temperature for month {missing[0]}")
    return out


def consumption_factor(year: YearConfig, temp_c: float) -> float:
    """Consumption per km at ``temp_c`` relative to that at ``year.reference_temp_c``:
    ``range(reference) / range(temp_c)`` on ``year.temperature_curve``.

    Parameters
    ----------
    year : YearConfig
        The scenario's ``year:`` section (reference temperature, range against temperature).
    temp_c : float
        The mean outdoor temperature, deg C.

    Returns
    -------
    float
        The factor on consumption per km (1 at the reference temperature, dimensionless).
    """
    temps, ranges = zip(*year.temperature_curve)
    at = np.interp([year.reference_temp_c, temp_c], temps, ranges)
    return float(at[0] / at[1])


def _shares(shares: dict[str, float], day_type) -> dict[str, float]:
    """Chain shares of a day type: work chains x work_factor, the rest to their other chain,
    then every chain x trip_factor."""
    out = dict(shares)
    for work, other in WORK_TO_OTHER.items():
        if work in out and day_type.work_factor != 1.0:
            moved = out[work] * (1.0 - day_type.work_factor)
            out[work] -= moved
            out[other] = out.get(other, 0.0) + moved
    return {k: v * day_type.trip_factor for k, v in out.items()}


def _period_date(year: int, months: list[int]) -> date:
    """The Monday on or before the 15th of the period's middle month."""
    day = date(year, months[len(months) // 2], 15)
    return day - timedelta(days=day.weekday())


def _variant(scenario: Scenario, *, period: str, day_type: str, factor: float) -> Scenario:
    """The scenario of one variant: the scenario itself where nothing changes."""
    year = scenario.year
    dt, months = year.day_types[day_type], year.periods[period]
    data = scenario.model_dump()
    changed = False
    if dt.trip_factor != 1.0 or dt.work_factor != 1.0:
        data["demand"]["chain_shares"] = _shares(scenario.demand.chain_shares, dt)
        data["ebike"]["chain_shares"] = _shares(scenario.ebike.chain_shares, dt)
        changed = True
    if factor != 1.0:
        for vt in data["fleet"]["vehicle_types"]:
            vt["consumption_kwh_per_km"] *= factor
        changed = True
    if year.period_dates and len(months) < 12:
        data["time"]["start_date"] = _period_date(year.calendar_year, months)
        changed = True
    if not changed:
        return scenario
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        problem = validation_problem(exc)
        if err["type"] == "value_error":  # the message holds the value already
            problem = f"{where}: {err['msg'].removeprefix('Value error, ')}"
        raise ConfigError(
            f"year: {period} {day_type}: {problem} (day type trip_factor {dt.trip_factor:g}, "
            f"work_factor {dt.work_factor:g}; consumption x {factor:.3g})"
        ) from None


def year_variants(scenario: Scenario) -> list[YearVariant]:
    """The variants of the scenario's year (``scenario.year``), periods first, then day types.

    Parameters
    ----------
    scenario : Scenario
        A resolved scenario with its ``year:`` section (periods, day types, climate file).

    Returns
    -------
    list[YearVariant]
        Per period and day type: its days a year, mean temperature, consumption factor and
        the scenario that simulates one such day.

    Raises
    ------
    ConfigError
        A variant's scenario is invalid (e.g. a trip_factor above 1 makes the chain shares
        add up to more than 1).
    InputFileNotFoundError, DataError
        ``year.climate_file`` is missing or bad.
    """
    year = scenario.year
    temps = monthly_temperatures(year.climate_file) if year.climate_file is not None else None
    out = []
    for (period, day_type), days in year.weights().items():
        temp_c, factor = None, 1.0
        if temps is not None:
            months = year.periods[period]
            n = [_month_days(year.calendar_year, m) for m in months]
            temp_c = sum(temps[m] * k for m, k in zip(months, n)) / sum(n)
            factor = consumption_factor(year, temp_c)
        sc = _variant(scenario, period=period, day_type=day_type, factor=factor)
        out.append(YearVariant(period, day_type, days, temp_c, factor, sc))
    return out


def _month_days(year: int, month: int) -> int:
    end = date(year + (month == 12), month % 12 + 1, 1)
    return (end - date(year, month, 1)).days


def _variant_row(result: RunResult) -> dict:
    """The comparison row of a variant's run, with the energy used and the electric km."""
    row, _, _ = _layout_rows(result.scenario.name, "", result, municipalities=False)
    trips = result.sim.trips
    row["energy_used_kwh_total"] = float(trips["energy_used_kwh"].sum())
    row["km_electric_total"] = float(trips["km_driven"].sum())
    return row


def run_year(
    scenarios: Sequence[Scenario],
    *,
    seeds: Sequence[int],
    evaluator: Evaluator | None = None,
) -> YearResult:
    """Run the year of every scenario (a layout each) with every seed; tabulate it.

    All variants x seeds x scenarios go to the evaluator in one call, so an
    :class:`~emob_sim.runner.evaluate.ExecutorEvaluator` runs them in parallel; identical
    variant scenarios (e.g. options sharing a layout) run once.

    Parameters
    ----------
    scenarios
        Resolved scenarios, e.g. the options' layouts of one plan year; each uses its own
        ``year:`` section.
    seeds
        The seeds; each variant of each scenario runs with each.
    evaluator
        Runs the variants (default: a :class:`~emob_sim.runner.evaluate.SequentialEvaluator`).

    Returns
    -------
    YearResult
        The variants' rows, the annual KPIs per layout and seed, and their spread over seeds.

    Raises
    ------
    ConfigError
        No scenario or no seed, or a variant's scenario is invalid.

    Examples
    --------
    >>> from emob_sim.config import load_scenario
    >>> from emob_sim.runner import ExecutorEvaluator, run_year
    >>> layouts = [load_scenario("configs/zemgale/layout_existing.yaml"),
    ...            load_scenario("configs/zemgale/layout_corridor.yaml")]
    >>> with ExecutorEvaluator(max_workers=2) as ev:  # doctest: +SKIP
    ...     year = run_year(layouts, seeds=range(5), evaluator=ev)
    >>> year.annual  # doctest: +SKIP
    ... # one row per layout and seed: trips_stranded_area, co2_avoided_kg_total, ... a year
    """
    if not scenarios or not seeds:
        raise ConfigError("year: expected at least one scenario and one seed")
    names = _unique_names(list(scenarios), [s.name for s in scenarios])
    jobs, heads, index = [], [], {}
    for sc, name in zip(scenarios, names):
        for variant in year_variants(sc.model_copy(update={"name": name})):
            for seed in seeds:
                run = variant.scenario.model_copy(update={"seed": int(seed)})
                key = run.model_dump_json(exclude={"name"})
                if key not in index:
                    index[key] = len(jobs)
                    jobs.append(run)
                heads.append((index[key], name, int(seed), variant))
    evaluator = evaluator if evaluator is not None else SequentialEvaluator()
    rows = evaluator.evaluate(jobs, collect=_variant_row)
    table = []
    for i, name, seed, v in heads:
        kpis = {k: val for k, val in rows[i].items() if k not in ("layout", "file")}
        sim_days = v.scenario.time.days
        head = [name, seed, v.period, v.day_type, v.days, sim_days, v.temp_c, v.consumption_factor]
        table.append({**dict(zip(VARIANT_COLUMNS, head)), **kpis})
    variants = pd.DataFrame(table)
    annual = annual_kpis(variants)
    return YearResult(variants, annual, seed_spread(annual))


def _ratio(num: float, den: float) -> float:
    """``num / den`` where ``den`` is positive, else NaN (no value)."""
    return float(num / den) if den > 0 else float("nan")


#: KPIs recomputed from the year's other KPIs (ratios of annual figures, not the mean of the
#: variants' ratios; a peak reduction from the year's largest peaks): column -> its value
#: from the annual row
DERIVED_KPIS = {
    "areas_self_consumption_share": lambda r: _ratio(
        r["areas_pv_kwh"] - r["areas_export_kwh"] - r["areas_curtailed_kwh"], r["areas_pv_kwh"]
    ),
    "areas_self_sufficiency_share": lambda r: _ratio(
        r["areas_pv_to_cars_kwh"] + r["areas_battery_out_kwh"], r["areas_charged_kwh"]
    ),
    "areas_scorecard_renewable_share": lambda r: _ratio(
        r["areas_scorecard_renewable_kwh_per_year"], r["areas_scorecard_consumed_kwh_per_year"]
    ),
    "areas_scorecard_peak_reduction_kw": lambda r: (
        r["areas_scorecard_reference_peak_kw"] - r["areas_scorecard_peak_grid_kw"]
    ),
    "areas_scorecard_peak_reduction_share": lambda r: _ratio(
        r["areas_scorecard_reference_peak_kw"] - r["areas_scorecard_peak_grid_kw"],
        r["areas_scorecard_reference_peak_kw"],
    ),
    "areas_scorecard_simple_payback_years": lambda r: (
        _ratio(
            r["areas_scorecard_investment_eur"],
            r["areas_scorecard_savings_eur_per_year"] - r["areas_scorecard_opex_eur_per_year"],
        )
        if r["areas_scorecard_investment_eur"] > 0
        else float("nan")
    ),
}


def kpi_rule(column: str) -> str:
    """How a KPI column adds up over a year: sum, max, wait (arrival-weighted mean), mean
    (day-weighted), layout (the layout's own figure) or derived (from the year's other
    KPIs, :data:`DERIVED_KPIS`).

    Parameters
    ----------
    column : str
        A KPI column of a comparison row (with or without ``_area``/``_total``).

    Returns
    -------
    str
        ``"sum"``, ``"max"``, ``"wait"``, ``"mean"``, ``"layout"`` or ``"derived"``.
    """
    base = column.removesuffix("_area").removesuffix("_total")
    if base in LAYOUT_KPIS:
        return "layout"
    if column in DERIVED_KPIS:
        return "derived"
    if base.startswith("areas_scorecard_"):  # each variant's figures are already a year's
        return "max" if "peak" in base else "mean"
    if base == "mean_wait_min":
        return "wait"
    if "peak" in base or base == "p95_wait_min":
        return "max"
    if base.endswith("_share") or base.endswith("vehicles"):
        return "mean"
    return "sum"


def annual_kpis(variants: pd.DataFrame) -> pd.DataFrame:
    """Annual KPIs per layout and seed from the variants' rows (see the module docstring).

    Parameters
    ----------
    variants : pandas.DataFrame
        One row per layout, seed and variant: :data:`VARIANT_COLUMNS` (with the variant's
        ``days`` a year and ``sim_days`` simulated), then the KPIs of its run.

    Returns
    -------
    pandas.DataFrame
        One row per layout and seed: ``layout``, ``seed``, ``days`` (a year's days), then
        each KPI over the year (totals scaled by days, means weighted by days, peaks as the
        maximum).
    """
    kpis = [c for c in variants.columns if c not in VARIANT_COLUMNS]
    derived = [c for c in kpis if kpi_rule(c) == "derived"]
    out = []
    for (layout, seed), part in variants.groupby(["layout", "seed"], sort=False):
        days = part["days"].to_numpy(float)
        sim_days = part["sim_days"].to_numpy(float)
        row = {"layout": layout, "seed": seed, "days": float(days.sum())}
        for col in kpis:
            rule = kpi_rule(col)
            if rule == "derived":  # below, from this row's annual figures
                continue
            values = pd.to_numeric(part[col], errors="coerce").to_numpy(float)
            if rule == "layout":
                row[col] = values[0]
            elif rule == "max":
                row[col] = float(np.max(values))
            elif rule == "mean":
                row[col] = float(np.sum(days * values) / days.sum()) if days.sum() else 0.0
            elif rule == "wait":
                scope = col.removeprefix("mean_wait_min")
                arrivals = part[f"charging_sessions{scope}"] + part[f"sessions_abandoned{scope}"]
                w = days * arrivals.to_numpy(float)
                row[col] = float(np.sum(w * values) / w.sum()) if w.sum() else 0.0
            else:  # a run of time.days days holds their total
                row[col] = float(np.sum(days / sim_days * values))
        for col in derived:
            row[col] = DERIVED_KPIS[col](row)
        out.append(row)
    return pd.DataFrame(out)


def seed_spread(annual: pd.DataFrame) -> pd.DataFrame:
    """Per layout and annual KPI: mean, minimum and maximum over the seeds, and their number.

    Parameters
    ----------
    annual : pandas.DataFrame
        The annual KPIs, one row per layout and seed (:func:`annual_kpis`).

    Returns
    -------
    pandas.DataFrame
        Columns ``layout``, ``kpi``, ``mean``, ``min``, ``max``, ``seeds``.
    """
    kpis = [c for c in annual.columns if c not in ("layout", "seed")]
    long = annual.melt(id_vars=["layout", "seed"], value_vars=kpis, var_name="kpi")
    long["value"] = pd.to_numeric(long["value"], errors="coerce")
    grouped = long.groupby(["layout", "kpi"], sort=False)["value"]
    return grouped.agg(mean="mean", min="min", max="max", seeds="count").reset_index()
