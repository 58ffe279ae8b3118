"""The plan report's "Industrial areas" section: the area scorecard of each option in the last
year, its figures those of the runs' ``areas_scorecard_*`` columns (ranges over the seeds)."""

from __future__ import annotations

import html

import numpy as np
import pytest
import yaml

from emob_sim.config import bundled_path
from emob_sim.plan import plan_report, run_plan
from emob_sim.plan.areas import AREA_COLUMNS, area_table, has_areas
from emob_sim.plan.tables import _spread
from emob_sim.runner import SequentialEvaluator

AREA = bundled_path("configs/zemgale/industrial_area.yaml")


def _plan(folder, *, year_model: bool, seeds: int, **adoption):
    data = {
        "name": "park",
        "years": [2030],
        "seeds": seeds,
        "year_model": year_model,
        "days_per_year": {"value": 365, "source": "ASSUMPTION: test"},
        "adoption": {
            "test": {
                2030: {
                    "fleet.ev_share": {"value": 0.05, "source": "ASSUMPTION: test"},
                    "time.days": {"value": 1, "source": "ASSUMPTION: test"},
                    **{k: {"value": v, "source": "ASSUMPTION: test"} for k, v in adoption.items()},
                }
            }
        },
        "options": [{"name": "park", "layouts": {2030: str(AREA)}}],
    }
    path = folder / "plan.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return run_plan(path, evaluator=SequentialEvaluator())


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return _plan(tmp_path_factory.mktemp("plan-areas"), year_model=False, seeds=2)


def test_the_report_has_the_area_scorecard_of_the_runs(result):
    runs = result.runs
    assert has_areas(result)
    for key, _, _ in AREA_COLUMNS:
        assert key in runs.columns
    # the park has employees, solar and a reference peak: the figures exist
    assert np.all(runs["areas_scorecard_renewable_share"].astype(float) > 0)
    assert np.all(runs["areas_scorecard_co2_kg_per_employee_year"].astype(float) >= 0)
    frame = area_table(result, "test")
    assert list(frame["Year"]) == [2030] and len(frame) == 1
    cells = list(frame.iloc[0])[2:]
    part = runs.sort_values("seed")
    for (key, _, scale), cell in zip(AREA_COLUMNS, cells, strict=True):
        values = part[key].astype(float).to_numpy() * scale
        assert cell == _spread(values)
    assert frame.columns[2] == "Renewable share of the energy used (site load and cars) (%)"
    text = plan_report(result)
    assert "<h2>Industrial areas</h2>" in text
    assert "twelve representative months" in text
    section = text.split("<h2>Industrial areas</h2>", 1)[1]
    for cell in cells:
        assert html.escape(cell) in section


def test_under_the_year_model_ratios_come_from_the_years_figures(tmp_path):
    """The year's peak reduction is its largest reference peak less its largest peak (not the
    largest variant's reduction); the payback is the investment over the year's net savings."""
    result = _plan(
        tmp_path,
        year_model=True,
        seeds=1,
        **{
            "year.periods": {"jan": [1], "jul": [7], "rest": [2, 3, 4, 5, 6, 8, 9, 10, 11, 12]},
            "year.day_types": {
                "day": {"weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}
            },
        },
    )
    row = result.runs.iloc[0]
    card = {
        k.removeprefix("areas_scorecard_"): float(v) for k, v in row.items() if "scorecard" in k
    }
    # the runs carry the year's figures (runner.year.DERIVED_KPIS), the table shows them
    reduction = card["reference_peak_kw"] - card["peak_grid_kw"]
    assert reduction > 0 and card["peak_reduction_kw"] == pytest.approx(reduction, abs=1e-9)
    net = card["savings_eur_per_year"] - card["opex_eur_per_year"]
    assert card["simple_payback_years"] == pytest.approx(card["investment_eur"] / net)
    assert card["renewable_share"] == pytest.approx(
        card["renewable_kwh_per_year"] / card["consumed_kwh_per_year"]
    )
    frame = area_table(result, "test")
    cells = dict(zip([k for k, _, _ in AREA_COLUMNS], list(frame.iloc[0])[2:], strict=True))
    assert cells["areas_scorecard_peak_reduction_kw"] == _spread([reduction])
    assert cells["areas_scorecard_peak_reduction_share"] == _spread(
        [100 * reduction / card["reference_peak_kw"]]
    )
    assert cells["areas_scorecard_simple_payback_years"] == _spread([card["investment_eur"] / net])
    assert cells["areas_scorecard_npv_eur"] == _spread([card["npv_eur"]])
    assert "Under the simulated year each variant" in plan_report(result)
