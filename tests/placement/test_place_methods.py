"""place(): every method on the Zemgale default, budgets, determinism and bad input."""

from __future__ import annotations

import pandas as pd
import pytest

from emob_sim.config import load_scenario
from emob_sim.errors import ConfigError
from emob_sim.placement import (
    LAYOUT_COLUMNS,
    METHODS,
    SIMULATING,
    Budget,
    Placement,
    parse_budget,
    register,
)
from emob_sim.placement.candidates import existing_sites
from emob_sim.runner import SequentialEvaluator, place


@pytest.fixture(scope="module")
def existing(zemgale_region):
    return existing_sites(zemgale_region)


def _check_layout(p, existing, budget):
    lay = p.layout
    assert list(lay.columns) == LAYOUT_COLUMNS
    assert lay["site_id"].is_unique
    # every existing site is kept, with at least its plugs
    kept = lay.set_index("site_id").loc[existing["site_id"]]
    assert (kept["plugs"].to_numpy() >= existing["plugs"].to_numpy()).all()
    assert p.summary["spent"] <= budget.amount + 1e-6
    if budget.unit == "eur":  # built sites cost nothing: the layout CAPEX is what was spent
        assert lay["capex_eur"].sum() == pytest.approx(p.summary["spent"])
    return lay[lay["status"] != "existing"]


@pytest.mark.parametrize("method", ["coverage", "pmedian", "frlm"])
@pytest.mark.parametrize("budget", ["700k", "6 plugs"])
def test_static_methods(zemgale, zemgale_region, existing, method, budget):
    p = place(zemgale, method=method, budget=budget, region=zemgale_region)
    changed = _check_layout(p, existing, parse_budget(budget))
    assert len(changed) >= 1
    assert (changed["status"] == "new").all() and (changed["kind"] == "car_dc").all()
    s = p.summary
    key = {"coverage": "covered_share", "pmedian": "mean_time_min", "frlm": "refuelled_share"}[
        method
    ]
    if method == "pmedian":
        assert s[f"{key}_after"] < s[f"{key}_before"]
    else:
        assert s[f"{key}_after"] >= s[f"{key}_before"]
    assert p.candidates["selected"].sum() == len(p.layout)


def test_coverage_result_is_deterministic_and_sensible(zemgale, zemgale_region):
    a = place(zemgale, method="coverage", budget="1M", region=zemgale_region)
    b = place(zemgale, method="coverage", budget="1M", region=zemgale_region)
    pd.testing.assert_frame_equal(a.layout, b.layout)
    new = a.layout[a.layout["status"] == "new"]
    assert "Jelgava" in set(new["name"])  # the largest town gets a fast charger first
    assert a.summary["covered_share_after"] > 0.5


def test_ebike_coverage(zemgale, zemgale_region):
    with pytest.raises(ConfigError, match="cheapest ebike candidate costs 6 plugs"):
        place(zemgale, method="coverage", budget="3plugs", kind="ebike", region=zemgale_region)
    p = place(zemgale, method="coverage", budget="12plugs", kind="ebike", region=zemgale_region)
    new = p.layout[p.layout["status"] == "new"]
    assert len(new) == 2 and (new["kind"] == "ebike").all()


class CountingEvaluator(SequentialEvaluator):
    """The runner's sequential evaluator, counting the scenarios it ran."""

    def __init__(self):
        super().__init__()
        self.scenarios = []

    def evaluate(self, scenarios, *, collect=None):
        self.scenarios += list(scenarios)
        return super().evaluate(scenarios, collect=collect)


def test_simgreedy_reduces_waits_or_strandings(zemgale, zemgale_region, existing):
    budget = parse_budget("500k")
    ev = CountingEvaluator()
    p = place(zemgale, method="simgreedy", budget=budget, region=zemgale_region, evaluator=ev)
    _check_layout(p, existing, budget)
    h = p.history
    # every simulation went through the evaluator it was given, with the scenario's seed
    assert len(ev.scenarios) == len(h)
    assert {sc.seed for sc in ev.scenarios} == {zemgale.seed}
    assert ev.regions.builds == 1
    assert len(h) >= 2 and h["spent"].is_monotonic_increasing
    assert set(h["action"]) <= {"upsize", "add", ""} and h["kept"].iloc[0]
    # every kept step lowers the objective; an undone move raised it or left it as it was
    kept = h[h["kept"]]
    assert kept["objective_min"].is_monotonic_decreasing and kept["objective_min"].is_unique
    before = h["objective_min"].where(h["kept"]).ffill().shift()
    undone = h[~h["kept"]]
    assert (undone["objective_min"] >= before[~h["kept"]]).all()
    steps = p.summary["steps"]
    assert len(steps) == len(kept) - 1 == p.summary["steps_kept"] >= 1
    for step, row in zip(steps, kept.iloc[1:].itertuples()):
        assert step["objective_min_after"] < step["objective_min_before"]
        assert (step["action"], step["site_id"]) == (row.action, row.site_id)
    assert p.summary["objective_min_after"] < p.summary["objective_min_before"]


def test_sizing_checked_by_the_simulation(zemgale, zemgale_region, existing):
    budget = parse_budget("150k")
    p = place(zemgale, method="sizing", budget=budget, region=zemgale_region)
    _check_layout(p, existing, budget)
    t = p.history
    assert (t["plugs_after"] >= t["plugs_before"]).all()
    assert t.loc[t["site_id"] == "ext-riga", "plugs_after"].item() == 20  # external: not sized
    grown = t[t["plugs_after"] > t["plugs_before"]]
    assert len(grown) >= 1
    assert (grown["erlang_wait_after_min"] < grown["erlang_wait_before_min"]).all()
    assert p.summary["sessions_abandoned_after"] <= p.summary["sessions_abandoned_before"]
    assert p.summary["mean_wait_min_after"] <= p.summary["mean_wait_min_before"]


def test_parse_budget():
    assert parse_budget("250k") == Budget(250_000.0, "eur")
    assert parse_budget("1.5M EUR") == Budget(1_500_000.0, "eur")
    assert parse_budget("12plugs") == Budget(12.0, "plugs")
    assert parse_budget(" 1 plug ") == Budget(1.0, "plugs")
    for bad in ("abc", "0 plugs", "1.5plugs", "0", "-5"):
        with pytest.raises(ConfigError, match="--budget"):
            parse_budget(bad)


def test_bad_input(zemgale, zemgale_region):
    with pytest.raises(ConfigError, match="--method 'nope': expected one of coverage"):
        place(zemgale, method="nope", budget="1M", region=zemgale_region)
    with pytest.raises(ConfigError, match="below the cost of one car_dc plug"):
        place(zemgale, method="coverage", budget="5000", region=zemgale_region)
    with pytest.raises(ConfigError, match="buys nothing, the cheapest car_dc candidate costs 2"):
        place(zemgale, method="pmedian", budget="1plug", region=zemgale_region)
    with pytest.raises(ConfigError, match="method simgreedy simulates cars"):
        place(zemgale, method="simgreedy", budget="1M", kind="ebike", region=zemgale_region)
    empty = load_scenario(
        overrides=[
            "placement.candidates.zone_centre_kinds=[]",
            "placement.candidates.corridor_kinds=[]",
        ]
    )
    with pytest.raises(ConfigError, match="candidate set of kind 'car_dc' is empty"):
        place(empty, method="coverage", budget="1M", region=zemgale_region)


def test_methods_dispatch_through_the_registry(zemgale, zemgale_region):
    assert set(METHODS) == {"coverage", "pmedian", "frlm", "simgreedy", "sizing", "pvsize"}
    assert SIMULATING == {"simgreedy", "sizing", "pvsize"}
    seen = []

    @register("keep-existing")
    def keep_existing(req):
        seen.append((req.kind, req.budget.amount, req.demand.n_trips))
        layout = existing_sites(req.region).assign(
            status="existing", origin="existing", capex_eur=0.0, opex_eur_per_year=0.0
        )[LAYOUT_COLUMNS]
        return Placement(
            scenario=req.scenario,
            method="keep-existing",
            kind=req.kind,
            budget=req.budget,
            layout=layout,
            candidates=layout,
        )

    try:
        p = place(zemgale, method="keep-existing", budget="3plugs", region=zemgale_region)
    finally:
        del METHODS["keep-existing"]
    assert seen and seen[0][:2] == ("car_dc", 3.0) and seen[0][2] > 0
    assert p.method == "keep-existing"
    with pytest.raises(ConfigError, match="keep-existing"):
        place(zemgale, method="keep-existing", budget="3plugs", region=zemgale_region)
