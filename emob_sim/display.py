"""One number format for people, in every table the CLI (and later the app) shows.

Counts and money have thousands separators and no decimals; other quantities get as many
decimals as their size needs; a unit follows from the key's suffix (``_min``, ``_kwh``,
``_kw``, ``_kg``, ``_km``, ``_eur``; shares as percent). Files (CSV, Parquet, JSON) keep full
precision and plain column names: this module is for what is printed.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

__all__ = [
    "format_value",
    "unit_of",
    "label_of",
    "header_of",
    "number_for",
    "rounded_for",
    "people_table",
    "kind_label",
]

#: key suffix -> unit printed after the number
_UNITS = (
    ("_eur_per_year", "EUR/year"),
    ("_kg_per_employee_year", "kg/employee/year"),
    ("_kg_per_year", "kg/year"),
    ("_years", "years"),
    ("_days", "days"),
    ("_eur", "EUR"),
    ("_min", "min"),
    ("_kwh", "kWh"),
    ("_kwp", "kWp"),
    ("_kw", "kW"),
    ("_kg", "kg"),
    ("_km", "km"),
    ("_s", "s"),
    ("_share", "%"),
)
_PREFIX_UNITS = (("km_", "km"), ("car_km_", "km"))


#: qualifiers at the end of a name that say which value it is, not its unit
_QUALIFIERS = ("_area", "_total", "_before", "_after", "_checked")


#: names of fractions (0..1) without the ``_share`` suffix, shown as percent too
_FRACTIONS = ("utilisation",)


def unit_of(key: str) -> str:
    """The unit of a KPI or column name ('' for counts and plain numbers).

    Parameters
    ----------
    key : str
        A KPI key or column name, its unit in its suffix (``peak_load_kw``, ``p95_wait_min``);
        ``ebike_``/``areas_`` prefixes and ``_area``/``_total``-like qualifiers are ignored.

    Returns
    -------
    str
        The unit printed after the number (``"kW"``, ``"min"``, ``"%"`` for shares), or ``""``.
    """
    key = key.removeprefix("ebike_").removeprefix("areas_").removeprefix("scorecard_")
    for qualifier in _QUALIFIERS:
        key = key.removesuffix(qualifier)
    if key in _FRACTIONS:
        return "%"
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

    Parameters
    ----------
    key : str
        The KPI key or column name the value belongs to; its suffix gives the unit
        (:func:`unit_of`).
    value : object
        The number (or anything else, shown with ``str``); ``None`` and non-finite floats
        are shown as ``-``; a share (0-1) is shown as percent.
    unit : str or None
        A unit to print instead of the one derived from ``key``.

    Returns
    -------
    str
        The value with thousands separators, the decimals its size needs and its unit.
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
    "destination_sessions": "Sessions where cars parked",
    "destination_energy_kwh": "Energy where cars parked",
    "overnight_sessions": "Sessions overnight near home",
    "overnight_energy_kwh": "Energy overnight near home",
    "sessions_en_route": "Sessions en route",
    "sessions_destination": "Sessions where cars parked",
    "sessions_overnight": "Sessions overnight near home",
    "home_energy_kwh": "Energy charged at home",
    "rescue_energy_kwh": "Energy of overnight rescues",
    "mean_wait_min": "Mean wait",
    "p95_wait_min": "Wait of the slowest 5 %",
    "peak_load_kw": "Peak load of all public car sites",
    "co2_avoided_kg": "CO2 avoided",
    "co2_avoided_cars_kg": "CO2 avoided by the electric cars",
    "pop_fast_10min_share": "Residents within 10 min of a DC charger",
    # the e-bike section of kpis.json (flat keys, emob_sim.analysis.flat_kpis)
    "ebike_trips_generated": "E-bike trips",
    "ebike_trips_completed": "E-bike trips completed",
    "ebike_trips_stranded": "E-bike trips stranded",
    "ebike_trips": "E-bike trips ridden",
    "ebike_vehicles": "E-bikes",
    "ebike_km": "E-bike km",
    "ebike_energy_kwh": "E-bike battery energy used",
    "ebike_home_energy_kwh": "E-bike energy charged at home",
    "ebike_charging_sessions": "Public e-bike charging sessions",
    "ebike_sessions_turned_away": "E-bike riders who found every plug taken",
    "ebike_public_energy_kwh": "E-bike energy charged in public",
    "ebike_battery_depleted_trips": "E-bike trips with a flat battery",
    "ebike_trips_shifted": "E-bike trips instead of car trips",
    "ebike_car_km_avoided": "Car km avoided by e-bikes",
    "ebike_car_km_avoided_electric": "Electric-car km avoided by e-bikes",
    "ebike_co2_avoided_kg": "CO2 avoided by e-bikes",
    # the columns of a site table (sites.geojson, sites.csv)
    "site_id": "Site ID",
    "name": "Name",
    "kind": "Kind",
    "lon": "Longitude (WGS84)",
    "lat": "Latitude (WGS84)",
    "municipality": "Municipality",
    "plugs": "Plugs",
    "power_kw": "Power per plug",
    "sessions": "Charging sessions",
    "energy_kwh": "Energy charged",
    "utilisation": "Utilisation",
    "peak_kw": "Peak load",
    # energy sites (sites.geojson columns and the areas section of kpis.json)
    "pv_kwp": "PV",
    "pv_kwh": "PV generation",
    "need_kwh": "Energy needed",
    "grid_kwh": "Energy from the grid into the cars",
    "peak_grid_kw": "Peak grid import (mean over one energy step)",
    "peak_averaging_min": "Peak grid import averaged over",
    "grid_import_kwh": "Energy from the grid (site load, cars, battery)",
    "cars_no_plug": "Cars that found no plug",
    "no_plug_kwh": "Energy needed by cars that found no plug",
    "cars_short": "Cars that got less than they needed",
    "undelivered_kwh": "Energy not delivered",
    # money and the area scorecard (the scorecard of the areas section of kpis.json)
    "renewable_share": "Renewable share of the energy used (site load and cars)",
    "renewable_kwh_per_year": "Own solar used a year (directly and through the battery)",
    "consumed_kwh_per_year": "Energy used a year (site load and cars)",
    "co2_kg_per_year": "CO2 of the grid electricity a year",
    "co2_kg_per_employee_year": "CO2 per employee and year",
    "reference_peak_kw": "Peak grid import without PV, battery or smart charging",
    "limit_kept_year": "Grid limit kept all year (site load and cars)",
    "peak_reduction_kw": "Peak reduction",
    "peak_reduction_share": "Peak reduction",
    "annual_cost_eur_per_year": "Annual cost (energy bill, OPEX, CAPEX annuity)",
    "energy_bill_eur_per_year": "Energy bill (energy, network, capacity, less export)",
    "reference_bill_eur_per_year": "Energy bill without PV, battery or smart charging",
    "savings_eur_per_year": "Savings against no PV, no battery, uncontrolled charging",
    "investment_eur": "PV and battery CAPEX",
    "opex_eur_per_year": "PV and battery OPEX",
    "simple_payback_years": "Simple payback",
    "npv_eur": "NPV of PV and battery",
    "money_basis": "Year of the money (12 representative months, or days x 365 / days)",
    "employees": "Employees",
    # sweep parameters (their --set keys in configs/sweeps/*.yaml)
    "fleet.ev_share": "Electric share of cars",
    "fleet.home_charging_share": "Electric cars with home charging",
    "charging.max_wait_min": "Longest wait before a driver gives up",
    "energy.areas.0.pv_kwp": "PV at the site",
    "energy.areas.0.strategy": "Charging strategy",
}

#: KPIs counted for the planning area or in total (``_area``, ``_total``): their labels too
_SCOPED = (
    "charging_sessions",
    "sessions_abandoned",
    "energy_kwh",
    "peak_kw",
    "mean_wait_min",
    "p95_wait_min",
    "trips_stranded",
    "co2_avoided_kg",
    "destination_sessions",
    "destination_energy_kwh",
    "overnight_sessions",
    "overnight_energy_kwh",
)

#: sections of kpis.json, as the prefix of their flat keys: the name put before a label
_SECTIONS = (
    ("ebike_", "E-bikes"),
    ("areas_scorecard_", "Area scorecard"),
    ("areas_", "Energy sites"),
)

#: site kinds for people
_KINDS = {
    "car_ac": "AC car charging",
    "car_dc": "DC fast car charging",
    "ebike": "E-bike charging",
    "workplace": "Workplace charging",
}


#: words written in capitals in labels
_ACRONYMS = {
    "dc": "DC",
    "ac": "AC",
    "pv": "PV",
    "co2": "CO2",
    "capex": "CAPEX",
    "opex": "OPEX",
    "npv": "NPV",
}


def label_of(key: str) -> str:
    """A name for people: ``mean_wait_min`` -> ``Mean wait``, ``capex_eur_area`` -> ``CAPEX
    (area)`` (units are shown with the values).

    Parameters
    ----------
    key : str
        A KPI key (flat, as in :func:`emob_sim.analysis.flat_kpis`), column name or sweep
        parameter.

    Returns
    -------
    str
        The known label, or one made from the words of the key without its unit suffix.
    """
    if key in _LABELS:
        return _LABELS[key]
    for prefix, section in _SECTIONS:
        if key.startswith(prefix) and len(key) > len(prefix):
            return f"{section}: {label_of(key.removeprefix(prefix))}"
    qualifier = next((q for q in _QUALIFIERS if key.endswith(q)), "")
    words = key.removesuffix(qualifier) if qualifier else key
    if qualifier and words in _SCOPED:  # sessions_abandoned_area -> Drivers who gave up (area)
        return f"{_LABELS[words]} ({qualifier.strip('_')})"
    for suffix, _ in _UNITS:
        if words.endswith(suffix) and words != suffix.lstrip("_"):
            words = words.removesuffix(suffix)
            break
    words = words.replace("_", " ").strip()
    words = " ".join(_ACRONYMS.get(w, w) for w in words.split(" "))
    label = words[:1].upper() + words[1:]
    return f"{label} ({qualifier.strip('_')})" if qualifier else label


def header_of(key: str) -> str:
    """A column header for people: the label with its unit, ``mean_wait_min`` -> ``Mean wait
    (min)``, ``capex_eur_area`` -> ``CAPEX (area, EUR)``, ``pop_fast_10min_share`` -> ``... (%)``.

    A unit the label already names as a word (``Electric km``) is not repeated. Values under
    the header are :func:`number_for` the key.

    Parameters
    ----------
    key : str
        A KPI key or column name.

    Returns
    -------
    str
        :func:`label_of` the key, followed by :func:`unit_of` it in parentheses.
    """
    label, unit = label_of(key), unit_of(key)
    if not unit or unit in label.replace("(", " ").replace(")", " ").replace(",", " ").split():
        return label
    if label.endswith(")"):
        return f"{label[:-1]}, {unit})"
    return f"{label} ({unit})"


def number_for(key: str, value: object) -> object:
    """``value`` in the unit of :func:`header_of` (a share or utilisation 0.071 -> 7.1 %);
    anything else unchanged.

    Parameters
    ----------
    key : str
        The KPI key or column name the value belongs to.
    value : object
        The value as stored in files (shares as fractions 0-1).

    Returns
    -------
    object
        The value times 100 for percent units, else ``value`` itself.
    """
    if unit_of(key) != "%" or isinstance(value, bool) or not isinstance(value, Real):
        return value
    return round(float(value) * 100.0, 6)


#: site kinds in a word, for narrow tables (the console)
_KINDS_SHORT = {"car_ac": "AC", "car_dc": "DC fast", "ebike": "e-bike", "workplace": "workplace"}


def kind_label(kind: str, *, short: bool = False) -> str:
    """A site kind for people: ``car_dc`` -> ``DC fast car charging`` (``short``: ``DC fast``;
    unknown kinds as given).

    Parameters
    ----------
    kind : str
        The site kind as in files: ``car_ac``, ``car_dc``, ``ebike`` or ``workplace``.
    short : bool
        A word or two for narrow tables (the console) instead of the full name.

    Returns
    -------
    str
        The kind in words.
    """
    return (_KINDS_SHORT if short else _KINDS).get(kind, kind)


def rounded_for(key: str, value: object) -> object:
    """:func:`number_for` the key, rounded as :func:`format_value` prints it (money and
    values of 1,000 or more to whole numbers, 10 or more to one decimal, else two): a number
    for a table a person reads that still sorts as a number. Anything else unchanged.

    Parameters
    ----------
    key : str
        The KPI key or column name the value belongs to.
    value : object
        The value as stored in files.

    Returns
    -------
    object
        A ``float`` rounded to 0, 1 or 2 decimals; non-numbers, integers and non-finite
        values as given.
    """
    value = number_for(key, value)
    if isinstance(value, (bool, Integral)) or not isinstance(value, Real):
        return value
    value = float(value)
    if not math.isfinite(value):
        return value
    size = abs(value)
    if unit_of(key) in ("EUR", "EUR/year") or size >= 1000 or value.is_integer():
        return float(round(value))
    return round(value, 1 if size >= 10 else 2)


def people_table(table):
    """A copy of a table (a pandas DataFrame) for people: headers :func:`header_of` each
    column, values :func:`rounded_for` it, site kinds in words (:func:`kind_label`).

    Files keep the plain table; this is for what is shown (the app's tables, the "for people"
    export).

    Parameters
    ----------
    table : pandas.DataFrame
        A table as written to files: plain column names, full precision.

    Returns
    -------
    pandas.DataFrame
        A new table; the given one is not changed.
    """
    out = table.copy()
    for column in out.columns:
        key = str(column)
        if key == "kind":
            out[column] = [kind_label(str(v)) for v in out[column]]
        elif out[column].dtype.kind in "biuf":
            out[column] = [rounded_for(key, v) for v in out[column]]
    return out.rename(columns={c: header_of(str(c)) for c in out.columns})


def count_of(n: float, noun: str, plural: str | None = None) -> str:
    """``1 site``, ``2 sites``, ``1,200 plugs`` (``plural`` for nouns not made with an s)."""
    word = noun if n == 1 else (plural or f"{noun}s")
    return f"{n:,.0f} {word}"
