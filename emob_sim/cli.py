"""The ``emob-sim`` command line. Thin: every command is one library call plus printing."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

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
    Path | None,
    typer.Argument(
        help="Scenario YAML file. Default: the embedded Zemgale baseline.",
        show_default=False,
    ),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="Override a scenario value, e.g. --set fleet.ev_share=0.2 (repeatable)."
    ),
]
SeedOpt = Annotated[
    int | None, typer.Option("--seed", help="Random seed (replaces the scenario's).")
]
OutOpt = Annotated[
    Path, typer.Option("--out", "-o", help="Folder to write (created; must not exist or be empty).")
]
OverwriteOpt = Annotated[bool, typer.Option(help="Replace an existing output folder.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")]


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
    sections = {k: v for k, v in kpis.items() if isinstance(v, dict)}  # e.g. "ebike"
    for key, value in kpis.items():
        if key not in sections:
            table.add_row(key, f"{value:,.2f}" if isinstance(value, float) else f"{value:,}")
    console.print(table)
    for name, section in sections.items():
        sub = Table(title=f"{name} KPIs", show_header=True, header_style="bold")
        sub.add_column("KPI")
        sub.add_column("value", justify="right")
        for key, value in section.items():
            sub.add_row(key, f"{value:,.2f}" if isinstance(value, float) else f"{value:,}")
        console.print(sub)
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
            str(row.name or row.site_id),
            row.kind,
            f"{row.plugs}×{row.power_kw:g}",
            str(row.sessions),
            f"{row.energy_kwh:,.0f}",
            f"{row.utilisation:.2f}",
            f"{row.mean_wait_min:.1f}",
            f"{row.p95_wait_min:.1f}",
        )
    console.print(st)
    console.print(f"Results written to [bold]{out}[/]")
    if attribution:
        console.print(f"Road data: {attribution}", style="dim")


@app.command()
def run(
    scenario: ScenarioArg = None,
    out: OutOpt = ...,
    seed: SeedOpt = None,
    set_: SetOpt = None,
    overwrite: OverwriteOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Simulate a scenario and write its results to a run folder."""
    from emob_sim.runner import run as run_scenario

    _setup_logging(verbose)
    stage_text = {"write": "writing results"}
    try:
        with console.status("starting") as status:
            result = run_scenario(
                scenario, seed=seed, overrides=set_ or (), out_dir=out, overwrite=overwrite,
                on_stage=lambda s: status.update(f"{stage_text.get(s, s)} ..."),
            )  # fmt: skip
    except EmobSimError as exc:
        _fail(exc)
    path = out.expanduser().resolve()
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


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1e5 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


@app.command()
def place(
    scenario: ScenarioArg = None,
    method: Annotated[
        str, typer.Option("--method", "-m", help="coverage, pmedian, frlm, simgreedy or sizing.")
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
        str, typer.Option("--kind", help="Site kind to place: car_dc, car_ac or ebike.")
    ] = "car_dc",
    out: OutOpt = ...,
    seed: SeedOpt = None,
    set_: SetOpt = None,
    overwrite: OverwriteOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Propose charging sites with a placement heuristic; write the layout and its scenario."""
    from emob_sim.io import check_out_dir
    from emob_sim.placement import write_placement
    from emob_sim.runner import place as place_layout

    _setup_logging(verbose)
    try:
        check_out_dir(out, overwrite=overwrite)
        with console.status("starting") as status:
            result = place_layout(
                scenario,
                method=method,
                budget=budget,
                kind=kind,
                overrides=set_ or (),
                seed=seed,
                on_progress=lambda s: status.update(f"{s} ..."),
            )
            path = write_placement(
                result, out, scenario_path=scenario, overrides=set_ or (), overwrite=overwrite
            )
    except EmobSimError as exc:
        _fail(exc)
    table = Table(title=f"Placement ({method}, budget {result.budget})", header_style="bold")
    table.add_column("")
    table.add_column("value", justify="right")
    for key, value in result.summary.items():
        table.add_row(key, _fmt(value))
    console.print(table)
    changed = result.layout[result.layout["status"] != "existing"]
    st = Table(title="New and enlarged sites", header_style="bold", box=None, pad_edge=False)
    for col in ("site", "kind", "plugs×kW", "status", "CAPEX EUR"):
        st.add_column(col, justify="left" if col in ("site", "kind", "status") else "right")
    for row in changed.itertuples(index=False):
        st.add_row(
            str(row.name or row.site_id),
            row.kind,
            f"{row.plugs}×{row.power_kw:g}",
            row.status,
            f"{row.capex_eur:,.0f}",
        )
    console.print(st)
    console.print(f"Layout written to [bold]{path}[/]")
    console.print(f"Simulate it: emob-sim run {path / 'scenario.yaml'} --out ...", style="dim")


@app.command()
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
) -> None:
    """Simulate layouts with the same demand and seed; write and print them side by side."""
    from emob_sim.io import check_out_dir
    from emob_sim.runner import compare_layouts, write_comparison

    _setup_logging(verbose)
    try:
        check_out_dir(out, overwrite=overwrite)
        with console.status("starting") as status:
            result = compare_layouts(
                layouts,
                seed=seed,
                overrides=set_ or (),
                on_progress=lambda s: status.update(f"simulating {s} ..."),
            )
            status.update("writing ...")
            path = write_comparison(result, out, overwrite=overwrite)
    except EmobSimError as exc:
        _fail(exc)
    table = Table(title=f"Layout comparison (seed {result.seed})", header_style="bold")
    table.add_column("")
    rows = result.table.drop(columns=["file"]).set_index("layout")
    for name in rows.index:
        table.add_column(str(name), justify="right")
    for col in rows.columns:
        table.add_row(col, *(_fmt(v.item() if hasattr(v, "item") else v) for v in rows[col]))
    console.print(table)
    console.print(f"Comparison written to [bold]{path}[/]")


@app.command()
def bench(
    size: Annotated[
        str, typer.Option(help="full (the recorded workloads, minutes) or smoke (under a minute).")
    ] = "full",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Results folder (default: benchmarks/results for full runs, none for smoke).",
        ),
    ] = None,
    reference: Annotated[
        bool, typer.Option(help="Also time the plain reference implementation.")
    ] = True,
) -> None:
    """Run the benchmark suite (benchmarks/ of a source checkout) and print its table."""
    import importlib.util

    if importlib.util.find_spec("benchmarks") is None and (Path.cwd() / "benchmarks").is_dir():
        sys.path.insert(0, str(Path.cwd()))  # a checkout with a non-editable install
    if importlib.util.find_spec("benchmarks") is None:
        _fail(
            EmobSimError(
                "bench: the suite is the benchmarks/ folder of a source checkout; "
                "run this command from the checkout (or `python -m benchmarks` there)"
            )
        )
    if size not in ("full", "smoke"):
        _fail(EmobSimError(f"--size: expected 'full' or 'smoke', got {size!r}"))
    from benchmarks import RESULTS_DIR, main_table, run_suite

    target = out if out is not None else (RESULTS_DIR if size == "full" else None)
    with console.status("starting") as status:
        results = run_suite(
            size=size,
            out_dir=target,
            reference=reference,
            progress=lambda msg: status.update(f"{msg} ..."),
        )
    typer.echo(main_table(results))
    for t in results["targets"]:
        typer.echo(f"[{'met' if t['met'] else 'NOT met'}] {t['target']}: {t['value']}")
    if target is not None:
        console.print(f"Results written to [bold]{target}[/] (results.md, results.json)")


def main() -> None:  # pragma: no cover - console entry point for `python -m emob_sim`
    app()
