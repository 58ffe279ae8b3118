"""The commands on layouts of charging sites: ``place`` proposes one, ``compare`` simulates
several side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from emob_sim.cli.console import cell, console, writing, written
from emob_sim.cli.options import (
    OutOpt,
    OverwriteOpt,
    QuietOpt,
    ScenarioArg,
    SeedOpt,
    SetOpt,
    VerboseOpt,
)
from emob_sim.display import format_value, kind_label


def place(
    scenario: ScenarioArg = None,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            "-m",
            help="coverage, pmedian, frlm, simgreedy, sizing or pvsize (an industrial area's PV "
            "and plugs).",
        ),
    ] = ...,
    budget: Annotated[
        str,
        typer.Option(
            "--budget",
            "-b",
            help="CAPEX in EUR (250000, 250k, 1.5M) or a number of plugs (12plugs).",
        ),
    ] = ...,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="Site kind to place: car_dc (the default), car_ac or ebike; sizing: the kind of "
            "the sites to enlarge (default: every car site); pvsize takes none.",
            show_default=False,
        ),
    ] = None,
    out: OutOpt = ...,
    seed: SeedOpt = None,
    set_: SetOpt = None,
    overwrite: OverwriteOpt = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Propose charging sites with a placement heuristic; write the layout and its scenario."""
    from emob_sim.placement import write_placement
    from emob_sim.runner import place as place_layout

    protect = [scenario] if scenario else []
    with writing(
        out, kind="place", overwrite=overwrite, protect=protect, verbose=verbose, quiet=quiet
    ) as progress:
        result = place_layout(
            scenario,
            method=method,
            budget=budget,
            kind=kind,
            overrides=set_ or (),
            seed=seed,
            on_progress=progress,
        )
        progress("writing the layout")
        path = write_placement(result, out, scenario_path=scenario, overwrite=overwrite)
    budget_unit = "plugs" if result.budget.unit == "plugs" else "EUR"
    table = Table(
        title=cell(f"Placement ({method}, budget {result.budget})", style="table.title"),
        header_style="bold",
    )
    table.add_column("")
    table.add_column("value", justify="right")
    for key, value in result.summary.items():
        if not isinstance(value, list):
            unit = budget_unit if key == "spent" else None
            table.add_row(cell(key), cell(format_value(key, value, unit=unit)))
    console.print(table)
    if result.summary.get("steps"):
        steps = Table(
            title="Steps kept (objective: waiting and stranding, minutes)",
            header_style="bold",
            box=None,
            pad_edge=False,
        )
        for col in ("step", "action", "site", "cost", "objective before", "after"):
            steps.add_column(col, justify="left" if col in ("action", "site") else "right")
        for step in result.summary["steps"]:
            steps.add_row(
                str(step["step"]),
                cell(step["action"]),
                cell(step["site_id"]),
                format_value("cost", step["cost"], unit=budget_unit),
                format_value("objective_min_before", step["objective_min_before"]),
                format_value("objective_min_after", step["objective_min_after"]),
            )
        console.print(steps)
    changed = result.layout[result.layout["status"] != "existing"]
    st = Table(title="New and enlarged sites", header_style="bold", box=None, pad_edge=False)
    for col in ("site", "kind", "plugs×kW", "status", "CAPEX EUR"):
        st.add_column(col, justify="left" if col in ("site", "kind", "status") else "right")
    for row in changed.itertuples(index=False):
        st.add_row(
            cell(row.name or row.site_id),
            cell(kind_label(row.kind, short=True)),
            f"{row.plugs}×{row.power_kw:g}",
            cell(row.status),
            format_value("capex", row.capex_eur),
        )
    console.print(st)
    written("Layout written to", path)
    console.print(
        Text(f"Simulate it: emob-sim run {path / 'scenario.yaml'} --out ...", style="dim"),
        soft_wrap=True,
    )


def compare(
    layouts: Annotated[
        list[Path],
        typer.Argument(help="Layout scenario files (A.yaml B.yaml ...).", show_default=False),
    ],
    out: OutOpt = ...,
    seed: SeedOpt = None,
    set_: SetOpt = None,
    overwrite: OverwriteOpt = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Simulate layouts with the same demand and seed; write and print them side by side."""
    from emob_sim.runner import compare_layouts, write_comparison

    with writing(
        out, kind="compare", overwrite=overwrite, protect=layouts, verbose=verbose, quiet=quiet
    ) as progress:
        result = compare_layouts(
            layouts,
            seed=seed,
            overrides=set_ or (),
            on_progress=lambda s: progress(f"simulating layout {s}"),
        )
        progress("writing the comparison")
        path = write_comparison(result, out, overwrite=overwrite)
    table = Table(title=f"Layout comparison (seed {result.seed})", header_style="bold")
    table.add_column("", overflow="fold")
    rows = result.table.drop(columns=["file"]).set_index("layout")
    for name in rows.index:
        table.add_column(cell(name), justify="right")
    for col in rows.columns:
        values = (v.item() if hasattr(v, "item") else v for v in rows[col])
        table.add_row(cell(col), *(cell(format_value(col, v)) for v in values))
    console.print(table)
    written("Comparison written to", path)
