"""The models' defaults are the documented values of configs/base.yaml."""

from __future__ import annotations

import yaml

from emob_sim.config import bundled_path
from emob_sim.config._base import StrictModel
from emob_sim.config.models import Scenario

SCENARIO_IDENTITY = {"name", "description", "seed"}  # base.yaml's own, not model assumptions


def _differences(model: type[StrictModel], data: dict, path: str = "") -> list[str]:
    out = []
    for name, field in model.model_fields.items():
        if name not in data or name in SCENARIO_IDENTITY and not path:
            continue
        value, ann = data[name], field.annotation
        if isinstance(ann, type) and issubclass(ann, StrictModel) and isinstance(value, dict):
            out += _differences(ann, value, f"{path}{name}.")
        elif not field.is_required() and field.default_factory is None:
            default = field.default
            if isinstance(default, int | float | bool) and default != value:
                out.append(f"{path}{name}: model {default!r}, base.yaml {value!r}")
    return out


def test_model_defaults_match_base_yaml():
    base = yaml.safe_load(bundled_path("configs/base.yaml").read_text(encoding="utf-8"))
    assert _differences(Scenario, base) == []
