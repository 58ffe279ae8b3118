"""Reading a sweep folder back: its manifest, tables and the curves the report and app draw.

>>> folder = read_sweep("runs/adoption")            # doctest: +SKIP
>>> curves(folder.summary, "mean_wait_min", "fleet.ev_share", folder.parameters)  # doctest: +SKIP
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from emob_sim.errors import EmobSimError
from emob_sim.io import read_manifest

__all__ = [
    "SweepFolder",
    "SweepTables",
    "read_sweep",
    "load",
    "find_sweeps",
    "curves",
    "sweep_kpis",
    "REPORT_KPIS",
]

#: the KPIs a report shows first (those present in the sweep), in this order
REPORT_KPIS = [
    "trips_stranded",
    "mean_wait_min",
    "p95_wait_min",
    "sessions_abandoned",
    "charging_sessions",
    "energy_delivered_kwh",
    "peak_load_kw",
    "co2_avoided_kg",
    "ebike_co2_avoided_kg",
]

#: at most this many lines (one per combination of the other parameters) in one plot; with
#: more, each variant is a point with its seed spread as an error bar
MAX_LINES = 6


@dataclass(frozen=True)
class SweepFolder:
    """What a sweep folder holds: its manifest, varied parameters and tables."""

    path: Path
    manifest: dict
    parameters: list[str]
    runs: pd.DataFrame
    summary: pd.DataFrame
    sensitivity: pd.DataFrame | None

    @property
    def name(self) -> str:
        """The sweep's name (``sweep.name`` of its manifest), else the folder's name."""
        return self.manifest.get("sweep", {}).get("name") or self.path.name

    def counts(self) -> dict[str, int]:
        """Runs by status (completed, failed, pending), every status present.

        Returns
        -------
        dict[str, int]
            Number of runs with each status, ``0`` for a status no run has.
        """
        found = self.runs["status"].value_counts()
        return {s: int(found.get(s, 0)) for s in ("completed", "failed", "pending")}


def _parameters(manifest: dict) -> list[str]:
    sweep = manifest.get("sweep", {})
    sample = sweep.get("sample") or {}
    return [*sweep.get("grid", {}), *sweep.get("zip", {}), *sample.get("bounds", {})]


def read_sweep(out_dir: str | Path) -> SweepFolder:
    """Read a sweep folder made by ``emob-sim sweep``.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        The sweep folder (``emob-sim sweep --out``).

    Returns
    -------
    SweepFolder
        Its manifest, parameters, run table, summary and (when written) sensitivity table.

    Raises
    ------
    EmobSimError
        ``out_dir`` is not a sweep folder, or its tables are missing (the sweep has not
        finished an invocation yet) or unreadable.
    """
    out = Path(out_dir).expanduser().resolve()
    manifest = read_manifest(out) if out.is_dir() else None
    if manifest is None or manifest.get("kind") != "sweep":
        raise EmobSimError(f"{out}: expected a sweep folder (made by emob-sim sweep --out)")
    for name in ("runs.parquet", "summary.csv"):
        if not (out / name).is_file():
            raise EmobSimError(f"{out}: {name} is missing; run the sweep (again) to write it")
    try:
        runs = pd.read_parquet(out / "runs.parquet")
        summary = pd.read_csv(out / "summary.csv")
        sens = out / "sensitivity.csv"
        sensitivity = pd.read_csv(sens) if sens.is_file() else None
    except (OSError, ValueError) as exc:
        raise EmobSimError(f"{out}: cannot read the sweep's tables ({exc})") from None
    return SweepFolder(out, manifest, _parameters(manifest), runs, summary, sensitivity)


@dataclass(frozen=True)
class SweepTables:
    """A sweep's results as tidy tables for a notebook (see :func:`load`)."""

    #: one row per run: key, variant, seed, status, error, wall_s, the parameters, every KPI
    runs: pd.DataFrame
    #: one row per completed run and KPI: key, variant, seed, the parameters, kpi, value
    kpis: pd.DataFrame
    #: per variant and KPI over the seeds (summary.csv)
    summary: pd.DataFrame
    #: Sobol indices with their intervals (sensitivity.csv), or None
    sensitivity: pd.DataFrame | None
    #: the per-site table (sites.geojson: lon, lat, its properties) of every completed run,
    #: with its key, variant, seed and parameters first; None unless asked for
    sites: pd.DataFrame | None
    parameters: list[str]


def load(out_dir: str | Path, *, sites: bool = False) -> SweepTables:
    """A sweep folder's results as tidy tables (one observation per row).

    >>> tables = emob_sim.batch.load("runs/adoption_home", sites=True)  # doctest: +SKIP
    >>> tables.kpis.query("kpi == 'mean_wait_min'").groupby("fleet.ev_share")["value"].mean()

    Parameters
    ----------
    out_dir
        A sweep folder (``emob-sim sweep --out``).
    sites
        Also read the per-site table of every completed run (``runs/KEY/sites.geojson``).

    Returns
    -------
    SweepTables
        The runs, the KPIs in long form, the summary, the sensitivity indices and (with
        ``sites``) the per-site table.

    Raises
    ------
    EmobSimError
        As :func:`read_sweep`; or a completed run's sites.geojson is missing or unreadable.
    """
    folder = read_sweep(out_dir)
    runs = folder.runs
    ids = ["key", "variant", "seed", *[p for p in folder.parameters if p in runs.columns]]
    fixed = {*ids, "status", "error", "wall_s"}
    done = runs[runs["status"] == "completed"]
    values = [c for c in runs.columns if c not in fixed and pd.api.types.is_numeric_dtype(runs[c])]
    kpis = done.melt(id_vars=ids, value_vars=values, var_name="kpi", value_name="value")
    kpis = kpis.dropna(subset=["value"]).reset_index(drop=True)
    site_table = None
    if sites:
        parts = []
        for row in done[ids].itertuples(index=False):
            part = _site_table(folder.path / "runs" / row.key / "sites.geojson")
            for i, name in enumerate(ids):
                part.insert(i, name, row[i])
            parts.append(part)
        site_table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=ids)
    return SweepTables(
        runs, kpis, folder.summary, folder.sensitivity, site_table, folder.parameters
    )


def _site_table(path: Path) -> pd.DataFrame:
    """A run's sites.geojson as a table: lon, lat and the properties (plain column names)."""
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        rows = [
            {
                "lon": f["geometry"]["coordinates"][0],
                "lat": f["geometry"]["coordinates"][1],
                **f["properties"],
            }
            for f in features
        ]
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise EmobSimError(f"{path}: cannot read the run's site table ({exc})") from None
    return pd.DataFrame(rows)


def find_sweeps(root: str | Path, *, depth: int = 2) -> list[Path]:
    """Sweep folders at ``root`` and up to ``depth`` levels below it, sorted by path.

    Parameters
    ----------
    root : str or pathlib.Path
        The folder to search (a missing one gives no sweeps).
    depth : int
        How many levels of subfolders are searched (the runs of a sweep are not).

    Returns
    -------
    list[pathlib.Path]
        The sweep folders found, absolute, sorted.
    """
    root = Path(root).expanduser()
    if not root.is_dir():
        return []
    found, level = [], [root]
    for _ in range(depth + 1):
        for folder in level:
            manifest = read_manifest(folder)
            if manifest is not None and manifest.get("kind") == "sweep":
                found.append(folder.resolve())
        level = [c for f in level for c in _subfolders(f)]
    return sorted(found)


def _subfolders(folder: Path) -> list[Path]:
    """The folders below ``folder``, unless it is an output folder itself (a sweep's runs)."""
    if (folder / "manifest.json").is_file():
        return []
    try:
        return [c for c in folder.iterdir() if c.is_dir() and not c.name.startswith(".")]
    except OSError:
        return []


def sweep_kpis(summary: pd.DataFrame) -> list[str]:
    """The KPIs of a summary table, :data:`REPORT_KPIS` first, then the others by name.

    Parameters
    ----------
    summary : pandas.DataFrame
        A sweep's summary table (its ``kpi`` column).

    Returns
    -------
    list[str]
        Each KPI once.
    """
    present = list(dict.fromkeys(summary["kpi"]))
    first = [k for k in REPORT_KPIS if k in present]
    return first + sorted(k for k in present if k not in first)


def curves(
    summary: pd.DataFrame, kpi: str, param: str, parameters: list[str]
) -> tuple[pd.DataFrame, bool]:
    """One KPI against one parameter: per variant its mean and p5-p95 band over the seeds.

    Returns the table (``variant``, ``param``, ``mean``, ``p5``, ``p50``, ``p95``, ``runs`` and
    ``line``, the values of the other parameters that one line holds fixed, as text) sorted by
    line and ``param``, and whether it is drawn as lines (at most :data:`MAX_LINES`) or as points.

    Parameters
    ----------
    summary : pandas.DataFrame
        The sweep's summary table (summary.csv: per variant and KPI, statistics over seeds).
    kpi : str
        The KPI drawn (a value of the ``kpi`` column).
    param : str
        The parameter on the x axis (one of ``parameters``).
    parameters : list[str]
        The sweep's parameters (:attr:`SweepFolder.parameters`).

    Returns
    -------
    tuple[pandas.DataFrame, bool]
        The table, and whether it is drawn as lines.

    Raises
    ------
    EmobSimError
        ``param`` is not a parameter of the sweep, or ``kpi`` not one of its KPIs.
    """
    if param not in parameters:
        raise EmobSimError(f"parameter {param!r}: expected one of {parameters}")
    table = summary[summary["kpi"] == kpi]
    if table.empty:
        raise EmobSimError(f"KPI {kpi!r}: not in the sweep; expected one of {sweep_kpis(summary)}")
    others = [p for p in parameters if p != param]

    def label(row: pd.Series) -> str:
        return ", ".join(f"{p}={_short(row[p])}" for p in others)

    out = table[["variant", param, "mean", "p5", "p50", "p95", "runs"]].copy()
    out["line"] = table.apply(label, axis=1) if others else ""
    out = out.sort_values(["line", param], kind="stable").reset_index(drop=True)
    return out, out["line"].nunique() <= MAX_LINES


def _short(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
