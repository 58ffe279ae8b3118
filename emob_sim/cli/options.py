"""The options and arguments that several ``emob-sim`` commands share (typer annotations)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ScenarioArg = Annotated[
    Path | None,
    typer.Argument(
        help="Scenario YAML file. Default: the embedded Zemgale baseline.",
        show_default=False,
    ),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Override a scenario value, e.g. --set fleet.ev_share=0.2 (repeatable).",
    ),
]
SeedOpt = Annotated[
    int | None, typer.Option("--seed", help="Random seed (replaces the scenario's).")
]
OutOpt = Annotated[
    Path,
    typer.Option(
        "--out", "-o", metavar="DIR", help="Folder to write (created; must not exist or be empty)."
    ),
]
OverwriteOpt = Annotated[
    bool,
    typer.Option(
        "--overwrite",
        help="Replace an earlier emob-sim output folder of the same kind (never other files).",
    ),
]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print no progress (errors and results only).")
]
