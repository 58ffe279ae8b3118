"""MkDocs hook: the pages of output files and KPIs list what the code writes.

``mkdocs.yml`` names this file under ``hooks:``. A page holds a marker
``<!-- generated: NAME -->`` and the hook puts the generated Markdown in its place:

- ``run-files``, ``compare-files``, ``place-files``, ``sweep-files``, ``plan-files``: each file
  of that folder, then one table per file with each column, its unit and its meaning;
- ``kpis``: every KPI of kpis.json (the car KPIs, the ``ebike`` and ``areas`` sections).

Columns come from the constants the writers use (``SESSION_COLUMNS``, ``TRIP_TABLE_COLUMNS``,
...); their meaning is the comment beside the column in the constant's source, else its
label in :mod:`emob_sim.display`; units follow from the names (:func:`emob_sim.display.unit_of`).
``tests/test_docs.py`` checks that a real run folder's files and columns are all listed.
"""

from __future__ import annotations

import importlib
import inspect
import io
import re
import tokenize
from dataclasses import dataclass, field
from functools import cache

MARKER = re.compile(r"<!-- generated: ([a-z-]+) -->")


@dataclass(frozen=True)
class Table:
    """A file of an output folder: what it holds and where its columns come from."""

    name: str
    about: str
    #: ``module:CONSTANT`` references, then plain column names, in the file's order
    columns: tuple[str, ...] = ()
    #: column -> meaning, for columns no constant comments
    notes: dict[str, str] = field(default_factory=dict)
    #: columns of the constants left out of this file
    drop: tuple[str, ...] = ()


RUN = [
    Table(
        "manifest.json",
        "How the run was made: kind `run`, the package and library versions, "
        "the seed, the resolved scenario and its SHA-256, the SHA-256 of every input file, "
        "the road networks' source and size, the files of the folder.",
        (
            "kind",
            "emob_sim_version",
            "scenario_name",
            "seed",
            "scenario_sha256",
            "inputs",
            "network",
            "bike_network",
            "python",
            "libraries",
            "scenario",
            "files",
        ),
        notes={
            "kind": "`run` (a sweep, compare, place or plan folder names its own kind)",
            "inputs": "input file -> SHA-256",
            "network": "the car network: description, nodes, edges, attribution",
            "bike_network": "the bike network, the same keys (null without one)",
            "libraries": "library -> installed version",
            "scenario": "the resolved scenario (every default filled in)",
            "files": "the files of the folder",
        },
    ),
    Table(
        "kpis.json",
        "The run's KPIs (see [KPIs](kpis.md)): the car KPIs, the `ebike` "
        "section and, with energy sites, the `areas` section.",
        ("emob_sim.analysis.kpis:KPI_KEYS", "ebike", "areas"),
        notes={
            "ebike": "the e-bike KPIs (`EBIKE_KPI_KEYS`)",
            "areas": "per energy site and in total, the energy KPIs (only with energy sites)",
        },
    ),
    Table(
        "kpis.csv",
        "For spreadsheets: `kpis.json` in one row (the `ebike` and `areas` "
        "sections flattened as `ebike_...`, `areas_...`). Headers are labels with units "
        "(`Mean wait (min)`), values are numbers (shares in percent); UTF-8 with a "
        "byte-order mark.",
    ),
    Table(
        "sites.geojson",
        "One Point feature per public charging site (car sites, then the "
        "public e-bike points, kind `ebike`) with its KPIs; energy sites add their energy "
        "KPIs (`ENERGY_KPI_KEYS`).",
        ("emob_sim.analysis.kpis:SITE_TABLE_COLUMNS",),
        drop=("lon", "lat"),
    ),
    Table(
        "sites.csv",
        "For spreadsheets: `sites.geojson` as a table with `lon`, `lat` and "
        "each site's `municipality`; headers are labels with units, kinds in words.",
    ),
    Table(
        "zones.geojson",
        "One Point feature per zone of the run: the zone ids an OD matrix or "
        "trip table names, automatic zones included.",
        ("emob_sim.region.zones:ZONE_COLUMNS",),
        drop=("lon", "lat"),
    ),
    Table(
        "sessions.parquet",
        "One row per public charging session; a parked car's session "
        "ends when it leaves. Energy delivered in the KPIs is the sum of `energy_kwh`.",
        ("emob_sim.sim.outputs:SESSION_COLUMNS",),
        notes={
            "location": "where the car charged: `en_route` (a stop on the way), "
            "`destination` (where it parked for its activity) or `overnight` (near home, "
            "public)"
        },
    ),
    Table(
        "abandoned.parquet",
        "One row per queue a driver gave up on.",
        ("emob_sim.sim.outputs:ABANDON_COLUMNS",),
    ),
    Table(
        "trips.parquet",
        "One row per generated car trip: its plan, then its outcome. "
        "Trips generated = completed + stranded.",
        ("emob_sim.analysis.tables:TRIP_TABLE_COLUMNS",),
        notes={
            "status": "`completed` or `stranded`",
            "arrive_s": "arrival (NaN when stranded)",
            "km_driven": "km actually driven, detours to chargers included",
            "energy_used_kwh": "drawn from the battery for those km",
            "public_charges": "public charging sessions during this trip",
        },
    ),
    Table(
        "load_profile.parquet",
        "Mean power of each car charging site per profile bin "
        "(15 minutes); e-bike points have their `peak_kw` and `energy_kwh` in "
        "`sites.geojson`.",
        ("site_id", "bin_start_s", "power_kw"),
        notes={
            "bin_start_s": "start of the bin, from the scenario start",
            "power_kw": "mean power drawn in the bin",
        },
    ),
    Table("events.parquet", "The event log of the cars.", ("emob_sim.sim.outputs:EVENT_COLUMNS",)),
    Table(
        "ebike_trips.parquet",
        "One row per e-bike trip: the demand's columns, then the outcome.",
        (
            "emob_sim.demand.ebike:EBIKE_TRIP_COLUMNS",
            "emob_sim.sim.ebike:EBIKE_TRIP_RESULT_COLUMNS",
        ),
    ),
    Table(
        "ebike_sessions.parquet",
        "One row per public e-bike charging session.",
        ("emob_sim.sim.ebike:EBIKE_SESSION_COLUMNS",),
    ),
    Table(
        "site_energy.parquet",
        "Only with energy sites (industrial areas' workplace sites, "
        "`energy.sites`): the power of each energy site per time step, by source.",
        ("emob_sim.sim.site_energy:SITE_ENERGY_COLUMNS",),
    ),
    Table(
        "energy_visits.parquet",
        "Only with energy sites: every car at an energy site "
        "(workplace visits and public sessions), what it needed and what it got.",
        ("emob_sim.sim.workplace:VISIT_COLUMNS", "site_id", "delivered_kwh"),
        notes={
            "site_id": "the energy site (an industrial area's id for its workplace site)",
            "delivered_kwh": "what the site's power allocation delivered to the car",
        },
        drop=("area_idx", "area_id"),
    ),
]

COMPARE = [
    Table(
        "comparison.csv",
        "One row per layout: each scoped KPI for the planning area "
        "(`_area`) and the whole run (`_total`), then the e-bike KPIs and the energy sites' "
        "KPIs (`areas_...`).",
        ("emob_sim.runner.compare:COMPARISON_COLUMNS",),
    ),
    Table(
        "municipalities.csv",
        "One row per layout and municipality.",
        ("emob_sim.runner.compare:MUNICIPALITY_COLUMNS",),
    ),
    Table("layouts.gpkg", "Every layout's sites, one layer per layout."),
    Table("compare.json", "The comparison as JSON: layouts, rows, best values."),
    Table("manifest.json", "Kind `compare`, versions, seed, inputs and files."),
]

PLACE = [
    Table(
        "layout.csv",
        "The proposed layout: every site, existing, upsized or new, with its cost.",
        ("emob_sim.placement.registry:LAYOUT_COLUMNS",),
    ),
    Table("scenario.yaml", "The scenario with this layout, for `emob-sim run`."),
    Table(
        "candidates.csv",
        "The candidate sites the method chose from.",
        ("emob_sim.placement.candidates:CANDIDATE_COLUMNS",),
    ),
    Table("placement.json", "The method, budget and summary of the placement."),
    Table(
        "history.csv",
        "The simulation-driven methods (`simgreedy`): each step's choice and score.",
        ("emob_sim.placement.simgreedy:HISTORY_COLUMNS",),
    ),
]

SWEEP = [
    Table("manifest.json", "Kind `sweep`: the resolved sweep file, versions."),
    Table("sweep.yaml", "The sweep file as run."),
    Table("runs/KEY/", "One run folder per finished run (as above), with `record.json`."),
    Table("failed/KEY.json", "The error of a run that raised (retried by the next call)."),
    Table(
        "runs.parquet",
        "One row per run: the first columns below, then the varied "
        "parameters, then every KPI (flat keys, as in `kpis.csv`).",
        ("emob_sim.batch.tables:RUN_COLUMNS",),
    ),
    Table(
        "summary.csv",
        "Per variant (and its parameters) and KPI: the spread across seeds.",
        ("emob_sim.batch.tables:SUMMARY_COLUMNS",),
    ),
    Table("sensitivity.csv", "A sampled sweep: Sobol indices of each KPI for each parameter."),
    Table("report/", "`emob-sim sweep-report`: one chart per KPI and parameter, `index.html`."),
]

PLAN = [
    Table(
        "plan.csv",
        "Per path, option, year and KPI: mean, standard deviation, minimum, "
        "maximum over the seeds and the number of seeds.",
    ),
    Table(
        "plan_summary.csv",
        "Per path, option and year, in both scopes: money (CAPEX, OPEX, "
        "NPV), CO2 and stranded trips over the years, against the baseline, with their range "
        "over the seeds.",
        ("emob_sim.plan.money:SUMMARY_COLUMNS",),
    ),
    Table(
        "plan_runs.csv",
        "One row per path, year, seed and option: the comparison row (`comparison.csv`'s columns).",
    ),
    Table(
        "municipalities.csv",
        "One row per path, year, seed, option and municipality: "
        "compare's municipality columns, then these.",
        ("emob_sim.plan.local:LOCAL_COLUMNS",),
    ),
    Table("plan.json", "The resolved plan."),
    Table(
        "sites.csv",
        "Every planning-area site each option has in the last year, with people's headers "
        "(labels with units).",
        ("emob_sim.plan.tables:SITE_COLUMNS",),
    ),
    Table("sites.gpkg", "The same sites as points, with the keys of `sites.csv` below."),
    Table("report.html", "The plan report: one self-contained file that opens offline."),
    Table("report.pdf", "With `--pdf`: the same report, A4, through WeasyPrint."),
    Table("manifest.json", "Kind `plan`, versions, inputs and files."),
]

FOLDERS = {"run": RUN, "compare": COMPARE, "place": PLACE, "sweep": SWEEP, "plan": PLAN}

#: the module:constant the plan folder's file list comes from, per folder (checked by tests)
FILE_LISTS = {
    "run": ("emob_sim.runner.write:RUN_FILES", "emob_sim.runner.write:ENERGY_FILES"),
    "compare": ("emob_sim.runner.compare:COMPARE_FILES",),
    "plan": ("emob_sim.plan.write:PLAN_FILES",),
}


#: the definition of each KPI of kpis.json (top level and the ``areas`` section) that no
#: comment beside it in its constant and no docstring of its module (``analysis.energy``) gives
KPI_DEFINITIONS = {
    "trips_generated": "car trips the demand generated; = `trips_completed` + `trips_stranded`",
    "trips_completed": "car trips that arrived",
    "trips_stranded": "car trips given up because the battery could not reach a charger or the "
    "destination (the rest of that car's day is not driven)",
    "vehicles": "electric cars simulated (residents, through traffic, commuters of industrial "
    "areas)",
    "km_electric": "km driven by the electric cars, detours to chargers included",
    "charging_sessions": "public charging sessions (rows of `sessions.parquet`)",
    "sessions_abandoned": "queues a driver gave up on after `charging.max_wait_min` (rows of "
    "`abandoned.parquet`)",
    "energy_delivered_kwh": "energy charged at public sites: the sum of `sessions.parquet`'s "
    "`energy_kwh`",
    "destination_sessions": "of `charging_sessions`, those where a car parked for its activity "
    "(`location` = `destination`)",
    "destination_energy_kwh": "the energy of those sessions",
    "overnight_sessions": "of `charging_sessions`, a car without home charging plugged in "
    "overnight near home (`location` = `overnight`)",
    "overnight_energy_kwh": "the energy of those sessions",
    "home_energy_kwh": "energy charged at home",
    "rescue_energy_kwh": "what the overnight recovery of stranded cars added (to "
    "`charging.rescue_soc`): energy no charger in the model delivered",
    "mean_wait_min": "mean wait over every driver who arrived at a public site, those who gave "
    "up included (their wait is the time until they left)",
    "p95_wait_min": "95th percentile of those waits",
    "peak_load_kw": "the highest 15-minute mean power of all public car sites together",
    "co2_avoided_kg": "the petrol counterfactual of the trips as planned minus the electricity "
    "used: (planned km of the electric cars' completed trips + car km shifted to e-bikes) x "
    "`emissions.petrol_car_kg_per_km` - (energy used for driving by the cars and the shifted "
    "e-bike trips) x `emissions.grid_kg_per_kwh` (`emob_sim.analysis.co2`)",
    "co2_avoided_cars_kg": "the electric cars' part of `co2_avoided_kg`",
    # the areas section (energy sites)
    "visits": "cars that arrived at the energy site (workplace visits, public sessions)",
    "cars_plugged": "of them, cars that got a plug",
    "need_kwh": "energy the arriving cars needed (to `energy.workplace_target_soc`; a public "
    "session: its energy)",
    "pv_kwh": "solar generation at the site",
    "pv_to_cars_kwh": "of it, into the cars",
    "battery_in_kwh": "energy into the site's battery (from solar and, peak shaving, the grid)",
    "battery_out_kwh": "energy from the battery into the cars",
    "grid_kwh": "energy from the grid into the cars",
    "site_load_kwh": "the site's own load (`load_shape` x `annual_load_kwh`, or "
    "`load_profile_file`), served first",
    "pv_to_load_kwh": "solar into the site load (solar serves the load, then cars, then battery)",
    "battery_to_load_kwh": "energy from the battery into the site load",
    "grid_to_battery_kwh": "energy from the grid into the battery (`battery_grid_charge_below_kw`)",
    "grid_import_kwh": "all energy from the grid: site load, cars and battery",
    "export_kwh": "solar surplus fed into the grid, up to `export_limit_kw`",
    "curtailed_kwh": "solar surplus beyond the export limit, not used",
}


def _constant(ref: str) -> list[str]:
    module, name = ref.split(":")
    return list(getattr(importlib.import_module(module), name))


@cache
def _comments(module: str) -> dict[str, dict[str, str]]:
    """Per list constant of ``module``: column -> the comment on its line in the source."""
    source = inspect.getsource(importlib.import_module(module))
    out: dict[str, dict[str, str]] = {}
    current, depth, line_strings = None, 0, []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if depth == 0 and tok.type == tokenize.NAME and tok.start[1] == 0:
            current = tok.string
        elif tok.type == tokenize.OP and tok.string in "[(":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in "])":
            depth = max(depth - 1, 0)
        elif tok.type == tokenize.STRING and depth == 1 and current:
            line_strings.append((tok.start[0], tok.string.strip("\"'")))
        elif tok.type == tokenize.COMMENT and depth >= 1 and current:
            for line, text in line_strings:
                if line == tok.start[0]:
                    out.setdefault(current, {})[text] = tok.string.lstrip("# ").strip()
        if tok.type in (tokenize.NL, tokenize.NEWLINE):
            line_strings = [s for s in line_strings if s[0] == tok.start[0]]
    return out


def columns_of(table: Table) -> list[tuple[str, str]]:
    """(column, meaning) of each column of ``table``, in order."""
    from emob_sim.display import label_of

    out: dict[str, str] = {}
    for ref in table.columns:
        if ":" in ref:
            module, name = ref.split(":")
            comments = _comments(module).get(name, {})
            for col in _constant(ref):
                if col not in table.drop and col not in out:
                    out[col] = table.notes.get(col) or comments.get(col) or label_of(col)
        elif ref not in out:
            out[ref] = table.notes.get(ref) or label_of(ref)
    return list(out.items())


def folder_markdown(kind: str) -> str:
    """The files of a ``kind`` folder, then a table of each file's columns."""
    from emob_sim.display import unit_of

    tables = FOLDERS[kind]
    lines = ["| file | what it holds |", "| --- | --- |"]
    lines += [f"| `{t.name}` | {t.about} |" for t in tables]
    for t in tables:
        cols = columns_of(t)
        if not cols:
            continue
        title = "keys" if t.name.endswith(".json") else "columns"
        lines += ["", f"### `{t.name}`", "", f"| {title[:-1]} | unit | meaning |"]
        lines += ["| --- | --- | --- |"]
        lines += [f"| `{c}` | {unit_of(c) or '-'} | {_cell(m)} |" for c, m in cols]
    return "\n".join(lines)


def kpi_markdown() -> str:
    """A table per section of kpis.json: key, unit, label."""
    from emob_sim.display import label_of, unit_of

    sections = [
        ("Cars (top level of kpis.json)", "emob_sim.analysis.kpis:KPI_KEYS", ""),
        (
            "E-bikes (`ebike` section; `ebike_` in kpis.csv)",
            "emob_sim.analysis.ebike:EBIKE_KPI_KEYS",
            "ebike_",
        ),
        (
            "Energy sites (`areas` section, per site and `total`; `areas_` in kpis.csv)",
            "emob_sim.analysis.energy:ENERGY_KPI_KEYS",
            "",
        ),
    ]
    lines: list[str] = []
    for title, ref, prefix in sections:
        module, name = ref.split(":")
        comments = _comments(module).get(name, {})
        lines += ["", f"### {title}", "", "| key | unit | label | definition |"]
        lines += ["| --- | --- | --- | --- |"]
        for key in _constant(ref):
            doc = importlib.import_module(module).__doc__ or ""
            below = "defined below the table" if f"``{key}``" in doc else ""
            note = _cell(KPI_DEFINITIONS.get(key) or comments.get(key) or below)
            lines.append(f"| `{key}` | {unit_of(key) or '-'} | {label_of(prefix + key)} | {note} |")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def generated(name: str) -> str:
    """The Markdown a marker ``<!-- generated: name -->`` stands for."""
    if name == "kpis":
        return kpi_markdown()
    kind = name.removesuffix("-files")
    if kind not in FOLDERS:
        raise ValueError(f"unknown generated block {name!r}")
    return folder_markdown(kind)


def on_page_markdown(markdown: str, **kwargs: object) -> str:
    """MkDocs event: replace each marker with its generated Markdown."""
    return MARKER.sub(lambda m: generated(m[1]), markdown)
