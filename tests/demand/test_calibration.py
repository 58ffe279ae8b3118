"""The gravity parameters in configs/base.yaml are the fit of scripts/calibrate_demand.py to the
travel facts: running the fit again gives them back, and writing them changes only their block."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from emob_sim.config import load_scenario

SCRIPT = Path(__file__).parents[2] / "scripts" / "calibrate_demand.py"


@pytest.fixture(scope="module")
def calibrate():
    spec = importlib.util.spec_from_file_location("calibrate_demand", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_config_holds_the_fit_of_the_facts(calibrate):
    scenario = load_scenario()
    facts = calibrate.read_facts(scenario.demand.facts_file)
    params, got = calibrate.fit(scenario, calibrate.model_of(scenario), facts)
    d = scenario.demand
    assert params == pytest.approx(
        [d.work_gravity_beta_per_min, d.gravity_beta_per_min, d.external_attraction], rel=2e-3
    )
    for fact in calibrate.FITTED:
        assert abs(got[fact] - facts.at[fact, "value"]) <= facts.at[fact, "tolerance"], fact


def test_writing_replaces_only_the_calibrated_block(calibrate, tmp_path, monkeypatch):
    config = tmp_path / "base.yaml"
    config.write_text("a: 1\ndemand:\n  # BEGIN calibrated\n  old: 1\n  # END calibrated\nb: 2\n")
    monkeypatch.setattr(calibrate, "BASE", config)
    calibrate.write_block("  # BEGIN calibrated: new\n  new: 2\n  # END calibrated")
    assert config.read_text() == (
        "a: 1\ndemand:\n  # BEGIN calibrated: new\n  new: 2\n  # END calibrated\nb: 2\n"
    )
