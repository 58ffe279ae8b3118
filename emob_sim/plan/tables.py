"""The tables of the plan report a council decides with: per adoption path the decision table
(what each option costs and delivers, each figure with its range over the seeds), the
recommendation derived from it, the phasing (what is built and spent when), the site list and
the e-bike use; each optionally restricted to one municipality.

Headers people read come from :mod:`emob_sim.display` (or are option names and years); the
machine-readable site table (:func:`site_list`) keeps its keys for ``sites.gpkg``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emob_sim.display import header_of, kind_label, label_of, unit_of
from emob_sim.plan.run import PlanResult

__all__ = [
    "decision_table",
    "recommendation",
    "phasing_table",
    "site_list",
    "people_sites",
    "ebike_table",
    "municipal_table",
    "SITE_COLUMNS",
]

#: columns of :func:`site_list` (sites.csv with people's headers, sites.gpkg with these keys)
SITE_COLUMNS = [
    "option",  # the plan option
    "site_id",  # the site's id in the layout
    "name",  # its name
    "municipality",  # the municipality whose territory holds it
    "lon",  # WGS84 longitude
    "lat",  # WGS84 latitude
    "kind",  # car_ac, car_dc or ebike (sites.csv: named for people)
    "plugs",  # plugs in the last year
    "power_kw",  # power per plug
    "year_built",  # the horizon year it first appears, "before YEAR" for today's chargers
    "capex_eur",  # its CAPEX in that year (against today's chargers)
]
#: the dash shown where a figure does not exist (nobody charged, no seed)
DASH = "–"


def _decimals(size: float) -> int:
    size = abs(size)
    return 0 if size >= 100 or size == 0 else 1 if size >= 10 else 2


def _num(value: float, decimals: int | None = None) -> str:
    """A number for people: thousands separators, decimals as its size needs."""
    if not np.isfinite(value):
        return DASH
    d = _decimals(value) if decimals is None else decimals
    text = f"{value:,.{d}f}"
    return "0" if text.strip("-0.,") == "" else text


def _spread(values) -> str:
    """``mean (min–max)`` over the seeds, or the value alone when every seed agrees; one
    number of decimals for the three (that of the mean; counts without decimals, their mean
    with one); a dash without values."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not v.size:
        return DASH
    if np.all(v == np.round(v)):
        ends = 0
        mid = _num(v.mean(), 0 if v.mean() == round(v.mean()) or v.mean() >= 100 else 1)
    else:
        ends = _decimals(v.mean()) if v.mean() else _decimals(v.max())
        mid = _num(v.mean(), ends)
    lo, hi = _num(v.min(), ends), _num(v.max(), ends)
    return mid if lo == hi else f"{mid} ({lo}–{hi})"


#: KPIs of a run that are not totals over its days (waits, peaks, shares)
_NOT_TOTALS = ("_wait_min", "peak_kw", "_share")


def _days(result: PlanResult, path: str, year: int, option: str) -> int:
    """Simulated days of a case (its totals are divided by them: figures a day)."""
    return next(
        c.scenario.time.days
        for c in result.plan.cases
        if (c.path, c.year, c.option) == (path, year, option)
    )


def _per_seed(result: PlanResult, path: str, year: int, option: str, key: str) -> np.ndarray:
    """A KPI of one case per seed; totals over the simulated days as figures a day."""
    runs = result.runs
    part = runs[(runs["path"] == path) & (runs["year"] == year) & (runs["option"] == option)]
    values = part.sort_values("seed")[key].to_numpy(dtype=float)
    if any(k in key for k in _NOT_TOTALS):
        return values
    return values / _days(result, path, year, option)


def _options(result: PlanResult) -> list[str]:
    return [o.name for o in result.plan.config.options]


def decision_table(result: PlanResult, path: str) -> pd.DataFrame:
    """Rows: measures (money over the whole plan, CO2 in both scopes, service in the last
    year, with the sessions of cars that plugged in where they parked when the runs count
    them); columns: ``Measure`` and one per option. Each figure is the mean over the seeds with
    its range (min–max) when the seeds differ."""
    cfg = result.plan.config
    first, last = cfg.years[0], cfg.years[-1]
    s = result.summary[result.summary["path"] == path].set_index(["option", "year"])
    rate = float(cfg.discount_rate.value)
    # CO2 with the EV share answering the chargers, when the plan has that response
    response = getattr(cfg, "adoption_response", None) is not None and (
        "cumulative_co2_avoided_t_response_area_low" in s.columns
    )
    # sessions of cars that plugged in where they parked, when the runs count them
    parked = {"destination_sessions_area", "overnight_sessions_area"} <= set(result.runs.columns)
    rows: dict[str, dict[str, str]] = {}
    for option in _options(result):
        o, end = s.loc[option], s.loc[(option, last)]
        day = {
            key: _per_seed(result, path, last, option, key)
            for key in (
                "trips_stranded_area",
                "trips_stranded_total",
                "sessions_abandoned_area",
                "p95_wait_min_area",
                "peak_kw_area",
                "ebike_charging_sessions",
                "ebike_public_energy_kwh",
            )
        }
        column = {
            f"CAPEX {first}–{last} (EUR)": _num(o["capex_eur_area"].sum()),
            f"OPEX in {last} (EUR a year)": _num(end["opex_eur_per_year_area"]),
            f"NPV of costs {first}–{last}, at {rate:.0%} a year (EUR)": _num(
                end["npv_cost_eur_area"]
            ),
            f"CO2 avoided {first}–{last}, planning area (t)": _range3(end, "area"),
            f"CO2 avoided {first}–{last}, everything simulated (t)": _range3(end, "total"),
            **(
                {
                    f"CO2 avoided {first}–{last}, planning area, with the adoption response (t)": (
                        _range3(end, "area", response=True)
                    ),
                    f"CO2 avoided {first}–{last}, everything simulated, with the adoption "
                    "response (t)": _range3(end, "total", response=True),
                }
                if response
                else {}
            ),
            f"Residents' trips stranded a day in {last}": _spread(day["trips_stranded_area"]),
            f"Through-traffic trips stranded a day in {last}": _spread(
                day["trips_stranded_total"] - day["trips_stranded_area"]
            ),
            f"Drivers turned away (gave up at a full site) a day in {last}": _spread(
                day["sessions_abandoned_area"]
            ),
            **(
                {
                    f"Sessions where cars park (destination + overnight), a day in {last}": (
                        _spread(
                            _per_seed(result, path, last, option, "destination_sessions_area")
                            + _per_seed(result, path, last, option, "overnight_sessions_area")
                        )
                    )
                }
                if parked
                else {}
            ),
            f"Wait of the slowest 5 % in {last} (min)": _spread(day["p95_wait_min_area"]),
            f"Grid peak of the area's chargers in {last} (kW)": _spread(day["peak_kw_area"]),
            f"Public e-bike charging sessions a day in {last}": _spread(
                day["ebike_charging_sessions"]
            ),
            f"E-bike energy charged in public a day in {last} (kWh)": _spread(
                day["ebike_public_energy_kwh"]
            ),
        }
        for measure, text in column.items():
            rows.setdefault(measure, {})[option] = text
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "Measure"
    return table.reset_index()


def _range3(row: pd.Series, scope: str, *, response: bool = False) -> str:
    key = f"cumulative_co2_avoided_t{'_response' if response else ''}_{scope}"
    d = _decimals(row[key])
    lo, mid, hi = (_num(row[k], d) for k in (f"{key}_low", key, f"{key}_high"))
    return mid if lo == hi else f"{mid} ({lo}–{hi})"


def recommendation(result: PlanResult, path: str) -> str:
    """One sentence (plain text) naming the option the decision table favours, with its
    criterion.

    The options whose stranded trips (residents and through traffic) in the last year are
    within noise of the best (their ranges over the seeds overlap the best option's) are
    eligible. If the baseline (the first option) is one of them, it is favoured: spending buys
    no fewer stranded trips than the seeds can tell apart. Otherwise the eligible option with
    the lowest extra NPV of costs per tonne of CO2 avoided against the baseline in the planning
    area over the plan (the incremental cost-effectiveness, as in "Against the baseline")
    is favoured; when no option avoids CO2 beyond the seeds' noise, the one with the lowest
    extra NPV. The drivers it turns away are named beside the fewest of any option.

    Parameters
    ----------
    result
        The plan's result.
    path
        The adoption path.

    Returns
    -------
    str
        The sentence.
    """
    cfg = result.plan.config
    last = cfg.years[-1]
    s = result.summary[(result.summary["path"] == path) & (result.summary["year"] == last)]
    s = s.set_index("option")
    names = _options(result)
    baseline = names[0]
    stranded = {o: _per_seed(result, path, last, o, "trips_stranded_total") for o in names}
    away = {o: _per_seed(result, path, last, o, "sessions_abandoned_area") for o in names}
    best = min(stranded, key=lambda o: stranded[o].mean())
    eligible = [o for o in names if stranded[o].min() <= stranded[best].max()]
    left_out = [o for o in names if o not in eligible]
    span = f"{cfg.years[0]}–{last}"
    within = (
        f"among the options whose stranded trips in {last} (residents and through traffic) "
        f"are within noise of the best ({best}, {_spread(stranded[best])} a day)"
    )
    key = "cost_per_t_co2_avoided_eur_area"

    def per_t(option: str, end: str = "") -> float:
        value = s.loc[option, f"{key}{'_' + end if end else ''}"]
        return float(value) if pd.notna(value) else np.inf

    ties: list[str] = []
    if baseline in eligible:
        chosen = baseline
        text = (
            f"On the {path} adoption path the table favours {baseline} (the baseline): no "
            f"option strands fewer trips in {last} by more than the seeds' noise. Criterion: "
            f"the least spending {within}."
        )
    else:
        rated = [o for o in eligible if np.isfinite(per_t(o))]
        if rated:
            chosen = min(rated, key=per_t)
            ties = [o for o in rated if o != chosen and per_t(o, "low") <= per_t(chosen, "high")]
            text = (
                f"On the {path} adoption path the table favours {chosen}: "
                f"{_num(per_t(chosen), 0)} EUR of extra NPV per tonne of CO2 avoided against "
                f"{baseline} ({_num(per_t(chosen, 'low'), 0)}–{_num(per_t(chosen, 'high'), 0)}"
                f" over the seeds). Criterion: the lowest extra NPV of costs per tonne of CO2 "
                f"avoided against the baseline in the planning area {span}, {within}."
            )
        else:
            chosen = min(eligible, key=lambda o: s.loc[o, "extra_npv_cost_eur_area"])
            text = (
                f"On the {path} adoption path the table favours {chosen}: no option avoids "
                f"CO2 against {baseline} beyond the seeds' noise, so the criterion is the "
                f"lowest extra NPV of costs ({_num(s.loc[chosen, 'extra_npv_cost_eur_area'], 0)}"
                f" EUR) {within}."
            )
    if left_out:
        text += (
            " Left out for stranding more trips: "
            + ", ".join(f"{o}, {_spread(stranded[o])} a day" for o in left_out)
            + "."
        )
    if ties:
        text += (
            " Within noise of it: "
            + ", ".join(f"{o}, {_num(per_t(o), 0)} EUR per tonne" for o in ties)
            + "; the seeds do not separate them."
        )
    fewest = min(away, key=lambda o: away[o].mean())
    text += f" {chosen} turns away {_spread(away[chosen])} drivers a day at full sites in {last}"
    if fewest != chosen:
        text += f"; {fewest} the fewest, {_spread(away[fewest])}"
    return text + "."


def site_list(result: PlanResult, *, municipality: str | None = None) -> pd.DataFrame:
    """Every planning-area site each option has in the last year (:data:`SITE_COLUMNS`): the
    horizon year it first appears (``before`` the first year for today's chargers) and its
    CAPEX then (what it cost to build, against today's chargers)."""
    cfg = result.plan.config
    first, last = cfg.years[0], cfg.years[-1]
    out = []
    for option in _options(result):
        final = result.sites[(last, option)]
        final = final[final["municipality"] != "outside"]
        built, cost = {}, {}
        for year in cfg.years:
            t = result.sites[(year, option)]
            for sid, capex in zip(t["site_id"].astype(str), t["capex_eur"].astype(float)):
                if sid not in built:
                    built[sid] = year if (year > first or capex > 0) else f"before {first}"
                    cost[sid] = capex
        table = final.assign(
            option=option,
            year_built=[str(built[str(i)]) for i in final["site_id"]],
            capex_eur=[cost[str(i)] for i in final["site_id"]],
        )
        out.append(table[SITE_COLUMNS])
    sites = pd.concat(out, ignore_index=True)
    if municipality is not None:
        sites = sites[sites["municipality"] == municipality]
    return sites.reset_index(drop=True)


def people_sites(sites: pd.DataFrame, *, text: bool = False) -> pd.DataFrame:
    """:func:`site_list` for people: headers from the label table, kinds named, plugs x kW;
    with ``text`` CAPEX as text with thousands separators (the report), else a number."""
    table = pd.DataFrame(
        {
            header_of("option"): sites["option"],
            header_of("site_id"): sites["site_id"],
            header_of("name"): sites["name"],
            header_of("municipality"): sites["municipality"],
            header_of("lon"): sites["lon"].round(5),
            header_of("lat"): sites["lat"].round(5),
            header_of("kind"): sites["kind"].map(kind_label),
            "Plugs x power": [f"{p} x {k:g} kW" for p, k in zip(sites["plugs"], sites["power_kw"])],
            header_of("year_built"): sites["year_built"],
            header_of("capex_eur"): [_num(v, 0) for v in sites["capex_eur"]]
            if text
            else sites["capex_eur"].round(0),
        }
    )
    return table


def phasing_table(
    result: PlanResult, path: str, *, municipality: str | None = None
) -> pd.DataFrame:
    """Year x option: sites and plugs in service, CAPEX spent that year, OPEX a year. Whole
    area: from the plan summary; one municipality: from its sites (CAPEX = what its sites'
    cost to build grew by since the year before)."""
    cfg = result.plan.config
    s = result.summary[result.summary["path"] == path].set_index(["option", "year"])
    rows = []
    for option in _options(result):
        before = 0.0
        for year in cfg.years:
            t = result.sites[(year, option)]
            t = t[t["municipality"] != "outside"]
            if municipality is not None:
                t = t[t["municipality"] == municipality]
                spent = max(float(t["capex_eur"].sum()) - before, 0.0)
                before = float(t["capex_eur"].sum())
                opex = float(t["opex_eur_per_year"].sum())
            else:
                spent = float(s.loc[(option, year), "capex_eur_area"])
                opex = float(s.loc[(option, year), "opex_eur_per_year_area"])
            rows.append(
                {
                    "Year": year,
                    header_of("option"): option,
                    header_of("sites"): len(t),
                    header_of("plugs"): int(t["plugs"].sum()),
                    "CAPEX spent that year (EUR)": _num(spent),
                    header_of("opex_eur_per_year"): _num(opex),
                }
            )
    return pd.DataFrame(rows)


def ebike_table(result: PlanResult, path: str) -> pd.DataFrame:
    """Per year and option: e-bike points, their sessions and energy a day, trips moved from
    cars and their CO2 (ranges over the seeds)."""
    cfg = result.plan.config
    rows = []
    for year in cfg.years:
        for option in _options(result):
            t = result.sites[(year, option)]
            bike = t[t["kind"] == "ebike"]
            row = {
                "Year": year,
                header_of("option"): option,
                "E-bike points": len(bike),
                "E-bike plugs": int(bike["plugs"].sum()),
            }
            for key in (
                "ebike_charging_sessions",
                "ebike_public_energy_kwh",
                "ebike_sessions_turned_away",
                "ebike_trips_shifted",
                "ebike_co2_avoided_kg",
            ):
                unit = unit_of(key)
                head = f"{label_of(key)} a day" + (f" ({unit})" if unit else "")
                row[head] = _spread(_per_seed(result, path, year, option, key))
            rows.append(row)
    return pd.DataFrame(rows)


def municipal_table(result: PlanResult, path: str, municipality: str) -> pd.DataFrame:
    """One municipality per year and option: its car sites' sessions, drivers turned away and
    mean wait (a dash where nobody arrived), its residents' stranded trips and the CO2 their
    electric cars avoid, its e-bike points' use (ranges over the seeds)."""
    cfg = result.plan.config
    per_year = float(cfg.days_per_year.value)
    m = result.municipalities
    m = m[(m["path"] == path) & (m["municipality"] == municipality)]
    rows = []
    for year in cfg.years:
        for option in _options(result):
            part = m[(m["year"] == year) & (m["option"] == option)].sort_values("seed")
            days = _days(result, path, year, option)
            rows.append(
                {
                    "Year": year,
                    header_of("option"): option,
                    "Car charging sessions a day": _spread(part["car_sessions"] / days),
                    "Drivers turned away a day": _spread(part["car_sessions_abandoned"] / days),
                    "Mean wait at a car charger (min)": _spread(part["car_mean_wait_min"]),
                    "Residents' trips stranded a day": _spread(part["trips_stranded"] / days),
                    "CO2 avoided by residents' electric cars (t a year)": _spread(
                        part["co2_avoided_cars_kg"] / days * per_year / 1000.0
                    ),
                    "E-bike charging sessions a day": _spread(part["ebike_sessions"] / days),
                    "E-bike riders who found every plug taken a day": _spread(
                        part["ebike_sessions_abandoned"] / days
                    ),
                    "E-bike energy charged a day (kWh)": _spread(part["ebike_energy_kwh"] / days),
                }
            )
    return pd.DataFrame(rows)
