"""The plan report: one self-contained HTML file a council can read (``DIR/report.html``).

Every figure is a PNG drawn with matplotlib and embedded in the file (no scripts, no tiles, no
network resource); every sentence with a number is generated from the plan's tables. Sections
of the whole region's report: the decision per adoption path (the decision table with each
figure's range over the seeds and the recommendation derived from it with its criterion,
:mod:`emob_sim.plan.tables`), the summary against the baseline, the phasing (what is built
and spent when), KPI trajectories per option, maps of each option's sites
(:mod:`emob_sim.plan.maps`) and the list of its sites, the e-bikes, the municipalities in the
last year, every assumption the runs used with its source
(:mod:`emob_sim.plan.assumptions`), the seeds and the package versions. A municipality's
report holds its own costs per year, service, CO2, e-bikes, maps and sites.

Headers are labels for people (:mod:`emob_sim.display`); :func:`emob_sim.plan.markup.table`
refuses a header that is a raw key. The sections are built in :mod:`emob_sim.plan.sections`.
"""

from __future__ import annotations

import contextlib
import html
import io
from importlib import metadata

import pandas as pd

from emob_sim.display import count_of, format_value, label_of, unit_of
from emob_sim.errors import EmobSimError
from emob_sim.plan import sections
from emob_sim.plan.areas import areas_section
from emob_sim.plan.assumptions import assumption_table
from emob_sim.plan.maps import KIND_STYLE
from emob_sim.plan.markup import STYLE, img, keep, png, table
from emob_sim.plan.run import PlanResult

__all__ = [
    "plan_report",
    "report_pdf",
    "check_pdf",
    "municipality_table",
    "REPORT_KPIS",
    "MUNICIPALITY_KPIS",
    "KIND_STYLE",
    "KPI_TITLES",
]

#: the KPI trajectories of the report (comparison columns of the planning area)
REPORT_KPIS = [
    "mean_wait_min_area",
    "trips_stranded_area",
    "peak_kw_area",
    "co2_avoided_kg_area",
    "capex_eur_area",
    "charging_sessions_area",
]
#: the KPI trajectories of a report restricted to one municipality (municipalities.csv)
MUNICIPALITY_KPIS = [
    "car_mean_wait_min",
    "trips_stranded",
    "car_sessions",
    "capex_eur",
    "pop_fast_10min_share",
]
#: chart titles of the KPI trajectories
KPI_TITLES = {
    "mean_wait_min": "Mean wait at a charger (min)",
    "trips_stranded": "Trips stranded a day (from the municipality)",
    "car_sessions": "Car charging sessions a day",
    "car_mean_wait_min": "Mean wait at a car charger (min)",
    "capex_eur": "CAPEX to build from today (EUR)",
    "pop_fast_10min_share": "Residents within 10 min of a DC charger (%)",
    "mean_wait_min_area": "Mean wait at a charger (min)",
    "trips_stranded_area": "Trips stranded a day",
    "peak_kw_area": "Peak load of the area's chargers (kW)",
    "co2_avoided_kg_area": "CO2 avoided a day (kg)",
    "capex_eur_area": "CAPEX to build from today (EUR)",
    "charging_sessions_area": "Public charging sessions a day",
}


def _trajectory(result: PlanResult, long: pd.DataFrame, path: str, kpi: str) -> str:
    fig = trajectory_figure(result, long, path, kpi)
    return img(png(fig), f"{label_of(kpi)} per option over the years, path {path}")


def trajectory_figure(result: PlanResult, long: pd.DataFrame, path: str, kpi: str):
    """One KPI per option over the years (mean, band over the seeds) as a matplotlib figure;
    money in million EUR, shares in percent."""
    import matplotlib.pyplot as plt

    table = long[(long["path"] == path) & (long["kpi"] == kpi)]
    fig, ax = plt.subplots(figsize=(5.2, 3.2))
    for option in [o.name for o in result.plan.config.options]:
        part = table[table["option"] == option].sort_values("year")
        ax.plot(part["year"], part["mean"], marker="o", label=option)
        ax.fill_between(part["year"], part["min"], part["max"], alpha=0.15)
    unit = unit_of(kpi)
    title = KPI_TITLES.get(kpi, f"{label_of(kpi)}" + (f" ({unit})" if unit else ""))
    title = title.replace("(EUR)", "(million EUR)")  # the axis is in millions
    ax.set_title(title, fontsize=10)
    ax.set_xticks(result.plan.config.years)
    _axis_numbers(ax, unit=unit)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return fig


def _axis_numbers(ax, *, unit: str) -> None:
    """Y ticks for people: money in million EUR (``1.5``), shares in percent, else thousands
    separators."""
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    if unit == "%":
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    elif unit == "EUR":
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1e6:,.2g}"))
    else:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.10g}"))


def municipality_table(result: PlanResult, municipality: str) -> pd.DataFrame:
    """The long table (path, option, year, kpi, mean, min, max) of one municipality's rows of
    ``municipalities.csv`` over the seeds.

    Parameters
    ----------
    result : PlanResult
        A plan run.
    municipality : str
        A municipality of the plan's zones.

    Returns
    -------
    pandas.DataFrame
        One row per path, option, year and KPI of :data:`MUNICIPALITY_KPIS`.
    """
    m = result.municipalities[result.municipalities["municipality"] == municipality]
    long = m.melt(id_vars=["path", "option", "year"], value_vars=MUNICIPALITY_KPIS, var_name="kpi")
    return (
        long.groupby(["path", "option", "year", "kpi"], sort=False)["value"]
        .agg(mean="mean", min="min", max="max")
        .reset_index()
    )


def _summary(result: PlanResult) -> list[str]:
    """One paragraph per adoption path and scope, generated from the last year's summary rows
    (:mod:`emob_sim.plan.money`)."""
    cfg, s = result.plan.config, result.summary
    first, last, base = cfg.years[0], cfg.years[-1], result.plan.baseline
    scopes = {
        "area": "the planning area (its own sites, its residents' trips)",
        "total": "everything simulated (through traffic and the aggregate Rīga site included)",
    }
    out = []
    for path in cfg.adoption:
        rows = s[(s["path"] == path) & (s["year"] == last)].set_index("option")
        for scope, words in scopes.items():
            b = rows.loc[base]
            parts = [
                f"On the <b>{html.escape(path)}</b> adoption path, for {words}: from {first} "
                f"to {last} the baseline <b>{html.escape(base)}</b> avoids "
                f"{_t_range(b, 'cumulative_co2_avoided_t', scope)} of CO2 and leaves "
                f"{b[f'trips_stranded_per_year_{scope}']:,.0f} trips a year stranded in {last}."
            ]
            for option, r in rows.iterrows():
                if option == base:
                    continue
                extra = format_value("eur", r[f"extra_npv_cost_eur_{scope}"], unit="EUR")
                more = (
                    r[f"cumulative_co2_avoided_t_{scope}"] - b[f"cumulative_co2_avoided_t_{scope}"]
                )
                parts.append(
                    f"<b>{html.escape(str(option))}</b> costs {extra} more in present value "
                    f"(CAPEX and OPEX, discounted), avoids {more:+,.0f} t of CO2 against the "
                    f"baseline (EUR per t: {html.escape(r[f'cost_per_t_co2_avoided_{scope}'])}) "
                    f"and leaves {r[f'trips_stranded_per_year_{scope}']:,.0f} trips a year "
                    f"stranded (EUR per stranded trip avoided: "
                    f"{html.escape(r[f'cost_per_stranded_trip_avoided_{scope}'])})."
                )
            out.append("<p>" + " ".join(parts) + "</p>")
    return out


def _t_range(row: pd.Series, key: str, scope: str) -> str:
    """``1,234 t (1,100 to 1,300 over the seeds)``."""
    lo, hi = row[f"{key}_{scope}_low"], row[f"{key}_{scope}_high"]
    return f"{row[f'{key}_{scope}']:,.0f} t ({lo:,.0f} to {hi:,.0f} over the seeds)"


def _versions() -> str:
    libs = []
    for lib in ("emob-sim", "numpy", "pandas", "simpy", "numba", "matplotlib"):
        try:
            libs.append(f"{lib} {metadata.version(lib)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(libs)


def _weasyprint():
    """The weasyprint module, or EmobSimError in one line when it or its Pango is missing."""
    try:
        # WeasyPrint prints a banner to stdout before it raises when a library is missing
        with contextlib.redirect_stdout(io.StringIO()):
            import weasyprint
    except ImportError as exc:
        raise EmobSimError(
            f"--pdf: needs WeasyPrint (pip install 'emob-sim[pdf]'), got {_first_line(exc)}"
        ) from None
    except OSError as exc:  # WeasyPrint installed, the system's Pango library missing
        raise EmobSimError(
            "--pdf: WeasyPrint cannot load the Pango library, expected it installed (Debian: "
            f"apt-get install libpango-1.0-0 libpangoft2-1.0-0), got {_first_line(exc)}"
        ) from None
    return weasyprint


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def report_pdf(report_html: str, path) -> None:
    """Write the report as a PDF (WeasyPrint, the ``pdf`` extra); the HTML holds everything.

    Parameters
    ----------
    report_html : str
        The self-contained report (:func:`plan_report`).
    path : str or pathlib.Path
        The PDF file written.
    """
    _weasyprint().HTML(string=report_html).write_pdf(str(path))


def check_pdf() -> None:
    """Raise EmobSimError now (before a plan runs) if :func:`report_pdf` cannot work."""
    _weasyprint()


def _trajectories(result: PlanResult, long: pd.DataFrame, kpis: list[str]) -> list[str]:
    out = []
    for path in result.plan.config.adoption:
        figures = [f"<figure>{_trajectory(result, long, path, k)}</figure>" for k in kpis]
        out.append(
            keep(
                f"<h2>Over the years: {html.escape(path)} adoption path</h2>",
                "<p>Each point is the mean over the seeds; the band spans their range.</p>",
                *figures[:2],
            )
        )
        out += figures[2:]
    return out


def plan_report(result: PlanResult, *, municipality: str | None = None) -> str:
    """The report of a plan as one self-contained HTML document; with ``municipality`` the
    report of that municipality: its costs per year, service, CO2, e-bikes and sites.

    Parameters
    ----------
    result : PlanResult
        A plan run (:func:`~emob_sim.plan.run_plan`).
    municipality : str or None
        A municipality of the plan's zones (None: the whole region).

    Returns
    -------
    str
        The HTML document (figures embedded).
    """
    import matplotlib

    matplotlib.use("Agg")
    cfg = result.plan.config
    first, last = cfg.years[0], cfg.years[-1]
    where = f" in {municipality}" if municipality else ""
    options = (
        "<p>Options: "
        + "; ".join(
            f"<b>{html.escape(o.name)}</b>: {html.escape(o.description)}" for o in cfg.options
        )
        + f". The first, {html.escape(result.plan.baseline)}, is the baseline.</p>"
    )
    parts = [
        f"<h1>Plan {html.escape(cfg.name)}{html.escape(where)}: options {first}–{last}</h1>",
        f"<p>{html.escape(cfg.description)}</p>",
        options,
    ]
    if municipality is None:
        parts += sections.decision(result)
        parts += [
            keep("<h2>Against the baseline</h2>", *_summary(result)[:1]),
            *_summary(result)[1:],
            _method(result),
        ]
        parts += sections.phasing(result, None)
        parts += _trajectories(result, result.table, REPORT_KPIS)
        parts += sections.maps_and_sites(result, None)
        parts += sections.ebikes(result)
        parts += areas_section(result)
        parts += sections.municipalities(result)
    else:
        parts.append(
            f"<p>Figures are for the sites on the territory of {html.escape(municipality)}"
            " and for the trips its residents make; costs are those of its sites. "
            "The decision between the options is the region's (the whole-region "
            "report).</p>"
        )
        parts += sections.phasing(result, municipality)
        parts += sections.local(result, municipality)
        parts += _trajectories(result, municipality_table(result, municipality), MUNICIPALITY_KPIS)
        parts += sections.maps_and_sites(result, municipality)
    parts += [
        keep(
            "<h2>Assumptions and sources</h2>",
            "<p>Every assumption the runs used, with its source: the plan file's "
            "values, then the scenario's (configs/base.yaml, where each value carries "
            "its source or the word ASSUMPTION).</p>",
        ),
        table(assumption_table(result), css="assumptions"),
    ]
    parts += [
        '<div class="keep"><h2>Runs</h2>',
        f"<p>Seeds {', '.join(map(str, result.plan.seeds))} in every year; "
        f"{count_of(len(result.runs), 'option run')}. Versions: {html.escape(_versions())}. "
        "Road data © OpenStreetMap contributors (ODbL) where the network comes from "
        "OpenStreetMap; municipality boundaries: Natural Earth (public domain).</p></div>",
    ]
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Plan {html.escape(cfg.name)}{html.escape(where)}</title><style>{STYLE}</style>"
        "</head><body>" + "\n".join(parts) + "</body></html>\n"
    )


def _method(result: PlanResult) -> str:
    cfg = result.plan.config
    return (
        "<p>Figures are for the planning area's own sites and residents (without the aggregate "
        "Rīga site) unless they say everything simulated. Each horizon year's annual figures "
        f"stand for the years until the next one. {html.escape(result.year_description)} "
        "Every option runs on the same adoption "
        "path: chargers change waits, stranded trips and detours, not how many electric cars "
        "there are, so the CO2 of the options differs little; adoption is what the paths vary. "
        "CO2 avoided is the petrol cars' CO2 on the trips as planned (detours to chargers earn "
        "no credit; a stranded trip earns none) minus the grid's CO2 of the energy the cars and "
        "shifted e-bike trips used. Money: CAPEX in the year a site or plug is built, OPEX "
        f"every year a plug is in service, discounted at {float(cfg.discount_rate.value):.1%} a "
        f"year to {cfg.years[0]} (net present value); tonnes are not discounted.</p>"
    )
