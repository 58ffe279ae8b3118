"""Plans: every option in every year on the same demand and seed, the same numbers as
separate runs; costs and CO2 accumulate over the years; bad plans are refused before anything
runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import emob_sim
from emob_sim.config import bundled_path, load_scenario
from emob_sim.errors import ConfigError
from emob_sim.plan import load_plan, run_plan, write_plan

LAYOUTS = bundled_path("configs/zemgale")
YEARS = [2024, 2027]
EV = {2024: 0.0112, 2027: 0.03}


def write_plan_file(folder: Path, **changes) -> Path:
    data = {
        "name": "two-years", "years": YEARS, "seeds": 2,
        "days_per_year": {"value": 365, "source": "ASSUMPTION: test"},
        "adoption": {"test": {y: {"fleet.ev_share": {"value": EV[y], "source": "ASSUMPTION: test"}}
                              for y in YEARS}},
        "options": [
            {"name": "today", "layouts": {y: str(LAYOUTS / "layout_existing.yaml") for y in YEARS}},
            {"name": "corridor", "layouts": {2024: str(LAYOUTS / "layout_existing.yaml"),
                                             2027: str(LAYOUTS / "layout_corridor.yaml")}},
        ],
        **changes,
    }  # fmt: skip
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
        layout = "layout_corridor.yaml" if (row.option, row.year) == ("corridor", 2027) else (
            "layout_existing.yaml")  # fmt: skip
        scenario = load_scenario(LAYOUTS / layout, overrides=[f"fleet.ev_share={EV[row.year]}"],
                                 seed=row.seed)  # fmt: skip
        kpis = emob_sim.run(scenario).kpis
        for key in ("trips_stranded", "charging_sessions", "co2_avoided_kg", "mean_wait_min"):
            assert getattr(row, f"{key}_total") == pytest.approx(kpis[key]), (row, key)


def test_plan_table_holds_the_spread_over_the_seeds(result):
    table = result.table
    one = table[(table["option"] == "today") & (table["year"] == 2027)
                & (table["kpi"] == "charging_sessions_total")].iloc[0]  # fmt: skip
    values = result.runs.loc[(result.runs["option"] == "today") & (result.runs["year"] == 2027),
                             "charging_sessions_total"]  # fmt: skip
    assert one["seeds"] == 2 and one["mean"] == pytest.approx(values.mean())
    assert one["std"] == pytest.approx(values.std(ddof=1))
    assert (one["min"], one["max"]) == (values.min(), values.max())


def test_costs_and_co2_accumulate_and_compare_with_the_baseline(result):
    s = result.summary.set_index(["option", "year"])
    corridor, today = s.loc["corridor"], s.loc["today"]
    assert today["capex_eur"].eq(0).all() and corridor.loc[2024, "capex_eur"] == 0
    assert corridor.loc[2027, "capex_eur"] > 1e6  # seven DC hubs
    assert corridor.loc[2027, "capex_in_period_eur"] == corridor.loc[2027, "capex_eur"]
    # 2024's annual figures count for 2024-2026, 2027's for 2027 itself
    for frame in (corridor, today):
        assert frame.loc[2027, "cumulative_opex_eur"] == pytest.approx(
            3 * frame.loc[2024, "opex_eur_per_year"] + frame.loc[2027, "opex_eur_per_year"]
        )
        assert frame.loc[2027, "cumulative_co2_avoided_t"] == pytest.approx(
            3 * frame.loc[2024, "co2_avoided_t_per_year"]
            + frame.loc[2027, "co2_avoided_t_per_year"]
        )
    co2_day = result.table.query(
        "option == 'today' and year == 2024 and kpi == 'co2_avoided_kg_area'"
    )
    assert today.loc[2024, "co2_avoided_t_per_year"] == pytest.approx(
        co2_day["mean"].iloc[0] * 365 / 1000
    )
    extra_cost = (
        corridor.loc[2027, "capex_eur"]
        + corridor.loc[2027, "cumulative_opex_eur"]
        - today.loc[2027, "capex_eur"]
        - today.loc[2027, "cumulative_opex_eur"]
    )
    more_co2 = (
        corridor.loc[2027, "cumulative_co2_avoided_t"] - today.loc[2027, "cumulative_co2_avoided_t"]
    )
    expected = extra_cost / more_co2 if more_co2 > 0 else np.nan
    assert corridor.loc[2027, "cost_per_t_co2_avoided_eur"] == pytest.approx(expected, nan_ok=True)
    assert np.isnan(today["cost_per_t_co2_avoided_eur"]).all()  # the baseline against itself


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


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"years": [2027, 2024]}, "expected increasing years"),
        ({"days_per_year": {"value": "many", "source": "ASSUMPTION"}},
         r"days_per_year: expected a number of days in \(0, 366\], got 'many'"),
        ({"options": [{"name": "today", "layouts": {2024: str(LAYOUTS / "layout_existing.yaml")}}]},
         r"option 'today': no layout for \[2027\]"),
        ({"adoption": {"test": {y: {"fleet.ev_share": {"value": 0.02, "source": ""}}
                                for y in YEARS}}}, "source"),
        ({"adoption": {"test": {y: {"fleet.ev_share": {"value": 1.5, "source": "ASSUMPTION"}}
                                for y in YEARS}}},
         r"adoption 'test', 2024, option 'today'.*ev_share"),
    ],
)  # fmt: skip
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
    assert images == len(REPORT_KPIS) * len(cfg.adoption) + len(cfg.options) * len(cfg.years)
    assert "script" not in parser.tags and "link" not in parser.tags
    assert all(u.startswith("data:image/png;base64,") for u in parser.urls)
    for by_year in cfg.adoption.values():
        for values in by_year.values():
            assert all(html.escape(v.source) in text for v in values.values())
    assert html.escape(cfg.days_per_year.source) in text
    # the summary is written from the numbers: the cost per tonne, or why there is none
    assert "<b>corridor</b> costs" in text
    assert ("per tonne" in text) != ("avoids about as much CO2 as the baseline" in text)


def test_a_municipality_report_is_restricted_to_its_zones_and_sites(result, tmp_path):
    from emob_sim.plan import plan_report
    from emob_sim.plan.report import MUNICIPALITY_KPIS, municipality_table

    name = "Bauskas novads"
    text = plan_report(result, municipality=name)
    cfg = result.plan.config
    images = text.count("<img ")
    assert images == len(MUNICIPALITY_KPIS) * len(cfg.adoption) + len(cfg.options) * len(cfg.years)
    assert f"Plan two-years in {name}" in text and "Jelgavas novads" not in text
    long = municipality_table(result, name)
    m = result.municipalities
    mine = m[(m["municipality"] == name) & (m["option"] == "corridor") & (m["year"] == 2027)]
    row = long[
        (long["option"] == "corridor") & (long["year"] == 2027) & (long["kpi"] == "sessions")
    ]
    assert row["mean"].iloc[0] == pytest.approx(mine["sessions"].mean())
    out = write_plan(result, tmp_path / "bauska", municipality=name)
    assert f"Plan two-years in {name}" in (out / "report.html").read_text()


def test_an_unknown_municipality_is_refused_naming_the_known_ones(tmp_path):
    from emob_sim.cli import app

    path = write_plan_file(tmp_path)
    r = CliRunner().invoke(app, ["plan", str(path), "--out", str(tmp_path / "out"),
                                 "--municipality", "Rīgas novads"])  # fmt: skip
    assert r.exit_code == 2 and "Rīgas novads" in r.output and "Bauskas novads" in r.output
    assert not (tmp_path / "out").exists()


def test_the_pdf_holds_the_report_on_a4_pages(result, tmp_path):
    import shutil
    import subprocess

    pytest.importorskip("weasyprint")
    out = write_plan(result, tmp_path / "pdf", pdf=True)
    pdf = out / "report.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 50_000
    if shutil.which("pdftoppm"):  # draw the first pages (CI installs poppler-utils)
        subprocess.run(["pdftoppm", "-png", "-r", "50", "-l", "3", str(pdf),
                        str(tmp_path / "page")], check=True, timeout=120)  # fmt: skip
        pages = sorted(tmp_path.glob("page*.png"))
        assert len(pages) == 3 and all(p.stat().st_size > 5_000 for p in pages)


def test_a_placement_year_adds_a_proposed_layout_to_the_year_before(tmp_path):
    options = [
        {"name": "today", "layouts": {y: str(LAYOUTS / "layout_existing.yaml") for y in YEARS}},
        {"name": "placed", "layouts": {2024: str(LAYOUTS / "layout_existing.yaml"),
                                       2027: {"method": "coverage", "budget": "300k"}}},
    ]  # fmt: skip
    result = run_plan(write_plan_file(tmp_path, seeds=1, options=options))
    before, after = result.sites[(2024, "placed")], result.sites[(2027, "placed")]
    assert set(before["site_id"]) < set(after["site_id"])  # every site kept, new ones added
    new = after[~after["site_id"].isin(before["site_id"])]
    assert len(new) >= 1 and set(new["kind"]) == {"car_dc"}
    capex = result.summary.set_index(["option", "year"]).loc[("placed", 2027), "capex_eur"]
    assert 0 < capex <= 300_000


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"method": "coverage", "budget": "100"}, "below one plug"),
        ({"method": "best", "budget": "300k"}, "placement method 'best'"),
        ({"method": "coverage", "budget": "lots"}, "placement budget"),
    ],
)
def test_a_bad_placement_year_is_refused_before_anything_runs(tmp_path, step, message):
    options = [{"name": "placed", "layouts": {2024: str(LAYOUTS / "layout_existing.yaml"),
                                              2027: step}}]  # fmt: skip
    with pytest.raises(ConfigError, match=message):
        load_plan(write_plan_file(tmp_path, options=options))
