"""The commands on one scenario: ``run`` (and the summary it prints) and ``validate``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.table import Table
from rich.text import Text

from emob_sim.cli.console import cell, console, fail, progress_display, writing, written
from emob_sim.cli.options import (
    OutOpt,
    OverwriteOpt,
    QuietOpt,
    ScenarioArg,
    SeedOpt,
    SetOpt,
    VerboseOpt,
)
from emob_sim.config.loading import scenario_to_dict
from emob_sim.display import format_value, kind_label, label_of
from emob_sim.errors import EmobSimError

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
    table = Table(title=cell(title, style="table.title"), show_header=True, header_style="bold")
    table.add_column("KPI")
    table.add_column("Value", justify="right")
    for key, value in values.items():
        table.add_row(cell(label_of(prefix + key)), cell(format_value(prefix + key, value)))
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
        table.add_column(cell(title), justify="right", overflow="fold")
    for key in ("kind", "strategy", "grid_limit_kw", "pv_kwp", "battery_kwh"):
        table.add_row(
            cell(label_of(key)), *(cell(format_value(key, c.get(key, ""))) for _, c in columns)
        )
    for key in section["total"]:
        table.add_row(
            cell(label_of(key)), *(cell(format_value(key, c.get(key))) for _, c in columns)
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
            cell(row.name or row.site_id),
            cell(kind_label(row.kind, short=True)),
            f"{row.plugs}×{row.power_kw:g}",
            format_value("sessions", row.sessions),
            format_value("energy", row.energy_kwh),
            format_value("utilisation_share", row.utilisation),
            format_value("wait", row.mean_wait_min),
            format_value("p95", row.p95_wait_min),
        )
    console.print(st)
    written("Results written to", out)
    if attribution:
        console.print(Text(f"Road data: {attribution}", style="dim"))


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

    with writing(verbose=verbose, quiet=quiet) as progress:  # run_scenario checks `out`
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
        with progress_display(quiet=quiet) as progress:
            sc = check_scenario(
                scenario,
                overrides=set_ or (),
                seed=seed,
                on_stage=lambda s: progress(_STAGE_TEXT.get(s, s)),
            )
    except EmobSimError as exc:
        fail(exc)
    sys.stdout.write(json.dumps(scenario_to_dict(sc), indent=2, ensure_ascii=False) + "\n")
