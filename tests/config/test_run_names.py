"""Runs are named by what differs from their scenario (:func:`emob_sim.config.levers.run_name`)."""

from __future__ import annotations

from emob_sim.config import load_scenario
from emob_sim.config.levers import lever_text, parameter_label, run_name


def test_a_run_is_named_by_the_levers_it_changed_and_its_seed():
    base = load_scenario()
    changed = load_scenario(overrides=["fleet.ev_share=0.05", "charging.max_wait_min=12.5"])
    assert run_name(base, changed) == f"EV share 5 %, longest wait 12.5 min, seed {base.seed}"


def test_an_unchanged_run_names_its_seed_and_a_chosen_layout():
    base = load_scenario()
    assert run_name(base, base) == f"as in the scenario, seed {base.seed}"
    other = load_scenario(overrides=["seed=7"])
    assert run_name(base, other, layout="corridor") == "seed 7, layout corridor"


def test_parameters_are_named_and_shown_as_on_the_scenario_page():
    assert parameter_label("fleet.ev_share") == "Electric share of cars (%)"
    assert parameter_label("time.days") == "Simulated days"
    assert parameter_label("demand.unknown_key") == "demand.unknown_key"  # no lever: as written
    assert lever_text("fleet.ev_share", 0.0112) == "1.12 %"
    assert lever_text("time.days", 3) == "3"
