"""The app on the industrial-area scenario: the Results page shows the workplace site's energy."""

from __future__ import annotations

import emob_sim
from emob_sim.config import bundled_path
from emob_sim.display import format_value, label_of

SCENARIO = "zemgale/industrial_area.yaml"


def test_results_show_the_industrial_areas_energy(app):
    app.selectbox(key="scenario_file").select(SCENARIO).run()
    app.button(key="run").click().run()
    assert not app.exception, [e.value for e in app.exception]
    app.switch_page("pages/results.py").run()
    assert not app.exception, [e.value for e in app.exception]
    expected = emob_sim.run(bundled_path(f"configs/{SCENARIO}")).kpis["areas"]["sites"][0]
    headers = [h.value for h in app.subheader]
    assert any("Industrial areas" in h for h in headers)
    table = next(
        t.value
        for t in app.dataframe
        if "KPI" in t.value.columns and expected["name"] in t.value.columns
    )
    shown = dict(zip(table["KPI"], table[expected["name"]], strict=True))
    for key in ("self_sufficiency_share", "grid_kwh", "charged_kwh", "peak_grid_kw"):
        assert shown[label_of(key)] == format_value(key, expected[key])
    assert app.selectbox(key="energy_site").value == expected["name"]


def test_results_show_the_area_scorecard(app):
    app.selectbox(key="scenario_file").select(SCENARIO).run()
    app.button(key="run").click().run()
    app.switch_page("pages/results.py").run()
    assert not app.exception, [e.value for e in app.exception]
    card = emob_sim.run(bundled_path(f"configs/{SCENARIO}")).kpis["areas"]["scorecard"]
    expected = card["sites"][0]
    table = next(
        t.value
        for t in app.dataframe
        if "KPI" in t.value.columns and label_of("npv_eur") in set(t.value["KPI"])
    )
    shown = dict(zip(table["KPI"], table[expected["name"]], strict=True))
    for key in (
        "renewable_share",
        "co2_kg_per_employee_year",
        "peak_reduction_share",
        "annual_cost_eur_per_year",
        "npv_eur",
        "simple_payback_years",
    ):
        assert shown[label_of(key)] == format_value(key, expected[key])
    # the heading says how the year was built (twelve representative months)
    assert any("a year: 12 representative months" in m.value for m in app.markdown)
