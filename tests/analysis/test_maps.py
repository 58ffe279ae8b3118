"""The map and chart tables of a run (:mod:`emob_sim.analysis.maps`) account for the run."""

from __future__ import annotations

import numpy as np
import pytest

import emob_sim
from emob_sim.analysis import (
    ZONE_MAP_COLUMNS,
    arrival_soc,
    network_lines,
    site_load_profile,
    site_waits_min,
    zone_table,
)


@pytest.fixture(scope="module")
def result():
    """One short default run (Zemgale, one day)."""
    return emob_sim.run(None, overrides=["time.days=1"])


def _car_sites(result) -> list[str]:
    return list(result.sites.loc[result.sites["kind"] != "ebike", "site_id"])


def test_a_site_load_profile_integrates_to_its_sessions_energy(result):
    sessions = result.sim.sessions
    bin_h = result.sim.bin_s / 3600.0
    assert len(sessions) > 0
    for site in _car_sites(result):
        profile = site_load_profile(result, site)
        energy = sessions.loc[sessions["site_id"] == site, "energy_kwh"].sum()
        assert profile["power_kw"].sum() * bin_h == pytest.approx(energy, rel=1e-6, abs=1e-6), site
    together = site_load_profile(result)
    assert together["power_kw"].sum() * bin_h == pytest.approx(
        result.kpis["energy_delivered_kwh"], rel=1e-6
    )


def test_a_load_profile_spans_the_simulated_time_in_hours(result):
    profile = site_load_profile(result, _car_sites(result)[0])
    assert list(profile.columns) == ["hour", "power_kw"]
    step = result.sim.bin_s / 3600.0
    np.testing.assert_allclose(profile["hour"], np.arange(len(profile)) * step)
    # the simulated days, extended to the end of the last session (one running past midnight)
    hours = len(profile) * step
    last_end_h = np.ceil(result.sim.sessions["end_s"].max() / result.sim.bin_s) * step
    assert hours >= 24.0 * result.scenario.time.days
    assert hours == pytest.approx(max(24.0 * result.scenario.time.days, last_end_h))
    assert site_load_profile(result, "no-such-site").empty


def test_the_waits_per_site_count_every_arrival(result):
    sites = result.sites.set_index("site_id")
    abandoned = result.sim.abandoned
    assert len(abandoned) > 0  # drivers gave up somewhere: both kinds of arrival are counted
    for site in _car_sites(result):
        waits = site_waits_min(result, site)
        arrivals = sites.at[site, "sessions"] + sites.at[site, "sessions_abandoned"]
        assert len(waits) == arrivals, site
        assert waits["gave_up"].sum() == (abandoned["site_id"] == site).sum(), site
    every = site_waits_min(result)
    assert len(every) == len(result.sim.sessions) + len(abandoned)
    assert (every["wait_min"] >= 0).all()
    served = np.sort(every.loc[~every["gave_up"], "wait_min"].to_numpy())
    np.testing.assert_allclose(served, np.sort(result.sim.sessions["wait_s"] / 60.0))


def test_the_zone_table_sums_to_the_demand(result):
    zones = zone_table(result)
    assert list(zones.columns) == ZONE_MAP_COLUMNS
    assert len(zones) == len(result.region.zones)
    vehicles = result.demand.vehicles
    assert zones["electric_cars"].sum() == vehicles["resident"].sum()
    assert zones["trips_from"].sum() == result.demand.n_trips
    assert zones["trips_stranded"].sum() == result.kpis["trips_stranded"]
    assert zones["drivers_gave_up"].sum() == len(result.sim.abandoned)
    assert (zones["trips_stranded"] <= zones["trips_from"]).all()


def test_arrival_soc_is_the_state_of_charge_of_every_session(result):
    soc = arrival_soc(result)
    assert soc.name == "soc_on_arrival"
    assert len(soc) == result.kpis["charging_sessions"]
    assert ((soc >= 0) & (soc <= 1)).all()
    np.testing.assert_array_equal(soc.to_numpy(), result.sim.sessions["soc_start"].to_numpy())


def test_network_lines_draw_each_road_once_and_keep_the_longest(result):
    network = result.region.network
    lines = network_lines(network)
    src = np.repeat(np.arange(network.n_nodes), np.diff(network.indptr))
    roads = {(min(a, b), max(a, b)) for a, b in zip(src, network.indices)}
    assert len(lines) == len(roads)
    for end in ("from", "to"):
        assert lines[f"{end}_lon"].between(network.lon.min(), network.lon.max()).all()
        assert lines[f"{end}_lat"].between(network.lat.min(), network.lat.max()).all()
    few = network_lines(network, max_lines=5)
    assert len(few) == 5
    assert sorted(few["length_m"]) == sorted(lines["length_m"].nlargest(5))


def test_boundaries_are_drawn_as_the_municipalities_polygons(result):
    from shapely.geometry import Point, Polygon

    from emob_sim.analysis.maps import BOUNDARY_MAP_COLUMNS, boundary_table

    table = boundary_table(result.region)
    assert list(table.columns) == BOUNDARY_MAP_COLUMNS
    assert set(table["name"]) == set(result.region.boundaries["name"])  # all six
    polygons = {n: Polygon(p[0], p[1:]) for n, p in zip(table["name"], table["polygon"])}
    jelgava = result.region.zones.set_index("zone_id").loc["Ozolnieki"]
    assert polygons["Jelgavas novads"].contains(Point(jelgava["lon"], jelgava["lat"]))


def test_place_names_put_each_municipality_inside_itself_and_name_the_towns(result):
    from shapely.geometry import Point

    from emob_sim.analysis.maps import PLACE_NAME_COLUMNS, place_names

    names = place_names(result.region)
    assert list(names.columns) == PLACE_NAME_COLUMNS
    towns = names[names["kind"] == "zone"]
    zones = result.region.zones
    assert set(towns["name"]) == set(zones.loc[zones["kind"] != "gateway", "name"])
    municipalities = names[names["kind"] == "municipality"].set_index("name")
    for name, shape in zip(result.region.boundaries["name"], result.region.boundaries.geometry):
        row = municipalities.loc[name]
        assert shape.contains(Point(row["lon"], row["lat"])), name


def test_a_scenario_without_boundaries_has_town_names_only():
    from emob_sim.analysis.maps import boundary_table, place_names

    run = emob_sim.run(None, overrides=["time.days=1", "zones.boundaries_file=null"])
    assert boundary_table(run.region).empty
    names = place_names(run.region)
    assert len(names) > 0 and set(names["kind"]) == {"zone"}


@pytest.mark.parametrize(
    ("west", "south", "east", "north"),
    [
        (22.5, 56.1, 26.3, 57.0),  # Zemgale
        (24.85, 60.14, 25.05, 60.22),  # Helsinki's centre
        (23.70, 56.64, 23.76, 56.66),  # a few streets of Jelgava
        (-10.0, -40.0, 40.0, 30.0),  # a continent
    ],
)
def test_a_scale_bar_is_a_round_fifth_of_the_view_and_its_label_is_its_length(
    west, south, east, north
):
    from osmnx.distance import great_circle

    from emob_sim.analysis.maps import scale_bar

    bar = scale_bar(west, south, east, north)
    drawn_km = great_circle(bar["start_lat"], bar["start_lon"], bar["end_lat"], bar["end_lon"])
    drawn_km /= 1000.0
    number, unit = bar["label"].split(" ")
    label_km = float(number) / (1000.0 if unit == "m" else 1.0)
    assert unit in ("km", "m")
    assert label_km == pytest.approx(drawn_km, rel=0.01), (bar, drawn_km)
    assert number.lstrip("0.")[0] in "125" and set(number.lstrip("0.")[1:]) <= {"0", "."}
    width_km = great_circle(bar["start_lat"], west, bar["start_lat"], east) / 1000.0
    assert 0.08 * width_km <= drawn_km <= 0.2 * width_km * 1.0001  # about a fifth, round down
    assert west < bar["start_lon"] < bar["end_lon"] < west + 0.3 * (east - west)  # lower left
    assert south < bar["start_lat"] == bar["end_lat"] < south + 0.15 * (north - south)
