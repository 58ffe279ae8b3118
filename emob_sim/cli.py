"""The ``emob-sim`` command line. Thin: every command is one library call plus printing."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from emob_sim.config.loading import load_scenario, scenario_to_dict
from emob_sim.errors import EmobSimError

app = typer.Typer(
    name="emob-sim",
    help="Planning simulator for electric-vehicle and e-bike charging networks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console()
err_console = Console(stderr=True)

EXIT_BAD_INPUT = 2

ScenarioArg = Annotated[
    Optional[Path],
    typer.Argument(
        help="Scenario YAML file. Default: the embedded Zemgale baseline.",
        show_default=False,
    ),
]
SetOpt = Annotated[
    Optional[list[str]],
    typer.Option("--set", help="Override a scenario value, e.g. --set fleet.ev_share=0.2 (repeatable)."),
]
SeedOpt = Annotated[Optional[int], typer.Option("--seed", help="Random seed (replaces the scenario's).")]


def _fail(exc: BaseException) -> None:
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def _setup_logging(verbose: bool) -> None:
    if verbose:
        from rich.logging import RichHandler

        logging.basicConfig(
            level=logging.INFO, format="%(message)s", handlers=[RichHandler(console=err_console)]
        )


def _summary(kpis: dict, sites, out: Path, attribution: str) -> None:
    table = Table(title="Run summary", show_header=True, header_style="bold")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    for key, value in kpis.items():
        table.add_row(key, f"{value:,.2f}" if isinstance(value, float) else f"{value:,}")
    console.print(table)
    st = Table(
        title="Charging sites (waits in minutes)",
        header_style="bold",
        box=None,
        pad_edge=False,
    )
    st.add_column("site", width=20, overflow="ellipsis", no_wrap=True)
    for col in ("kind", "plugs×kW", "sessions", "kWh", "util", "wait", "p95"):
        st.add_column(col, justify="left" if col == "kind" else "right", no_wrap=True)
    for row in sites.itertuples(index=False):
        st.add_row(
            str(row.name or row.site_id), row.kind, f"{row.plugs}×{row.power_kw:g}",
            str(row.sessions), f"{row.energy_kwh:,.0f}", f"{row.utilisation:.2f}",
            f"{row.mean_wait_min:.1f}", f"{row.p95_wait_min:.1f}",
        )
    console.print(st)
    console.print(f"Results written to [bold]{out}[/]")
    if attribution:
        console.print(f"Road data: {attribution}", style="dim")


@app.command()
def run(
    scenario: ScenarioArg = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Run folder to write (must not exist or be empty).")] = ...,
    seed: SeedOpt = None,
    set_: SetOpt = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing run folder.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
) -> None:
    """Simulate a scenario and write its results to a run folder."""
    from emob_sim.pipeline import run as run_scenario
    from emob_sim.results import check_out_dir, write_run

    _setup_logging(verbose)
    try:
        check_out_dir(out, overwrite=overwrite)
        sc = load_scenario(scenario, overrides=set_ or (), seed=seed)
        with console.status("starting") as status:
            result = run_scenario(sc, on_stage=lambda s: status.update(f"{s} ..."))
            status.update("writing results ...")
            path = write_run(result, out, overwrite=overwrite)
    except EmobSimError as exc:
        _fail(exc)
    _summary(result.kpis, result.sites, path, result.region.network.attribution)


@app.command()
def validate(
    scenario: ScenarioArg = None,
    set_: SetOpt = None,
    seed: SeedOpt = None,
) -> None:
    """Check a scenario file and print the resolved scenario as JSON."""
    try:
        sc = load_scenario(scenario, overrides=set_ or (), seed=seed)
    except EmobSimError as exc:
        _fail(exc)
    sys.stdout.write(json.dumps(scenario_to_dict(sc), indent=2, ensure_ascii=False) + "\n")


def main() -> None:  # pragma: no cover - console entry point for `python -m emob_sim`
    app()
