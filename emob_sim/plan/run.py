"""Running a plan: every option in every year, on every adoption path, with several seeds.

For each adoption path, year and seed, the options are compared on the same demand
(:func:`emob_sim.runner.compare_layouts`: one seed, regions built once). The tables:

``runs``
    one row per path, year, seed and option: the comparison row (``_area`` and ``_total``
    KPIs, :data:`emob_sim.runner.COMPARISON_COLUMNS`, e-bike KPIs).
``table`` (``plan.csv``)
    per path, option, year and KPI: mean, standard deviation, minimum and maximum over the
    seeds, and the number of seeds.
``summary`` (``plan_summary.csv``)
    per path, option and year, the money and the CO2 over the years (see below).

A year whose layout is a placement (see :mod:`emob_sim.plan.config`) proposes it once per
path, on the first seed, from the option's layout of the year before with the year's adoption
values; every seed then runs that layout.

Years: the figures of a horizon year stand for every year until the next horizon year (the
last for itself alone), so the cumulative figure at year ``y_i`` is
``sum(annual_j * (y_j+1 - y_j) for j < i) + annual_i``. Annual figures are the simulated
days' mean times ``days_per_year``. CAPEX of a year is what the option's layout of that year
costs to build from today's chargers (so it is already cumulative); OPEX and CO2 avoided
(``co2_avoided_kg_area``) and stranded trips (``trips_stranded_area``) accumulate. Against
the first option (the baseline): cost per tonne of CO2 avoided = extra cumulative CAPEX +
OPEX / extra cumulative tonnes avoided; cost per stranded trip avoided likewise (NaN where
the option avoids nothing more than the baseline).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from emob_sim.analysis import network_lines
from emob_sim.config import Scenario
from emob_sim.placement.simulated import layout_scenario
from emob_sim.plan.config import Plan, PlanCase, load_plan
from emob_sim.region import with_inline_sites
from emob_sim.results import Evaluator
from emob_sim.runner import SequentialEvaluator, compare_layouts, place

__all__ = [
    "PlanResult",
    "run_plan",
    "plan_table",
    "plan_summary",
    "SUMMARY_COLUMNS",
]

SUMMARY_COLUMNS = [
    "path", "option", "year", "capex_eur", "capex_in_period_eur", "opex_eur_per_year",
    "cumulative_opex_eur", "co2_avoided_t_per_year", "cumulative_co2_avoided_t",
    "trips_stranded_per_year", "cumulative_trips_stranded", "cost_per_t_co2_avoided_eur",
    "cost_per_stranded_trip_avoided_eur",
]  # fmt: skip


@dataclass(frozen=True, eq=False)
class PlanResult:
    """The tables of a plan, and what its maps need: each option's sites per year (with
    their municipality and costs), the zones and the roads."""

    plan: Plan
    runs: pd.DataFrame
    municipalities: pd.DataFrame
    table: pd.DataFrame
    summary: pd.DataFrame
    sites: dict[tuple[int, str], pd.DataFrame]
    zones: pd.DataFrame
    roads: pd.DataFrame


def run_plan(
    source: str | Path | Plan,
    *,
    seeds: int | None = None,
    evaluator: Evaluator | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> PlanResult:
    """Simulate every case of a plan with every seed and tabulate the results."""
    plan = source if isinstance(source, Plan) else load_plan(source, seeds=seeds)
    evaluator = evaluator or SequentialEvaluator()
    say = on_progress or (lambda msg: None)
    cfg = plan.config
    rows, munis = [], []
    sites: dict[tuple[int, str], pd.DataFrame] = {}
    zones = roads = None
    for path in cfg.adoption:
        layouts: dict[str, Scenario] = {}  # option -> its resolved layout of the year before
        for year in cfg.years:
            cases = [c for c in plan.cases if c.path == path and c.year == year]
            for case in cases:
                layouts[case.option] = _layout(case, layouts.get(case.option), plan, evaluator,
                                               say)  # fmt: skip
            scenarios = [layouts[c.option] for c in cases]
            for seed in plan.seeds:
                say(f"{path} {year}, seed {seed}: {len(cases)} options")
                comparison = compare_layouts(scenarios, seed=seed,
                                             evaluator=evaluator)  # fmt: skip
                head = {"path": path, "year": year, "seed": seed}
                table = comparison.table.drop(columns=["file"])
                table["layout"] = [c.option for c in cases]
                rows.append(table.rename(columns={"layout": "option"}).assign(**head))
                by_name = dict(zip(comparison.table["layout"], (c.option for c in cases)))
                m = comparison.municipalities.assign(**head)
                m["option"] = m.pop("layout").map(by_name)
                munis.append(m)
                for name, option in by_name.items():
                    sites.setdefault((year, option), comparison.sites[name])
                if zones is None:
                    region = next(iter(comparison.runs.values())).region
                    zones, roads = region.zones, network_lines(region.network)
    runs = pd.concat(rows, ignore_index=True)
    runs = runs[
        [
            "path",
            "year",
            "seed",
            "option",
            *[c for c in runs.columns if c not in ("path", "year", "seed", "option")],
        ]
    ]
    municipalities = pd.concat(munis, ignore_index=True)
    table = plan_table(runs)
    return PlanResult(plan, runs, municipalities, table, plan_summary(table, plan), sites,
                      zones, roads)  # fmt: skip


def _layout(case: PlanCase, before: Scenario | None, plan: Plan, evaluator: Evaluator,
            say: Callable[[str], None]) -> Scenario:  # fmt: skip
    """The case's scenario with its layout: from its file, or the year before's sites plus a
    layout proposed with the year's budget (on the first seed)."""
    if case.placement is None:
        return case.scenario
    step = case.placement
    previous = with_inline_sites(before)
    charging = case.scenario.charging.model_copy(
        update={"sites_file": None, "sites": list(previous.charging.sites)}
    )
    scenario = case.scenario.model_copy(update={"charging": charging})
    say(f"{case.path} {case.year}, {case.option}: {step.method} with {step.budget}")
    placement = place(
        scenario.model_copy(update={"seed": plan.seeds[0]}),
        method=step.method,
        budget=step.budget,
        kind=step.kind,
        evaluator=evaluator,
    )
    return layout_scenario(scenario, placement.layout)


def plan_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Per path, option, year and KPI: mean, std, min, max over the seeds, and the seeds."""
    keys = ["path", "option", "year"]
    kpis = [c for c in runs.columns if c not in (*keys, "seed")
            and pd.api.types.is_numeric_dtype(runs[c])]  # fmt: skip
    long = runs.melt(id_vars=keys, value_vars=kpis, var_name="kpi")
    out = long.groupby([*keys, "kpi"], sort=False)["value"].agg(
        mean="mean", std=lambda v: v.std(ddof=1) if len(v) > 1 else 0.0, min="min", max="max",
        seeds="count",
    )  # fmt: skip
    return out.reset_index()


def _cumulative(years: list[int], annual: np.ndarray) -> np.ndarray:
    """Cumulative totals at each horizon year (each year's figure until the next year)."""
    span = np.diff(years, append=years[-1] + 1)[:-1]
    before = np.concatenate([[0.0], np.cumsum(annual[:-1] * span)])
    return before + annual


def plan_summary(table: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Money, CO2 and stranded trips over the years, and costs against the baseline."""
    years = plan.config.years
    per_year = float(plan.config.days_per_year.value)
    rows = []
    for (path, option), part in table.groupby(["path", "option"], sort=False):
        mean = part.pivot(index="year", columns="kpi", values="mean").reindex(years)
        days = np.array([next(c.scenario.time.days for c in plan.cases
                              if c.path == path and c.option == option and c.year == y)
                         for y in years], dtype=float)  # fmt: skip
        capex = mean["capex_eur_area"].to_numpy(float)
        opex = mean["opex_eur_per_year_area"].to_numpy(float)
        co2 = mean["co2_avoided_kg_area"].to_numpy(float) / days * per_year / 1000.0
        stranded = mean["trips_stranded_area"].to_numpy(float) / days * per_year
        rows.append(pd.DataFrame({
            "path": path, "option": option, "year": years, "capex_eur": capex,
            "capex_in_period_eur": np.diff(capex, prepend=0.0), "opex_eur_per_year": opex,
            "cumulative_opex_eur": _cumulative(years, opex), "co2_avoided_t_per_year": co2,
            "cumulative_co2_avoided_t": _cumulative(years, co2),
            "trips_stranded_per_year": stranded,
            "cumulative_trips_stranded": _cumulative(years, stranded),
        }))  # fmt: skip
    summary = pd.concat(rows, ignore_index=True)
    cost = summary["capex_eur"] + summary["cumulative_opex_eur"]
    base = summary[summary["option"] == plan.baseline].set_index(["path", "year"])
    idx = pd.MultiIndex.from_frame(summary[["path", "year"]])
    base_cost = (base["capex_eur"] + base["cumulative_opex_eur"]).reindex(idx).to_numpy()
    base_co2 = base["cumulative_co2_avoided_t"].reindex(idx).to_numpy()
    base_stranded = base["cumulative_trips_stranded"].reindex(idx).to_numpy()
    extra_cost = cost.to_numpy() - base_cost
    more_co2 = summary["cumulative_co2_avoided_t"].to_numpy() - base_co2
    fewer = base_stranded - summary["cumulative_trips_stranded"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        summary["cost_per_t_co2_avoided_eur"] = np.where(more_co2 > 0, extra_cost / more_co2,
                                                         np.nan)  # fmt: skip
        summary["cost_per_stranded_trip_avoided_eur"] = np.where(fewer > 0, extra_cost / fewer,
                                                                 np.nan)  # fmt: skip
    return summary[SUMMARY_COLUMNS]
