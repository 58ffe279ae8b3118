"""Writing a run folder.

A run folder holds::

    manifest.json         kind "run", resolved scenario, package and library versions, seed,
                          input hashes, and the files of the folder
    kpis.json             region-wide KPIs (analysis.kpis.KPI_KEYS) and the ``ebike`` section
    sites.geojson         one Point feature per public charging site with its KPIs (car sites,
                          then public e-bike points of kind "ebike")
    zones.geojson         one Point feature per zone of the run (zone_id, name, kind,
                          population, ...): the zone ids an OD matrix or trip table names,
                          also of automatic zones
    sessions.parquet      one row per public charging session
    abandoned.parquet     one row per queue a driver gave up on
    trips.parquet         one row per generated trip: its plan (vehicle, day, departure, origin
                          and destination) and its outcome (analysis.TRIP_TABLE_COLUMNS)
    load_profile.parquet  mean kW per site per profile bin
    events.parquet        the event log
    ebike_trips.parquet   one row per e-bike trip (demand and outcome columns)
    ebike_sessions.parquet  one row per public e-bike charging session
    kpis.csv              for spreadsheets: kpis.json in one row (e-bike KPIs and the energy
                          sites' total after the cars')
    sites.csv             for spreadsheets: sites.geojson as a table, with each site's
                          municipality (see :func:`people_tables`)

and, when the run has sites with an energy set-up (industrial areas' workplace sites, public
sites of ``energy.sites``; kpis.json then has an ``areas`` section and sites.geojson their
rows and energy KPIs)::

    site_energy.parquet   power per energy site and time step (sim.site_energy)
    energy_visits.parquet every car at an energy site: need, delivered, plugged

The folder is written through :func:`emob_sim.io.atomic_output_dir`: completely into a
temporary sibling, then renamed into place.
"""

from __future__ import annotations

import hashlib
import io
import json
import platform
import tempfile
import zipfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

import pandas as pd

from emob_sim.analysis import (
    ebike_session_table,
    ebike_trip_table,
    flat_kpis,
    load_profile_table,
    sites_with_energy,
    trip_table,
)
from emob_sim.config.loading import input_files, scenario_to_dict
from emob_sim.display import header_of, kind_label, number_for
from emob_sim.io import atomic_output_dir, sha256_file, write_json, write_parquet, write_points
from emob_sim.network.arrays import RoadNetwork
from emob_sim.results import RunResult
from emob_sim.runner.territory import site_municipalities

__all__ = ["write_run", "run_archive", "people_tables", "RUN_FILES", "ENERGY_FILES"]

RUN_FILES = [
    "manifest.json",
    "kpis.json",
    "sites.geojson",
    "zones.geojson",
    "sessions.parquet",
    "abandoned.parquet",
    "trips.parquet",
    "load_profile.parquet",
    "events.parquet",
    "ebike_trips.parquet",
    "ebike_sessions.parquet",
    "kpis.csv",
    "sites.csv",
]

#: the files a run with energy sites adds
ENERGY_FILES = ["site_energy.parquet", "energy_visits.parquet"]

_LIBRARIES = [
    "numpy",
    "pandas",
    "scipy",
    "networkx",
    "osmnx",
    "simpy",
    "numba",
    "pydantic",
    "pvlib",
]


def _manifest(result: RunResult) -> dict:
    scenario = result.scenario
    resolved = scenario_to_dict(scenario)
    versions = {}
    for lib in _LIBRARIES:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            versions[lib] = None
    try:
        version = metadata.version("emob-sim")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return {
        "emob_sim_version": version,
        "scenario_name": scenario.name,
        "seed": scenario.seed,
        "scenario_sha256": hashlib.sha256(
            json.dumps(resolved, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest(),
        "inputs": {str(p): sha256_file(p) for p in input_files(scenario)},
        "network": _network_info(result.region.network),
        "bike_network": _network_info(bike.network) if (bike := result.region.bike) else None,
        "python": platform.python_version(),
        "libraries": versions,
        "scenario": resolved,
    }


def _network_info(network: RoadNetwork | None) -> dict | None:
    """Where a network came from and its size, for the manifest."""
    if network is None:
        return None
    return {
        "description": network.description,
        "nodes": network.n_nodes,
        "edges": network.n_edges,
        "attribution": network.attribution,
    }


def people_tables(result: RunResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The KPIs (one row) and the site table of a run for people: ``kpis.csv`` and ``sites.csv``.

    Headers are labels with units (:func:`emob_sim.display.header_of`, the one label table);
    values are numbers, in the header's unit (shares and utilisation in percent, else as in
    kpis.json and sites.geojson); site kinds are named for people
    (:func:`emob_sim.display.kind_label`). ``sites.csv`` adds each site's municipality after
    its name (:func:`emob_sim.runner.territory.site_municipalities`: by territory with
    ``zones.boundaries_file``; ``outside`` for the aggregate Rīga site).

    Parameters
    ----------
    result : RunResult
        A finished run.

    Returns
    -------
    tuple[pandas.DataFrame, pandas.DataFrame]
        The KPI table (one row) and the site table (one row per site).
    """
    kpis = flat_kpis(result.kpis)
    headers = _headers(list(kpis))
    kpi_table = pd.DataFrame([{headers[k]: number_for(k, v) for k, v in kpis.items()}])
    sites = sites_with_energy(result.sites, result.kpis.get("areas")).reset_index(drop=True)
    sites = sites.assign(kind=sites["kind"].map(kind_label))
    sites.insert(3, "municipality", site_municipalities(result, sites))
    headers = _headers(list(sites.columns))
    site_table = pd.DataFrame(
        {headers[c]: [number_for(c, v) for v in sites[c]] for c in sites.columns}
    )
    return kpi_table, site_table


def _headers(keys: list[str]) -> dict[str, str]:
    """Key -> header; two keys of one label keep both columns, the second as ``label [key]``."""
    out: dict[str, str] = {}
    for key in keys:
        header = header_of(key)
        out[key] = header if header not in out.values() else f"{header} [{key}]"
    return out


def write_run(
    result: RunResult,
    out_dir: str | Path,
    *,
    overwrite: bool = False,
    protect: Iterable[str | Path] = (),
    extra_json: dict[str, dict] | None = None,
) -> Path:
    """Write a run folder atomically and return its path.

    Everything is written into a temporary folder beside ``out_dir``, which is renamed to
    ``out_dir`` only when complete (:func:`emob_sim.io.atomic_output_dir`). With ``overwrite``
    an earlier run folder is replaced. A folder holding one of the scenario's input files, or
    one of ``protect`` (e.g. the scenario file), is never written. ``extra_json`` adds JSON
    files (name -> content) to the folder, written with it (a sweep's record of the run).

    Parameters
    ----------
    result : RunResult
        A finished run.
    out_dir : str or pathlib.Path
        The run folder to create.
    overwrite : bool
        Replace an existing emob-sim output folder at ``out_dir``.
    protect : Iterable[str or pathlib.Path]
        Files (besides the scenario's inputs) that must not lie in ``out_dir``.
    extra_json : dict[str, dict] or None
        More JSON files to write into the folder: file name -> content.

    Returns
    -------
    pathlib.Path
        The absolute path of the folder written.

    Raises
    ------
    EmobSimError
        ``out_dir`` is not a folder that may be written (an input inside, not an emob-sim
        output folder, or one without ``overwrite``); nothing is then written.
    """
    protect = [*protect, *input_files(result.scenario)]
    with atomic_output_dir(
        out_dir, kind="run", overwrite=overwrite, protect=protect, manifest=_manifest(result)
    ) as tmp:
        write_json(tmp / "kpis.json", result.kpis)
        for name, content in (extra_json or {}).items():
            write_json(tmp / name, content)
        write_points(
            sites_with_energy(result.sites, result.kpis.get("areas")), tmp / "sites.geojson"
        )
        write_points(result.region.zones, tmp / "zones.geojson")
        # for spreadsheets: UTF-8 with a byte-order mark, so that Excel reads the diacritics
        for name, table in zip(("kpis.csv", "sites.csv"), people_tables(result)):
            table.to_csv(tmp / name, index=False, encoding="utf-8-sig")
        sim = result.sim
        tables = {
            "sessions.parquet": sim.sessions,
            "abandoned.parquet": sim.abandoned,
            "trips.parquet": trip_table(result),
            "load_profile.parquet": load_profile_table(result),
            "events.parquet": sim.events,
            "ebike_trips.parquet": ebike_trip_table(result),
            "ebike_sessions.parquet": ebike_session_table(result),
        }
        if result.energy is not None and not result.energy.empty:
            tables["site_energy.parquet"] = result.energy.steps
            tables["energy_visits.parquet"] = result.energy.visits
        # Arrow encodes and writes outside the GIL: writing two files at a time takes a
        # million-trip run about a quarter less time
        with ThreadPoolExecutor(max_workers=2) as pool:
            written = [
                pool.submit(write_parquet, table, tmp / name) for name, table in tables.items()
            ]
            for future in written:
                future.result()  # re-raises a failed write (the folder is then not kept)
    return Path(out_dir).expanduser().resolve()


def run_archive(result: RunResult) -> bytes:
    """The run folder of ``result`` as a zip archive (its files at the top of the archive).

    Parameters
    ----------
    result : RunResult
        A finished run.

    Returns
    -------
    bytes
        The zip archive of the files :func:`write_run` writes (for a download).
    """
    with tempfile.TemporaryDirectory(prefix="emob-sim-zip-") as tmp:
        folder = write_run(result, Path(tmp) / "run")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.iterdir()):
                archive.write(path, arcname=path.name)
        return buffer.getvalue()
