"""The commands on a sweep folder: ``sweep`` runs (or resumes) it, ``sweep-report`` plots it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from emob_sim.cli.console import (
    cell,
    console,
    err_console,
    fail,
    progress_display,
    setup_logging,
    written,
)
from emob_sim.cli.options import QuietOpt, VerboseOpt
from emob_sim.display import format_value
from emob_sim.errors import EmobSimError


def sweep(
    sweep_file: Annotated[Path, typer.Argument(help="Sweep file (configs/sweeps/*.yaml).")],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            metavar="DIR",
            help="Sweep folder: created, or resumed when it holds this sweep "
            "(finished runs are skipped).",
        ),
    ] = ...,
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", help="Worker processes (default: all cores).")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="ADDRESS",
            help="'local' for a Dask LocalCluster, or a Dask scheduler's address "
            "(tcp://host:8786). Default: local processes.",
        ),
    ] = None,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Run every variant x seed of a sweep (resumable: finished runs are skipped)."""
    from emob_sim.batch import sweep as run_sweep

    setup_logging(verbose)

    try:
        with progress_display(quiet=quiet) as progress:

            def show(p) -> None:
                eta = f", about {p.eta_s:,.0f} s left" if p.eta_s is not None and p.left else ""
                progress(
                    f"runs: {p.done} of {p.total} done ({p.skipped} earlier), "
                    f"{p.failed} failed{eta}"
                )

            result = run_sweep(
                sweep_file, out, workers=workers, scheduler=scheduler, on_progress=show
            )
    except EmobSimError as exc:
        fail(exc)
    runs = result.runs
    table = Table(
        title=cell(f"Sweep {result.sweep.config.name}", style="table.title"), header_style="bold"
    )
    table.add_column("")
    table.add_column("runs", justify="right")
    table.add_row("variants x seeds", format_value("runs", len(runs)))
    table.add_row("run now", format_value("runs", result.ran - result.failed))
    table.add_row("finished before", format_value("runs", result.skipped))
    table.add_row("failed (rerun the sweep to retry)", format_value("runs", result.failed))
    console.print(table)
    for line in result.warnings:  # sensitivity indices that cannot be trusted
        err_console.print(f"warning: {line}", highlight=False, soft_wrap=True)
    names = ["runs.parquet", "summary.csv"] + ["sensitivity.csv"] * (result.sensitivity is not None)
    written("Tables written to", result.out_dir, f" ({', '.join(names)})")
    if result.failed:
        raise typer.Exit(1)


def sweep_report(
    folder: Annotated[Path, typer.Argument(help="A sweep folder (emob-sim sweep --out).")],
) -> None:
    """Plot each KPI of a sweep against each varied parameter (folder/report/index.html)."""
    from emob_sim.batch import sweep_report as make_report

    try:
        path = make_report(folder)
    except EmobSimError as exc:
        fail(exc)
    written("Report written to", path / "index.html")
