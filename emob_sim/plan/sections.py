"""The sections of the plan report built from its tables (:mod:`emob_sim.plan.tables`): the
decision, the phasing, the maps and site lists, the e-bikes, the municipalities, and one
municipality's own figures. Each returns HTML blocks (:mod:`emob_sim.plan.markup`).
"""

from __future__ import annotations

import html

import pandas as pd

from emob_sim.display import count_of, format_value
from emob_sim.plan import tables
from emob_sim.plan.maps import boundaries_of, site_map
from emob_sim.plan.markup import img, keep, png, section, table
from emob_sim.plan.run import PlanResult

__all__ = ["decision", "phasing", "maps_and_sites", "ebikes", "municipalities", "local"]


def _days_words(result: PlanResult) -> str:
    """What the municipal figures are: a mean over the seeds, or one seed's weekday (the
    simulated-year plans tabulate municipalities on the first seed)."""
    seeds = sorted(result.municipalities["seed"].unique())
    if len(seeds) == 1:
        return f"one simulated weekday (seed {seeds[0]}) a day"
    return "mean over the seeds of one simulated day, ranges over the seeds"


def decision(result: PlanResult) -> list[str]:
    """Per adoption path: the recommendation and the decision table."""
    cfg = result.plan.config
    head = [
        "<h2>Decision</h2>",
        "<p>Per adoption path: what each option costs over the plan and delivers in the "
        f"planning area by {cfg.years[-1]}. Each figure is the mean over the seeds "
        f"({len(result.plan.seeds)}), with their range (lowest–highest) where they differ; "
        "options whose ranges overlap are within noise of each other.</p>",
    ]
    out = []
    for path in cfg.adoption:
        out.append(
            keep(
                f"<h3>{html.escape(path.capitalize())} adoption path</h3>",
                f'<p class="recommend">{html.escape(tables.recommendation(result, path))}</p>',
                table(tables.decision_table(result, path), css="decision"),
            )
        )
    return section(head, out)


def phasing(result: PlanResult, municipality: str | None) -> list[str]:
    """Year x option: sites, plugs, CAPEX that year, OPEX (once when every path agrees)."""
    cfg = result.plan.config
    where = f" in {municipality}" if municipality else ""
    frames = {
        path: tables.phasing_table(result, path, municipality=municipality) for path in cfg.adoption
    }
    same = all(f.equals(next(iter(frames.values()))) for f in frames.values())
    intro = (
        f"<p>Sites and plugs in service{html.escape(where)} each horizon year, the CAPEX spent "
        "that year (new sites and added plugs) and the OPEX a year of every plug in service "
        "(maintenance, back end, fees; no electricity)."
        + (" The same on every adoption path.</p>" if same else "</p>")
    )
    head = [f"<h2>Phasing: what is built and spent when{html.escape(where)}</h2>", intro]
    if same:
        return section(head, [table(next(iter(frames.values())))])
    blocks = [
        keep(f"<h3>{html.escape(p.capitalize())} adoption path</h3>", table(f))
        for p, f in frames.items()
    ]
    return section(head, blocks)


def maps_and_sites(result: PlanResult, municipality: str | None) -> list[str]:
    """A map of each distinct layout, today's chargers and the sites each option builds."""
    import matplotlib.pyplot as plt

    cfg = result.plan.config
    first, last = cfg.years[0], cfg.years[-1]
    where = f" in {municipality}" if municipality else ""
    boundaries = boundaries_of(result)
    sites = tables.site_list(result, municipality=municipality)
    out: list[str] = []
    starts = [result.sites[(first, o.name)] for o in cfg.options]
    common = all(t[["site_id", "plugs"]].equals(starts[0][["site_id", "plugs"]]) for t in starts)
    shown = []
    if common:
        shown.append((f"Today's chargers, {first} (every option)", starts[0]))
    for o in cfg.options:
        before = starts[0] if common else None
        for year in cfg.years:
            t = result.sites[(year, o.name)]
            if before is not None and t[["site_id", "plugs"]].equals(before[["site_id", "plugs"]]):
                continue
            later = [y for y in cfg.years if y > year]
            kept = (
                f"{year}–{last}"
                if later
                and all(
                    result.sites[(y, o.name)][["site_id", "plugs"]].equals(t[["site_id", "plugs"]])
                    for y in later
                )
                else str(year)
            )
            shown.append((f"{o.name}, {kept}", t))
            before = t
    for title, layout in shown:
        fig = site_map(
            result, layout, title=title, boundaries=boundaries, municipality=municipality
        )
        out.append(f'<figure class="map">{img(png(fig), f"map of the sites: {title}")}</figure>')
    plt.close("all")
    out = section([f"<h2>Sites of each option{html.escape(where)}</h2>"], out)
    existing = sites[sites["year_built"] == f"before {first}"].drop_duplicates("site_id")
    out.append(
        keep(
            f"<h3>Today's chargers{html.escape(where)}</h3>",
            f"<p>{count_of(len(existing), 'site')}, kept by every option.</p>"
            if len(existing)
            else "<p>No public chargers today.</p>",
            table(tables.people_sites(existing, text=True).drop(columns=["Option"]))
            if len(existing)
            else "",
        )
    )
    for o in cfg.options:
        new = sites[(sites["option"] == o.name) & (sites["year_built"] != f"before {first}")]
        capex = format_value("capex_eur", float(new["capex_eur"].sum()))
        text = (
            f"<p>{count_of(len(new), 'new site')}, {count_of(int(new['plugs'].sum()), 'plug')}"
            f", {capex}.</p>"
            if len(new)
            else "<p>No new sites.</p>"
        )
        body = (
            table(tables.people_sites(new, text=True).drop(columns=["Option"])) if len(new) else ""
        )
        out.append(keep(f"<h3>Built by {html.escape(o.name)}{html.escape(where)}</h3>", text, body))
    out.append(
        "<p>The same list is in the plan folder as sites.csv (for spreadsheets) and "
        "sites.gpkg (for GIS), with every option's sites.</p>"
    )
    return out


def ebikes(result: PlanResult) -> list[str]:
    """Per adoption path: e-bike points, their use, the trips moved from cars and the CO2."""
    cfg = result.plan.config
    head = [
        "<h2>E-bikes</h2>",
        "<p>Public e-bike points (sockets or lockers) and their use a day, the car trips moved "
        "to e-bikes (the adoption path's modal shift, the same for every option) and the CO2 "
        "those trips avoid. Each figure with its range over the seeds.</p>",
    ]
    out = [
        keep(
            f"<h3>{html.escape(p.capitalize())} adoption path</h3>",
            table(tables.ebike_table(result, p)),
        )
        for p in cfg.adoption
    ]
    return section(head, out)


def municipalities(result: PlanResult) -> list[str]:
    """Every municipality in the last year (mean over the seeds of one day)."""
    last = result.plan.config.years[-1]
    m = result.municipalities[result.municipalities["year"] == last]
    m = m.groupby(["path", "option", "municipality"], sort=False).mean(numeric_only=True)
    m = m.reset_index()
    shown = pd.DataFrame(
        {
            "Adoption path": m["path"],
            "Option": m["option"],
            "Municipality": m["municipality"],
            "Residents": [format_value("population", v) for v in m["population"]],
            "Residents within 10 min of a DC charger": [
                f"{v:.0%}" for v in m["pop_fast_10min_share"]
            ],
            "Car charging sessions a day": [f"{v:,.0f}" for v in m["car_sessions"]],
            "Mean wait at a car charger": [
                tables.DASH if pd.isna(v) else f"{v:.1f} min" for v in m["car_mean_wait_min"]
            ],
            "Residents' trips stranded a day": [f"{v:,.1f}" for v in m["trips_stranded"]],
            "E-bike charging sessions a day": [f"{v:,.0f}" for v in m["ebike_sessions"]],
            "CAPEX to build from today": [format_value("capex_eur", v) for v in m["capex_eur"]],
        }
    )
    return [
        keep(
            f"<h2>Municipalities in {last}</h2>",
            f"<p>{_days_words(result).capitalize()}. A site counts for the municipality "
            "whose territory holds it; a stranded trip for its origin's municipality. A dash: "
            "nobody came to a car charger there.</p>",
        ),
        table(shown),
    ]


def local(result: PlanResult, municipality: str) -> list[str]:
    """One municipality per adoption path: service, CO2 of its residents' cars, e-bikes."""
    cfg = result.plan.config
    name = html.escape(municipality)
    head = [
        f"<h2>{name}: service, CO2 and e-bikes</h2>",
        f"<p>Per year and option: the car chargers on the territory of {name} and their users, the "
        f"stranded trips of its residents and the CO2 their electric cars avoid (petrol "
        "counterfactual minus grid electricity; the e-bikes' modal shift is counted for the "
        f"region only), and the use of its e-bike points; {_days_words(result)}. A dash: "
        "nobody came to a car charger.</p>",
    ]
    out = [
        keep(
            f"<h3>{html.escape(p.capitalize())} adoption path</h3>",
            table(tables.municipal_table(result, p, municipality)),
        )
        for p in cfg.adoption
    ]
    return section(head, out)
