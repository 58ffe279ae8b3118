"""E-bikes use public points where they park (issue 29): the low-battery and the destination
rule, the session's location, conservation, on the Zemgale centres layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import emob_sim
from emob_sim.config import load_scenario
from emob_sim.sim import EBIKE_SESSION_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
CENTRES = ROOT / "configs" / "zemgale" / "layout_centres.yaml"
KOUVOLA = ROOT / "configs" / "demo" / "kouvola.yaml"


@pytest.fixture(scope="module")
def centres():
    """One weekday of the shipped centres layout: 20 e-bike points of 6 plugs."""
    return emob_sim.run(load_scenario(CENTRES))


def _energy_balance_kwh(run) -> float:
    """Initial + home + public - used - final energy of all e-bikes (0 when conserved)."""
    veh, sim = run.ebike.demand.vehicles, run.ebike.sim
    battery_kwh = veh["battery_wh"].to_numpy() / 1000
    initial = (veh["initial_soc"].to_numpy() * battery_kwh).sum()
    final = (sim.final_soc * battery_kwh).sum()
    public = sim.sessions["energy_kwh"].sum()
    return initial + sim.home_energy_kwh + public - sim.trips["energy_used_kwh"].sum() - final


def test_ebike_points_of_the_centres_layout_get_sessions_where_riders_go(centres):
    s = centres.ebike.sim.sessions
    sites = centres.region.bike.sites
    assert len(sites) == 20 and sites["plugs"].sum() == 120
    # before issue 29 the 20 points had 1 session in all: riders rarely parked near them (a
    # point covered 0.1-1 % of a zone's area) and plugged in only below half a battery
    assert len(s) >= 50
    assert s["site_id"].nunique() >= 15
    # the points riders go to: every point with a session serves a zone where trips end near it
    trips = centres.ebike.demand.trips
    near_zones = set(trips.loc[trips["near_site"], "dest"])
    assert set(centres.region.bike.site_zone[s["site_idx"]]) <= near_zones
    # the site table counts them
    table = centres.sites[centres.sites["kind"] == "ebike"]
    assert table["sessions"].sum() == len(s) == centres.kpis["ebike"]["charging_sessions"]


def test_each_session_says_where_and_why_it_plugged_in(centres):
    s = centres.ebike.sim.sessions
    cfg = centres.scenario.ebike
    assert list(s.columns) == EBIKE_SESSION_COLUMNS
    assert set(s["location"]) == {"en_route", "destination"}
    trips = centres.ebike.demand.trips
    veh = centres.ebike.demand.vehicles
    next_wh = trips["energy_wh"].to_numpy()[s["trip_id"].to_numpy() + 1]
    have_wh = s["soc_start"].to_numpy() * veh["battery_wh"].to_numpy()[s["ebike_id"]]
    low = (s["soc_start"].to_numpy() < cfg.public_charge_below_soc) | (have_wh < next_wh)
    en_route = (s["location"] == "en_route").to_numpy()
    assert np.array_equal(low, en_route)  # the low-battery rule comes first
    dest = s[~en_route]
    assert (dest["end_s"] - dest["start_s"] >= cfg.destination_min_dwell_min * 60).all()
    assert (dest["soc_start"] < cfg.destination_charge_below_soc).all()


def test_energy_and_trips_are_conserved_with_public_charging(centres):
    assert abs(_energy_balance_kwh(centres)) < 1e-6
    assert centres.ebike.sim.sessions["energy_kwh"].sum() > 1.0
    e = centres.kpis["ebike"]
    assert e["trips_completed"] + e["trips_stranded"] == e["trips_generated"] > 0
    assert e["public_energy_kwh"] == pytest.approx(centres.ebike.sim.sessions["energy_kwh"].sum())


def test_plugs_of_the_centres_points_are_never_overbooked(centres):
    s, plugs = centres.ebike.sim.sessions, centres.region.bike.sites["plugs"].to_numpy()
    for idx, group in s.groupby("site_idx"):
        start = np.c_[group["start_s"], np.ones(len(group))]
        end = np.c_[group["end_s"], -np.ones(len(group))]
        events = np.concatenate([start, end])
        events = events[np.lexsort((events[:, 1], events[:, 0]))]  # releases first at ties
        assert np.cumsum(events[:, 1]).max() <= plugs[idx]


def test_without_the_destination_rule_only_low_batteries_plug_in(kouvola_region):
    rule_off = ["modal_shift.share=0.5", "ebike.destination_charge_below_soc=0"]
    off = emob_sim.run(load_scenario(KOUVOLA, overrides=rule_off), region=kouvola_region)
    on = emob_sim.run(
        load_scenario(KOUVOLA, overrides=["modal_shift.share=0.5"]), region=kouvola_region
    )
    assert set(off.ebike.sim.sessions["location"]) <= {"en_route"}
    assert (on.ebike.sim.sessions["location"] == "destination").sum() > 0
    assert len(on.ebike.sim.sessions) > len(off.ebike.sim.sessions)
    for run in (on, off):
        assert abs(_energy_balance_kwh(run)) < 1e-6
