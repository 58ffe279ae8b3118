"""Adoption that answers chargers: the EV share of an option with more public charging rises
by the elasticity, never above the cap; an elasticity of 0 gives the numbers without it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from emob_sim.errors import ConfigError
from emob_sim.plan import load_plan, plan_summary, run_plan
from emob_sim.plan.adoption import RESPONSE_COLUMNS, ev_share_factor, with_response
from emob_sim.plan.config import AdoptionResponse, SourcedValue
from emob_sim.runner import SequentialEvaluator
from tests.plan.test_plan_year import EV, write_year_plan

ELASTICITY, UPLIFT = 0.84, 0.5


def response(elasticity: float, uplift: float = UPLIFT, **extra) -> dict:
    return {
        "elasticity": {"value": elasticity, "source": "ASSUMPTION: test"},
        "max_uplift": {"value": uplift, "source": "ASSUMPTION: test"},
        **extra,
    }


@pytest.fixture(scope="module")
def answered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("adoption")
    plan_file = write_year_plan(
        folder,
        layouts=("layout_existing.yaml", "layout_corridor.yaml"),
        seeds=1,
        adoption_response=response(ELASTICITY),
    )
    return run_plan(plan_file, evaluator=SequentialEvaluator())


def test_the_factor_follows_the_relative_change_within_the_cap():
    assert ev_share_factor(2.0, 1.0, elasticity=0.0, max_uplift=0.5) == 1.0
    assert ev_share_factor(1.2, 1.0, elasticity=0.5, max_uplift=0.5) == pytest.approx(1.1)
    assert ev_share_factor(9.0, 1.0, elasticity=0.84, max_uplift=0.5) == 1.5  # capped
    assert ev_share_factor(0.5, 1.0, elasticity=0.5, max_uplift=0.5) == pytest.approx(0.75)
    assert ev_share_factor(3.0, 0.0, elasticity=0.1, max_uplift=0.2) == 1.2  # from nothing
    assert ev_share_factor(1.0, 1.0, elasticity=5.0, max_uplift=0.5) == 1.0


def test_more_chargers_raise_the_ev_share_never_above_the_cap(answered):
    runs = answered.runs.set_index("option")
    today, corridor = runs.loc["today"], runs.loc["more"]
    assert today["ev_share_response"] == EV  # the baseline keeps the path's share
    assert corridor["charging_measure"] > today["charging_measure"] > 0
    change = corridor["charging_measure"] / today["charging_measure"] - 1.0
    expected = EV * min(1.0 + ELASTICITY * change, 1.0 + UPLIFT)
    assert corridor["ev_share_response"] == pytest.approx(expected)
    assert EV < corridor["ev_share_response"] <= EV * (1.0 + UPLIFT)
    # the residents' electric cars avoid more CO2, in both scopes by the same tonnes
    extra = corridor["co2_avoided_kg_area_response"] - corridor["co2_avoided_kg_area"]
    assert extra > 0
    assert corridor["co2_avoided_kg_total_response"] - corridor["co2_avoided_kg_total"] == (
        pytest.approx(extra)
    )
    s = answered.summary.set_index("option").loc["more"]
    assert s["co2_avoided_t_response_per_year_area"] > s["co2_avoided_t_per_year_area"]
    assert isinstance(s["cost_per_t_co2_avoided_response_area"], str)


def test_elasticity_zero_gives_the_numbers_without_the_response_exactly(answered):
    zero = AdoptionResponse(
        elasticity=SourcedValue(value=0, source="ASSUMPTION: test"),
        max_uplift=SourcedValue(value=UPLIFT, source="ASSUMPTION: test"),
    )
    plan = dataclasses.replace(
        answered.plan, config=answered.plan.config.model_copy(update={"adoption_response": zero})
    )
    bare = answered.runs.drop(columns=RESPONSE_COLUMNS)
    zones = answered.zones
    population = float(zones.loc[zones["kind"] == "zone", "population"].sum())
    sites = {("test", y, o): t for (y, o), t in answered.sites.items()}
    runs = with_response(bare, plan, sites=sites, population=population)
    assert (runs["ev_share_response"] == runs["ev_share"]).all()
    for scope in ("area", "total"):
        assert (runs[f"co2_avoided_kg_{scope}_response"] == runs[f"co2_avoided_kg_{scope}"]).all()
    with_zero = plan_summary(runs, plan, sites=sites)
    without = plan_summary(bare, plan, sites=sites)
    pd.testing.assert_frame_equal(with_zero, without)
    for scope in ("area", "total"):
        a = with_zero[f"cumulative_co2_avoided_t_response_{scope}"].to_numpy()
        b = with_zero[f"cumulative_co2_avoided_t_{scope}"].to_numpy()
        assert np.array_equal(a, b)
        texts = with_zero[f"cost_per_t_co2_avoided_response_{scope}"]
        assert texts.equals(with_zero[f"cost_per_t_co2_avoided_{scope}"])


def test_a_bad_response_is_one_clear_error(tmp_path):
    plan_file = write_year_plan(tmp_path, adoption_response=response(-1))
    with pytest.raises(ConfigError, match=r"adoption_response\.elasticity: expected a number >= 0"):
        load_plan(plan_file)
    plan_file = write_year_plan(tmp_path, adoption_response=response(1, measure="chargers"))
    with pytest.raises(ConfigError, match=r"adoption_response\.measure"):
        load_plan(plan_file)
