"""The fast subset of scripts/validation_report.py: the checks the model must pass."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[1] / "scripts" / "validation_report.py"


@pytest.fixture(scope="module")
def report():
    spec = importlib.util.spec_from_file_location("validation_report", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def checks(report):
    return report.collect(fast=True)


def test_demand_fleet_energy_queue_and_conservation_checks_pass(checks):
    rows, _ = checks
    judged = [c for c in rows if c.verdict != "context" and c.section != "distances"]
    sections = {"demand", "fleet", "energy", "queue", "conservation", "sessions"}
    assert {c.section for c in judged} == sections
    failed = [(c.section, c.name, c.model, c.expected) for c in judged if c.verdict != "pass"]
    assert failed == []


def test_the_report_lists_every_check_with_its_verdict(report, checks, tmp_path):
    rows, extra = checks
    text = report.markdown(rows, extra, None)
    for c in rows:
        assert f"| {c.section} | {c.name} |" in text and f"| {c.verdict} |" in text
    assert "Pollaczek-Khinchine" in text and "under 5 km" in text
    held_out = [c for c in rows if c.section == "distances"]
    assert len(held_out) == len(report.HELD_OUT_KM) and all(c.model > 0 for c in held_out)
