"""The sweep report: each KPI against each varied parameter, the seed spread as a band.

``emob-sim sweep-report DIR`` writes ``DIR/report/`` (one PNG per KPI and parameter, and an
``index.html`` showing them all) from ``DIR/runs.parquet`` and ``DIR/summary.csv``.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from emob_sim.display import label_of, unit_of
from emob_sim.errors import EmobSimError
from emob_sim.io import atomic_output_dir, read_manifest

__all__ = ["sweep_report", "REPORT_KPIS"]

#: the KPIs plotted (those present in the sweep)
REPORT_KPIS = [
    "trips_stranded", "mean_wait_min", "p95_wait_min", "sessions_abandoned",
    "charging_sessions", "energy_delivered_kwh", "peak_load_kw", "co2_avoided_kg",
    "ebike_co2_avoided_kg",
]  # fmt: skip


def _parameters(out: Path, manifest: dict) -> list[str]:
    sweep = manifest.get("sweep", {})
    sample = sweep.get("sample") or {}
    return [*sweep.get("grid", {}), *sweep.get("zip", {}), *sample.get("bounds", {})]


def sweep_report(out_dir: str | Path) -> Path:
    """Plot a sweep folder's KPIs against its parameters; return the report folder.

    Raises
    ------
    EmobSimError
        ``out_dir`` is not a sweep folder with its tables.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir).expanduser().resolve()
    manifest = read_manifest(out)
    if manifest is None or manifest.get("kind") != "sweep":
        raise EmobSimError(f"{out}: expected a sweep folder (made by emob-sim sweep)")
    if not (out / "summary.csv").is_file():
        raise EmobSimError(f"{out}: summary.csv is missing; run the sweep first")
    summary = pd.read_csv(out / "summary.csv")
    params = _parameters(out, manifest)
    kpis = [k for k in REPORT_KPIS if k in set(summary["kpi"])]
    figures = []
    with atomic_output_dir(out / "report", kind="report", overwrite=True, protect=()) as tmp:
        for param in params:
            others = [p for p in params if p != param]
            for kpi in kpis:
                table = summary[summary["kpi"] == kpi].sort_values(param)
                fig, ax = plt.subplots(figsize=(6, 3.6), dpi=110)
                groups = list(table.groupby(others, sort=True)) if others else [((), table)]
                if len(groups) <= 6:
                    for key, part in groups:
                        name = ", ".join(f"{o}={v:g}" if isinstance(v, float) else f"{o}={v}"
                                         for o, v in zip(others, key if isinstance(key, tuple)
                                                         else (key,)))  # fmt: skip
                        ax.plot(part[param], part["mean"], marker="o", label=name or None)
                        ax.fill_between(part[param], part["p5"], part["p95"], alpha=0.2)
                    if others:
                        ax.legend(fontsize=7)
                else:
                    ax.errorbar(table[param], table["mean"],
                                yerr=[table["mean"] - table["p5"], table["p95"] - table["mean"]],
                                fmt="o", markersize=3, alpha=0.7)  # fmt: skip
                unit = unit_of(kpi)
                ax.set_xlabel(param)
                ax.set_ylabel(f"{label_of(kpi)}" + (f" ({unit})" if unit else ""))
                ax.set_title(f"{label_of(kpi)}: mean, band p5-p95 over seeds", fontsize=9)
                ax.grid(alpha=0.3)
                fig.tight_layout()
                name = f"{kpi}__{param}.png".replace("/", "_")
                fig.savefig(tmp / name)
                plt.close(fig)
                figures.append((kpi, param, name))
        title = html.escape(manifest["sweep"].get("name", "sweep"))
        items = "\n".join(
            f'<figure><img src="{n}" alt="{html.escape(k)} against {html.escape(p)}">'
            f"<figcaption>{html.escape(label_of(k))} against {html.escape(p)}</figcaption></figure>"
            for k, p, n in figures
        )
        (tmp / "index.html").write_text(
            f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
            "<style>body{font-family:sans-serif;margin:2em}figure{display:inline-block;"
            "margin:0.5em}</style></head><body>"
            f"<h1>Sweep {title}</h1><p>{len(summary['variant'].unique())} variants; "
            f"parameters {html.escape(json.dumps(params))}; each point is the mean over the "
            f"seeds, the band their 5th to 95th percentile.</p>{items}</body></html>\n",
            encoding="utf-8",
        )
    return out / "report"
