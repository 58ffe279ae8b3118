"""The ``emob-sim`` command line. Thin: every command is one library call plus printing."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from emob_sim.config.loading import scenario_to_dict
from emob_sim.display import format_value, kind_label, label_of
from emob_sim.errors import EmobSimError

app = typer.Typer(
    name="emob-sim",
    help="Planning simulator for electric-vehicle and e-bike charging networks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# User text (paths, --set values, site and layout names, messages quoting them) is printed
# literally: markup is off on both consoles, styles are given as Text spans, and table cells and
# status lines are Text objects (a status line would parse a plain string as markup).
console = Console(markup=False)
err_console = Console(stderr=True, markup=False)

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
    err_console.print(
        Text.assemble(("error:", "bold red"), " ", str(exc)), highlight=False, soft_wrap=True
    )
    raise typer.Exit(EXIT_BAD_INPUT)


def _cell(value: object, *, style: str = "") -> Text:
    """A table cell (or title, with ``style="table.title"``) holding ``value`` as literal text."""
    return Text(str(value), style=style)


def _written(what: str, path: object, tail: str = "") -> None:
    """Print ``{what} {path}{tail}`` with the path in bold, on one line (for copy and paste)."""
    console.print(Text.assemble(f"{what} ", (str(path), "bold"), tail), soft_wrap=True)


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
    code 128 + the signal number; the message says whether an output folder was changed
    (:attr:`emob_sim.io.Interrupted.changed`).
    """
    start = time.perf_counter()
    try:
        if quiet:
            yield lambda msg: None
        elif err_console.is_terminal:
            with err_console.status("starting") as status:
                yield lambda msg: status.update(Text(f"{msg} ..."))
        else:

            def log_line(msg: str) -> None:
                elapsed = time.perf_counter() - start
                err_console.print(f"[{elapsed:7.1f} s] {msg}", highlight=False, soft_wrap=True)

            yield log_line
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", 2)
        changed = getattr(exc, "changed", None) or "no output folder was changed"
        err_console.print(
            f"interrupted ({str(exc) or 'SIGINT'}): {changed}", highlight=False, soft_wrap=True
        )
        raise typer.Exit(128 + signum) from None


@contextlib.contextmanager
def _writing(
    out: Path | None = None,
    *,
    kind: str = "",
    overwrite: bool = False,
    protect: Sequence[Path] = (),
    verbose: bool = False,
    quiet: bool = False,
) -> Iterator[Callable[[str], None]]:
    """The frame of a command that writes a folder (run, place, compare, plan).

    Sets up logging; checks ``out`` (when given) before any work, so that a folder that cannot
    be written is refused at once, not after the simulation; yields the :func:`_progress`
    callback; and turns bad input (:class:`EmobSimError`) anywhere in the block into one line
    and exit code 2.
    """
    from emob_sim.io import check_out_dir

    _setup_logging(verbose)
    try:
        if out is not None:
            check_out_dir(out, kind=kind, overwrite=overwrite, protect=list(protect))
        with _progress(quiet=quiet) as progress:
            yield progress
    except EmobSimError as exc:
        _fail(exc)


#: what the progress display says for a stage of :data:`emob_sim.runner.STAGES`
_STAGE_TEXT = {
    "region": "building the region (network, zones, sites, travel times)",
    "demand": "drawing the demand",
    "simulation": "simulating",
    "kpis": "computing KPIs",
    "write": "writing results",
}


def _kpi_table(title: str, values: dict, *, prefix: str = "") -> Table:
    """KPIs by their labels; ``prefix`` makes a section's keys the flat keys of the label
    table (``ebike_``)."""
    table = Table(title=_cell(title, style="table.title"), show_header=True, header_style="bold")
    table.add_column("KPI")
    table.add_column("Value", justify="right")
    for key, value in values.items():
        table.add_row(_cell(label_of(prefix + key)), _cell(format_value(prefix + key, value)))
    return table


def _energy_table(section: dict) -> Table:
    """The ``areas`` KPIs: a column per energy site (and the total when there are several)."""
    table = Table(
        title="Sites with a grid limit, solar power or workplace charging", header_style="bold"
    )
    sites = section["sites"]
    columns = [(s.get("name") or s["site_id"], s) for s in sites]
    if len(sites) > 1:
        columns.append(("total", section["total"]))
    table.add_column("KPI")
    for title, _ in columns:
        table.add_column(_cell(title), justify="right", overflow="fold")
    for key in ("kind", "strategy", "grid_limit_kw", "pv_kwp", "battery_kwh"):
        table.add_row(
            _cell(label_of(key)), *(_cell(format_value(key, c.get(key, ""))) for _, c in columns)
        )
    for key in section["total"]:
        table.add_row(
            _cell(label_of(key)), *(_cell(format_value(key, c.get(key))) for _, c in columns)
        )
    return table


def _summary(
    kpis: dict, sites, out: Path, attribution: str, *, outside: tuple[str, ...] = ()
) -> None:
    """The run's KPIs, sections and sites for people; ``outside`` names the sites outside the
    planning area (the aggregate Rīga site), which the totals include."""
    sections = {k: v for k, v in kpis.items() if isinstance(v, dict)}  # e.g. "ebike"
    console.print(_kpi_table("Run summary", {k: v for k, v in kpis.items() if k not in sections}))
    if outside:
        console.print(
            Text(
                "Sessions, energy, waits and the peak load count every public site, also those "
                f"outside the planning area: {', '.join(outside)}.",
                style="dim",
            )
        )
    for name, section in sections.items():
        if name == "areas":
            console.print(_energy_table(section))
        else:
            title = "E-bike KPIs" if name == "ebike" else f"{name} KPIs"
            console.print(_kpi_table(title, section, prefix=f"{name}_"))
    st = Table(
        title="Charging sites (waits in minutes)",
        header_style="bold",
        box=None,
        pad_edge=False,
    )
    st.add_column("Site", overflow="fold")
    for col in ("Kind", "Plugs×kW", "Sessions", "kWh", "Use", "Wait", "p95"):
        st.add_column(col, justify="left" if col == "Kind" else "right", no_wrap=True)
    for row in sites.itertuples(index=False):
        st.add_row(
            _cell(row.name or row.site_id),
            _cell(kind_label(row.kind, short=True)),
            f"{row.plugs}×{row.power_kw:g}",
            format_value("sessions", row.sessions),
            format_value("energy", row.energy_kwh),
            format_value("utilisation_share", row.utilisation),
            format_value("wait", row.mean_wait_min),
            format_value("p95", row.p95_wait_min),
        )
    console.print(st)
    _written("Results written to", out)
    if attribution:
        console.print(Text(f"Road data: {attribution}", style="dim"))


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

    with _writing(verbose=verbose, quiet=quiet) as progress:  # run_scenario checks `out`
        result = run_scenario(
            scenario,
            seed=seed,
            overrides=set_ or (),
            out_dir=out,
            overwrite=overwrite,
            on_stage=lambda s: progress(_STAGE_TEXT.get(s, s)),
        )
    path = out.expanduser().resolve()
    sites = result.sites
    names = sites["name"].where(sites["name"] != "", sites["site_id"])
    outside = tuple(names[sites["site_id"].isin(result.scenario.placement.external_site_ids)])
    _summary(result.kpis, result.sites, path, result.region.network.attribution, outside=outside)


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
                scenario,
                overrides=set_ or (),
                seed=seed,
                on_stage=lambda s: progress(_STAGE_TEXT.get(s, s)),
            )
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
    with _writing(
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
        title=_cell(f"Placement ({method}, budget {result.budget})", style="table.title"),
        header_style="bold",
    )
    table.add_column("")
    table.add_column("value", justify="right")
    for key, value in result.summary.items():
        if not isinstance(value, list):
            unit = budget_unit if key == "spent" else None
            table.add_row(_cell(key), _cell(format_value(key, value, unit=unit)))
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
                _cell(step["action"]),
                _cell(step["site_id"]),
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
            _cell(row.name or row.site_id),
            _cell(kind_label(row.kind, short=True)),
            f"{row.plugs}×{row.power_kw:g}",
            _cell(row.status),
            format_value("capex", row.capex_eur),
        )
    console.print(st)
    _written("Layout written to", path)
    console.print(
        Text(f"Simulate it: emob-sim run {path / 'scenario.yaml'} --out ...", style="dim"),
        soft_wrap=True,
    )


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
    from emob_sim.runner import compare_layouts, write_comparison

    with _writing(
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
        table.add_column(_cell(name), justify="right")
    for col in rows.columns:
        values = (v.item() if hasattr(v, "item") else v for v in rows[col])
        table.add_row(_cell(col), *(_cell(format_value(col, v)) for v in values))
    console.print(table)
    _written("Comparison written to", path)


@app.command()
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

    _setup_logging(verbose)

    try:
        with _progress(quiet=quiet) as progress:

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
        _fail(exc)
    runs = result.runs
    table = Table(
        title=_cell(f"Sweep {result.sweep.config.name}", style="table.title"), header_style="bold"
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
    _written("Tables written to", result.out_dir, f" ({', '.join(names)})")
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

    with _writing(
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
    _written("Plan written to", path, " (plan.csv, plan_summary.csv, sites.csv, sites.gpkg)")
    report = [path / "report.html", *([path / "report.pdf"] if pdf else [])]
    _written("Report:", " and ".join(map(str, report)))


def _plan_table(result) -> None:
    """The plan's last year per path and option: NPV, CO2 in both scopes, EUR per tonne."""
    years = result.plan.config.years
    last = result.summary[result.summary["year"] == years[-1]]
    title = f"Plan {result.plan.config.name}, {years[0]}–{years[-1]}"
    table = Table(title=_cell(title, style="table.title"), header_style="bold")
    columns = (
        "Adoption path",
        "Option",
        "NPV of costs",
        "CO2 avoided, area / total",
        "EUR per t CO2 (area)",
        "EUR per t CO2 (total)",
    )
    for column in columns:
        table.add_column(column, justify="left" if column in columns[:2] else "right")
    for row in last.itertuples(index=False):
        table.add_row(
            _cell(row.path),
            _cell(row.option),
            format_value("npv_cost_eur_area", row.npv_cost_eur_area),
            f"{row.cumulative_co2_avoided_t_area:,.0f} t / "
            f"{row.cumulative_co2_avoided_t_total:,.0f} t",
            _cell(row.cost_per_t_co2_avoided_area),
            _cell(row.cost_per_t_co2_avoided_total),
        )
    console.print(table)


def _plan_municipality_table(result, municipality: str) -> None:
    """One municipality's last year per path and option: its sites, plugs, NPV of their
    costs, a year of its residents' stranded trips and of the CO2 their electric cars avoid."""
    from emob_sim.plan.scope import municipal_tables

    years = result.plan.config.years
    summary = municipal_tables(result, municipality)["plan_summary.csv"]
    last = summary[summary["year"] == years[-1]]
    title = f"Plan {result.plan.config.name} in {municipality}, {years[0]}–{years[-1]}"
    table = Table(title=_cell(title, style="table.title"), header_style="bold")
    columns = (
        "Adoption path",
        "Option",
        "Sites",
        "Plugs",
        "NPV of costs",
        "Residents' trips stranded a year",
        "CO2 avoided by residents' cars a year",
    )
    for column in columns:
        table.add_column(column, justify="left" if column in columns[:2] else "right")
    for row in last.itertuples(index=False):
        table.add_row(
            _cell(row.path),
            _cell(row.option),
            format_value("sites", row.sites),
            format_value("plugs", row.plugs),
            format_value("npv_cost_eur", row.npv_cost_eur),
            format_value("trips", row.trips_stranded_per_year),
            f"{row.co2_avoided_cars_t_per_year:,.0f} t",
        )
    console.print(table)


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
    _written("Report written to", path / "index.html")


def main() -> None:  # pragma: no cover - console entry point for `python -m emob_sim`
    app()
