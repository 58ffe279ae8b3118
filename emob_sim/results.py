"""What a run returns and writes.

A run folder holds::

    manifest.json         resolved scenario, package and library versions, seed, input hashes
    kpis.json             region-wide KPIs (analysis.kpis.KPI_KEYS) and the ``ebike`` section
    sites.geojson         one Point feature per public charging site with its KPIs (car sites,
                          then public e-bike points of kind "ebike")
    sessions.parquet      one row per public charging session
    abandoned.parquet     one row per queue a driver gave up on
    trips.parquet         one row per generated trip with its outcome
    load_profile.parquet  mean kW per site per profile bin
    events.parquet        the event log
    ebike_trips.parquet   one row per e-bike trip (emob_sim.ebike: demand and outcome columns)
    ebike_sessions.parquet  one row per public e-bike charging session

The folder is written completely into a temporary sibling and then renamed into place, so a
failure never leaves a half-written run folder, and an existing folder is only replaced when
asked to.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from emob_sim.analysis.kpis import site_table
from emob_sim.config.loading import scenario_to_dict
from emob_sim.config.models import Scenario
from emob_sim.demand.tables import Demand
from emob_sim.ebike import EBIKE_SESSION_COLUMNS, EBIKE_TRIP_COLUMNS, EbikeRun
from emob_sim.ebike.sim import EBIKE_TRIP_RESULT_COLUMNS
from emob_sim.errors import EmobSimError
from emob_sim.network.arrays import RoadNetwork
from emob_sim.region import Region
from emob_sim.sim.outputs import SimResult

__all__ = [
    "RunResult",
    "write_run",
    "check_out_dir",
    "atomic_output_dir",
    "input_files",
    "RUN_FILES",
]

RUN_FILES = [
    "manifest.json",
    "kpis.json",
    "sites.geojson",
    "sessions.parquet",
    "abandoned.parquet",
    "trips.parquet",
    "load_profile.parquet",
    "events.parquet",
    "ebike_trips.parquet",
    "ebike_sessions.parquet",
]

_LIBRARIES = ["numpy", "pandas", "scipy", "networkx", "osmnx", "simpy", "numba", "pydantic"]


@dataclass(frozen=True, eq=False)
class RunResult:
    """Everything one run produced: its inputs' stage values, the simulation and its KPIs."""

    scenario: Scenario
    region: Region
    demand: Demand
    sim: SimResult
    kpis: dict[str, float | int]
    ebike: EbikeRun | None = None

    @property
    def sites(self) -> pd.DataFrame:
        """Per-site KPI table (see :func:`emob_sim.analysis.kpis.site_table`)."""
        return site_table(self.scenario, self.region, self.sim, ebike=self.ebike)

    def ebike_trips(self) -> pd.DataFrame:
        """E-bike trips: the demand columns followed by the simulated outcome."""
        outcome = [c for c in EBIKE_TRIP_RESULT_COLUMNS if c not in ("trip_id", "ebike_id")]
        if self.ebike is None:
            return pd.DataFrame(columns=EBIKE_TRIP_COLUMNS + outcome)
        return pd.concat(
            [self.ebike.demand.trips, self.ebike.sim.trips[outcome]], axis=1
        )

    def ebike_sessions(self) -> pd.DataFrame:
        """Public e-bike charging sessions (:data:`emob_sim.ebike.EBIKE_SESSION_COLUMNS`)."""
        if self.ebike is None:
            return pd.DataFrame(columns=EBIKE_SESSION_COLUMNS)
        return self.ebike.sim.sessions

    def load_profile(self) -> pd.DataFrame:
        """Long table: site_id, bin_start_s, power_kw (mean over the bin)."""
        sim = self.sim
        n_sites, n_bins = sim.load_kw.shape if sim.load_kw.ndim == 2 else (0, 0)
        return pd.DataFrame(
            {
                "site_id": np.repeat(self.region.sites["site_id"].to_numpy(dtype=object), n_bins),
                "bin_start_s": np.tile(np.arange(n_bins, dtype=np.float64) * sim.bin_s, n_sites),
                "power_kw": sim.load_kw.reshape(-1),
            }
        )


#: files that mark a folder as emob-sim output (run, comparison, placement): only such a
#: folder is ever replaced by ``--overwrite``
OUTPUT_MARKERS = ("manifest.json", "compare.json", "placement.json")


def check_out_dir(out_dir: str | Path, *, overwrite: bool = False) -> Path:
    """Check before a run that its folder can be written; return the absolute path.

    Missing parent folders are fine (they are created when the results are written). With
    ``overwrite`` a non-empty folder is replaced only when it is emob-sim output (it holds one
    of :data:`OUTPUT_MARKERS`) and is neither the current folder nor one above it, so that
    ``--overwrite`` can never delete a user's data.

    Raises
    ------
    EmobSimError
        ``out_dir`` is a file; a non-empty folder without ``overwrite``; a folder that is not
        emob-sim output, or holds the current folder, with ``overwrite``; a parent of it is a
        file or cannot be written.
    """
    out = Path(out_dir).expanduser().resolve()
    if out.exists() and not out.is_dir():
        raise EmobSimError(f"--out {out}: expected a folder, got an existing file")
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise EmobSimError(
                f"--out {out}: folder exists and is not empty; choose a new folder or pass "
                "--overwrite"
            )
        cwd = Path.cwd().resolve()
        if out == cwd or out in cwd.parents:
            raise EmobSimError(
                f"--out {out}: refusing to replace the current folder or one above it"
            )
        if not any((out / name).is_file() for name in OUTPUT_MARKERS):
            raise EmobSimError(
                f"--out {out}: --overwrite replaces only emob-sim output folders (with "
                f"{' or '.join(OUTPUT_MARKERS)}); this folder holds other files"
            )
    ancestor = next(p for p in out.parents if p.exists())
    if not ancestor.is_dir():
        raise EmobSimError(f"--out {out}: {ancestor} is a file, expected a folder")
    try:  # a probe, so that an unwritable place fails now and not after the simulation
        os.rmdir(tempfile.mkdtemp(prefix=".emob-sim-probe-", dir=ancestor))
    except OSError:
        raise EmobSimError(
            f"--out {out}: cannot write in {ancestor}, expected a writable folder"
        ) from None
    return out


@contextlib.contextmanager
def atomic_output_dir(out_dir: str | Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Write an output folder atomically: yield a temporary folder that becomes ``out_dir``.

    The temporary folder is a sibling of ``out_dir``; it is renamed to ``out_dir`` when the
    ``with`` block ends without an error and deleted otherwise, so a failure never leaves a
    half-written folder. With ``overwrite`` an existing folder is replaced (moved aside first,
    deleted after the rename succeeded), as in :func:`write_run`.

    Raises
    ------
    EmobSimError
        ``out_dir`` cannot be written (see :func:`check_out_dir`).
    """
    out = check_out_dir(out_dir, overwrite=overwrite)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    except OSError as exc:
        raise EmobSimError(f"--out {out}: cannot create the output folder ({exc})") from None
    try:
        yield tmp
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / out.name)
        try:
            os.replace(tmp, out)
        except BaseException:
            if old is not None:  # put the previous folder back where it was
                os.replace(old / out.name, out)
                old.rmdir()
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def input_files(scenario: Scenario) -> list[Path]:
    """The files a scenario reads, for the manifest's hashes."""
    files: list[Path] = []
    net = scenario.network
    if net.source == "strategic" and net.strategic_dir is not None:
        files += sorted(p for p in Path(net.strategic_dir).glob("*.csv"))
    if net.source == "file" and net.file is not None:
        files.append(Path(net.file))
    if net.source == "polygon" and net.polygon_file is not None:
        files.append(Path(net.polygon_file))
    for p in (scenario.zones.file, scenario.charging.sites_file):
        if p is not None:
            files.append(Path(p))
    return files


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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
        "inputs": {str(p): _sha256(p) for p in input_files(scenario)},
        "network": _network_info(result.region.network),
        "bike_network": _network_info(bike.network) if (bike := result.region.bike) else None,
        "python": platform.python_version(),
        "libraries": versions,
        "files": RUN_FILES,
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


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _sites_geojson(table: pd.DataFrame) -> dict:
    features = []
    for row in table.to_dict(orient="records"):
        lon, lat = row.pop("lon"), row.pop("lat")
        props = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _write_parquet(table: pd.DataFrame, path: Path) -> None:
    """Write a table to Parquet, dictionary-encoding its non-float columns only.

    Float columns (times, energies, states of charge) are nearly all distinct: trying a
    dictionary for them costs time (an eighth of the writing of a million-trip run) for no gain.
    """
    keep = [c for c in table.columns if table[c].dtype.kind != "f"]
    table.to_parquet(path, index=False, use_dictionary=keep)


def write_run(result: RunResult, out_dir: str | Path, *, overwrite: bool = False) -> Path:
    """Write a run folder atomically and return its path.

    Everything is written into a temporary folder beside ``out_dir``, which is renamed to
    ``out_dir`` only when complete. With ``overwrite`` an existing folder is replaced (it is
    moved aside first and deleted after the rename succeeded).
    """
    with atomic_output_dir(out_dir, overwrite=overwrite) as tmp:
        _write_json(tmp / "manifest.json", _manifest(result))
        _write_json(tmp / "kpis.json", result.kpis)
        _write_json(tmp / "sites.geojson", _sites_geojson(result.sites))
        sim = result.sim
        tables = {
            "sessions.parquet": sim.sessions,
            "abandoned.parquet": sim.abandoned,
            "trips.parquet": sim.trips,
            "load_profile.parquet": result.load_profile(),
            "events.parquet": sim.events,
            "ebike_trips.parquet": result.ebike_trips(),
            "ebike_sessions.parquet": result.ebike_sessions(),
        }
        # Arrow encodes and writes outside the GIL: writing two files at a time takes a
        # million-trip run about a quarter less time
        with ThreadPoolExecutor(max_workers=2) as pool:
            written = [pool.submit(_write_parquet, table, tmp / name)
                       for name, table in tables.items()]  # fmt: skip
            for future in written:
                future.result()  # re-raises a failed write (the folder is then not kept)
    return Path(out_dir).expanduser().resolve()
