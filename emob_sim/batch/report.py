"""The sweep report: each KPI against each varied parameter, the seed spread as a band, and the
Sobol indices of a sampled sweep; figures for a paper.

``emob-sim sweep-report DIR`` writes ``DIR/report/``: each figure as a 300-dpi PNG, an SVG and a
PDF, and an ``index.html`` showing them. Axis labels are the project's labels with their units
(:mod:`emob_sim.display`); shares are drawn in percent. A KPI that does not change over the
sweep is listed with its value instead of drawn. The band is what it is: the range (min-max)
over the seeds when a variant has fewer than :data:`PERCENTILE_SEEDS` seeds, else the 5th-95th
percentile.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from emob_sim.batch.folder import REPORT_KPIS, curves, read_sweep, sweep_kpis
from emob_sim.display import format_value, header_of, label_of, unit_of
from emob_sim.io import atomic_output_dir

__all__ = ["sweep_report", "FORMATS", "DPI", "PERCENTILE_SEEDS"]

#: the files of each figure
FORMATS = ("png", "svg", "pdf")
#: resolution of the PNGs
DPI = 300
#: from this many seeds per variant the band is the 5th-95th percentile, below it the range
PERCENTILE_SEEDS = 20
_STYLE = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "svg.fonttype": "none",  # text stays text in the SVG
    "pdf.fonttype": 42,  # TrueType in the PDF (editable by journals)
}


def _scale(key: str) -> float:
    return 100.0 if unit_of(key) == "%" else 1.0


def _numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values)


def _band_name(seeds: int) -> str:
    if seeds < 2:
        return ""
    if seeds < PERCENTILE_SEEDS:
        return f"min-max over {seeds} seeds"
    return f"5th-95th percentile over {seeds} seeds"


def _legend(line: str) -> str:
    """``charging.max_wait_min=10`` (a line of :func:`curves`) -> ``Longest wait ...: 10 min``."""
    parts = []
    for item in filter(None, line.split(", ")):
        key, _, value = item.partition("=")
        try:
            number: object = float(value)
        except ValueError:
            number = value
        parts.append(f"{label_of(key)}: {format_value(key, number)}")
    return ", ".join(parts)


def _save(fig, tmp: Path, stem: str) -> list[str]:
    names = []
    for fmt in FORMATS:
        name = f"{stem}.{fmt}"
        fig.savefig(tmp / name, dpi=DPI if fmt == "png" else None)
        names.append(name)
    return names


def _kpi_figure(plt, summary, runs, kpi, param, params, seeds):
    table, as_lines = curves(summary, kpi, param, params)
    spread = runs.groupby("variant")[kpi].agg(["min", "max"])
    if seeds < PERCENTILE_SEEDS:
        low, high = table["variant"].map(spread["min"]), table["variant"].map(spread["max"])
    else:
        low, high = table["p5"], table["p95"]
    x = table[param] * _scale(param) if _numeric(table[param]) else table[param].astype(str)
    k = _scale(kpi)
    band = _band_name(seeds)
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    if as_lines:
        for line, part in table.groupby("line", sort=True):
            idx = part.index
            (drawn,) = ax.plot(x[idx], part["mean"] * k, marker="o", label=_legend(line) or None)
            if band and _numeric(table[param]):
                ax.fill_between(
                    x[idx],
                    low[idx] * k,
                    high[idx] * k,
                    alpha=0.2,
                    color=drawn.get_color(),
                    linewidth=0,
                )
        if len(params) > 1:
            ax.legend(frameon=False)
    else:
        err = [(table["mean"] - low) * k, (high - table["mean"]) * k] if band else None
        ax.errorbar(x, table["mean"] * k, yerr=err, fmt="o", markersize=4, alpha=0.8)
    ax.set_xlabel(header_of(param))
    ax.set_ylabel(header_of(kpi))
    ax.set_title(f"{label_of(kpi)}: mean" + (f", band {band}" if band else ", one seed"))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _sensitivity_figure(plt, sens: pd.DataFrame, kpis: list[str]):
    params = list(dict.fromkeys(sens["parameter"]))
    ncols = 2 if len(kpis) > 1 else 1
    nrows = -(-len(kpis) // ncols)
    height = 0.5 + (0.45 * len(params) + 0.9) * nrows
    fig, axes = plt.subplots(nrows, ncols, figsize=(7.0, height), squeeze=False, sharex=True)
    y = np.arange(len(params))
    for ax, kpi in zip(axes.flat, kpis):
        rows = sens[sens["kpi"] == kpi].set_index("parameter").reindex(params)
        ax.barh(y - 0.2, rows["S1"], 0.4, xerr=rows["S1_conf"], label="first order (S1)", capsize=2)
        if rows["ST"].notna().any():
            ax.barh(y + 0.2, rows["ST"], 0.4, xerr=rows["ST_conf"], label="total (ST)", capsize=2)
        ax.set_yticks(y, [label_of(p) for p in params])
        ax.invert_yaxis()
        ax.axvline(0, color="black", linewidth=0.6)
        ax.axvline(1, color="grey", linewidth=0.6, linestyle=":")
        ax.set_title(label_of(kpi))
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(kpis) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("Sobol index, with its 95 % confidence interval")
    axes.flat[0].legend(frameon=False, loc="lower right")
    fig.tight_layout()
    return fig


def sweep_report(out_dir: str | Path) -> Path:
    """Draw a sweep folder's KPIs against its parameters (and its Sobol indices); return the
    report folder.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        The sweep folder (``emob-sim sweep --out``).

    Returns
    -------
    pathlib.Path
        The report folder written (``OUT_DIR/report``, with ``index.html`` and the figures).

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
    runs = folder.runs[folder.runs["status"] == "completed"]
    seeds = int(folder.manifest.get("sweep", {}).get("seeds", 1))
    kpis = [k for k in sweep_kpis(summary) if k in REPORT_KPIS]
    constant = {k: runs[k].iloc[0] for k in kpis if runs[k].nunique(dropna=False) <= 1}
    drawn = [k for k in kpis if k not in constant]
    figures: list[tuple[str, list[str]]] = []
    with (
        matplotlib.rc_context(_STYLE),
        atomic_output_dir(out / "report", kind="report", overwrite=True, protect=()) as tmp,
    ):
        sens = folder.sensitivity
        if sens is not None and not sens.empty:
            order = [k for k in sweep_kpis(summary) if k in set(sens["kpi"])]
            shown = [k for k in order if k in REPORT_KPIS] or order[:6]
            fig = _sensitivity_figure(plt, sens, shown)
            figures.append(
                ("Sobol indices of each KPI for each parameter", _save(fig, tmp, "sensitivity"))
            )
            plt.close(fig)
        for param in params:
            for kpi in drawn:
                fig = _kpi_figure(plt, summary, runs, kpi, param, params, seeds)
                stem = f"{kpi}__{param}".replace("/", "_")
                figures.append(
                    (f"{label_of(kpi)} against {label_of(param)}", _save(fig, tmp, stem))
                )
                plt.close(fig)
        (tmp / "index.html").write_text(
            _index(folder.name, summary, params, seeds, figures, constant), encoding="utf-8"
        )
    return out / "report"


def _index(name, summary, params, seeds, figures, constant) -> str:
    title = html.escape(name)
    band = _band_name(seeds)
    items = "\n".join(
        f'<figure><img src="{names[0]}" alt="{html.escape(caption)}" width="640">'
        f"<figcaption>{html.escape(caption)} "
        + " ".join(f'<a href="{n}">{n.rsplit(".", 1)[1].upper()}</a>' for n in names)
        + "</figcaption></figure>"
        for caption, names in figures
    )
    same = "".join(
        f"<li>{html.escape(label_of(k))}: {html.escape(format_value(k, v))}</li>"
        for k, v in constant.items()
    )
    listed = f"<h2>The same in every run (not drawn)</h2><ul>{same}</ul>" if same else ""
    names = ", ".join(html.escape(label_of(p)) for p in params)
    what = f"the band the {band}" if band else "one seed per variant (no band)"
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        "<style>body{font-family:sans-serif;margin:2em}figure{display:inline-block;"
        "margin:0.5em}</style></head><body>"
        f"<h1>Sweep {title}</h1><p>{len(summary['variant'].unique())} variants of {names}; "
        f"each point is the mean over the seeds, {what}.</p>{listed}{items}</body></html>\n"
    )
