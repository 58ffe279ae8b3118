"""A site's year for its money: a date's sky is the same in every span, each month's block
has the month's mean solar energy, every block balances and stands for its month's days."""

from __future__ import annotations

import calendar

import numpy as np
import pandas as pd
import pytest

from emob_sim.config.models import AreaSpec, SiteEnergy
from emob_sim.kernels.allocation import FLOWS
from emob_sim.region import build_region
from emob_sim.runner import resolve_scenario, run_stages
from emob_sim.sim.site_inputs import site_solar_kw

SITE = {"lat": 56.66, "lon": 23.78}
AREA = {
    "area_id": "year-park",
    "name": "Year park",
    "zone": "Jelgava",
    "lon": 23.78,
    "lat": 56.66,
    "employees": 800,
    "car_share": 0.7,
    "ev_share": 0.2,
    "plugs": 30,
    "plug_kw": 11.0,
    "grid_limit_kw": 150.0,
    "strategy": "pv-following",
    "pv_kwp": 200.0,
    "battery_kwh": 100.0,
    "battery_kw": 50.0,
    "load_shape": "office",
    "annual_load_kwh": 200_000.0,
}


@pytest.fixture(scope="module")
def scenario():
    return resolve_scenario(None, overrides=["time.days=7", "time.start_date=2025-06-02"])


def test_a_dates_sky_is_the_same_in_every_span(scenario):
    spec = SiteEnergy(pv_kwp=100.0)
    week = site_solar_kw(scenario, spec, SITE, start=pd.Timestamp("2025-06-02"), days=7)
    longer = site_solar_kw(scenario, spec, SITE, start=pd.Timestamp("2025-05-30"), days=12)
    per_day = 24 * 60 // scenario.energy.step_min
    np.testing.assert_allclose(longer[3 * per_day : 10 * per_day], week, rtol=0, atol=1e-12)
    # another seed, another sky
    other = scenario.model_copy(update={"seed": scenario.seed + 1})
    assert not np.allclose(
        site_solar_kw(other, spec, SITE, start=pd.Timestamp("2025-06-02"), days=7), week
    )


def test_each_block_balances_and_has_its_months_mean_solar(scenario):
    energy = scenario.energy.model_copy(update={"areas": [AreaSpec(**AREA)]})
    with_area = scenario.model_copy(update={"energy": energy})
    result = run_stages(with_area, build_region(with_area))
    year = result.energy.years["year-park"]
    flows = year.flows
    sources = (
        flows["pv_kw"]
        + flows["battery_to_load_kw"]
        + flows["battery_to_cars_kw"]
        + flows["grid_import_kw"]
    )
    uses = (
        flows["site_load_kw"]
        + flows["cars_kw"]
        + flows["pv_to_battery_kw"]
        + flows["grid_to_battery_kw"]
        + flows["export_kw"]
        + flows["curtailed_kw"]
    )
    np.testing.assert_allclose(sources, uses, rtol=0, atol=1e-9)
    assert list(flows.columns) == list(FLOWS)
    # every month once, each block's weight its month's days over the block's
    steps = len(result.energy.steps)
    assert sorted(set(year.block)) == list(range(1, 13)) and len(year.block) == 12 * steps
    days = steps * result.energy.step_s / 86400
    for month in (2, 6, 12):
        w = year.weight[year.block == month]
        assert np.allclose(w, calendar.monthrange(2025, month)[1] / days)
    # the year's solar is the monthly table's (the drawn days scaled to each month's mean)
    pv_year = float((flows["pv_kw"] * year.weight).sum() * result.energy.step_s / 3600)
    table = pd.read_csv(with_area.energy.weather.pv_monthly_file)
    assert pv_year == pytest.approx(200.0 * table["kwh_per_kwp"].sum(), rel=0.01)
    # the site load of the year is the shape's annual energy
    load_year = float((flows["site_load_kw"] * year.weight).sum() * result.energy.step_s / 3600)
    assert load_year == pytest.approx(200_000.0, rel=0.02)
