"""Workplace charging at an industrial area and the energy of sites: commuters from the area's
employees, plugs, energy balance per site and step, grid limits, how strategies relate, the
run folder and the errors a user can make."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from emob_sim.analysis import flat_kpis
from emob_sim.cli import app
from emob_sim.config.models import AreaSpec, SiteEnergySpec
from emob_sim.demand.areas import commuter_counts
from emob_sim.errors import ConfigError, DataError, EmobSimError
from emob_sim.kernels.allocation import FLOWS
from emob_sim.region import build_region
from emob_sim.runner import ENERGY_FILES, RUN_FILES, resolve_scenario, run, run_stages
from emob_sim.sim.site_year import BASIS_DAYS, BASIS_MONTHS

AREA = {
    "area_id": "test-park",
    "name": "Test park",
    "zone": "Jelgava",
    "lon": 23.78,
    "lat": 56.66,
    "employees": 1500,
    "car_share": 0.7,
    "ev_share": 0.2,
    "plugs": 60,
    "plug_kw": 11.0,
    "grid_limit_kw": 120.0,
    "strategy": "capped-equal",
    "pv_kwp": 300.0,
    "battery_kwh": 100.0,
    "battery_kw": 50.0,
}
CAPPED = ("capped-equal", "capped-earliest", "pv-following", "least-laxity")


def assert_balanced(steps: pd.DataFrame, *, atol: float = 1e-9) -> None:
    """Every step: sources = uses, and the load's and the cars' parts add up."""
    s = {c: steps[c].to_numpy(float) for c in FLOWS}
    sources = s["pv_kw"] + s["battery_to_load_kw"] + s["battery_to_cars_kw"] + s["grid_import_kw"]
    uses = (
        s["site_load_kw"]
        + s["cars_kw"]
        + s["pv_to_battery_kw"]
        + s["grid_to_battery_kw"]
        + s["export_kw"]
        + s["curtailed_kw"]
    )
    np.testing.assert_allclose(sources, uses, rtol=0, atol=atol)
    load = s["pv_to_load_kw"] + s["battery_to_load_kw"] + s["grid_to_load_kw"]
    np.testing.assert_allclose(s["site_load_kw"], load, rtol=0, atol=atol)
    cars = s["pv_to_cars_kw"] + s["battery_to_cars_kw"] + s["grid_to_cars_kw"]
    np.testing.assert_allclose(s["cars_kw"], cars, rtol=0, atol=atol)
    assert (steps[list(FLOWS)] >= -1e-12).all().all()


def with_area(scenario, **changes):
    area = AreaSpec(**{**AREA, **changes})
    energy = scenario.energy.model_copy(update={"areas": [area]})
    return scenario.model_copy(update={"energy": energy})


@pytest.fixture(scope="module")
def base():
    """The default scenario over a working week (Monday to Sunday) with the test park."""
    scenario = resolve_scenario(None, overrides=["time.days=7"])
    scenario = with_area(scenario)
    return scenario, build_region(scenario)


@pytest.fixture(scope="module")
def runs(base):
    """A run per strategy, on the same demand and region."""
    scenario, region = base
    return {
        s: run_stages(with_area(scenario, strategy=s), region) for s in ("uncontrolled", *CAPPED)
    }


def test_commuters_follow_from_the_areas_employees(runs, base):
    scenario, region = base
    result = runs["uncontrolled"]
    demand = result.demand
    commuters = np.flatnonzero(demand.workplace >= 0)
    expected = commuter_counts(scenario, region.industrial_areas)[0]  # 1500 x 0.7 x 0.2
    assert expected == pytest.approx(210.0)
    assert commuters.size in (np.floor(expected), np.ceil(expected))
    trips = demand.trips[demand.trips["vehicle_id"].isin(commuters)]
    work = trips[trips["purpose"] == "work"]
    jelgava = int(np.flatnonzero(region.zones["zone_id"] == "Jelgava")[0])
    assert (work["dest"] == jelgava).all()
    assert sorted(trips["day"].unique()) == [0, 1, 2, 3, 4]  # Saturday and Sunday off
    assert len(work) == 5 * commuters.size
    # every car trip accounted for, commuters' included
    k = result.kpis
    assert k["trips_generated"] == k["trips_completed"] + k["trips_stranded"]


def test_every_step_balances_and_capped_sites_keep_their_limit(runs):
    for strategy, result in runs.items():
        steps, visits = result.energy.steps, result.energy.visits
        assert_balanced(steps)
        assert (steps["battery_kwh"] <= AREA["battery_kwh"] + 1e-9).all()
        if strategy in CAPPED:
            assert (steps["grid_import_kw"] <= AREA["grid_limit_kw"] + 1e-9).all()
        step_h = result.energy.step_s / 3600.0
        site = result.kpis["areas"]["sites"][0]
        charged = steps["cars_kw"].sum() * step_h
        assert visits["delivered_kwh"].sum() == pytest.approx(charged, rel=1e-9)
        assert site["charged_kwh"] == pytest.approx(charged, abs=1e-3)
        own = site["pv_to_cars_kwh"] + site["battery_out_kwh"]
        assert site["charged_kwh"] == pytest.approx(own + site["grid_kwh"], abs=1e-3)
        assert (visits["delivered_kwh"] <= visits["need_kwh"] + 1e-9).all()
    uncontrolled = runs["uncontrolled"].kpis["areas"]["sites"][0]
    assert uncontrolled["peak_grid_kw"] > AREA["grid_limit_kw"]  # the limit binds here
    assert uncontrolled["limit_kept"] is False
    assert runs["capped-equal"].kpis["areas"]["sites"][0]["limit_kept"] is True


def test_no_more_cars_plugged_than_plugs(runs):
    visits = runs["uncontrolled"].energy.visits
    plugged = visits[visits["plugged"]]
    times = np.sort(np.concatenate([plugged["arrive_s"], plugged["depart_s"]]))
    at = [((plugged["arrive_s"] <= t) & (plugged["depart_s"] > t)).sum() for t in times]
    assert max(at) <= AREA["plugs"]
    assert (visits.loc[~visits["plugged"], "need_kwh"] > 0).any()  # some found none free
    # a car needing less than the minimum gain does not take a plug
    assert not visits.loc[visits["need_kwh"] == 0, "plugged"].any()


def test_pv_following_takes_more_of_its_energy_from_the_sun(runs):
    follow = runs["pv-following"].kpis["areas"]["sites"][0]
    capped = runs["capped-equal"].kpis["areas"]["sites"][0]
    assert follow["self_sufficiency_share"] > capped["self_sufficiency_share"]
    assert follow["grid_kwh"] < capped["grid_kwh"]
    assert follow["co2_kg"] == pytest.approx(follow["grid_kwh"] * 0.1, rel=1e-3)


def test_a_limit_that_does_not_bind_leaves_capped_as_uncontrolled(base):
    scenario, region = base
    free = {
        s: run_stages(with_area(scenario, strategy=s, grid_limit_kw=1e6), region)
        for s in ("uncontrolled", "capped-equal", "capped-earliest")
    }
    ref = free["uncontrolled"].energy
    for s in ("capped-equal", "capped-earliest"):
        got = free[s].energy
        cols = [c for c in got.steps.columns if c != "limit_kw"]
        pd.testing.assert_frame_equal(got.steps[cols], ref.steps[cols])
        pd.testing.assert_frame_equal(got.visits, ref.visits)


def test_pv_following_without_sun_is_load_capped(base):
    scenario, region = base
    dark = {
        s: run_stages(with_area(scenario, strategy=s, pv_kwp=0.0), region)
        for s in ("pv-following", "capped-earliest")
    }
    a, b = dark["pv-following"].energy, dark["capped-earliest"].energy
    for col in ("cars_kw", "grid_import_kw", "battery_to_cars_kw", "charging_cars"):
        np.testing.assert_allclose(a.steps[col], b.steps[col], rtol=0, atol=1e-9)
    np.testing.assert_allclose(a.visits["delivered_kwh"], b.visits["delivered_kwh"], atol=1e-9)


def test_a_measured_profile_replaces_the_clear_sky(base, tmp_path):
    scenario, region = base
    times = pd.date_range("2025-06-02", periods=8 * 24, freq="1h")
    pd.DataFrame({"time": times.strftime("%Y-%m-%dT%H:%M"), "kw_per_kwp": 0.5}).to_csv(
        tmp_path / "pv.csv", index=False
    )
    result = run_stages(with_area(scenario, pv_profile_file=tmp_path / "pv.csv"), region)
    np.testing.assert_allclose(result.energy.steps["pv_kw"], 0.5 * AREA["pv_kwp"])
    short = pd.DataFrame({"time": times[:48].strftime("%Y-%m-%dT%H:%M"), "kw_per_kwp": 0.5})
    short.to_csv(tmp_path / "short.csv", index=False)
    with pytest.raises(DataError, match="no measured value for the step from 2025-06-04 00:00"):
        run_stages(with_area(scenario, pv_profile_file=tmp_path / "short.csv"), region)
    # a profile of the simulated week only: the money's year is that week x 365 / 7
    site = result.kpis["areas"]["scorecard"]["sites"][0]
    assert site["money_basis"] == BASIS_DAYS
    year = result.energy.years[site["site_id"]]
    assert np.allclose(year.weight, 365 / (len(year.weight) / 96))
    # a profile of the whole year: twelve representative months of the measured sun
    whole = pd.date_range("2025-01-01", periods=366 * 24, freq="1h")
    pd.DataFrame({"time": whole.strftime("%Y-%m-%dT%H:%M"), "kw_per_kwp": 0.5}).to_csv(
        tmp_path / "year.csv", index=False
    )
    result = run_stages(with_area(scenario, pv_profile_file=tmp_path / "year.csv"), region)
    site = result.kpis["areas"]["scorecard"]["sites"][0]
    assert site["money_basis"] == BASIS_MONTHS
    year = result.energy.years[site["site_id"]]
    pv_year = float((year.flows["pv_kw"] * year.weight).sum() * 0.25)
    assert pv_year == pytest.approx(0.5 * AREA["pv_kwp"] * 24 * 365, rel=1e-9)


def test_a_public_site_under_a_limit_delivers_less_than_uncontrolled(base):
    scenario, region = base
    site = "LV-JEK-CSDD"
    if site not in set(region.sites["site_id"]):
        site = str(region.sites["site_id"].iloc[0])

    def public(**kw):
        spec = SiteEnergySpec(site_id=site, **kw)
        energy = scenario.energy.model_copy(update={"sites": [spec], "areas": []})
        return run_stages(scenario.model_copy(update={"energy": energy}), region)

    clash = SiteEnergySpec(site_id="test-park", strategy="uncontrolled")
    energy = scenario.energy.model_copy(update={"sites": [clash]})
    with pytest.raises(ConfigError, match="'test-park' is also the area_id"):
        run_stages(scenario.model_copy(update={"energy": energy}), region)
    free = public(strategy="uncontrolled")
    sessions = free.sim.sessions[free.sim.sessions["site_id"] == site]
    entry = free.kpis["areas"]["sites"][0]
    assert entry["kind"] == "public"
    assert entry["charged_kwh"] == pytest.approx(sessions["energy_kwh"].sum(), abs=1e-3)
    assert entry["undelivered_kwh"] == pytest.approx(0.0, abs=1e-6)
    capped = public(strategy="capped-equal", grid_limit_kw=10.0).kpis["areas"]["sites"][0]
    assert capped["peak_grid_kw"] <= 10.0 + 1e-9 and capped["undelivered_kwh"] > 0
    assert capped["charged_kwh"] + capped["undelivered_kwh"] == pytest.approx(
        entry["charged_kwh"], abs=1e-3
    )


def test_run_folder_holds_the_site_energy(base, tmp_path):
    scenario, region = base
    out = tmp_path / "run"
    result = run(with_area(scenario, strategy="pv-following"), region=region, out_dir=out)
    assert sorted(p.name for p in out.iterdir()) == sorted(RUN_FILES + ENERGY_FILES)
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["areas"] == json.loads(json.dumps(result.kpis["areas"]))
    steps = pd.read_parquet(out / "site_energy.parquet")
    assert len(steps) == len(result.energy.steps) and steps["time"].dt.tz is None
    assert str(steps["time_utc"].dt.tz) == "UTC"
    assert steps["step"].diff().dropna().eq(1).all()
    sites = json.loads((out / "sites.geojson").read_text())["features"]
    work = [f for f in sites if f["properties"]["kind"] == "workplace"]
    assert len(work) == 1 and work[0]["geometry"]["coordinates"] == [AREA["lon"], AREA["lat"]]
    assert work[0]["properties"]["strategy"] == "pv-following"
    # tables of comparisons and sweeps get the areas' total in one level
    flat = flat_kpis(result.kpis)
    assert flat["areas_charged_kwh"] == result.kpis["areas"]["total"]["charged_kwh"]


def test_runs_without_energy_sites_write_what_they_wrote(tmp_path):
    result = run(None, overrides=["time.days=1"], out_dir=tmp_path / "plain")
    assert "areas" not in result.kpis and result.energy.empty
    assert sorted(p.name for p in (tmp_path / "plain").iterdir()) == sorted(RUN_FILES)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"zone": "Atlantis"}, DataError, "zone 'Atlantis' is not in the zones table"),
        ({"zone": "Rīga"}, DataError, "expected a zone of the region"),
    ],
)
def test_an_area_in_an_unknown_zone_is_named(base, change, error, message):
    scenario, _ = base
    with pytest.raises(error, match=message):
        build_region(with_area(scenario, **change))


def test_bad_energy_settings_are_named(tmp_path):
    runner = CliRunner()
    cases = {
        "energy.areas=[{area_id: a, zone: Jelgava, lon: 23.7, lat: 56.6, employees: 10, "
        "car_share: 0.5, plugs: 2, strategy: capped-equal}]": "set grid_limit_kw",
        "time.start_date=2025-06-03": "is a Tuesday, expected a Monday",
        "energy.timezone=Mars/Base": "not a known time zone",
        "energy.sites=[{site_id: nowhere, grid_limit_kw: 50, strategy: capped-equal}]": (
            "'nowhere' is not a car site of this run"
        ),
    }
    for override, message in cases.items():
        out = tmp_path / "never"
        res = runner.invoke(
            app, ["run", "--set", override, "--set", "time.days=1", "--out", str(out)]
        )
        assert res.exit_code == 2, (override, res.output)
        assert message in " ".join(res.output.split()), (override, res.output)
        assert "Traceback" not in res.output and not out.exists()
        # validate refuses it too, before anything is simulated
        res = runner.invoke(app, ["validate", "--set", override, "--set", "time.days=1"])
        assert res.exit_code == 2 and message in " ".join(res.output.split()), res.output


def test_areas_file_rows_are_validated(tmp_path, base):
    scenario, _ = base
    table = pd.DataFrame([{**AREA, "employees": -5}])
    table.to_csv(tmp_path / "areas.csv", index=False)
    energy = scenario.energy.model_copy(update={"areas": [], "areas_file": tmp_path / "areas.csv"})
    with pytest.raises(EmobSimError, match=r"areas.csv: row 2: employees"):
        build_region(scenario.model_copy(update={"energy": energy}))
    table.assign(employees=800).to_csv(tmp_path / "areas.csv", index=False)
    region = build_region(scenario.model_copy(update={"energy": energy}))
    assert region.industrial_areas["employees"].tolist() == [800]
    assert issubclass(ConfigError, EmobSimError)


def test_depot_vehicles_come_back_and_share_the_plugs(base):
    scenario, region = base
    result = run_stages(with_area(scenario, depot_vehicles=30, plugs=20), region)
    demand, visits = result.demand, result.energy.visits
    depot = np.flatnonzero(demand.depot)
    assert depot.size == 30 and (demand.workplace[depot] == 0).all()
    jelgava = int(np.flatnonzero(region.zones["zone_id"] == "Jelgava")[0])
    assert (demand.vehicles.loc[depot, "home_zone"] == jelgava).all()
    back = visits[visits["kind"] == "depot"]
    assert set(back["vehicle_id"]) <= set(depot) and len(back) > 30  # most days, each vehicle
    trips = demand.trips.set_index("trip_id")
    assert trips.loc[back["trip_id"], "last_of_day"].all()
    commute = visits[visits["kind"] == "commute"]
    assert not set(commute["vehicle_id"]) & set(depot)
    plugged = visits[visits["plugged"]]
    times = np.sort(plugged["arrive_s"].to_numpy())
    at = [((plugged["arrive_s"] <= t) & (plugged["depart_s"] > t)).sum() for t in times]
    assert max(at) <= 20
    k = result.kpis
    assert k["trips_generated"] == k["trips_completed"] + k["trips_stranded"]


def test_an_area_no_resident_can_reach_is_a_clear_error(base):
    from emob_sim.demand.areas import generate_area_cars
    from emob_sim.demand.fleet import type_arrays
    from emob_sim.region import locate_areas

    scenario, region = base
    zones = region.zones.assign(population=0.0)  # nobody lives anywhere
    areas = locate_areas(pd.DataFrame([AREA]).reindex(columns=list(AreaSpec.model_fields)), zones)
    n = region.n_zones
    with pytest.raises(DataError, match="area 'test-park': no zone with residents reaches"):
        generate_area_cars(
            scenario,
            areas,
            zones,
            region.time_s[:n, :n],
            region.dist_km[:n, :n],
            type_arrays(scenario.fleet),
            np.random.SeedSequence(1),
        )


def test_a_site_load_shares_the_connection_and_the_sun(base, runs):
    scenario, region = base
    loaded = run_stages(
        with_area(
            scenario,
            strategy="capped-earliest",
            load_shape="factory_1shift",
            annual_load_kwh=800_000.0,
        ),
        region,
    )
    steps = loaded.energy.steps
    assert_balanced(steps)
    site = loaded.kpis["areas"]["sites"][0]
    step_h = loaded.energy.step_s / 3600.0
    assert site["site_load_kwh"] == pytest.approx(steps["site_load_kw"].sum() * step_h, abs=1e-3)
    assert site["site_load_kwh"] > 0 and site["peak_averaging_min"] == 15.0
    # solar serves the load first: the cars get solar only where the load is covered
    first = steps["pv_to_cars_kw"] > 1e-9
    np.testing.assert_allclose(steps.loc[first, "pv_to_load_kw"], steps.loc[first, "site_load_kw"])
    pv = (
        site["pv_to_load_kwh"] + site["pv_to_cars_kwh"] + site["export_kwh"] + site["curtailed_kwh"]
    )
    pv_to_battery = steps["pv_to_battery_kw"].sum() * step_h
    assert site["pv_kwh"] == pytest.approx(pv + pv_to_battery, abs=1e-3)
    # the cars get what the limit leaves after the load
    free = np.maximum(AREA["grid_limit_kw"] - steps["grid_to_load_kw"], 0.0)
    assert (steps["grid_to_cars_kw"] <= free + 1e-9).all()
    alone = runs["capped-earliest"].kpis["areas"]["sites"][0]
    assert site["charged_kwh"] < alone["charged_kwh"]
    assert site["grid_import_kwh"] > alone["grid_import_kwh"]
    total = loaded.kpis["areas"]["total"]
    assert total["export_kwh"] == site["export_kwh"] and "curtailed_kwh" in total


def test_a_battery_charging_from_the_grid_off_peak_lowers_the_peak(base):
    scenario, region = base
    setup = dict(
        strategy="uncontrolled",
        load_shape="factory_1shift",
        pv_kwp=0.0,
        annual_load_kwh=300_000.0,
        grid_limit_kw=400.0,
        battery_kwh=400.0,
        battery_kw=80.0,
    )
    plain = run_stages(with_area(scenario, **setup), region).kpis["areas"]["sites"][0]
    shaved = run_stages(with_area(scenario, **setup, battery_grid_charge_below_kw=60.0), region)
    site = shaved.kpis["areas"]["sites"][0]
    assert plain["grid_to_battery_kwh"] == 0.0  # without solar nothing charges it
    assert site["grid_to_battery_kwh"] > 0
    assert site["peak_grid_kw"] < plain["peak_grid_kw"] - 20.0
    assert site["charged_kwh"] == pytest.approx(plain["charged_kwh"], abs=1e-3)
    assert_balanced(shaved.energy.steps)


def test_one_minute_steps_see_the_stays_to_the_minute_and_a_higher_peak(base):
    scenario, region = base
    area = with_area(scenario, strategy="uncontrolled")
    by_step = {}
    for step in (1, 15):
        energy = area.energy.model_copy(update={"step_min": step})
        by_step[step] = run_stages(area.model_copy(update={"energy": energy}), region)
    fine, coarse = (by_step[s].kpis["areas"]["sites"][0] for s in (1, 15))
    # partial steps: both see every minute plugged in, so they deliver the same energy
    assert fine["charged_kwh"] == pytest.approx(coarse["charged_kwh"], rel=1e-6)
    assert fine["peak_grid_kw"] >= coarse["peak_grid_kw"] - 1e-9
    assert (fine["peak_averaging_min"], coarse["peak_averaging_min"]) == (1.0, 15.0)
    assert len(by_step[1].energy.steps) == 15 * len(by_step[15].energy.steps)


def test_a_run_across_the_spring_switch_keeps_the_wall_clock(base):
    scenario, region = base
    spring = scenario.model_copy(
        update={"time": scenario.time.model_copy(update={"start_date": "2025-03-24"})}
    )
    steps = run_stages(with_area(spring), region).energy.steps
    noon_sat, noon_sun = 5 * 96 + 48, 6 * 96 + 48  # 29 and 30 March, 12:00 wall time
    assert steps["time"].iloc[6 * 96] == pd.Timestamp("2025-03-30 00:00")
    assert steps["time_utc"].iloc[noon_sat] == pd.Timestamp("2025-03-29 10:00", tz="UTC")
    assert steps["time_utc"].iloc[noon_sun] == pd.Timestamp("2025-03-30 09:00", tz="UTC")
    pv = steps["pv_kw"].to_numpy()
    peaks = [int(np.argmax(pv[d * 96 : (d + 1) * 96])) for d in range(7)]
    assert 3 <= peaks[6] - peaks[5] <= 5  # solar noon an hour later on the wall clock
