"""The planners' app, page by page, with Streamlit's AppTest (the real app, run headless)."""

from __future__ import annotations

import importlib.util
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import yaml
from streamlit.testing.v1 import AppTest

import emob_sim
from emob_sim.analysis import KPI_KEYS, site_load_profile, site_waits_min
from emob_sim.config import load_scenario
from emob_sim.display import format_value, label_of

APP = str(Path(__file__).parents[2] / "apps" / "streamlit_app.py")
BASELINE = "zemgale/baseline.yaml"
EV_SHARE = f"lever:{BASELINE}:fleet.ev_share"
PAGES = [
    "pages/scenario.py",
    "pages/map.py",
    "pages/results.py",
    "pages/compare.py",
    "pages/sweeps.py",
    "pages/plan.py",
]


def _run(at: AppTest) -> AppTest:
    at.button(key="run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_every_page_runs_before_any_run(app):
    for page in PAGES[1:]:
        app.switch_page(page).run()
        assert not app.exception, (page, [e.value for e in app.exception])
    app.switch_page("pages/map.py").run()
    assert any("No run yet" in i.value for i in app.info)


def test_changing_a_lever_changes_the_resolved_scenario(app):
    assert app.number_input(key=EV_SHARE).value == pytest.approx(1.12)  # shares are shown in %
    assert app.session_state["scenario"].fleet.ev_share == 0.0112  # as in the file
    app.number_input(key=EV_SHARE).set_value(20.0).run()
    assert app.session_state["scenario"].fleet.ev_share == 0.2
    app.number_input(key=f"lever:{BASELINE}:time.days").set_value(3).run()
    assert app.session_state["scenario"].time.days == 3
    app.selectbox(key=f"layout:{BASELINE}").select("zemgale/layout_corridor.yaml").run()
    corridor = load_scenario(emob_sim.config.bundled_path("configs/zemgale/layout_corridor.yaml"))
    assert app.session_state["scenario"].charging.sites_file == corridor.charging.sites_file


def test_an_invalid_value_is_shown_at_its_lever_and_runs_nothing(app):
    assert app.number_input(key=EV_SHARE).max == 100.0  # a share cannot exceed 100 %
    app.number_input(key=f"lever:{BASELINE}:time.days").set_value(40).run()
    assert not app.exception
    errors = [e.value for e in app.error]
    assert len(errors) == 1 and "Simulated days" in errors[0] and "40" in errors[0]
    assert "--set" not in errors[0] and "time.days" not in errors[0]  # the field's words
    assert app.session_state["scenario"] is None
    assert app.button(key="run").disabled  # nothing can run
    assert "runs" not in app.session_state


def test_a_run_fills_the_cards_with_the_numbers_of_emob_sim_run(app):
    app.number_input(key=EV_SHARE).set_value(5.0).run()
    _run(app)
    expected = emob_sim.run(load_scenario(overrides=["fleet.ev_share=0.05"])).kpis
    app.switch_page("pages/results.py").run()
    assert not app.exception
    cards = {m.label: m.value for m in app.metric}
    for key in KPI_KEYS:
        if label_of(key) in cards:
            assert cards[label_of(key)] == format_value(key, expected[key]), key
    assert len(cards) >= 10
    for page in ("pages/map.py", "pages/compare.py"):
        app.switch_page(page).run()
        assert not app.exception, (page, [e.value for e in app.exception])


def test_results_show_the_difference_to_a_reference_run(app):
    _run(app)
    app.number_input(key=EV_SHARE).set_value(5.0).run()
    _run(app)
    app.switch_page("pages/results.py").run()
    first = [k for k in app.session_state["runs"]][0]
    app.selectbox(key="reference").select(first).run()
    deltas = {m.label: m.delta for m in app.metric}
    assert deltas[label_of("trips_generated")].startswith("+")  # more electric cars, more trips
    assert [d for d in app.get("download_button")]  # the downloads are offered


def test_the_downloaded_scenario_runs_unchanged(app, tmp_path):
    from emob_sim.config import scenario_to_dict
    from emob_sim.region import with_inline_sites

    app.number_input(key=EV_SHARE).set_value(3.0).run()
    scenario = app.session_state["scenario"]
    text = yaml.safe_dump(scenario_to_dict(with_inline_sites(scenario), portable=True))
    path = tmp_path / "edited.yaml"
    path.write_text(text)
    again = load_scenario(path)
    assert again.fleet.ev_share == pytest.approx(0.03)
    assert emob_sim.run(again).kpis == emob_sim.run(scenario).kpis


def test_a_proposal_becomes_a_layout_choice_and_a_bad_budget_an_error(app):
    app.text_input(key="place_budget").set_value("abc").run()
    app.button(key="propose").click().run()
    assert not app.exception
    assert any("Budget abc" in e.value for e in app.error)
    assert not any("--budget" in e.value for e in app.error)
    app.text_input(key="place_budget").set_value("3plugs").run()
    app.button(key="propose").click().run()
    assert not app.exception
    options = app.selectbox(key=f"layout:{BASELINE}").options
    assert any(o.startswith("proposal 1: coverage") for o in options)


def test_compare_marks_the_best_value_of_each_row(app):
    app.switch_page("pages/compare.py").run()
    assert not app.exception, [e.value for e in app.exception]
    table = app.dataframe[0].value
    assert list(table.columns) == ["existing", "corridor", "centres"]
    marked = table.apply(lambda col: col.astype(str).str.startswith("★")).sum().sum()
    assert marked >= 10
    assert table.loc[label_of("capex_eur_area"), "existing"].startswith("★")  # nothing to build
    assert table.index.is_unique and "capex_eur_area" not in table.index  # labels, not keys


def test_the_plan_page_runs_the_shipped_plan_and_offers_its_report(app):
    app.switch_page("pages/plan.py").run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.selectbox(key="plan_file").value == "zemgale/plans/zemgale_2030.yaml"
    assert "Bauskas novads" in app.selectbox(key="plan_municipality").options
    app.button(key="plan_run").click().run()
    assert not app.exception, [e.value for e in app.exception]
    table = app.dataframe[0].value
    assert len(table) == 2 * 3  # paths x options
    capex = dict(zip(table["Option"], table["CAPEX"]))
    assert capex["today"] == "0 EUR" and capex["corridor-first"] != "0 EUR"
    labels = [d.label for d in app.get("download_button")]
    assert labels == ["report.html", "plan.csv", "plan_summary.csv"]


def _chart_data(chart) -> pd.DataFrame:
    """The table a Vega-Lite chart of the page draws (its one dataset)."""
    (dataset,) = chart.proto.datasets
    return pa.ipc.open_stream(io.BytesIO(dataset.data.data)).read_pandas()


def _click_on_map(at: AppTest, site_id: str) -> AppTest:
    """Rerun the page as the browser does after a click on a car site of the map: with the
    widget states of the page and the pydeck chart's selection (AppTest cannot click a map)."""
    (deck,) = at.get("deck_gl_json_chart")
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = deck.proto.id
    state.string_value = json.dumps(
        {
            "selection": {
                "indices": {"car_sites": [0]},
                "objects": {"car_sites": [{"site_id": site_id}]},
            }
        }
    )
    at._run(states)
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_click_on_a_map_site_shows_that_site(app):
    _run(app)
    app.switch_page("pages/map.py").run()
    result = emob_sim.run(load_scenario())
    car = result.sites[result.sites["kind"] != "ebike"]
    first = app.selectbox(key="map_site").value
    picked = car.sort_values("energy_kwh")["site_id"].iloc[-1]  # the busiest site
    assert picked != first and car["sessions"].max() > 0

    _click_on_map(app, picked)
    assert app.selectbox(key="map_site").value == picked
    load, waits = app.get("vega_lite_chart")
    expected = site_load_profile(result, picked)
    pd.testing.assert_frame_equal(_chart_data(load)[["hour", "power_kw"]], expected)
    assert len(_chart_data(waits)) == len(site_waits_min(result, picked))

    app.selectbox(key="map_site").select(first).run()  # the select box still chooses
    assert app.selectbox(key="map_site").value == first


def test_the_site_view_and_results_split_sessions_by_where_cars_charged(app):
    from emob_sim.display import header_of

    _run(app)
    result = emob_sim.run(load_scenario())
    where = ["sessions_en_route", "sessions_destination", "sessions_overnight"]
    app.switch_page("pages/results.py").run()
    assert not app.exception, [e.value for e in app.exception]
    cards = {m.label: m.value for m in app.metric}
    for key in (
        "destination_sessions",
        "overnight_sessions",
        "destination_energy_kwh",
        "overnight_energy_kwh",
    ):
        assert cards[label_of(key)] == format_value(key, result.kpis[key]), key
    assert result.kpis["destination_sessions"] > 0  # the split is not all en route
    (sites,) = [d.value for d in app.dataframe if header_of("sessions_en_route") in d.value]
    for key in where:
        assert list(sites[header_of(key)]) == list(result.sites[key]), key
    assert (result.sites[where].sum(axis=1) == result.sites["sessions"]).all()

    app.switch_page("pages/map.py").run()
    car = result.sites[result.sites["kind"] != "ebike"].set_index("site_id")
    busiest = car["sessions_destination"].idxmax()
    _click_on_map(app, busiest)
    shown = {m.label: m.value for m in app.metric}
    for key in ["sessions", *where]:
        assert shown[label_of(key)] == format_value(key, car.at[busiest, key]), key
    assert car.at[busiest, "sessions_destination"] > 0


def test_picked_site_reads_the_car_site_layer_of_a_selection():
    spec = importlib.util.spec_from_file_location("app_maps", Path(APP).parent / "maps.py")
    maps = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maps)
    car = {"objects": {"car_sites": [{"site_id": "osm-1", "name": "Jelgava"}]}}
    assert maps.picked_site(car) == "osm-1"
    assert maps.picked_site({"objects": {"ebike_points": [{"site_id": "b-1"}]}}) is None
    assert maps.picked_site({"indices": {}, "objects": {}}) is None
    assert maps.picked_site(None) is None


#: a raw key as a header: snake_case words (``trips_generated``, ``power_kw``)
RAW_KEY = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


def _raw_headers(at: AppTest) -> list[str]:
    """Headers (columns and row labels) of every table on the page that are raw keys."""
    raw = []
    for element in [*at.dataframe, *at.table]:
        table = element.value
        names = [*map(str, table.columns)]
        if not isinstance(table.index, pd.RangeIndex):
            names += [*map(str, table.index)]
        raw += [n for n in names if RAW_KEY.match(n)]
    return raw


def test_no_table_a_person_reads_has_a_raw_key_as_a_header(app, monkeypatch, tmp_path):
    from emob_sim.batch import sweep

    spec = {
        "name": "s",
        "base": str(emob_sim.config.bundled_path("configs/zemgale/baseline.yaml")),
        "seeds": 1,
        "grid": {"fleet.ev_share": [0.02, 0.04]},
    }
    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    sweep(tmp_path / "sweep.yaml", tmp_path / "s", workers=1)
    app.text_input(key="place_budget").set_value("3plugs").run()
    app.button(key="propose").click().run()  # the proposal's tables
    _run(app)
    tables = 0
    for page in PAGES:
        app.switch_page(page).run()
        if page == "pages/sweeps.py":
            app.text_input(key="sweeps_root").set_value(str(tmp_path)).run()
        if page == "pages/plan.py":
            app.button(key="plan_run").click().run()
        assert not app.exception, (page, [e.value for e in app.exception])
        assert _raw_headers(app) == [], page
        tables += len(app.dataframe)
    assert tables >= 8  # proposal (2), sites, e-bikes, comparison, municipalities, sweep, plan


def test_a_run_is_named_by_what_differs_from_its_scenario(app):
    app.number_input(key=EV_SHARE).set_value(5.0).run()
    _run(app)
    assert list(app.session_state["runs"]) == ["EV share 5 %, seed 42"]


def test_an_unchanged_kpi_shows_no_change_against_the_reference(app):
    _run(app)
    app.number_input(key=f"lever:{BASELINE}:charging.max_wait_min").set_value(30.0).run()
    _run(app)
    app.switch_page("pages/results.py").run()
    first = list(app.session_state["runs"])[0]
    app.selectbox(key="reference").select(first).run()
    deltas = {m.label: m.delta for m in app.metric}
    # the same cars and trips: no arrow and no red, not "↑ 0"
    assert not deltas[label_of("vehicles")] and not deltas[label_of("trips_generated")]


def _app_module(name: str):
    spec = importlib.util.spec_from_file_location(f"app_{name}", Path(APP).parent / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_fitted_view_shows_every_point_with_room_for_its_marker():
    maps = _app_module("maps")
    lon = pd.Series([22.9, 26.1, 24.1, 23.7])  # Auce, Kūkas, Rīga, Jelgava
    lat = pd.Series([56.46, 56.50, 56.95, 56.65])
    for width, height in ((330, 340), (520, 340), (1000, 560)):
        view = maps.fit_view(lon, lat, width_px=width, height_px=height, pad_px=30)
        world = maps.WORLD_PX * 2**view.zoom
        x = (lon - view.longitude) / 360 * world + width / 2
        middle = maps.mercator_y(view.latitude)
        y = [(middle - maps.mercator_y(v)) * world + height / 2 for v in lat]
        assert x.min() >= 29.9 and x.max() <= width - 29.9, (width, list(x))
        assert min(y) >= 29.9 and max(y) <= height - 29.9, (height, y)
        assert x.max() - x.min() >= width - 60.5 or max(y) - min(y) >= height - 60.5  # fills


def test_markers_at_one_place_are_drawn_apart_by_kind():
    maps = _app_module("maps")
    sites = pd.DataFrame(
        {
            "site_id": ["a", "b", "c"],
            "kind": ["car_dc", "car_ac", "ebike"],
            "lon": [23.73, 23.7301, 25.0],
            "lat": [56.65, 56.6501, 56.4],
        }
    )
    view = maps.fit_view(sites["lon"], sites["lat"], width_px=500, height_px=300)
    drawn = maps.spread_stacked(sites, view=view)
    px = 360.0 / (maps.WORLD_PX * 2**view.zoom)  # degrees of longitude per pixel
    d_lat = (drawn.at[0, "lat"] - drawn.at[1, "lat"]) / np.cos(np.radians(56.65))
    gap = np.hypot(drawn.at[0, "lon"] - drawn.at[1, "lon"], d_lat)
    assert gap / px >= 10  # the AC and DC site are drawn apart
    assert drawn.at[2, "lon"] == 25.0  # a site alone stays where it is
    assert (drawn["true_lon"] == sites["lon"]).all()
