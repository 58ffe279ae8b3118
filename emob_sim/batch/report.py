"""The sweep report: each KPI against each varied parameter, the seed spread as a band.

``emob-sim sweep-report DIR`` writes ``DIR/report/`` (one PNG per KPI and parameter, and an
``index.html`` showing them all) from ``DIR/runs.parquet`` and ``DIR/summary.csv``.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from emob_sim.batch.folder import REPORT_KPIS, curves, read_sweep, sweep_kpis
from emob_sim.display import label_of, unit_of
from emob_sim.io import atomic_output_dir

__all__ = ["sweep_report"]


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

    folder = read_sweep(out_dir)
    out, summary, params = folder.path, folder.summary, folder.parameters
    kpis = [k for k in sweep_kpis(summary) if k in REPORT_KPIS]
    figures = []
    with atomic_output_dir(out / "report", kind="report", overwrite=True, protect=()) as tmp:
        for param in params:
            for kpi in kpis:
                table, as_lines = curves(summary, kpi, param, params)
                fig, ax = plt.subplots(figsize=(6, 3.6), dpi=110)
                if as_lines:
                    for line, part in table.groupby("line", sort=True):
                        ax.plot(part[param], part["mean"], marker="o", label=line or None)
                        ax.fill_between(part[param], part["p5"], part["p95"], alpha=0.2)
                    if len(params) > 1:
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
        title = html.escape(folder.name)
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
