"""The ``emob-sim`` command line. Thin: every command is one library call plus printing."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from emob_sim.config.loading import scenario_to_dict
from emob_sim.display import format_value
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


def _fail(exc: BaseException) -> None:
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def _setup_logging(verbose: bool) -> None:
    if verbose:
        from rich.logging import RichHandler

        logging.basicConfig(
            level=logging.INFO, format="%(message)s", handlers=[RichHandler(console=err_console)]
        )


@contextlib.contextmanager
def _progress(*, quiet: bool) -> Iterator[Callable[[str], None]]:
    """A callback for stage messages: a live status line on a terminal, else one line per
    stage with the elapsed time on stderr (for nohup, CI, schedulers); nothing with --quiet.

    An interruption (Ctrl-C, SIGTERM while writing) ends the command with a message and exit
    code 128 + the signal number; the output folder is left as it was.
    """
    start = time.perf_counter()
    try:
        if quiet:
            yield lambda msg: None
        elif err_console.is_terminal:
            with err_console.status("starting") as status:
                yield lambda msg: status.update(f"{msg} ...")
        else:

            def log_line(msg: str) -> None:
                elapsed = time.perf_counter() - start
                err_console.print(f"[{elapsed:7.1f} s] {msg}", highlight=False, soft_wrap=True)

            yield log_line
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", 2)
        err_console.print(f"interrupted ({str(exc) or 'SIGINT'}): no output folder was changed")
        raise typer.Exit(128 + signum) from None


#: what the progress display says for a stage of :data:`emob_sim.runner.STAGES`
_STAGE_TEXT = {
    "region": "building the region (network, zones, sites, travel times)",
    "demand": "drawing the demand",
    "simulation": "simulating",
    "kpis": "computing KPIs",
    "write": "writing results",
}


def _kpi_table(title: str, values: dict) -> Table:
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    for key, value in values.items():
        table.add_row(key, format_value(key, value))
    return table


def _energy_table(section: dict) -> Table:
    """The ``areas`` KPIs: a column per energy site (and the total when there are several)."""
    table = Table(title="Sites with a grid limit, solar power or workplace charging",
                  header_style="bold")  # fmt: skip
    sites = section["sites"]
    columns = [(s.get("name") or s["site_id"], s) for s in sites]
    if len(sites) > 1:
        columns.append(("total", section["total"]))
    table.add_column("KPI")
    for title, _ in columns:
        table.add_column(str(title), justify="right", overflow="fold")
    for key in ("kind", "strategy", "grid_limit_kw", "pv_kwp", "battery_kwh"):
        table.add_row(key, *(format_value(key, c.get(key, "")) for _, c in columns))
    for key in section["total"]:
        table.add_row(key, *(format_value(key, c.get(key)) for _, c in columns))
    return table


def _summary(kpis: dict, sites, out: Path, attribution: str) -> None:
    sections = {k: v for k, v in kpis.items() if isinstance(v, dict)}  # e.g. "ebike"
    console.print(_kpi_table("Run summary", {k: v for k, v in kpis.items() if k not in sections}))
    for name, section in sections.items():
        if name == "areas":
            console.print(_energy_table(section))
        else:
            console.print(_kpi_table(f"{name} KPIs", section))
    st = Table(
        title="Charging sites (waits in minutes)",
        header_style="bold",
        box=None,
        pad_edge=False,
    )
    st.add_column("site", overflow="fold")
    for col in ("kind", "plugs×kW", "sessions", "kWh", "util", "wait", "p95"):
        st.add_column(col, justify="left" if col == "kind" else "right", no_wrap=True)
    for row in sites.itertuples(index=False):
        st.add_row(
            str(row.name or row.site_id),
            row.kind,
            f"{row.plugs}×{row.power_kw:g}",
            format_value("sessions", row.sessions),
            format_value("energy", row.energy_kwh),
            format_value("utilisation_share", row.utilisation),
            format_value("wait", row.mean_wait_min),
            format_value("p95", row.p95_wait_min),
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
    quiet: QuietOpt = False,
) -> None:
    """Simulate a scenario and write its results to a run folder."""
    from emob_sim.runner import run as run_scenario

    _setup_logging(verbose)
    try:
        with _progress(quiet=quiet) as progress:
            result = run_scenario(
                scenario, seed=seed, overrides=set_ or (), out_dir=out, overwrite=overwrite,
                on_stage=lambda s: progress(_STAGE_TEXT.get(s, s)),
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
    quiet: QuietOpt = False,
) -> None:
    """Check a scenario as `run` does before simulating; print it resolved, as JSON.

    The scenario is read and validated, and its region and demand are built: every file is
    read, the zones and sites are snapped to the network, the corridors are checked.
    """
    from emob_sim.runner import check_scenario

    try:
        with _progress(quiet=quiet) as progress:
            sc = check_scenario(
                scenario, overrides=set_ or (), seed=seed,
                on_stage=lambda s: progress(_STAGE_TEXT.get(s, s)),
            )  # fmt: skip
    except EmobSimError as exc:
        _fail(exc)
    sys.stdout.write(json.dumps(scenario_to_dict(sc), indent=2, ensure_ascii=False) + "\n")


@app.command()
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
        str, typer.Option("--kind", help="Site kind to place: car_dc, car_ac or ebike.")
    ] = "car_dc",
    out: OutOpt = ...,
    seed: SeedOpt = None,
    set_: SetOpt = None,
    overwrite: OverwriteOpt = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Propose charging sites with a placement heuristic; write the layout and its scenario."""
    from emob_sim.io import check_out_dir
    from emob_sim.placement import write_placement
    from emob_sim.runner import place as place_layout

    _setup_logging(verbose)
    try:
        check_out_dir(
            out, kind="place", overwrite=overwrite, protect=[scenario] if scenario else []
        )
        with _progress(quiet=quiet) as progress:
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
    except EmobSimError as exc:
        _fail(exc)
    budget_unit = "plugs" if result.budget.unit == "plugs" else "EUR"
    table = Table(title=f"Placement ({method}, budget {result.budget})", header_style="bold")
    table.add_column("")
    table.add_column("value", justify="right")
    for key, value in result.summary.items():
        if not isinstance(value, list):
            unit = budget_unit if key == "spent" else None
            table.add_row(key, format_value(key, value, unit=unit))
    console.print(table)
    if result.summary.get("steps"):
        steps = Table(title="Steps kept (objective: waiting and stranding, minutes)",
                      header_style="bold", box=None, pad_edge=False)  # fmt: skip
        for col in ("step", "action", "site", "cost", "objective before", "after"):
            steps.add_column(col, justify="left" if col in ("action", "site") else "right")
        for step in result.summary["steps"]:
            steps.add_row(
                str(step["step"]), step["action"], step["site_id"],
                format_value("cost", step["cost"], unit=budget_unit),
                format_value("objective_min_before", step["objective_min_before"]),
                format_value("objective_min_after", step["objective_min_after"]),
            )  # fmt: skip
        console.print(steps)
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
            format_value("capex", row.capex_eur),
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
    quiet: QuietOpt = False,
) -> None:
    """Simulate layouts with the same demand and seed; write and print them side by side."""
    from emob_sim.io import check_out_dir
    from emob_sim.runner import compare_layouts, write_comparison

    _setup_logging(verbose)
    try:
        check_out_dir(out, kind="compare", overwrite=overwrite, protect=layouts)
        with _progress(quiet=quiet) as progress:
            result = compare_layouts(
                layouts,
                seed=seed,
                overrides=set_ or (),
                on_progress=lambda s: progress(f"simulating layout {s}"),
            )
            progress("writing the comparison")
            path = write_comparison(result, out, overwrite=overwrite)
    except EmobSimError as exc:
        _fail(exc)
    table = Table(title=f"Layout comparison (seed {result.seed})", header_style="bold")
    table.add_column("", overflow="fold")
    rows = result.table.drop(columns=["file"]).set_index("layout")
    for name in rows.index:
        table.add_column(str(name), justify="right")
    for col in rows.columns:
        values = (v.item() if hasattr(v, "item") else v for v in rows[col])
        table.add_row(col, *(format_value(col, v) for v in values))
    console.print(table)
    console.print(f"Comparison written to [bold]{path}[/]")


@app.command()
def sweep(
    sweep_file: Annotated[Path, typer.Argument(help="Sweep file (configs/sweeps/*.yaml).")],
    out: OutOpt = ...,
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

    _setup_logging(verbose)

    try:
        with _progress(quiet=quiet) as progress:

            def show(p) -> None:
                eta = f", about {p.eta_s:,.0f} s left" if p.eta_s is not None and p.left else ""
                progress(f"runs: {p.done} of {p.total} done ({p.skipped} earlier), "
                         f"{p.failed} failed{eta}")  # fmt: skip

            result = run_sweep(sweep_file, out, workers=workers, scheduler=scheduler,
                               on_progress=show)  # fmt: skip
    except EmobSimError as exc:
        _fail(exc)
    runs = result.runs
    table = Table(title=f"Sweep {result.sweep.config.name}", header_style="bold")
    table.add_column("")
    table.add_column("runs", justify="right")
    table.add_row("variants x seeds", format_value("runs", len(runs)))
    table.add_row("run now", format_value("runs", result.ran - result.failed))
    table.add_row("finished before", format_value("runs", result.skipped))
    table.add_row("failed (rerun the sweep to retry)", format_value("runs", result.failed))
    console.print(table)
    console.print(f"Tables written to [bold]{result.out_dir}[/] (runs.parquet, summary.csv)")
    if result.failed:
        raise typer.Exit(1)


@app.command()
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
            help="Restrict the report to this municipality's zones "
            "and sites (a name from the zone table).",
        ),
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also write report.pdf (needs emob-sim[pdf]).")
    ] = False,
    overwrite: OverwriteOpt = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Simulate every option of a plan in every year, on every adoption path, with seeds;
    write the tables and report.html."""
    from emob_sim.io import check_out_dir
    from emob_sim.plan import load_plan, run_plan, write_plan

    _setup_logging(verbose)
    try:
        loaded = load_plan(plan_file, seeds=seeds)
        if municipality is not None:
            loaded.check_municipality(municipality)
        if pdf:
            from emob_sim.plan.report import check_pdf

            check_pdf()
        check_out_dir(out, kind="plan", overwrite=overwrite, protect=[plan_file])
        with _progress(quiet=quiet) as progress:
            result = run_plan(loaded, on_progress=progress)
        path = write_plan(result, out, overwrite=overwrite, municipality=municipality, pdf=pdf)
    except EmobSimError as exc:
        _fail(exc)
    last = result.summary[result.summary["year"] == loaded.config.years[-1]]
    table = Table(title=f"Plan {loaded.config.name}, {loaded.config.years[-1]}",
                  header_style="bold")  # fmt: skip
    for column in ("path", "option", "CAPEX", "CO2 avoided (cumulative)", "EUR per t CO2"):
        table.add_column(column, justify="left" if column in ("path", "option") else "right")
    for row in last.itertuples(index=False):
        table.add_row(row.path, row.option, format_value("capex_eur", row.capex_eur),
                      f"{row.cumulative_co2_avoided_t:,.0f} t",
                      format_value("eur", row.cost_per_t_co2_avoided_eur, unit="EUR"))  # fmt: skip
    console.print(table)
    console.print(f"Plan written to [bold]{path}[/] (plan.csv, plan_summary.csv)")


@app.command("sweep-report")
def sweep_report(
    folder: Annotated[Path, typer.Argument(help="A sweep folder (emob-sim sweep --out).")],
) -> None:
    """Plot each KPI of a sweep against each varied parameter (folder/report/index.html)."""
    from emob_sim.batch import sweep_report as make_report

    try:
        path = make_report(folder)
    except EmobSimError as exc:
        _fail(exc)
    console.print(f"Report written to [bold]{path / 'index.html'}[/]")


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
    from benchmarks.report import check_results_dir

    target = out if out is not None else (RESULTS_DIR if size == "full" else None)
    try:
        if target is not None:
            check_results_dir(target)  # before the minutes of the suite, not after them
        with console.status("starting") as status:
            results = run_suite(
                size=size,
                out_dir=target,
                reference=reference,
                progress=lambda msg: status.update(f"{msg} ..."),
            )
    except EmobSimError as exc:
        _fail(exc)
    typer.echo(main_table(results))
    for t in results["targets"]:
        typer.echo(f"[{'met' if t['met'] else 'NOT met'}] {t['target']}: {t['value']}")
    if target is not None:
        console.print(f"Results written to [bold]{target}[/] (results.md, results.json)")


def main() -> None:  # pragma: no cover - console entry point for `python -m emob_sim`
    app()
