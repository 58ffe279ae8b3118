"""``place --method pvsize``: PV and plugs of one industrial area within a budget, checked by
a whole simulation; and the shipped Zemgale industrial-area case."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from emob_sim.cli import app
from emob_sim.config import bundled_path
from emob_sim.config.models import AreaSpec
from emob_sim.errors import ConfigError
from emob_sim.placement import propose
from emob_sim.region import build_region
from emob_sim.runner import SequentialEvaluator, draw_demand, resolve_scenario, run

PARK = {
    "area_id": "park",
    "zone": "Jelgava",
    "lon": 23.78,
    "lat": 56.66,
    "employees": 1200,
    "car_share": 0.7,
    "ev_share": 0.2,
    "plugs": 20,
    "plug_kw": 11.0,
    "grid_limit_kw": 60.0,
    "strategy": "pv-following",
    "pv_kwp": 0.0,
}


def scenario_with(*areas: dict, **placement):
    scenario = resolve_scenario(None, overrides=["time.days=5"])
    energy = scenario.energy.model_copy(update={"areas": [AreaSpec(**a) for a in areas]})
    place = scenario.placement.model_copy(
        update={"pvsize_kwp_step": 20.0, "pvsize_max_plugs": 40, **placement}
    )
    return scenario.model_copy(update={"energy": energy, "placement": place})


def test_pvsize_buys_sun_and_plugs_within_the_budget_and_a_run_confirms_it():
    scenario = scenario_with(PARK, pvsize_objective="own_share")
    region = build_region(scenario)
    demand, _ = draw_demand(scenario, region)
    got = propose(
        scenario, region, demand, method="pvsize", budget="100k", evaluator=SequentialEvaluator()
    )
    s, history = got.summary, got.history
    assert s["pv_kwp_after"] > 0 and s["spent"] <= 100_000
    assert s["renewable_share_after"] > s["renewable_share_before"] == 0.0
    assert s["renewable_share_after"] == history["renewable_share"].max()
    assert (history["cost_eur"] <= 100_000 + 1e-6).all()
    assert history["selected"].sum() == 1
    # the proposal, run as a whole scenario, gives what the search found
    assert s["renewable_share_checked"] == pytest.approx(s["renewable_share_after"], abs=1e-9)
    assert s["peak_grid_kw_checked"] <= PARK["grid_limit_kw"] + 1e-9
    area = got.scenario.energy.areas[0]
    assert (area.pv_kwp, area.plugs) == (s["pv_kwp_after"], s["plugs_after"])
    again = run(got.scenario, region=region).kpis["areas"]["sites"][0]
    assert again["pv_kwp"] == s["pv_kwp_after"]


def test_pvsize_by_npv_picks_the_pair_of_the_largest_npv():
    scenario = scenario_with(
        {**PARK, "grid_limit_kw": 150.0, "strategy": "capped-earliest"},
        pvsize_max_plugs=21,
        pvsize_battery_kwh=[0.0, 40.0],
    )
    assert scenario.placement.pvsize_objective == "npv"  # the default
    region = build_region(scenario)
    demand, _ = draw_demand(scenario, region)
    got = propose(
        scenario, region, demand, method="pvsize", budget="60k", evaluator=SequentialEvaluator()
    )
    s, history = got.summary, got.history
    assert s["objective"] == "npv"
    assert s["npv_eur_after"] == history["npv_eur"].max()
    assert history.loc[history["selected"], "npv_eur"].iloc[0] == s["npv_eur_after"]
    assert history["npv_eur"].nunique() > 1  # the pairs differ in NPV
    assert s["npv_eur_after"] >= s["npv_eur_before"]
    # PV sizes x batteries x plug counts within the budget
    assert set(history["battery_kwh"]) == {0.0, 40.0}
    assert (history["cost_eur"] <= 60_000 + 1e-6).all()
    with_battery = history[history["battery_kwh"] == 40.0]
    assert (
        with_battery["cost_eur"] >= 40.0 * scenario.energy.money.battery_capex_eur_per_kwh
    ).all()
    area = got.scenario.energy.areas[0]
    assert (area.pv_kwp, area.battery_kwh) == (s["pv_kwp_after"], s["battery_kwh_after"])


@pytest.mark.parametrize(
    ("areas", "placement", "budget", "message"),
    [
        ((), {}, "100k", "has no industrial area"),
        ((PARK, {**PARK, "area_id": "other"}), {}, "100k", "expected placement.pvsize_area"),
        ((PARK,), {"pvsize_area": "nowhere"}, "100k", "'nowhere' is not an area"),
        ((PARK,), {}, "3 plugs", "expected a budget in EUR"),
    ],
)
def test_pvsize_refuses_what_it_cannot_size(areas, placement, budget, message):
    scenario = scenario_with(*areas, **placement)
    region = build_region(scenario)
    demand, _ = draw_demand(scenario, region)
    with pytest.raises(ConfigError, match=message):
        propose(
            scenario,
            region,
            demand,
            method="pvsize",
            budget=budget,
            evaluator=SequentialEvaluator(),
        )


def test_the_zemgale_case_compares_strategies_with_and_without_pv(tmp_path):
    """configs/zemgale/industrial_area.yaml through the CLI, then each strategy with and
    without PV as its sweep varies them (the same override keys)."""
    path = bundled_path("configs/zemgale/industrial_area.yaml")
    res = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "park"), "-q"])
    assert res.exit_code == 0, res.output
    site = json.loads((tmp_path / "park" / "kpis.json").read_text())["areas"]["sites"][0]
    assert site["site_id"] == "jelgava-lielupe" and site["kind"] == "workplace"
    base = resolve_scenario(path)
    region = build_region(base)
    out = {}
    for strategy in ("uncontrolled", "capped-equal", "capped-earliest", "pv-following"):
        for kwp in (0, 100):
            sc = resolve_scenario(
                path,
                overrides=[f"energy.areas.0.strategy={strategy}", f"energy.areas.0.pv_kwp={kwp}"],
            )
            out[strategy, kwp] = run(sc, region=region).kpis["areas"]["sites"][0]
    for (strategy, kwp), k in out.items():
        assert k["strategy"] == strategy and k["pv_kwp"] == kwp
        if kwp == 0:
            assert k["self_sufficiency_share"] == 0.0 and k["co2_saved_kg"] == 0.0
        if strategy != "uncontrolled":
            assert k["limit_kept"] is True
    # every strategy meets the same need here; with PV, PV-following takes the most from it
    need = {k["need_kwh"] for k in out.values()}
    assert len(need) == 1
    with_pv = [
        out[s, 100]["self_sufficiency_share"]
        for s in ("uncontrolled", "capped-equal", "capped-earliest")
    ]
    assert out["pv-following", 100]["self_sufficiency_share"] >= max(with_pv)
    assert out["pv-following", 100]["co2_kg"] <= out["capped-equal", 100]["co2_kg"]
