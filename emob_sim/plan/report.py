"""The plan report: one self-contained HTML file a council can read (``DIR/report.html``).

Every figure is a PNG drawn with matplotlib and embedded in the file (no scripts, no tiles, no
network resource); every sentence with a number is generated from the plan's tables. Sections:
the summary (per adoption path, what each option delivers by the last year against the
baseline), KPI trajectories per option over the years (mean over the seeds, the band their
range), maps of each option's sites in each year over the zones and roads, the table per
municipality in the last year, every assumption of the plan file with its source, the seeds
and the package versions.
"""

from __future__ import annotations

import base64
import html
import io
from importlib import metadata

import numpy as np
import pandas as pd

from emob_sim.display import format_value, label_of, unit_of
from emob_sim.errors import EmobSimError
from emob_sim.plan.run import PlanResult

__all__ = [
    "plan_report",
    "report_pdf",
    "check_pdf",
    "municipality_table",
    "REPORT_KPIS",
    "MUNICIPALITY_KPIS",
    "KIND_STYLE",
]

#: the KPI trajectories of the report (comparison columns of the planning area)
REPORT_KPIS = [
    "mean_wait_min_area", "trips_stranded_area", "peak_kw_area", "co2_avoided_kg_area",
    "capex_eur_area", "charging_sessions_area",
]  # fmt: skip
#: map marker per site kind, drawn in this order (the rarer fast chargers on top):
#: (marker, colour, size of the marker, label)
KIND_STYLE = {
    "ebike": ("s", "#27ae60", 70, "e-bike charging"),
    "car_ac": ("o", "#2471a3", 40, "AC charger"),
    "car_dc": ("^", "#c0392b", 30, "DC fast charger"),
}
#: the KPI trajectories of a report restricted to one municipality (municipalities.csv)
MUNICIPALITY_KPIS = ["mean_wait_min", "trips_stranded", "sessions", "capex_eur",
                     "pop_fast_10min_share"]  # fmt: skip
#: chart titles of the KPI trajectories
KPI_TITLES = {
    "mean_wait_min": "Mean wait at a charger (min)",
    "trips_stranded": "Trips stranded a day (from the municipality)",
    "sessions": "Public charging sessions a day",
    "capex_eur": "CAPEX to build from today (EUR)",
    "pop_fast_10min_share": "Population within 10 min of a DC charger",
    "mean_wait_min_area": "Mean wait at a charger (min)",
    "trips_stranded_area": "Trips stranded a day",
    "peak_kw_area": "Peak load of the area's chargers (kW)",
    "co2_avoided_kg_area": "CO2 avoided a day (kg)",
    "capex_eur_area": "CAPEX to build from today (EUR)",
    "charging_sessions_area": "Public charging sessions a day",
}


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _img(data: str, alt: str) -> str:
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def _trajectory(result: PlanResult, long: pd.DataFrame, path: str, kpi: str) -> str:
    import matplotlib.pyplot as plt

    table = long[(long["path"] == path) & (long["kpi"] == kpi)]
    fig, ax = plt.subplots(figsize=(5.2, 3.2))
    for option in [o.name for o in result.plan.config.options]:
        part = table[table["option"] == option].sort_values("year")
        ax.plot(part["year"], part["mean"], marker="o", label=option)
        ax.fill_between(part["year"], part["min"], part["max"], alpha=0.15)
    unit = unit_of(kpi)
    title = KPI_TITLES.get(kpi, f"{label_of(kpi)}" + (f" ({unit})" if unit else ""))
    ax.set_title(title, fontsize=10)
    ax.set_xticks(result.plan.config.years)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return _img(_png(fig), f"{label_of(kpi)} per option over the years, path {path}")


def _map(result: PlanResult, year: int, option: str, municipality: str | None = None) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.6, 3.6))
    roads = result.roads
    segments = np.stack([roads[["from_lon", "from_lat"]].to_numpy(),
                         roads[["to_lon", "to_lat"]].to_numpy()], axis=1)  # fmt: skip
    from matplotlib.collections import LineCollection

    ax.add_collection(LineCollection(segments, colors="#bbbbbb", linewidths=0.8))
    zones = result.zones[result.zones["kind"] == "zone"]
    if municipality is not None:
        zones = zones[zones["municipality"] == municipality]
    ax.scatter(
        zones["lon"],
        zones["lat"],
        s=np.sqrt(zones["population"]) / 3,
        c="#f0e0c0",
        edgecolors="#c8a860",
        linewidths=0.5,
        zorder=2,
        label="zone (by population)",
    )
    sites = result.sites[(year, option)]
    sites = sites[sites["municipality"] != "outside"]
    if municipality is not None:
        sites = sites[sites["municipality"] == municipality]
    for z, (kind, (marker, colour, size, label)) in enumerate(KIND_STYLE.items()):
        part = sites[sites["kind"] == kind]
        if len(part):
            plugs = int(part["plugs"].sum())
            ax.scatter(part["lon"], part["lat"], marker=marker, c=colour, s=size,
                       edgecolors="white", linewidths=0.5, zorder=3 + z,
                       label=f"{label}: {len(part)} sites, {plugs} plugs")  # fmt: skip
    lon, lat = zones["lon"], zones["lat"]
    margin = 0.3 if municipality is None else 0.15
    ax.set_xlim(lon.min() - margin, lon.max() + margin)
    ax.set_ylim(lat.min() - margin * 2 / 3, lat.max() + margin * 2 / 3)
    ax.set_aspect(1 / np.cos(np.radians(lat.mean())))
    ax.set_title(f"{option}, {year}", fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(fontsize=6, loc="lower left")
    return _img(_png(fig), f"sites of {option} in {year}")


def municipality_table(result: PlanResult, municipality: str) -> pd.DataFrame:
    """The long table (path, option, year, kpi, mean, min, max) of one municipality's rows of
    ``municipalities.csv`` over the seeds."""
    m = result.municipalities[result.municipalities["municipality"] == municipality]
    long = m.melt(id_vars=["path", "option", "year"], value_vars=MUNICIPALITY_KPIS,
                  var_name="kpi")  # fmt: skip
    return (long.groupby(["path", "option", "year", "kpi"], sort=False)["value"]
            .agg(mean="mean", min="min", max="max").reset_index())  # fmt: skip


def _municipality_summary(result: PlanResult, long: pd.DataFrame, name: str) -> list[str]:
    """One paragraph per adoption path: each option in the municipality in the last year."""
    cfg = result.plan.config
    last = cfg.years[-1]
    out = []
    for path in cfg.adoption:
        rows = long[(long["path"] == path) & (long["year"] == last)]
        mean = rows.pivot(index="option", columns="kpi", values="mean")
        parts = [f"In <b>{html.escape(name)}</b> on the <b>{html.escape(path)}</b> adoption "
                 f"path in {last}:"]  # fmt: skip
        for o in cfg.options:
            r = mean.loc[o.name]
            capex = format_value("eur", r["capex_eur"], unit="EUR")
            parts.append(
                f"<b>{html.escape(o.name)}</b> builds {capex} "
                f"of chargers here, serves {r['sessions']:,.0f} public sessions a day with a "
                f"mean wait of {r['mean_wait_min']:.1f} min, leaves {r['trips_stranded']:,.1f} "
                f"trips a day stranded, and puts {r['pop_fast_10min_share']:.0%} of the "
                "population within 10 minutes of a DC charger."
            )  # fmt: skip
        out.append("<p>" + " ".join(parts) + "</p>")
    return out


def _summary(result: PlanResult) -> list[str]:
    """One paragraph per adoption path, generated from the last year's summary rows."""
    cfg, s = result.plan.config, result.summary
    last, base = cfg.years[-1], result.plan.baseline
    out = []
    for path in cfg.adoption:
        rows = s[(s["path"] == path) & (s["year"] == last)].set_index("option")
        b = rows.loc[base]
        parts: list[str] = []
        parts += [f"On the <b>{html.escape(path)}</b> adoption path, by {last} the baseline "
                 f"<b>{html.escape(base)}</b> avoids {b['cumulative_co2_avoided_t']:,.0f} t of "
                 f"CO2 from {cfg.years[0]} on and leaves {b['trips_stranded_per_year']:,.0f} "
                 "trips a year stranded."]  # fmt: skip
        for option, r in rows.iterrows():
            if option == base:
                continue
            extra = (r["capex_eur"] + r["cumulative_opex_eur"]
                     - b["capex_eur"] - b["cumulative_opex_eur"])  # fmt: skip
            more = r["cumulative_co2_avoided_t"] - b["cumulative_co2_avoided_t"]
            per_t = r["cost_per_t_co2_avoided_eur"]
            co2 = (f"avoids {more:,.0f} t of CO2 more than the baseline, "
                   f"{format_value('eur', per_t, unit='EUR')} per tonne" if np.isfinite(per_t)
                   else f"avoids about as much CO2 as the baseline ({more:+,.0f} t)")  # fmt: skip
            per_stranded = r["cost_per_stranded_trip_avoided_eur"]
            per_trip = (f" ({format_value('eur', per_stranded, unit='EUR')} per stranded trip "
                        "avoided)" if np.isfinite(per_stranded) else "")  # fmt: skip
            parts.append(
                f"<b>{html.escape(str(option))}</b> costs {format_value('eur', extra, unit='EUR')}"
                f" more (CAPEX and OPEX to {last}), {co2}, and leaves "
                f"{r['trips_stranded_per_year']:,.0f} trips a year stranded{per_trip}."
            )
        out.append("<p>" + " ".join(parts) + "</p>")
    return out


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _assumptions(result: PlanResult) -> pd.DataFrame:
    cfg = result.plan.config
    rows = [
        {
            "path": "all",
            "year": "all",
            "key": "days_per_year",
            "value": cfg.days_per_year.value,
            "source": cfg.days_per_year.source,
        }
    ]
    for path, by_year in cfg.adoption.items():
        for year, values in by_year.items():
            rows += [{"path": path, "year": year, "key": k, "value": v.value, "source": v.source}
                     for k, v in values.items()]  # fmt: skip
    return pd.DataFrame(rows)


def _versions() -> str:
    libs = []
    for lib in ("emob-sim", "numpy", "pandas", "simpy", "numba", "matplotlib"):
        try:
            libs.append(f"{lib} {metadata.version(lib)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(libs)


_STYLE = (
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222;line-height:1.45}"
    "h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}"
    "table{border-collapse:collapse;font-size:.85em;margin:.5em 0}"
    "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}th{background:#f3f3f3}"
    "figure{display:inline-block;margin:.3em}img{max-width:100%}"
    "@page{size:A4;margin:14mm}"
    "@media print{body{max-width:none;margin:0;font-size:10pt}figure{break-inside:avoid;"
    "width:48%}h2{break-after:avoid}table{font-size:7.5pt}}"
)


def report_pdf(report_html: str, path) -> None:
    """Write the report as a PDF (WeasyPrint, the ``pdf`` extra); the HTML holds everything."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: WeasyPrint without the Pango library
        raise EmobSimError(
            f"--pdf: needs WeasyPrint and the Pango library (pip install 'emob-sim[pdf]'): {exc}"
        ) from None
    HTML(string=report_html).write_pdf(str(path))


def check_pdf() -> None:
    """Raise EmobSimError now (before a plan runs) if :func:`report_pdf` cannot work."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        raise EmobSimError(
            f"--pdf: needs WeasyPrint and the Pango library (pip install 'emob-sim[pdf]'): {exc}"
        ) from None


def plan_report(result: PlanResult, *, municipality: str | None = None) -> str:
    """The report of a plan as one self-contained HTML document; with ``municipality`` the
    same report restricted to that municipality's zones and sites."""
    import matplotlib

    matplotlib.use("Agg")
    cfg = result.plan.config
    last = cfg.years[-1]
    where = f" in {municipality}" if municipality else ""
    if municipality is None:
        long, kpis, summary = result.table, REPORT_KPIS, _summary(result)
        scope = ("Figures are for the planning area's own sites and residents (without the "
                 "aggregate Rīga site).")  # fmt: skip
    else:
        long, kpis = municipality_table(result, municipality), MUNICIPALITY_KPIS
        summary = _municipality_summary(result, long, municipality)
        scope = (f"Figures are for the sites in {html.escape(municipality)} (a site belongs to "
                 "the municipality of the zone it is reached from fastest) and for the trips "
                 "that start there.")  # fmt: skip
    parts = [
        f"<h1>Plan {html.escape(cfg.name)}{html.escape(where)}: options {cfg.years[0]}-{last}</h1>",
        f"<p>{html.escape(cfg.description)}</p>",
        "<h2>Summary</h2>", *summary,
        "<p>Options: " + "; ".join(f"<b>{html.escape(o.name)}</b>: {html.escape(o.description)}"
                                   for o in cfg.options) + ".</p>",
        f"<p>{scope} Each horizon year's annual figures stand for the years until the next one; "
        f"a year counts {cfg.days_per_year.value} simulated days. Every option runs on the same "
        "adoption path: chargers change waits, stranded trips and detours, not how many "
        "electric cars there are, so the CO2 of the options differs little; adoption is what "
        "the paths vary.</p>",
    ]  # fmt: skip
    for path in cfg.adoption:
        parts.append(f"<h2>Over the years: {html.escape(path)} path</h2>")
        parts.append("<p>Each point is the mean over the seeds; the band spans their range.</p>")
        parts += [f"<figure>{_trajectory(result, long, path, k)}</figure>" for k in kpis]
    parts.append(f"<h2>Sites of each option{html.escape(where)}</h2>")
    for option in cfg.options:
        parts.append(f"<h3>{html.escape(option.name)}</h3>")
        parts += [f"<figure>{_map(result, y, option.name, municipality)}</figure>"
                  for y in cfg.years]  # fmt: skip
    m = result.municipalities
    if municipality is not None:
        m = m[m["municipality"] == municipality]
    m = m[m["year"] == last].groupby(["path", "option", "municipality"], sort=False).mean(
        numeric_only=True).reset_index()  # fmt: skip
    shown = m[["path", "option", "municipality", "population", "pop_fast_10min_share",
               "sessions", "mean_wait_min", "trips_stranded", "capex_eur"]].copy()  # fmt: skip
    for col in ("population", "sessions", "trips_stranded", "capex_eur"):
        shown[col] = [format_value(col, v) for v in shown[col]]
    shown["pop_fast_10min_share"] = [f"{v:.0%}" for v in shown["pop_fast_10min_share"]]
    shown["mean_wait_min"] = [f"{v:.1f} min" for v in shown["mean_wait_min"]]
    shown = shown.rename(columns={"pop_fast_10min_share": "population within 10 min of DC",
                                  "sessions": "sessions a day", "mean_wait_min": "mean wait",
                                  "trips_stranded": "trips stranded a day",
                                  "capex_eur": "CAPEX to build from today"})  # fmt: skip
    parts += [f"<h2>Municipalities in {last}</h2>",
              "<p>Mean over the seeds of one simulated day.</p>", _table(shown)]  # fmt: skip
    parts += ["<h2>Assumptions and sources</h2>", _table(_assumptions(result))]
    parts += [
        "<h2>Runs</h2>",
        f"<p>Seeds {', '.join(map(str, result.plan.seeds))} in every year; "
        f"{len(result.runs)} option runs. Versions: {html.escape(_versions())}. Road data © "
        "OpenStreetMap contributors (ODbL) where the network comes from OpenStreetMap.</p>",
    ]
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Plan {html.escape(cfg.name)}</title><style>{_STYLE}</style></head><body>"
        + "\n".join(parts)
        + "</body></html>\n"
    )
