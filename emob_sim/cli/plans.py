"""The ``plan`` command: every option of a plan over the years, and the summary it prints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from emob_sim.cli.console import cell, console, writing, written
from emob_sim.cli.options import OutOpt, OverwriteOpt, QuietOpt, VerboseOpt
from emob_sim.display import format_value


def plan(
    plan_file: Annotated[Path, typer.Argument(help="Plan file (configs/zemgale/plans/*.yaml).")],
    out: OutOpt = ...,
    seeds: Annotated[
        int | None, typer.Option("--seeds", help="Seeds per year (default: the plan's).")
    ] = None,
    municipality: Annotated[
        str | None,
        typer.Option(
            "--municipality",
            help="Restrict the report, every table and this summary to one municipality "
            "(its territory's sites, its residents' trips; a name from the zone table).",
        ),
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also write report.pdf (needs emob-sim\\[pdf]).")
    ] = False,
    overwrite: OverwriteOpt = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Simulate every option of a plan in every year, on every adoption path, with seeds;
    write the tables and report.html."""
    from emob_sim.plan import load_plan, run_plan, write_plan

    with writing(
        out, kind="plan", overwrite=overwrite, protect=[plan_file], verbose=verbose, quiet=quiet
    ) as progress:
        loaded = load_plan(plan_file, seeds=seeds)
        if municipality is not None:
            loaded.check_municipality(municipality)
        if pdf:
            from emob_sim.plan.report import check_pdf

            check_pdf()
        result = run_plan(loaded, on_progress=progress)
        path = write_plan(result, out, overwrite=overwrite, municipality=municipality, pdf=pdf)
    if municipality is None:
        _plan_table(result)
    else:
        _plan_municipality_table(result, municipality)
    written("Plan written to", path, " (plan.csv, plan_summary.csv, sites.csv, sites.gpkg)")
    report = [path / "report.html", *([path / "report.pdf"] if pdf else [])]
    written("Report:", " and ".join(map(str, report)))


def _option_table(title: str, *figures: str) -> Table:
    """An empty table of the plan's last year: adoption path and option (left), then the
    ``figures`` (right-aligned)."""
    table = Table(title=cell(title, style="table.title"), header_style="bold")
    table.add_column("Adoption path", justify="left")
    table.add_column("Option", justify="left")
    for figure in figures:
        table.add_column(figure, justify="right")
    return table


def _plan_table(result) -> None:
    """The plan's last year per path and option: NPV, CO2 in both scopes, EUR per tonne."""
    years = result.plan.config.years
    last = result.summary[result.summary["year"] == years[-1]]
    table = _option_table(
        f"Plan {result.plan.config.name}, {years[0]}–{years[-1]}",
        "NPV of costs",
        "CO2 avoided, area / total",
        "EUR per t CO2 (area)",
        "EUR per t CO2 (total)",
    )
    for row in last.itertuples(index=False):
        table.add_row(
            cell(row.path),
            cell(row.option),
            format_value("npv_cost_eur_area", row.npv_cost_eur_area),
            f"{row.cumulative_co2_avoided_t_area:,.0f} t / "
            f"{row.cumulative_co2_avoided_t_total:,.0f} t",
            cell(row.cost_per_t_co2_avoided_area),
            cell(row.cost_per_t_co2_avoided_total),
        )
    console.print(table)


def _plan_municipality_table(result, municipality: str) -> None:
    """One municipality's last year per path and option: its sites, plugs, NPV of their
    costs, a year of its residents' stranded trips and of the CO2 their electric cars avoid."""
    from emob_sim.plan.scope import municipal_tables

    years = result.plan.config.years
    summary = municipal_tables(result, municipality)["plan_summary.csv"]
    last = summary[summary["year"] == years[-1]]
    table = _option_table(
        f"Plan {result.plan.config.name} in {municipality}, {years[0]}–{years[-1]}",
        "Sites",
        "Plugs",
        "NPV of costs",
        "Residents' trips stranded a year",
        "CO2 avoided by residents' cars a year",
    )
    for row in last.itertuples(index=False):
        table.add_row(
            cell(row.path),
            cell(row.option),
            format_value("sites", row.sites),
            format_value("plugs", row.plugs),
            format_value("npv_cost_eur", row.npv_cost_eur),
            format_value("trips", row.trips_stranded_per_year),
            f"{row.co2_avoided_cars_t_per_year:,.0f} t",
        )
    console.print(table)
