"""The levers a face edits (:mod:`emob_sim.config.levers`) go through ``--set`` validation."""

from __future__ import annotations

import pytest

from emob_sim.config import load_scenario
from emob_sim.config.levers import LEVERS, apply_levers, lever_values, override


def test_lever_values_read_every_lever_of_the_scenario():
    scenario = load_scenario(overrides=["fleet.ev_share=0.05", "time.days=2"])
    values = lever_values(scenario)
    assert list(values) == [lever.key for lever in LEVERS]
    assert values["fleet.ev_share"] == 0.05
    assert values["time.days"] == 2
    assert values["seed"] == scenario.seed
    assert values["charging.max_wait_min"] == scenario.charging.max_wait_min


def test_the_scenario_values_applied_again_give_the_same_scenario():
    scenario = load_scenario()
    again, errors = apply_levers(None, lever_values(scenario))
    assert errors == {}
    assert again == scenario


def test_applied_levers_and_extra_keys_change_the_scenario():
    values = {**lever_values(load_scenario()), "fleet.ev_share": 0.2, "time.days": 3}
    scenario, errors = apply_levers(None, values, extra={"charging.max_wait_min": 12.5})
    assert errors == {}
    assert scenario.fleet.ev_share == 0.2
    assert scenario.time.days == 3
    assert scenario.charging.max_wait_min == 12.5


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("fleet.ev_share", 1.4),
        ("time.days", 40),
        ("modal_shift.share", -0.1),
        ("charging.max_wait_min", 0),
    ],
)
def test_a_bad_lever_value_is_reported_at_that_lever(key, value):
    values = {**lever_values(load_scenario()), key: value}
    scenario, errors = apply_levers(None, values)
    assert scenario is None
    assert list(errors) == [key]
    assert key in errors[key]


def test_every_bad_lever_is_reported_not_just_the_first():
    values = {**lever_values(load_scenario()), "fleet.ev_share": 2.0, "time.days": 0}
    _, errors = apply_levers(None, values)
    assert set(errors) == {"fleet.ev_share", "time.days"}


def test_values_only_invalid_together_are_reported_under_no_key():
    # each alone is valid against the scenario's (0.5, 0.9); together the range is reversed
    extra = {"fleet.initial_soc_min": 0.85, "fleet.initial_soc_max": 0.8}
    scenario, errors = apply_levers(None, {}, extra=extra)
    assert scenario is None
    assert list(errors) == [""]
    assert "initial_soc" in errors[""]


def test_override_writes_one_line_of_yaml():
    assert override("fleet.ev_share", 0.2) == "fleet.ev_share=0.2"
    assert override("charging.sites_file", None) == "charging.sites_file=null"
    assert override("name", "a: b") == "name='a: b'"
    text = override("charging.sites", [{"site_id": "x", "plugs": 2}])
    assert "\n" not in text and text.startswith("charging.sites=[")
