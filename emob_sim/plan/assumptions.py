"""Every assumption a plan's runs used, with its source, for the report.

Values come from the resolved scenarios of the plan's cases (the distinct values over its
years, paths and options); sources are the comments of the bundled ``configs/base.yaml``,
where every key carries its source or the word ASSUMPTION (:func:`yaml_sources`: a key's
comment at the end of its line, else the comment lines right above it). A value that differs
from base.yaml's and is not one of the plan's adoption values was set by a scenario file;
the report says so instead of quoting base.yaml's source. The plan file's own values
(``days_per_year``, ``discount_rate``, the adoption paths) carry their sources in the plan.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from emob_sim.config import bundled_path
from emob_sim.display import kind_label
from emob_sim.plan.run import PlanResult

__all__ = ["yaml_sources", "assumption_table", "ASSUMPTION_KEYS"]

#: the scenario keys the report lists, with their names for people
ASSUMPTION_KEYS = {
    "fleet.ev_share": "Share of the cars that are electric",
    "fleet.home_charging_share": "Electric-car owners who charge at home (zones without data)",
    "fleet.cars_per_1000": "Cars per 1,000 inhabitants",
    "fleet.home_access_by_zone": "Home charging by zone (houses and apartments)",
    "fleet.home_access_house": "Electric-car owners in houses who charge at home",
    "fleet.home_access_apartment": "Electric-car owners in apartments who charge at home",
    "fleet.vehicle_types": "Electric cars: battery (kWh), consumption (kWh/km), share",
    "charging.max_wait_min": "Longest wait before a driver gives up (min)",
    "charging.comfort_soc": "Battery level at which drivers look for a charger",
    "charging.target_soc": "Battery level at which public charging stops",
    "charging.home_power_kw": "Home charger power (kW)",
    "emissions.petrol_car_kg_per_km": "CO2 of a petrol car (kg/km)",
    "emissions.grid_kg_per_kwh": "CO2 of grid electricity (kg/kWh)",
    "costs.plug_classes": "Cost per plug: CAPEX, OPEX a year, grid connection (EUR)",
    "costs.grid_eur_per_kw": "Grid connection per kW installed (EUR)",
    "placement.designs": "Design of a new site (plugs x kW)",
    "demand.corridors": "Through traffic on the corridors (cars a day)",
    "ebike.ownership_per_1000": "E-bikes per 1,000 inhabitants",
    "ebike.battery_wh": "E-bike battery (Wh)",
    "modal_shift.share": "Short car chains moved to e-bikes",
    "modal_shift.threshold_km": "Longest car trip moved to an e-bike (km)",
}

#: keys whose source is written in another key's comment
_SAME_SOURCE = {"costs.grid_eur_per_kw": "costs.plug_classes"}
#: comment lines that are markers of generated blocks, not sources
_MARKER = re.compile(r"^(BEGIN|END) calibrated")
_KEY = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?P<rest>.*)$")


@cache
def yaml_sources(path: Path | None = None) -> dict[str, str]:
    """Dotted key -> its source comment in a commented YAML file (default: base.yaml).

    The comment at the end of a key's line wins; else the block of comment lines right above
    the key (a blank line or another key ends a block). Keys inside lists are not named.
    """
    path = bundled_path("configs/base.yaml") if path is None else path
    out: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    block: list[str] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped:
            block = []
            continue
        if stripped.startswith("#"):
            text = stripped.lstrip("#").strip()
            if not _MARKER.match(text):
                block.append(text)
            continue
        match = _KEY.match(line)
        if match is None:  # list items, continuation lines
            block = []
            continue
        indent = len(match["indent"])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, match["key"]))
        dotted = ".".join(k for _, k in stack)
        inline = _inline_comment(match["rest"])
        text = inline or " ".join(block)
        if text:
            out[dotted] = text
        block = []
    return out


def _inline_comment(rest: str) -> str:
    """The comment after a value (a ``#`` outside quotes, after a space)."""
    quote = None
    for i, ch in enumerate(rest):
        if ch in "\"'" and quote in (None, ch):
            quote = None if quote == ch else ch
        elif ch == "#" and quote is None and (i == 0 or rest[i - 1] == " "):
            return rest[i + 1 :].strip()
    return ""


def _get(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        data = data[part] if isinstance(data, dict) else getattr(data, part)
    return data


def _shown(key: str, value: Any) -> str:
    """A value for people (lists of models summarised)."""
    if key == "fleet.vehicle_types":
        return "; ".join(
            f"{v['name']}: {v['battery_kwh']:g} kWh, {v['consumption_kwh_per_km']:g} kWh/km, "
            f"{v['share']:.0%}"
            for v in value
        )
    if key == "costs.plug_classes":
        return "; ".join(
            f"up to {c['max_kw']:g} kW: {c['capex_eur']:,.0f} + {c['opex_eur_per_year']:,.0f} "
            f"a year + {c['grid_fixed_eur']:,.0f}"
            for c in value
        )
    if key == "placement.designs":
        return "; ".join(
            f"{kind_label(k)}: {d['plugs']} x {d['power_kw']:g} kW" for k, d in value.items()
        )
    if key == "demand.corridors":
        return "; ".join(f"{c['a']}–{c['b']}: {c['vehicles_per_day']:,.0f}" for c in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and key.endswith(("_soc", "share", "_house", "_apartment")):
        return f"{value:.2%}".replace(".00%", "%").rstrip("0").replace(".%", "%")
    if isinstance(value, int | float):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"
    return str(value)


def assumption_table(result: PlanResult) -> pd.DataFrame:
    """The plan's own values, then :data:`ASSUMPTION_KEYS` as the runs used them, each with
    its source (columns ``Assumption``, ``Where``, ``Value``, ``Source``)."""
    cfg = result.plan.config
    rows = [
        {
            "Assumption": "How a year is built",
            "Where": "plan",
            "Value": "simulated year" if cfg.year_model else f"{cfg.days_per_year.value:g} days",
            "Source": result.year_description
            if cfg.year_model
            else f"one simulated day counted {cfg.days_per_year.value:g} times "
            f"({cfg.days_per_year.source})",
        },
        {
            "Assumption": "Discount rate (real, a year)",
            "Where": "plan",
            "Value": f"{float(cfg.discount_rate.value):.1%}",
            "Source": cfg.discount_rate.source,
        },
    ]
    adopted = set()
    for path, by_year in cfg.adoption.items():
        keys = list(dict.fromkeys(k for values in by_year.values() for k in values))
        for key in keys:
            adopted.add(key)
            given = {year: values[key] for year, values in by_year.items() if key in values}
            texts = list(dict.fromkeys(v.source for v in given.values()))
            source = (
                texts[0]
                if len(texts) == 1
                else "; ".join(f"{year}: {v.source}" for year, v in given.items())
            )
            rows.append(
                {
                    "Assumption": ASSUMPTION_KEYS.get(key, key),
                    "Where": f"{path} adoption path",
                    "Value": "; ".join(f"{y}: {_shown(key, v.value)}" for y, v in given.items()),
                    "Source": source,
                }
            )
    sources = yaml_sources()
    base = yaml.safe_load(bundled_path("configs/base.yaml").read_text(encoding="utf-8"))
    for key, label in ASSUMPTION_KEYS.items():
        if key in adopted:
            continue
        values = []
        for case in result.plan.cases:
            value = _get(case.scenario.model_dump(mode="json"), key)
            if value not in values:
                values.append(value)
        default = _get(base, key)
        source = sources.get(_SAME_SOURCE.get(key, key), "")
        if any(v != default for v in values):
            source = "set in the scenario files of the layouts (differs from configs/base.yaml)"
        rows.append(
            {
                "Assumption": label,
                "Where": "every run",
                "Value": " | ".join(_shown(key, v) for v in values),
                "Source": source or "configs/base.yaml (no comment)",
            }
        )
    return pd.DataFrame(rows)
