"""A plan on the simulated year: its annual figures are the year's (run_year's), money counts
them once a year, and the report's sentence says how the year is built."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from emob_sim.config import bundled_path, load_scenario
from emob_sim.config.levers import override
from emob_sim.plan import SUMMARY_COLUMNS, load_plan, run_plan
from emob_sim.runner import SequentialEvaluator, run_year

LAYOUTS = bundled_path("configs/zemgale")
EV = 0.03


#: a year of 2 variants (one period; weekdays and weekends), as --set overrides
COARSE_YEAR = {
    "year.periods": {"year": list(range(1, 13))},
    "year.day_types": {
        "weekday": {"weekdays": ["mon", "tue", "wed", "thu", "fri"]},
        "weekend": {"weekdays": ["sat", "sun"], "trip_factor": 0.82, "work_factor": 0.15},
    },
    "year.climate_file": None,
}


def adoption(ev: float = EV) -> dict:
    values = {"fleet.ev_share": ev, **COARSE_YEAR}
    return {k: {"value": v, "source": "ASSUMPTION: test"} for k, v in values.items()}


def write_year_plan(folder: Path, *, layouts=("layout_existing.yaml",), **changes) -> Path:
    names = ["today", "more"]
    data = {
        "name": "one-year",
        "years": [2030],
        "seeds": 2,
        "days_per_year": {"value": 365, "source": "ASSUMPTION: test"},
        "adoption": {"test": {2030: adoption()}},
        "options": [
            {"name": n, "layouts": {2030: str(LAYOUTS / f)}} for n, f in zip(names, layouts)
        ],
        **changes,
    }
    path = folder / "plan.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def year_plan(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plan_year")
    plan_file = write_year_plan(folder)
    result = run_plan(plan_file, evaluator=SequentialEvaluator())
    sets = [override(k, v["value"]) for k, v in adoption().items()]
    scenario = load_scenario(LAYOUTS / "layout_existing.yaml", overrides=sets)
    return result, scenario


def test_the_plan_runs_on_the_simulated_year(year_plan):
    result, scenario = year_plan
    assert result.plan.config.year_model  # the default
    runs = result.runs
    assert len(runs) == 2 and sorted(runs["seed"]) == result.plan.seeds
    year = run_year([scenario], seeds=result.plan.seeds)
    annual = year.annual.set_index("seed")
    assert (year.variants.groupby("seed").size() == 2).all()  # weekday and weekend
    for row in runs.itertuples(index=False):
        days = annual.loc[row.seed, "days"]
        assert days == 365
        # a mean day of the year: the annual sums / the year's days (time.days is 1)
        for key in ("trips_stranded_total", "co2_avoided_kg_area", "charging_sessions_total"):
            assert getattr(row, key) == pytest.approx(annual.loc[row.seed, key] / days), key
        assert row.plugs_area == annual.loc[row.seed, "plugs_area"]
    # the weekend variant differs from the weekday: the year is not 365 weekdays
    v = year.variants
    weekday = v[v["day_type"] == "weekday"]["co2_avoided_kg_total"].to_numpy()
    weekend = v[v["day_type"] == "weekend"]["co2_avoided_kg_total"].to_numpy()
    assert not np.allclose(weekday, weekend)


def test_money_counts_the_annual_figures_once(year_plan):
    result, scenario = year_plan
    s = result.summary.iloc[0]
    annual = run_year([scenario], seeds=result.plan.seeds).annual
    assert s["co2_avoided_t_per_year_area"] == pytest.approx(
        annual["co2_avoided_kg_area"].mean() / 1000.0
    )
    assert s["trips_stranded_per_year_total"] == pytest.approx(
        annual["trips_stranded_total"].mean()
    )
    assert s["cumulative_co2_avoided_t_area_low"] == pytest.approx(
        annual["co2_avoided_kg_area"].min() / 1000.0
    )
    assert list(result.summary.columns) == SUMMARY_COLUMNS


def test_the_report_sentence_says_how_a_year_is_built(year_plan):
    result, scenario = year_plan
    assert result.year_description == scenario.year.describe()
    assert "2 day type(s) (weekday, weekend)" in result.year_description
    # maps and municipalities: one comparison on the first seed
    assert set(result.municipalities["seed"]) == {result.plan.seeds[0]}
    assert (2030, "today") in result.sites


def test_year_model_false_keeps_days_per_year_times_one_day(tmp_path):
    days = {"value": 300, "source": "ASSUMPTION: test"}
    plan = load_plan(write_year_plan(tmp_path, year_model=False, days_per_year=days))
    assert plan.days_a_year == 300.0
    assert "counted 300 times" in plan.year_description
    on = load_plan(write_year_plan(tmp_path))
    assert on.days_a_year == 365.0


def test_with_and_without_the_response_are_both_in_the_summary(year_plan):
    result, _ = year_plan
    for scope in ("area", "total"):
        for key in ("co2_avoided_t_per_year", "cumulative_co2_avoided_t"):
            without = result.summary[f"{key}_{scope}"]
            with_ = result.summary[f"{key.replace('_t', '_t_response', 1)}_{scope}"]
            # no response in the plan file: the same figures
            pd.testing.assert_series_equal(without, with_, check_names=False)
        assert f"cost_per_t_co2_avoided_response_{scope}" in result.summary
    assert (result.runs["ev_share_response"] == EV).all()
