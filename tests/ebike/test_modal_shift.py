"""Modal shift: short car chains to e-bikes, car km avoided, CO2; per-mode accounting."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import emob_sim
from emob_sim.config import load_scenario
from emob_sim.demand import generate_demand, generate_ebike_demand
from emob_sim.errors import ConfigError
from emob_sim.seeds import seed_streams

KOUVOLA = Path(__file__).resolve().parents[2] / "configs" / "demo" / "kouvola.yaml"


def _shift(region, path=None, *overrides):
    sc = load_scenario(path, overrides=list(overrides))
    streams = seed_streams(sc.seed)
    cars = generate_demand(sc, region, streams["demand"])
    bikes, shifted_cars = generate_ebike_demand(sc, region, cars, streams["ebike"])
    return sc, cars, bikes, shifted_cars


def _accounting_holds(kpis: dict) -> None:
    assert kpis["trips_completed"] + kpis["trips_stranded"] == kpis["trips_generated"]
    e = kpis["ebike"]
    assert e["trips_completed"] + e["trips_stranded"] == e["trips_generated"] == e["trips"]


@pytest.mark.parametrize("where", ["zemgale", "kouvola"])
def test_raising_the_share_lowers_car_km_and_raises_ebike_trips_and_co2(
    where, zemgale_region, kouvola_region
):
    region, path = (zemgale_region, None) if where == "zemgale" else (kouvola_region, KOUVOLA)
    runs = [
        emob_sim.run(load_scenario(path, overrides=[f"modal_shift.share={s}"]), region=region)
        for s in (0.0, 0.2, 0.5)
    ]
    car_km = [r.kpis["km_electric"] for r in runs]
    ebike = [r.kpis["ebike"] for r in runs]
    assert car_km[0] > car_km[1] > car_km[2]
    assert ebike[0]["trips"] < ebike[1]["trips"] < ebike[2]["trips"]
    assert 0 == ebike[0]["co2_avoided_kg"] < ebike[1]["co2_avoided_kg"] < ebike[2]["co2_avoided_kg"]
    assert 0 == ebike[0]["car_km_avoided"] < ebike[1]["car_km_avoided"] < ebike[2]["car_km_avoided"]
    for r in runs:
        _accounting_holds(r.kpis)
    # most car km avoided are petrol km: electric cars are a few per cent of the fleet
    assert ebike[2]["car_km_avoided_electric"] < 0.2 * ebike[2]["car_km_avoided"]


def test_zemgale_default_reports_cars_and_ebikes(zemgale_region):
    result = emob_sim.run(load_scenario(), region=zemgale_region)
    k = result.kpis
    _accounting_holds(k)
    assert k["trips_generated"] > 0 and k["km_electric"] > 0
    e = k["ebike"]
    assert e["trips"] > 1000 and e["km"] > 0 and e["energy_kwh"] > 0 and e["vehicles"] > 0
    assert e["trips_shifted"] == 0 and e["co2_avoided_kg"] == 0  # baseline: no modal shift
    assert e["trips"] == len(result.ebike.sim.trips)
    assert e["km"] == pytest.approx(result.ebike.sim.trips["km"].sum(), abs=1e-3)


def test_co2_balance_follows_its_formula(kouvola_region):
    sc = load_scenario(KOUVOLA, overrides=["modal_shift.share=0.5"])
    r = emob_sim.run(sc, region=kouvola_region)
    trips, veh, res = r.ebike.demand.trips, r.ebike.demand.vehicles, r.ebike.sim.trips
    origin = veh["origin"].to_numpy()[trips["ebike_id"]]
    # the modal shift's part of the one balance (emob_sim.analysis.co2): against petrol cars
    petrol_km = trips["car_km"][origin == "shift_petrol"].sum()
    ev_km = trips["car_km"][origin == "shift_electric"].sum()
    bike_kwh = res["energy_used_kwh"][origin != "owner"].sum()
    em = r.scenario.emissions
    expected = (petrol_km + ev_km) * em.petrol_car_kg_per_km - bike_kwh * em.grid_kg_per_kwh
    assert r.kpis["ebike"]["co2_avoided_kg"] == pytest.approx(expected, abs=1e-3)
    assert petrol_km > 0 and ev_km > 0


def test_shifted_electric_chains_leave_the_car_demand(zemgale_region):
    sc, cars, bikes, after = _shift(zemgale_region, None, "modal_shift.share=0.5")
    t, v = bikes.trips, bikes.vehicles
    electric = v["origin"].to_numpy()[t["ebike_id"]] == "shift_electric"
    assert electric.any() and (v["origin"] == "shift_petrol").any()
    assert len(after.trips) == len(cars.trips) - electric.sum()
    assert (after.trips["trip_id"] == np.arange(len(after.trips))).all()
    assert after.trips["distance_km"].sum() == pytest.approx(
        cars.trips["distance_km"].sum() - t["car_km"][electric].sum()
    )
    assert after.vehicles is cars.vehicles  # the cars stay; they stay home that day
    # every shifted chain is short and starts and ends at its home zone
    shifted = t[t["car_km"] > 0]
    assert (shifted["car_km"] < sc.modal_shift.threshold_km).all()
    home = v["home_zone"].to_numpy()
    first = shifted.groupby("ebike_id").head(1)
    last = shifted[shifted["last_of_day"]]
    assert (first["origin"].to_numpy() == home[first["ebike_id"]]).all()
    assert (last["dest"].to_numpy() == home[last["ebike_id"]]).all()
    # strategic source: the e-bike rides the car leg's length
    np.testing.assert_allclose(shifted["distance_km"], shifted["car_km"])


def test_a_higher_share_shifts_a_superset_of_chains(kouvola_region):
    def shifted(share):
        _, _, bikes, _ = _shift(kouvola_region, KOUVOLA, f"modal_shift.share={share}")
        t = bikes.trips.merge(bikes.vehicles, on="ebike_id")
        t = t[t["origin_y"] != "owner"]
        return set(zip(t["origin_y"], t["home_zone"], t["depart_s"].round(3), t["assist"]))

    low, high = shifted(0.2), shifted(0.5)
    assert low and low < high


def test_share_zero_changes_nothing(kouvola_region):
    _, cars, bikes, after = _shift(kouvola_region, KOUVOLA, "modal_shift.share=0")
    assert after is cars
    assert (bikes.vehicles["origin"] == "owner").all()


def test_zone_shares_apply_by_home_zone(kouvola_region):
    z2 = int(np.argmax(kouvola_region.zones["population"]))  # the most populous zone
    shares = f"modal_shift.zone_shares={{{kouvola_region.zones['zone_id'].iloc[z2]}: 1.0}}"
    sc, cars, bikes, _ = _shift(kouvola_region, KOUVOLA, "modal_shift.share=0", shares)
    shifted = bikes.vehicles[bikes.vehicles["origin"] != "owner"]
    assert len(shifted) > 0 and (shifted["home_zone"] == z2).all()
    # with share 1 every short electric chain of z2 shifts
    t = cars.trips.merge(cars.vehicles[["vehicle_id", "home_zone"]], on="vehicle_id")
    chains = t[t["home_zone"] == z2].groupby(["vehicle_id", "day"])["distance_km"].max()
    assert (shifted["origin"] == "shift_electric").sum() == (chains < 5).sum()


def test_unknown_zone_in_zone_shares_is_a_config_error(kouvola_region):
    with pytest.raises(ConfigError, match="modal_shift.zone_shares: unknown zone 'Atlantis'"):
        _shift(kouvola_region, KOUVOLA, "modal_shift.zone_shares={Atlantis: 0.5}")
