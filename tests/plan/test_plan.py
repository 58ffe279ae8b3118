"""Plans: every option in every year on the same demand and seed, the same numbers as
separate runs; costs and CO2 accumulate over the years; bad plans are refused before anything
runs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import emob_sim
from emob_sim.config import bundled_path, load_scenario
from emob_sim.errors import ConfigError
from emob_sim.plan import load_plan, plan_summary, run_plan, write_plan
from emob_sim.plan.money import layout_costs

LAYOUTS = bundled_path("configs/zemgale")
YEARS = [2024, 2027]
EV = {2024: 0.0112, 2027: 0.03}


def write_plan_file(folder: Path, **changes) -> Path:
    data = {
        "name": "two-years",
        "years": YEARS,
        "seeds": 2,
        "year_model": False,
        "days_per_year": {"value": 365, "source": "ASSUMPTION: test"},
        "adoption": {
            "test": {
                y: {"fleet.ev_share": {"value": EV[y], "source": "ASSUMPTION: test"}} for y in YEARS
            }
        },
        "options": [
            {"name": "today", "layouts": {y: str(LAYOUTS / "layout_existing.yaml") for y in YEARS}},
            {
                "name": "corridor",
                "layouts": {
                    2024: str(LAYOUTS / "layout_existing.yaml"),
                    2027: str(LAYOUTS / "layout_corridor.yaml"),
                },
            },
        ],
        **changes,
    }
    path = folder / "plan.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plan")
    return run_plan(write_plan_file(folder))


def test_every_case_equals_a_separate_run_of_its_scenario_and_seed(result):
    runs = result.runs
    assert len(runs) == 2 * 2 * 2  # years x seeds x options
    for row in runs.itertuples(index=False):
        layout = (
            "layout_corridor.yaml"
            if (row.option, row.year) == ("corridor", 2027)
            else ("layout_existing.yaml")
        )
        scenario = load_scenario(
            LAYOUTS / layout, overrides=[f"fleet.ev_share={EV[row.year]}"], seed=row.seed
        )
        kpis = emob_sim.run(scenario).kpis
        for key in ("trips_stranded", "charging_sessions", "co2_avoided_kg", "mean_wait_min"):
            assert getattr(row, f"{key}_total") == pytest.approx(kpis[key]), (row, key)


def test_plan_table_holds_the_spread_over_the_seeds(result):
    table = result.table
    one = table[
        (table["option"] == "today")
        & (table["year"] == 2027)
        & (table["kpi"] == "charging_sessions_total")
    ].iloc[0]
    values = result.runs.loc[
        (result.runs["option"] == "today") & (result.runs["year"] == 2027),
        "charging_sessions_total",
    ]
    assert one["seeds"] == 2 and one["mean"] == pytest.approx(values.mean())
    assert one["std"] == pytest.approx(values.std(ddof=1))
    assert (one["min"], one["max"]) == (values.min(), values.max())


def test_money_is_paid_when_built_and_discounted_and_co2_accumulates(result):
    s = result.summary.set_index(["option", "year"])
    corridor, today = s.loc["corridor"], s.loc["today"]
    rate = result.plan.config.discount_rate.value
    assert rate == 0.04  # the default of a plan file without discount_rate
    for scope in ("area", "total"):
        assert today[f"capex_eur_{scope}"].eq(0).all()
        assert corridor.loc[2024, f"capex_eur_{scope}"] == 0
        assert corridor.loc[2027, f"capex_eur_{scope}"] > 1e6  # seven DC hubs, built in 2027
        for frame in (corridor, today):
            # 2024's layout is in service 2024-2026, 2027's from 2027; CAPEX in 2027
            opex24, opex27 = frame[f"opex_eur_per_year_{scope}"]
            npv = (
                opex24 * (1 + 1 / (1 + rate) + 1 / (1 + rate) ** 2)
                + (frame.loc[2027, f"capex_eur_{scope}"] + opex27) / (1 + rate) ** 3
            )
            assert frame.loc[2027, f"npv_cost_eur_{scope}"] == pytest.approx(npv)
            co2 = frame[f"co2_avoided_t_per_year_{scope}"]
            assert frame.loc[2027, f"cumulative_co2_avoided_t_{scope}"] == pytest.approx(
                3 * co2[2024] + co2[2027]
            )
            low, high = (
                frame.loc[2027, f"cumulative_co2_avoided_t_{scope}_{e}"] for e in ("low", "high")
            )
            assert low <= frame.loc[2027, f"cumulative_co2_avoided_t_{scope}"] <= high
        co2_day = result.table.query(
            f"option == 'today' and year == 2024 and kpi == 'co2_avoided_kg_{scope}'"
        )
        assert today.loc[2024, f"co2_avoided_t_per_year_{scope}"] == pytest.approx(
            co2_day["mean"].iloc[0] * 365 / 1000
        )


def test_costs_per_tonne_and_stranded_trip_are_paired_by_seed_and_say_when_noise(result):
    """Against the baseline on the same seeds: extra NPV / each seed's extra tonnes; the text
    column is never empty, and a ratio is printed only when every seed agrees on the sign."""
    s = result.summary.set_index(["option", "year"])
    runs = result.runs[result.runs["year"] == 2027].set_index(["option", "seed"])
    for scope in ("area", "total"):
        text = result.summary[f"cost_per_t_co2_avoided_{scope}"]
        assert text.str.len().gt(0).all()
        assert (s.loc["today", f"cost_per_t_co2_avoided_{scope}"] == "baseline").all()
        assert s.loc[("corridor", 2024), f"cost_per_t_co2_avoided_{scope}"] == "no difference"
        extra = s.loc[("corridor", 2027), f"extra_npv_cost_eur_{scope}"]
        assert extra == pytest.approx(
            s.loc[("corridor", 2027), f"npv_cost_eur_{scope}"]
            - s.loc[("today", 2027), f"npv_cost_eur_{scope}"]
        )
        # 2024 is the same layout on the same demand: the 2027 difference is 2027's alone
        col = f"co2_avoided_kg_{scope}"
        diff_t = (runs.loc["corridor", col] - runs.loc["today", col]).to_numpy() * 365 / 1000
        row = s.loc[("corridor", 2027)]
        if diff_t.min() > 0:
            assert row[f"cost_per_t_co2_avoided_eur_{scope}"] == pytest.approx(
                extra / diff_t.mean()
            )
            assert row[f"cost_per_t_co2_avoided_eur_{scope}_low"] == pytest.approx(
                (extra / diff_t).min()
            )
            low = row[f"cost_per_t_co2_avoided_eur_{scope}_low"]
            assert f"EUR ({low:,.0f} to " in row[f"cost_per_t_co2_avoided_{scope}"]
        elif diff_t.min() <= 0 <= diff_t.max():
            assert row[f"cost_per_t_co2_avoided_{scope}"] == "within noise"
            assert np.isnan(row[f"cost_per_t_co2_avoided_eur_{scope}"])


def test_seeds_that_disagree_make_the_difference_within_noise(result):
    runs = result.runs.copy()
    pick = (runs["option"] == "corridor") & (runs["year"] == 2027)
    base = runs.loc[(runs["option"] == "today") & (runs["year"] == 2027)].set_index("seed")
    # one seed avoids 1 t a day more than the baseline, the other 1 t less
    sign = np.where(runs.loc[pick, "seed"] == result.plan.seeds[0], 1.0, -1.0)
    runs.loc[pick, "co2_avoided_kg_area"] = (
        base.loc[runs.loc[pick, "seed"], "co2_avoided_kg_area"].to_numpy() + 1000.0 * sign
    )
    sites = {
        (p, y, o): result.sites[(y, o)]
        for p in result.plan.config.adoption
        for y in result.plan.config.years
        for o in ("today", "corridor")
    }
    summary = plan_summary(runs, result.plan, sites=sites).set_index(["option", "year"])
    assert summary.loc[("corridor", 2027), "cost_per_t_co2_avoided_area"] == "within noise"
    assert np.isnan(summary.loc[("corridor", 2027), "cost_per_t_co2_avoided_eur_area"])
    assert summary.loc[("corridor", 2027), "npv_cost_eur_area"] == pytest.approx(
        result.summary.set_index(["option", "year"]).loc[("corridor", 2027), "npv_cost_eur_area"]
    )


def test_a_site_is_paid_in_the_year_it_is_built_and_an_enlargement_for_its_plugs(result):
    """Layouts compared by site_id and plug count: a kept site is not paid again."""
    from emob_sim.placement.costs import added_plugs_capex_eur, new_site_capex_eur

    scenario = result.plan.cases[0].scenario
    costs = scenario.costs
    x = {"site_id": "new-x", "plugs": 2, "power_kw": 50.0}
    y = {"site_id": "new-y", "plugs": 2, "power_kw": 150.0}
    sites = {2024: pd.DataFrame([x]), 2027: pd.DataFrame([{**x, "plugs": 4}, y])}
    money = layout_costs(sites, plan=result.plan, path="test", option="today")
    one = np.ones(1)
    assert money.loc[2024, "capex_eur_area"] == pytest.approx(
        new_site_capex_eur(2 * one, 50 * one, costs)[0], abs=0.01
    )
    assert money.loc[2027, "capex_eur_area"] == pytest.approx(
        added_plugs_capex_eur(2 * one, 50 * one, costs)[0]
        + new_site_capex_eur(2 * one, 150 * one, costs)[0],
        abs=0.01,
    )
    kept = layout_costs(
        {2024: sites[2027], 2027: sites[2027]}, plan=result.plan, path="test", option="today"
    )
    assert kept.loc[2027, "capex_eur_total"] == 0 < kept.loc[2024, "capex_eur_total"]
    assert kept.loc[2027, "opex_eur_per_year_area"] == kept.loc[2024, "opex_eur_per_year_area"] > 0


def test_the_plan_folder_is_written_and_the_command_says_what_it_did(result, tmp_path):
    out = write_plan(result, tmp_path / "out")
    assert {p.name for p in out.iterdir()} >= {"plan.csv", "plan_summary.csv", "manifest.json"}
    saved = pd.read_csv(out / "plan.csv")
    assert len(saved) == len(result.table)
    from emob_sim.cli import app

    plan_file = write_plan_file(tmp_path, seeds=1)
    r = CliRunner().invoke(app, ["plan", str(plan_file), "--out", str(tmp_path / "cli"), "-q"])
    assert r.exit_code == 0, r.output
    assert "corridor" in r.stdout and (tmp_path / "cli" / "plan_summary.csv").is_file()
    # the last line names the report (issue 24)
    assert str(tmp_path / "cli" / "report.html") in r.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"years": [2027, 2024]}, "expected increasing years"),
        (
            {"days_per_year": {"value": "many", "source": "ASSUMPTION"}},
            r"days_per_year: expected a number of days in \(0, 366\], got 'many'",
        ),
        (
            {"discount_rate": {"value": 4, "source": "ASSUMPTION"}},
            r"discount_rate: expected a yearly rate in \[0, 1\), e.g. 0.04, got 4",
        ),
        (
            {
                "options": [
                    {"name": "today", "layouts": {2024: str(LAYOUTS / "layout_existing.yaml")}}
                ]
            },
            r"option 'today': no layout for \[2027\]",
        ),
        (
            {
                "adoption": {
                    "test": {y: {"fleet.ev_share": {"value": 0.02, "source": ""}} for y in YEARS}
                }
            },
            "source",
        ),
        (
            {
                "adoption": {
                    "test": {
                        y: {"fleet.ev_share": {"value": 1.5, "source": "ASSUMPTION"}} for y in YEARS
                    }
                }
            },
            r"adoption 'test', 2024, option 'today'.*ev_share",
        ),
    ],
)
def test_a_bad_plan_is_refused_with_one_line_and_nothing_written(tmp_path, changes, message):
    path = write_plan_file(tmp_path, **changes)
    with pytest.raises(ConfigError, match=message):
        load_plan(path)
    from emob_sim.cli import app

    r = CliRunner().invoke(app, ["plan", str(path), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert not (tmp_path / "out").exists()


def test_the_report_is_self_contained_with_every_figure_map_and_assumption(result, tmp_path):
    import html
    from html.parser import HTMLParser

    from emob_sim.plan import plan_report
    from emob_sim.plan.report import REPORT_KPIS

    text = plan_report(result)
    # no energy sites in these layouts: no "Industrial areas" section
    assert not any(c.startswith("areas_") for c in result.runs.columns)
    assert "Industrial areas" not in text

    class Collect(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags, self.urls = [], []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
            self.urls += [v for k, v in attrs if k in ("src", "href") and v]

    parser = Collect()
    parser.feed(text)
    cfg = result.plan.config
    images = parser.tags.count("img")
    # the trajectories, and a map of each distinct layout: today's chargers in 2024 (every
    # option), corridor's 2027 hubs
    assert images == len(REPORT_KPIS) * len(cfg.adoption) + 2
    assert "script" not in parser.tags and "link" not in parser.tags
    assert all(u.startswith("data:image/png;base64,") for u in parser.urls)
    for by_year in cfg.adoption.values():
        for values in by_year.values():
            assert all(html.escape(v.source) in text for v in values.values())
    assert html.escape(cfg.days_per_year.source) in text
    assert html.escape(cfg.discount_rate.source) in text
    # the summary is written from the numbers, in both scopes: the cost per tonne with its
    # range over the seeds, or why there is none
    s = result.summary.set_index(["option", "year"]).loc[("corridor", YEARS[-1])]
    assert text.count("<b>corridor</b> costs") == 2 * len(cfg.adoption)
    for scope in ("area", "total"):
        assert f"EUR per t: {html.escape(s[f'cost_per_t_co2_avoided_{scope}'])})" in text
    assert "the planning area (its own sites" in text and "everything simulated" in text


def test_a_municipality_report_is_restricted_to_its_zones_and_sites(result, tmp_path):
    from emob_sim.plan import plan_report
    from emob_sim.plan.report import MUNICIPALITY_KPIS, municipality_table

    name = "Bauskas novads"
    text = plan_report(result, municipality=name)
    cfg = result.plan.config
    images = text.count("<img ")
    assert images == len(MUNICIPALITY_KPIS) * len(cfg.adoption) + 2
    assert f"Plan two-years in {name}" in text and "Jelgavas novads" not in text
    long = municipality_table(result, name)
    m = result.municipalities
    mine = m[(m["municipality"] == name) & (m["option"] == "corridor") & (m["year"] == 2027)]
    row = long[
        (long["option"] == "corridor") & (long["year"] == 2027) & (long["kpi"] == "car_sessions")
    ]
    assert row["mean"].iloc[0] == pytest.approx(mine["car_sessions"].mean())
    out = write_plan(result, tmp_path / "bauska", municipality=name)
    assert f"Plan two-years in {name}" in (out / "report.html").read_text()


def test_an_unknown_municipality_is_refused_naming_the_known_ones(tmp_path):
    from emob_sim.cli import app

    path = write_plan_file(tmp_path)
    r = CliRunner().invoke(
        app, ["plan", str(path), "--out", str(tmp_path / "out"), "--municipality", "Rīgas novads"]
    )
    assert r.exit_code == 2 and "Rīgas novads" in r.output and "Bauskas novads" in r.output
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def report_pdf(request, tmp_path_factory) -> Path:
    """report.pdf of the plan; skipped (with the reason) without WeasyPrint or Pango."""
    from emob_sim.errors import EmobSimError
    from emob_sim.plan.report import check_pdf

    try:  # WeasyPrint raises OSError, not ImportError, when the Pango library is missing
        check_pdf()
    except EmobSimError as exc:
        pytest.skip(str(exc))  # names what is missing: WeasyPrint, or the Debian packages
    result = request.getfixturevalue("result")  # the plan runs only when a PDF can be made
    out = write_plan(result, tmp_path_factory.mktemp("pdf") / "pdf", pdf=True)
    return out / "report.pdf"


def test_the_pdf_holds_the_report(report_pdf):
    assert report_pdf.read_bytes()[:5] == b"%PDF-" and report_pdf.stat().st_size > 50_000


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdfinfo") is None,
    reason="needs poppler's pdfinfo and pdftoppm (Debian: apt-get install poppler-utils)",
)
def test_the_pdf_holds_the_report_on_a4_pages(report_pdf, tmp_path):
    info = subprocess.run(
        ["pdfinfo", str(report_pdf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert "(A4)" in info, info
    draw = ["pdftoppm", "-png", "-r", "50", "-l", "3", str(report_pdf), str(tmp_path / "page")]
    subprocess.run(draw, check=True, timeout=120)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 3 and all(p.stat().st_size > 5_000 for p in pages)


def test_a_placement_year_adds_a_proposed_layout_to_the_year_before(tmp_path):
    options = [
        {"name": "today", "layouts": {y: str(LAYOUTS / "layout_existing.yaml") for y in YEARS}},
        {
            "name": "placed",
            "layouts": {
                2024: str(LAYOUTS / "layout_existing.yaml"),
                2027: {"method": "coverage", "budget": "300k"},
            },
        },
    ]
    result = run_plan(write_plan_file(tmp_path, seeds=1, options=options))
    before, after = result.sites[(2024, "placed")], result.sites[(2027, "placed")]
    assert set(before["site_id"]) < set(after["site_id"])  # every site kept, new ones added
    new = after[~after["site_id"].isin(before["site_id"])]
    assert len(new) >= 1 and set(new["kind"]) == {"car_dc"}
    money = result.summary.set_index(["option", "year"]).loc["placed"]
    assert 0 < money.loc[2027, "capex_eur_area"] <= 300_000  # paid in the year it is built
    assert money.loc[2024, "capex_eur_area"] == 0


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"method": "coverage", "budget": "100"}, "below one plug"),
        ({"method": "best", "budget": "300k"}, "placement method 'best'"),
        ({"method": "coverage", "budget": "lots"}, "placement budget"),
    ],
)
def test_a_bad_placement_year_is_refused_before_anything_runs(tmp_path, step, message):
    options = [
        {"name": "placed", "layouts": {2024: str(LAYOUTS / "layout_existing.yaml"), 2027: step}}
    ]
    with pytest.raises(ConfigError, match=message):
        load_plan(write_plan_file(tmp_path, options=options))


# --- the report a council reads (issue 24) ------------------------------------------------


def _headers(text: str) -> list[str]:
    import html

    return [html.unescape(h) for h in re.findall(r"<th>(.*?)</th>", text)]


def test_no_report_table_has_a_raw_key_as_header(result):
    from emob_sim.errors import EmobSimError
    from emob_sim.plan import plan_report
    from emob_sim.plan.markup import RAW_KEY, table

    for municipality in (None, "Jelgavas novads"):
        headers = _headers(plan_report(result, municipality=municipality))
        assert len(headers) > 20
        assert not [h for h in headers if "_" in h or RAW_KEY.match(h)], headers
    with pytest.raises(EmobSimError, match="'capex_eur' is a raw key"):
        table(pd.DataFrame({"Option": ["a"], "capex_eur": [1.0]}))


def test_the_decision_table_holds_every_measure_with_its_seed_range(result):
    from emob_sim.plan.tables import decision_table

    table = decision_table(result, "test").set_index("Measure")
    assert list(table.columns) == ["today", "corridor"]
    runs = result.runs[(result.runs["year"] == 2027) & (result.runs["option"] == "today")]
    away = runs["sessions_abandoned_area"]
    cell = table.loc["Drivers turned away (gave up at a full site) a day in 2027", "today"]
    if away.min() != away.max():
        assert cell.endswith(f"({away.min():,.0f}–{away.max():,.0f})"), cell
    capex = result.summary.query("option == 'corridor'")["capex_eur_area"].sum()
    assert table.loc["CAPEX 2024–2027 (EUR)", "corridor"] == f"{capex:,.0f}"
    for measure in (
        "NPV of costs",
        "CO2 avoided 2024–2027, planning area",
        "CO2 avoided 2024–2027, everything simulated",
        "Residents' trips stranded",
        "Through-traffic trips stranded",
        "Wait of the slowest 5 %",
        "Grid peak",
        "Public e-bike charging sessions",
        "E-bike energy charged",
    ):
        assert any(m.startswith(measure) for m in table.index), measure


def test_the_decision_table_counts_the_sessions_where_cars_park(result):
    from emob_sim.plan.tables import decision_table

    table = decision_table(result, "test").set_index("Measure")
    row = "Sessions where cars park (destination + overnight), a day in 2027"
    assert row in table.index, list(table.index)
    for option in ("today", "corridor"):
        case = next(
            c for c in result.plan.cases if (c.path, c.year, c.option) == ("test", 2027, option)
        )
        runs = result.runs[(result.runs["year"] == 2027) & (result.runs["option"] == option)]
        parked = (runs["destination_sessions_area"] + runs["overnight_sessions_area"]).to_numpy()
        parked = parked / case.scenario.time.days
        cell = table.loc[row, option]
        assert float(cell.split(" ")[0].replace(",", "")) == pytest.approx(
            parked.mean(), abs=0.051
        ), cell
        if parked.min() != parked.max():
            assert cell.endswith(f"({parked.min():,.0f}–{parked.max():,.0f})"), cell


def test_the_recommendation_follows_its_stated_criterion(result):
    from emob_sim.plan.tables import recommendation

    text = recommendation(result, "test")
    runs = result.runs[result.runs["year"] == 2027].set_index("option")
    stranded = runs.groupby("option")["trips_stranded_total"].agg(["mean", "min", "max"])
    best = stranded["mean"].idxmin()
    eligible = stranded.index[stranded["min"] <= stranded.loc[best, "max"]]
    baseline = result.plan.config.options[0].name
    s = result.summary[result.summary["year"] == 2027].set_index("option")
    per_t = s["cost_per_t_co2_avoided_eur_area"].loc[[o for o in eligible if o != baseline]]
    if baseline in eligible:
        assert text.startswith(f"On the test adoption path the table favours {baseline} (the")
        assert "Criterion: the least spending" in text
    elif per_t.notna().any():
        chosen = per_t.idxmin()
        assert text.startswith(f"On the test adoption path the table favours {chosen}:")
        assert f"{per_t[chosen]:,.0f} EUR of extra NPV per tonne" in text
        assert "Criterion: the lowest extra NPV of costs per tonne of CO2 avoided" in text
    else:
        assert "no option avoids CO2" in text


def test_the_site_list_names_territory_year_and_cost_and_is_written_as_csv_and_gpkg(
    result, tmp_path
):
    import geopandas as gpd

    out = write_plan(result, tmp_path / "out")
    sites = pd.read_csv(out / "sites.csv", encoding="utf-8-sig")
    assert list(sites.columns) == [
        "Option",
        "Site ID",
        "Name",
        "Municipality",
        "Longitude (WGS84)",
        "Latitude (WGS84)",
        "Kind",
        "Plugs x power",
        "Year built",
        "CAPEX (EUR)",
    ]
    hub = sites[sites["Site ID"] == "hub-a8-ozolnieki"].iloc[0]
    assert hub["Option"] == "corridor" and hub["Municipality"] == "Jelgavas novads"
    assert str(hub["Year built"]) == "2027" and hub["CAPEX (EUR)"] > 0
    assert hub["Plugs x power"] == "4 x 150 kW"
    assert set(sites.loc[sites["Option"] == "today", "Year built"]) == {"before 2024"}
    assert "outside" not in set(sites["Municipality"])  # the aggregate Rīga site is not built
    layer = gpd.read_file(out / "sites.gpkg", layer="sites")
    assert len(layer) == len(sites) and layer.crs.to_epsg() == 4326
    built = layer[layer["year_built"] == "2027"]
    assert built["capex_eur"].sum() == pytest.approx(
        result.summary.query("option == 'corridor' and year == 2027")["capex_eur_area"].iloc[0]
    )


def test_the_municipality_option_restricts_every_table_and_the_console(result, tmp_path):
    from emob_sim.cli import app

    name = "Jelgavas novads"
    out = write_plan(result, tmp_path / "m", municipality=name)
    for file in ("plan_summary.csv", "plan_runs.csv", "municipalities.csv"):
        assert set(pd.read_csv(out / file)["municipality"]) == {name}, file
    assert set(pd.read_csv(out / "sites.csv", encoding="utf-8-sig")["Municipality"]) == {name}
    summary = pd.read_csv(out / "plan_summary.csv").set_index(["option", "year"])
    # the two A8 hubs on its territory, built in 2027, and their OPEX from then on
    assert summary.loc[("corridor", 2027), "capex_eur"] == pytest.approx(870_000)
    assert summary.loc[("corridor", 2024), "capex_eur"] == 0
    assert (
        summary.loc[("corridor", 2027), "npv_cost_eur"]
        > summary.loc[("corridor", 2024), "npv_cost_eur"]
    )
    assert (summary["co2_avoided_cars_t_per_year"] > 0).all()
    plan_csv = pd.read_csv(out / "plan.csv")
    assert {"car_sessions", "co2_avoided_cars_kg", "ebike_sessions"} <= set(plan_csv["kpi"])
    plan_file = write_plan_file(tmp_path, seeds=1)
    r = CliRunner().invoke(
        app, ["plan", str(plan_file), "--out", str(tmp_path / "cli"), "-q", "--municipality", name]
    )
    assert r.exit_code == 0, r.output
    assert f"in {name}" in r.stdout and "NPV" in r.stdout
    assert set(pd.read_csv(tmp_path / "cli" / "municipalities.csv")["municipality"]) == {name}


def test_a_municipal_report_has_its_costs_co2_and_e_bikes_and_a_dash_where_nobody_charged(
    result,
):
    from emob_sim.plan import plan_report
    from emob_sim.plan.tables import DASH, municipal_table

    text = plan_report(result, municipality="Bauskas novads")
    for words in (
        "Phasing: what is built and spent when in Bauskas novads",
        "CAPEX spent that year (EUR)",
        "CO2 avoided by residents&#x27; electric cars",
        "E-bike charging sessions a day",
    ):
        assert words in text, words
    table = municipal_table(result, "test", "Bauskas novads")
    today = table[(table["Option"] == "today") & (table["Year"] == 2024)].iloc[0]
    assert today["Mean wait at a car charger (min)"] == DASH  # no car charger in Bauska today
    assert "0.0 min" not in text


def test_every_assumption_the_runs_used_is_listed_with_its_source(result, tmp_path):
    from emob_sim.plan.assumptions import assumption_table, yaml_sources

    table = assumption_table(result).set_index("Assumption")
    for label, value, words in [
        ("Cars per 1,000 inhabitants", "400", "ASSUMPTION: about 400 passenger cars"),
        ("CO2 of a petrol car (kg/km)", "0.17", "real-world tailpipe CO2"),
        ("Longest wait before a driver gives up (min)", "20", "leaves a full site"),
        ("Cost per plug: CAPEX, OPEX a year, grid connection (EUR)", "80,000", "CALeVIP"),
        ("Electric-car owners in houses who charge at home", "96%", "ELAN survey"),
    ]:
        assert value in table.loc[label, "Value"] and words in table.loc[label, "Source"], label
    assert "ev_share" not in " ".join(table.index)
    # the parser: a comment at the end of the line wins over the block above; a blank line
    # ends a block; keys nest by indentation
    path = tmp_path / "c.yaml"
    path.write_text(
        "# top\n\na:\n  # above b\n  # more\n  b: 1\n  c: 'x # y' # inline\n"
        "  # above d\n  d: 2  # wins\n"
    )
    assert yaml_sources.__wrapped__(path) == {"a.b": "above b more", "a.c": "inline", "a.d": "wins"}


def test_maps_show_boundaries_names_a_scale_and_a_legend_outside_with_kinds_apart(result):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from emob_sim.display import count_of
    from emob_sim.plan.maps import KIND_STYLE, boundaries_of, site_map

    sites = pd.DataFrame(
        {
            "kind": ["car_ac", "car_dc", "ebike"],
            "lon": [24.19] * 3,
            "lat": [56.41] * 3,
            "plugs": [2, 1, 6],
            "municipality": ["Bauskas novads"] * 3,
        }
    )
    fig = site_map(result, sites, title="t", boundaries=boundaries_of(result))
    ax = fig.axes[0]
    fig.canvas.draw()
    texts = {t.get_text() for t in ax.texts if t.get_visible()}
    assert {"Bauskas novads", "Jelgavas novads", "Bauska"} <= texts
    assert any(t.endswith(" km") for t in texts)  # the scale bar
    legend = ax.get_legend()
    assert legend.get_window_extent().y1 <= ax.get_window_extent().y0  # below the map
    labels = [t.get_text() for t in legend.get_texts()]
    assert f"DC fast car charging: {count_of(1, 'site')}, {count_of(1, 'plug')}" in labels
    assert "1 sites" not in " ".join(labels)
    # the three kinds at one point are drawn side by side
    points = [c for c in ax.collections if c.get_label().startswith(("AC", "DC", "E-bike"))]
    shown = {
        tuple(np.round(c.get_offset_transform().transform(c.get_offsets())[0])) for c in points
    }
    assert len(points) == len(KIND_STYLE) == len(shown)
    # fitted to the region: the view ends near the boundaries
    x0, y0, x1, y1 = boundaries_of(result).total_bounds
    assert ax.get_xlim()[0] < x0 < ax.get_xlim()[0] + 0.3 and x1 < ax.get_xlim()[1] < x1 + 0.3
    plt.close(fig)


def test_money_axes_read_in_million_eur_not_1e6(result):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from emob_sim.plan.report import trajectory_figure

    fig = trajectory_figure(result, result.table, "test", "capex_eur_area")
    ax = fig.axes[0]
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert "million EUR" in ax.get_title() and ax.yaxis.get_offset_text().get_text() == ""
    top = result.table.query("kpi == 'capex_eur_area'")["max"].max()
    assert f"{top / 1e6:.2g}" in ticks or any(float(t) * 1e6 >= top * 0.5 for t in ticks if t)
    assert not any("e" in t for t in ticks), ticks
    plt.close(fig)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_no_pdf_page_ends_with_a_heading(report_pdf):
    import html

    text = (report_pdf.parent / "report.html").read_text(encoding="utf-8")
    headings = {html.unescape(h) for h in re.findall(r"<h[23]>(.*?)</h[23]>", text)}
    pages = subprocess.run(
        ["pdftotext", "-layout", str(report_pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split("\f")
    assert len(pages) > 3
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        # images hold no text: a heading that is the page's only text line stands above them
        if len(lines) > 1:
            assert lines[-1] not in headings, f"page {number} ends with {lines[-1]!r}"
