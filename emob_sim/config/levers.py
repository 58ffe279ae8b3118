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

__all__ = [
    "Lever",
    "LEVERS",
    "lever_values",
    "override",
    "apply_levers",
    "lever_text",
    "parameter_label",
    "run_name",
]


@dataclass(frozen=True)
class Lever:
    """One scenario key a planner may change: ``kind`` says what kind of value it takes."""

    key: str
    label: str
    help: str
    kind: Literal["share", "int", "float"]
    #: the short name of a run's difference ("EV share 5 %"); the label when empty
    short: str = ""


LEVERS = [
    Lever(
        "fleet.ev_share",
        "Electric share of cars",
        "0-1: 0.2 = 20 % of cars electric",
        "share",
        "EV share",
    ),
    Lever(
        "fleet.home_charging_share",
        "Electric cars that charge at home",
        "0-1: share of electric cars with a charger at home",
        "share",
        "home charging",
    ),
    Lever("time.days", "Simulated days", "1-28 days, day 0 is a Monday", "int", "days"),
    Lever("seed", "Random seed", "same scenario and seed, same results", "int", "seed"),
    Lever(
        "modal_shift.share",
        "Short car trips moved to e-bikes",
        "0-1: share of residents' short daily car chains ridden by e-bike",
        "share",
        "e-bike shift",
    ),
    Lever(
        "charging.max_wait_min",
        "Longest wait at a charger (min)",
        "drivers give up and try another site after this many minutes",
        "float",
        "longest wait",
    ),
]

_BY_KEY = {lever.key: lever for lever in LEVERS}


def parameter_label(key: str) -> str:
    """A scenario key for people: a lever's label (``fleet.ev_share`` -> ``Electric share of
    cars (%)``), other keys as they are written."""
    lever = _BY_KEY.get(key)
    if lever is None:
        return key
    return f"{lever.label} (%)" if lever.kind == "share" else lever.label


def lever_text(key: str, value: Any) -> str:
    """A lever's value for people: shares in % (``0.05`` -> ``5 %``), whole numbers without
    decimals, others with as few as they need; a key that is no lever as given."""
    lever = _BY_KEY.get(key)
    if lever is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    number = 100.0 * float(value) if lever.kind == "share" else float(value)
    text = f"{number:.6g}"
    if lever.kind == "share":
        return f"{text} %"
    return f"{text} min" if lever.key.endswith("_min") else text


def run_name(base: Scenario, scenario: Scenario, *, layout: str | None = None) -> str:
    """A run named by what differs from the scenario it was made from: ``EV share 5 %, seed
    42``, ``as in the scenario, seed 42``; the seed is always named; ``layout`` (a charger
    layout chosen instead of the scenario's) is named last.

    Parameters
    ----------
    base
        The scenario as read from its file.
    scenario
        The scenario that runs (levers applied).
    layout
        The name of another charger layout, None for the scenario's own.
    """
    before, after = lever_values(base), lever_values(scenario)
    parts = [
        f"{lever.short or lever.label} {lever_text(lever.key, after[lever.key])}"
        for lever in LEVERS
        if lever.key != "seed" and after[lever.key] != before[lever.key]
    ]
    parts.append(f"seed {scenario.seed}")
    if len(parts) == 1 and not layout:
        parts.insert(0, "as in the scenario")
    if layout:
        parts.append(f"layout {layout}")
    return ", ".join(parts)


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
