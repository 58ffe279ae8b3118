"""One number format for people, in every table the CLI (and later the app) shows.

Counts and money have thousands separators and no decimals; other quantities get as many
decimals as their size needs; a unit follows from the key's suffix (``_min``, ``_kwh``,
``_kw``, ``_kg``, ``_km``, ``_eur``; shares as percent). Files (CSV, Parquet, JSON) keep full
precision and plain column names: this module is for what is printed.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

__all__ = ["format_value", "unit_of", "label_of"]

#: key suffix -> unit printed after the number
_UNITS = (
    ("_eur_per_year", "EUR/year"),
    ("_eur", "EUR"),
    ("_min", "min"),
    ("_kwh", "kWh"),
    ("_kw", "kW"),
    ("_kg", "kg"),
    ("_km", "km"),
    ("_s", "s"),
    ("_share", "%"),
)
_PREFIX_UNITS = (("km_", "km"), ("car_km_", "km"))


#: qualifiers at the end of a name that say which value it is, not its unit
_QUALIFIERS = ("_area", "_total", "_before", "_after", "_checked")


def unit_of(key: str) -> str:
    """The unit of a KPI or column name ('' for counts and plain numbers)."""
    key = key.removeprefix("ebike_")
    for qualifier in _QUALIFIERS:
        key = key.removesuffix(qualifier)
    for suffix, unit in _UNITS:
        if key.endswith(suffix):
            return unit
    for prefix, unit in _PREFIX_UNITS:
        if key.startswith(prefix) or key == prefix.rstrip("_"):
            return unit
    return ""


def format_value(key: str, value: object, *, unit: str | None = None) -> str:
    """``value`` for people: ``1,553,700 EUR``, ``12 plugs``, ``3.4 min``, ``42.0 %``.

    ``unit`` replaces the unit derived from ``key``.
    """
    unit = unit_of(key) if unit is None else unit
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, Real):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "-"
    if unit == "%":
        return f"{float(value) * 100:,.1f} %"
    if isinstance(value, Integral) or unit in ("EUR", "EUR/year") or float(value).is_integer():
        text = f"{float(value):,.0f}"
    else:
        size = abs(float(value))
        decimals = 0 if size >= 1000 else 1 if size >= 10 else 2
        text = f"{float(value):,.{decimals}f}"
    if text == "-0":
        text = "0"
    if unit == "plugs" and text == "1":
        unit = "plug"
    return f"{text} {unit}" if unit else text


#: names for people of the KPIs that are shown most
_LABELS = {
    "trips_generated": "Trips",
    "trips_completed": "Trips completed",
    "trips_stranded": "Trips stranded",
    "vehicles": "Electric cars",
    "km_electric": "Electric km",
    "charging_sessions": "Public charging sessions",
    "sessions_abandoned": "Drivers who gave up",
    "energy_delivered_kwh": "Energy charged in public",
    "home_energy_kwh": "Energy charged at home",
    "rescue_energy_kwh": "Energy of overnight rescues",
    "mean_wait_min": "Mean wait",
    "p95_wait_min": "Wait of the slowest 5 %",
    "peak_load_kw": "Peak load of the public sites",
    "co2_avoided_kg": "CO2 avoided",
}


#: words written in capitals in labels
_ACRONYMS = {"dc": "DC", "ac": "AC", "pv": "PV", "co2": "CO2", "capex": "CAPEX", "opex": "OPEX"}


def label_of(key: str) -> str:
    """A name for people: ``mean_wait_min`` -> ``Mean wait``, ``capex_eur_area`` -> ``CAPEX
    (area)`` (units are shown with the values)."""
    if key in _LABELS:
        return _LABELS[key]
    qualifier = next((q for q in _QUALIFIERS if key.endswith(q)), "")
    words = key.removesuffix(qualifier) if qualifier else key
    for suffix, _ in _UNITS:
        if words.endswith(suffix) and words != suffix.lstrip("_"):
            words = words.removesuffix(suffix)
            break
    words = words.replace("_", " ").strip()
    words = " ".join(_ACRONYMS.get(w, w) for w in words.split(" "))
    label = words[:1].upper() + words[1:]
    return f"{label} ({qualifier.strip('_')})" if qualifier else label
