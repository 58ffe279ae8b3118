"""place(): every method on the Zemgale default, budgets, determinism and bad input."""

from __future__ import annotations

import pandas as pd
import pytest

from emob_sim.config import load_scenario
from emob_sim.errors import ConfigError
from emob_sim.placement import LAYOUT_COLUMNS, Budget, parse_budget
from emob_sim.placement.candidates import existing_sites
from emob_sim.runner import place


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


def test_simgreedy_reduces_waits_or_strandings(zemgale, zemgale_region, existing):
    budget = parse_budget("500k")
    p = place(zemgale, method="simgreedy", budget=budget, region=zemgale_region)
    _check_layout(p, existing, budget)
    h = p.history
    assert len(h) >= 2 and h["spent"].is_monotonic_increasing
    first, last = h.iloc[0], h.iloc[-1]
    assert (
        last["mean_wait_min"] < first["mean_wait_min"]
        or last["trips_stranded"] < first["trips_stranded"]
    )
    assert set(h["next_action"]) <= {"upsize", "add", ""}


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
