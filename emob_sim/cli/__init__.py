"""The ``emob-sim`` command line. Thin: every command is one library call plus printing.

This module builds the typer :data:`app` and registers the commands, in the order ``--help``
lists them; each family of commands lives in its own module (:mod:`.scenario`,
:mod:`.layouts`, :mod:`.sweeps`, :mod:`.plans`), on the options of :mod:`.options` and the
consoles and error handling of :mod:`.console`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from emob_sim.cli.console import progress_display
from emob_sim.cli.layouts import compare, place
from emob_sim.cli.plans import plan
from emob_sim.cli.scenario import run, validate
from emob_sim.cli.sweeps import sweep, sweep_report

__all__ = ["app", "main"]

#: :func:`.console.progress_display` under its earlier name (``from emob_sim.cli import _progress``)
_progress = progress_display

app = typer.Typer(
    name="emob-sim",
    help="Planning simulator for electric-vehicle and e-bike charging networks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from emob_sim import __version__

        typer.echo(f"emob-sim {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Planning simulator for electric-vehicle and e-bike charging networks."""


app.command()(run)
app.command()(validate)
app.command()(place)
app.command()(compare)
app.command()(sweep)
app.command()(plan)
app.command("sweep-report")(sweep_report)


def main() -> None:  # pragma: no cover - console entry point for `python -m emob_sim`
    """Run the command line (``python -m emob_sim``)."""
    app()
