"""One number format for people."""

from __future__ import annotations

import numpy as np
import pytest

from emob_sim.display import format_value, label_of, unit_of


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        ("trips_generated", 1854, "1,854"),
        ("capex_eur_area", 1553700.0, "1,553,700 EUR"),
        ("opex_eur_per_year", 5700.0, "5,700 EUR/year"),
        ("capex_eur", 0.0, "0 EUR"),
        ("mean_wait_min", 2.0312, "2.03 min"),
        ("p95_wait_min", 17.3453, "17.3 min"),
        ("energy_delivered_kwh", 2737.49, "2,737 kWh"),
        ("peak_load_kw", 462.8, "462.8 kW"),
        ("co2_avoided_kg_total", 13392.2, "13,392 kg"),
        ("km_electric", 84267.3, "84,267 km"),
        ("ebike_car_km_avoided", 0.0, "0 km"),
        ("pop_fast_10min_share", 0.598, "59.8 %"),
        ("sessions", np.int64(23), "23"),
        ("mean_wait_min", float("nan"), "-"),
        ("method", "coverage", "coverage"),
        ("spent", 20.0, "20"),
    ],
)
def test_format_value(key, value, text):
    assert format_value(key, value) == text


def test_a_unit_can_be_given():
    assert format_value("spent", 20.0, unit="plugs") == "20 plugs"
    assert format_value("spent", 380000.0, unit="EUR") == "380,000 EUR"


def test_counts_and_money_never_show_decimals():
    for value in (0, 7, 1_553_700, 12.0):
        assert "." not in format_value("sessions", value)
        assert "." not in format_value("capex_eur", value + 0.4)


def test_units_of_names():
    assert unit_of("objective_min_before") == "min"
    assert unit_of("sites") == ""


def test_labels_for_people():
    assert label_of("mean_wait_min") == "Mean wait"
    assert label_of("opex_eur_per_year_area") == "OPEX (area)"
    assert label_of("objective_min_before") == "Objective (before)"
    assert label_of("sites") == "Sites"


def test_a_qualified_key_keeps_the_label_of_its_table():
    from emob_sim.display import header_of

    assert label_of("sessions_abandoned_area") == "Drivers who gave up (area)"
    assert header_of("energy_kwh_total") == "Energy charged (total, kWh)"


def test_a_table_for_people_has_headers_with_units_and_rounded_values():
    import pandas as pd

    from emob_sim.display import people_table, rounded_for

    sites = pd.DataFrame(
        {
            "kind": ["car_dc"],
            "trips_generated": [12],
            "utilisation": [0.07123],
            "energy_kwh": [1214.1651],
            "mean_wait_min": [2.0312],
        }
    )
    shown = people_table(sites)
    headers = ["Kind", "Trips", "Utilisation (%)", "Energy charged (kWh)", "Mean wait (min)"]
    assert list(shown.columns) == headers
    assert shown.iloc[0].tolist() == ["DC fast car charging", 12, 7.12, 1214.0, 2.03]
    assert list(sites.columns)[1] == "trips_generated"  # the table itself is left as it was
    assert rounded_for("capex_eur", 870000.4) == 870000.0
    assert rounded_for("name", "Jelgava") == "Jelgava"
