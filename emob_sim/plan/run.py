"""Running a plan: every option in every year, on every adoption path, with several seeds.

With ``year_model: true`` (the default) every case runs as a simulated year
(:func:`emob_sim.runner.run_year`: the scenario's ``year:`` day types x periods, docs/model.md
"How a year is built"), all cases x variants x seeds in one call on the evaluator (identical runs
once). The municipalities, the site tables and the maps come from one comparison per path
and year on the first seed and the scenario's own day (:func:`emob_sim.runner.compare_layouts`).
With ``year_model: false`` each seed is one such comparison (one day, ``days_per_year`` of
them a year). The tables:

``runs``
    one row per path, year, seed and option: the comparison row (``_area`` and ``_total``
    KPIs, :data:`emob_sim.runner.COMPARISON_COLUMNS`, e-bike KPIs) of a mean day of the
    simulated year (sums: the annual figure / the days of the year, as totals over the
    scenario's ``time.days``; means, maxima and the layout's figures as the year's), or of
    the one simulated day; then :data:`emob_sim.plan.adoption.RESPONSE_COLUMNS`.
``table`` (``plan.csv``)
    per path, option, year and KPI: mean, standard deviation, minimum and maximum over the
    seeds, and the number of seeds.
``municipalities`` (``municipalities.csv``)
    one row per path, year, seed, option and municipality (compare's columns and
    :data:`emob_sim.plan.local.LOCAL_COLUMNS`); the first seed only with the year model.
``summary`` (``plan_summary.csv``)
    per path, option and year, in both scopes, the money (CAPEX in the year each site is
    built, OPEX, NPV) and the CO2 and stranded trips over the years, against the baseline
    with their range over the seeds, CO2 with and without the adoption response
    (:mod:`emob_sim.plan.money`).

A year whose layout is a placement (see :mod:`emob_sim.plan.config`) proposes it once per
path, on the first seed, from the option's layout of the year before with the year's adoption
values; every seed then runs that layout.

Years: the figures of a horizon year stand for every year until the next horizon year (the
last for itself alone), so the cumulative figure at year ``y_i`` is
``sum(annual_j * (y_j+1 - y_j) for j < i) + annual_i``.
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
from emob_sim.plan.adoption import with_response
from emob_sim.plan.config import Plan, PlanCase, load_plan
from emob_sim.plan.local import municipal_extras
from emob_sim.plan.money import SUMMARY_COLUMNS, plan_summary
from emob_sim.region import with_inline_sites
from emob_sim.results import Evaluator
from emob_sim.runner import (
    ExecutorEvaluator,
    SequentialEvaluator,
    compare_layouts,
    place,
    run_year,
)
from emob_sim.runner.year import kpi_rule

__all__ = [
    "PlanResult",
    "run_plan",
    "plan_table",
    "plan_summary",
    "SUMMARY_COLUMNS",
]


@dataclass(frozen=True, eq=False)
class PlanResult:
    """The tables of a plan, and what its maps need: each option's sites per year (with
    their municipality and costs), the zones and the roads. ``year_description`` says in one
    sentence how a year is built (:attr:`emob_sim.plan.config.Plan.year_description`)."""

    plan: Plan
    runs: pd.DataFrame
    municipalities: pd.DataFrame
    table: pd.DataFrame
    summary: pd.DataFrame
    sites: dict[tuple[int, str], pd.DataFrame]
    zones: pd.DataFrame
    roads: pd.DataFrame
    year_description: str = ""


def run_plan(
    source: str | Path | Plan,
    *,
    seeds: int | None = None,
    evaluator: Evaluator | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> PlanResult:
    """Simulate every case of a plan with every seed and tabulate the results.

    With the plan's ``year_model`` (the default) every case runs as a simulated year
    (:func:`emob_sim.runner.run_year`: every variant x seed of every case in one call, so
    identical runs run once); without an ``evaluator`` a pool of two processes runs them.

    Parameters
    ----------
    source : str, pathlib.Path or Plan
        A plan file, or a plan already loaded (:func:`~emob_sim.plan.config.load_plan`).
    seeds : int or None
        Seeds per year, replacing the plan file's ``seeds`` (only with a file).
    evaluator : Evaluator or None
        Runs the simulations (None: a pool of two processes with the year model, else a
        :class:`~emob_sim.runner.SequentialEvaluator`).
    on_progress
        Called with short progress messages.

    Returns
    -------
    PlanResult
        The runs, per-municipality, per-KPI and summary tables, and each option's sites,
        the zones and the roads for the maps.

    Raises
    ------
    EmobSimError
        A bad plan file or case (:func:`~emob_sim.plan.config.load_plan`).
    """
    plan = source if isinstance(source, Plan) else load_plan(source, seeds=seeds)
    if evaluator is None and plan.config.year_model:
        with ExecutorEvaluator(max_workers=2) as pool:
            return run_plan(plan, evaluator=pool, on_progress=on_progress)
    evaluator = evaluator or SequentialEvaluator()
    say = on_progress or (lambda msg: None)
    cfg = plan.config
    year_model = cfg.year_model
    # the layouts first (a placement adds to the option's layout of the year before)
    layouts: dict[tuple[str, int, str], Scenario] = {}
    for path in cfg.adoption:
        for year in cfg.years:
            for case in (c for c in plan.cases if c.path == path and c.year == year):
                before = layouts.get((path, cfg.years[cfg.years.index(year) - 1], case.option))
                layouts[(path, year, case.option)] = _layout(
                    case, before if year != cfg.years[0] else None, plan, evaluator, say
                )
    rows, munis = [], []
    sites: dict[tuple[int, str], pd.DataFrame] = {}
    layouts_sites: dict[tuple[str, int, str], pd.DataFrame] = {}
    zones = roads = None
    # per-seed comparisons: the runs themselves (one day), or only the municipalities, sites
    # and maps of the year model (the first seed's scenario day)
    for path in cfg.adoption:
        for year in cfg.years:
            options = [c.option for c in plan.cases if c.path == path and c.year == year]
            scenarios = [layouts[(path, year, o)] for o in options]
            for seed in plan.seeds[:1] if year_model else plan.seeds:
                say(f"{path} {year}, seed {seed}: {len(options)} options")
                comparison = compare_layouts(scenarios, seed=seed, evaluator=evaluator)
                head = {"path": path, "year": year, "seed": seed}
                by_name = dict(zip(comparison.table["layout"], options))
                if not year_model:
                    table = comparison.table.drop(columns=["file"])
                    table["layout"] = options
                    rows.append(table.rename(columns={"layout": "option"}).assign(**head))
                m = comparison.municipalities.assign(**head)
                m["option"] = m.pop("layout").map(by_name)
                extra = pd.concat(
                    [
                        municipal_extras(comparison.runs[n], comparison.sites[n]).assign(option=o)
                        for n, o in by_name.items()
                    ]
                )
                munis.append(m.merge(extra, on=["option", "municipality"], how="left"))
                for name, option in by_name.items():
                    sites.setdefault((year, option), comparison.sites[name])
                    layouts_sites.setdefault((path, year, option), comparison.sites[name])
                if zones is None:
                    region = next(iter(comparison.runs.values())).region
                    zones, roads = region.zones, network_lines(region.network)
    if year_model:
        rows = [_year_runs(plan, layouts, evaluator, say)]
    runs = pd.concat(rows, ignore_index=True)
    first = ["path", "year", "seed", "option"]
    runs = runs[[*first, *[c for c in runs.columns if c not in first]]]
    population = float(zones.loc[zones["kind"] == "zone", "population"].sum())
    runs = with_response(runs, plan, sites=layouts_sites, population=population)
    municipalities = pd.concat(munis, ignore_index=True)
    table = plan_table(runs)
    summary = plan_summary(runs, plan, sites=layouts_sites)
    return PlanResult(
        plan, runs, municipalities, table, summary, sites, zones, roads, plan.year_description
    )


def _year_runs(
    plan: Plan,
    layouts: dict[tuple[str, int, str], Scenario],
    evaluator: Evaluator,
    say: Callable[[str], None],
) -> pd.DataFrame:
    """One row per path, year, seed and option: the KPIs of a mean day of the simulated year,
    as totals over the scenario's ``time.days`` (sums: annual / days of the year x
    ``time.days``; means, maxima and the layout's own figures: annual)."""
    keys = list(layouts)
    names = [f"{path}|{year}|{option}" for path, year, option in keys]
    named = [layouts[k].model_copy(update={"name": n}) for k, n in zip(keys, names)]
    say(f"simulated year: {len(named)} cases x {len(plan.seeds)} seeds")
    annual = run_year(named, seeds=plan.seeds, evaluator=evaluator).annual
    by_name = dict(zip(names, keys))
    head = pd.DataFrame([by_name[n] for n in annual["layout"]], columns=["path", "year", "option"])
    out = annual.drop(columns=["layout"]).reset_index(drop=True)
    days = out["days"].to_numpy(float)
    sim_days = np.array([layouts[by_name[n]].time.days for n in annual["layout"]], float)
    for col in out.columns:
        if col not in ("seed", "days") and kpi_rule(col) == "sum":
            out[col] = pd.to_numeric(out[col], errors="coerce") / days * sim_days
    return pd.concat([head, out], axis=1)


def _layout(
    case: PlanCase,
    before: Scenario | None,
    plan: Plan,
    evaluator: Evaluator,
    say: Callable[[str], None],
) -> Scenario:
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
    """Per path, option, year and KPI: mean, std, min, max over the seeds, and the seeds.

    Parameters
    ----------
    runs : pandas.DataFrame
        One row per path, year, seed and option, with the KPIs as columns (the plan's
        ``runs`` table).

    Returns
    -------
    pandas.DataFrame
        Columns ``path``, ``option``, ``year``, ``kpi``, ``mean``, ``std``, ``min``, ``max``,
        ``seeds`` (the number of seeds).
    """
    keys = ["path", "option", "year"]
    kpis = [
        c
        for c in runs.columns
        if c not in (*keys, "seed") and pd.api.types.is_numeric_dtype(runs[c])
    ]
    long = runs.melt(id_vars=keys, value_vars=kpis, var_name="kpi")
    out = long.groupby([*keys, "kpi"], sort=False)["value"].agg(
        mean="mean",
        std=lambda v: v.std(ddof=1) if len(v) > 1 else 0.0,
        min="min",
        max="max",
        seeds="count",
    )
    return out.reset_index()
