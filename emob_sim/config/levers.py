"""The main levers of a scenario, for faces that edit scenarios with widgets (the app).

A lever is a scenario key with a label and the kind of widget that edits it. Values go through
the same validation as ``--set`` (:func:`emob_sim.config.load_scenario` with overrides), one
lever at a time, so that an invalid value is reported at the lever that holds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from emob_sim.config.loading import load_scenario
from emob_sim.config.models import Scenario
from emob_sim.errors import EmobSimError

__all__ = ["Lever", "LEVERS", "lever_values", "override", "apply_levers"]


@dataclass(frozen=True)
class Lever:
    """One scenario key a planner may change: ``kind`` says what kind of value it takes."""

    key: str
    label: str
    help: str
    kind: Literal["share", "int", "float"]


LEVERS = [
    Lever("fleet.ev_share", "Electric share of cars", "0-1: 0.2 = 20 % of cars electric", "share"),
    Lever(
        "fleet.home_charging_share",
        "Electric cars that charge at home",
        "0-1: share of electric cars with a charger at home",
        "share",
    ),
    Lever("time.days", "Simulated days", "1-28 days, day 0 is a Monday", "int"),
    Lever("seed", "Random seed", "same scenario and seed, same results", "int"),
    Lever(
        "modal_shift.share",
        "Short car trips moved to e-bikes",
        "0-1: share of residents' short daily car chains ridden by e-bike",
        "share",
    ),
    Lever(
        "charging.max_wait_min",
        "Longest wait at a charger (min)",
        "drivers give up and try another site after this many minutes",
        "float",
    ),
]


def lever_values(scenario: Scenario) -> dict[str, Any]:
    """The current value of every lever in ``scenario``."""
    data = scenario.model_dump(mode="json")
    out = {}
    for lever in LEVERS:
        node: Any = data
        for part in lever.key.split("."):
            node = node[part]
        out[lever.key] = node
    return out


def override(key: str, value: Any) -> str:
    """A ``--set`` override ``key=value`` (the value written as one line of YAML)."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**9)
    return f"{key}={text.strip().removesuffix('...').strip()}"


def apply_levers(
    source: str | Path | None,
    values: Mapping[str, Any],
    *,
    extra: Mapping[str, Any] | None = None,
) -> tuple[Scenario | None, dict[str, str]]:
    """The scenario ``source`` with lever ``values`` (and ``extra`` keys), validated.

    Returns the scenario and no errors, or None and an error message per key (each key alone
    against the source; ``""`` for what only the values together break).
    """
    overrides = {key: override(key, value) for key, value in {**values, **(extra or {})}.items()}
    errors = {}
    for key, text in overrides.items():
        try:
            load_scenario(source, overrides=[text])
        except EmobSimError as exc:
            errors[key] = str(exc)
    if errors:
        return None, errors
    try:
        return load_scenario(source, overrides=list(overrides.values())), {}
    except EmobSimError as exc:
        return None, {"": str(exc)}
