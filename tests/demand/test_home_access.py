"""Home access by zone: the home-charging share from a zone's apartment share (issue 29)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emob_sim.demand.files import file_vehicles
from emob_sim.demand.fleet import (
    draw_types,
    home_access_share,
    sample_fleet,
    stochastic_round,
    type_arrays,
)
from emob_sim.errors import DataError
from emob_sim.region.dwellings import apartment_share, dwelling_floor_m2
from emob_sim.region.zones import load_zones

REPO = Path(__file__).resolve().parents[2]
HOUSE, APARTMENT = 0.9, 0.2
ACCESS = {"fleet.home_access_house": HOUSE, "fleet.home_access_apartment": APARTMENT}


def _old_home_charging(fleet, zones, seed: int) -> np.ndarray:
    """The draws of sample_fleet before issue 29: one regional share for every car."""
    rng = np.random.default_rng(seed)
    population = zones["population"].to_numpy(dtype=float)
    rate = fleet.cars_per_1000 / 1000.0 * fleet.ev_share
    expected = np.where(zones["kind"].to_numpy() == "zone", population * rate, 0.0)
    n = int(stochastic_round(expected, rng).sum())
    draw_types(type_arrays(fleet).share, n, rng)
    return rng.random(n) < fleet.home_charging_share


def test_home_access_share_follows_dwellings_around_the_regional_mean(make_scenario):
    fleet = make_scenario(ACCESS).fleet
    zones = pd.DataFrame({"apartment_share": [0.0, 0.25, 1.0, np.nan]})
    share = home_access_share(fleet, zones)
    access = np.array([HOUSE, 0.75 * HOUSE + 0.25 * APARTMENT, APARTMENT])
    # proportional to the access by dwelling type, with the regional share as the mean
    assert share[:3] == pytest.approx(access * fleet.home_charging_share / access.mean())
    assert share[:3].mean() == pytest.approx(fleet.home_charging_share)
    assert share[3] == fleet.home_charging_share  # no share in the table: the regional one
    # the mean is weighted by population
    weighted = zones.assign(population=[1000.0, 0.0, 3000.0, 50.0])
    low = make_scenario({**ACCESS, "fleet.home_charging_share": 0.3}).fleet
    got = home_access_share(low, weighted)
    assert np.average(got[:3], weights=[1000, 0, 3000]) == pytest.approx(0.3)
    assert got[0] / got[2] == pytest.approx(HOUSE / APARTMENT)
    # a share above 1 is capped and what it cut off goes to the other zones
    high = make_scenario({**ACCESS, "fleet.home_charging_share": 0.9}).fleet
    capped = home_access_share(high, zones.iloc[:3])
    assert capped.max() == 1.0 and capped.mean() == pytest.approx(0.9)
    # switched off, or no column: the regional share everywhere
    off = make_scenario({**ACCESS, "fleet.home_access_by_zone": False}).fleet
    assert (home_access_share(off, zones) == off.home_charging_share).all()
    assert (home_access_share(fleet, zones.drop(columns="apartment_share")) == 0.6).all()


def test_the_regional_share_stays_the_lever(make_scenario):
    """The app, sweeps and plan paths change fleet.home_charging_share: every zone follows."""
    zones = pd.DataFrame({"apartment_share": [0.1, 0.8], "population": [5000.0, 5000.0]})
    low = home_access_share(make_scenario({"fleet.home_charging_share": 0.4}).fleet, zones)
    high = home_access_share(make_scenario({"fleet.home_charging_share": 0.7}).fleet, zones)
    assert (high > low).all()
    assert low.mean() == pytest.approx(0.4) and high.mean() == pytest.approx(0.7)


def test_per_zone_shares_are_drawn_within_4_sd_over_seeds(make_scenario, make_region):
    fleet = make_scenario({**ACCESS, "fleet.ev_share": 0.5}).fleet
    a = [0.0, 0.3, 0.8, 1.0, np.nan]
    n = len(a)
    region = make_region(
        population=[20_000] * n, kind=["zone"] * n, time_min=np.ones((n, n)), apartment_share=a
    )
    p = home_access_share(fleet, region.zones)
    for seed in range(5):
        veh = sample_fleet(fleet, region.zones, np.random.default_rng(seed))
        zone = veh["home_zone"].to_numpy()
        got = np.bincount(zone, weights=veh["home_charging"].to_numpy(float), minlength=n)
        count = np.bincount(zone, minlength=n)
        sd = np.sqrt(count * p * (1 - p))
        assert (np.abs(got - count * p) <= 4 * sd + 1e-9).all(), (seed, got / count, p)
    # the zones differ as their shares say: houses far more often than apartments
    assert got[0] / count[0] > 0.8 > 0.3 > got[3] / count[3]


def test_a_zone_with_share_1_gives_every_car_home_charging(make_scenario, make_region):
    fleet = make_scenario(
        {"fleet.home_access_house": 1.0, "fleet.home_access_apartment": 0.0}
    ).fleet
    region = make_region(
        population=[30_000, 30_000, 30_000],
        kind=["zone"] * 3,
        time_min=np.ones((3, 3)),
        apartment_share=[0.0, 1.0, np.nan],
    )
    veh = sample_fleet(fleet, region.zones, np.random.default_rng(4), home_start_soc=0.8)
    zone = veh["home_zone"].to_numpy()
    home = veh["home_charging"].to_numpy()
    assert (zone == 0).sum() > 100 and home[zone == 0].all()
    assert not home[zone == 1].any()
    assert 0.5 < home[zone == 2].mean() < 0.7  # the regional 0.6
    # cars with home charging start at the home target after the night
    assert (veh["initial_soc"].to_numpy()[zone == 0] == 0.8).all()


def test_without_apartment_shares_the_fleet_is_as_before(make_scenario, small_region):
    fleet = make_scenario(ACCESS).fleet
    zones = small_region.zones
    assert zones["apartment_share"].isna().all()
    for seed in (1, 2, 3):
        with_nan = sample_fleet(fleet, zones, np.random.default_rng(seed))
        no_column = sample_fleet(
            fleet, zones.drop(columns="apartment_share"), np.random.default_rng(seed)
        )
        pd.testing.assert_frame_equal(with_nan, no_column)
        old = _old_home_charging(fleet, zones, seed)
        assert np.array_equal(with_nan["home_charging"].to_numpy(), old)
    # switched off, shares in the table change nothing either
    shares = zones.assign(apartment_share=np.where(zones["kind"] == "zone", 1.0, np.nan))
    off = make_scenario({**ACCESS, "fleet.home_access_by_zone": False}).fleet
    pd.testing.assert_frame_equal(
        sample_fleet(off, shares, np.random.default_rng(9)),
        sample_fleet(off, zones, np.random.default_rng(9)),
    )


def test_demand_file_vehicles_take_their_home_zone_share(make_scenario, make_region):
    scenario = make_scenario({"fleet.home_access_house": 1.0, "fleet.home_access_apartment": 0.0})
    region = make_region(
        population=[100.0, 100.0],
        kind=["zone"] * 2,
        time_min=np.ones((2, 2)),
        apartment_share=[0.0, 1.0],
    )
    n = 400
    home_zone = np.repeat([0, 1, 5], [150, 150, 100]).astype(np.int64)  # 5: not a zone row
    visitor = np.zeros(n, dtype=bool)
    visitor[:10] = True
    veh = file_vehicles(
        scenario,
        types=type_arrays(scenario.fleet),
        rng=np.random.default_rng(3),
        home_zone=home_zone,
        visitor=visitor,
        type_idx=np.full(n, -1, dtype=np.int64),
        initial_soc=np.full(n, np.nan),
        zones=region.zones,
    )
    home = veh["home_charging"].to_numpy()
    assert home[10:150].all() and not home[:10].any()  # visitors never charge at home
    assert not home[150:300].any()
    assert 0.4 < home[300:].mean() < 0.8  # the regional 0.6


def test_zemgale_zones_carry_cited_apartment_shares():
    zones = load_zones(REPO / "data" / "zemgale" / "zones.csv")
    resident = zones["kind"] == "zone"
    assert zones.loc[resident, "apartment_share"].between(0, 1).all()
    assert zones.loc[~resident, "apartment_share"].isna().all()
    share = dict(zip(zones["zone_id"], zones["apartment_share"]))
    assert share["Jelgava"] > share["Tērvete"]  # a city of blocks, a rural municipality
    raw = pd.read_csv(REPO / "data" / "zemgale" / "zones.csv")
    sources = raw.loc[raw["kind"] == "zone", "apartment_share_source"]
    assert sources.str.len().gt(20).all()
    assert sources.str.contains("ASSUMPTION").all()  # every mapping states its assumption


def test_a_bad_apartment_share_is_named(tmp_path):
    raw = pd.read_csv(REPO / "data" / "zemgale" / "zones.csv", dtype=str, keep_default_na=False)
    raw.loc[3, "apartment_share"] = "1.4"
    path = tmp_path / "zones.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"row 5: apartment_share must be a number in \[0, 1\]"):
        load_zones(path)


def test_osm_building_types_give_the_apartment_share_by_floor_space():
    building = pd.Series(["apartments", "house", "yes", "detached", "Apartments", "residential"])
    levels = pd.Series(["5", None, "3", "x", "2", "9"])
    apt, house = dwelling_floor_m2(building, levels, np.array([100.0, 80, 50, 120, 10, 30]))
    assert apt.tolist() == [500.0, 0, 0, 0, 20, 0]
    assert house.tolist() == [0.0, 80, 0, 120, 0, 0]  # unreadable levels: one level
    share = apartment_share(np.array([520.0, 0, 0]), np.array([200.0, 50, 0]))
    assert share[:2] == pytest.approx([520 / 720, 0.0])
    assert np.isnan(share[2])  # no typed home: the regional share
