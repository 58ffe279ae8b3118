"""Money and the area scorecard: bills against the steps, savings against the reference of no
solar, no battery and uncontrolled charging, payback, NPV, renewable share, CO2, peaks."""

from __future__ import annotations

import calendar
from datetime import date

import pandas as pd
import pytest

from emob_sim.analysis.money import annuity_factor, npv_eur, site_money
from emob_sim.config.models import AreaSpec
from emob_sim.region import build_region
from emob_sim.runner import resolve_scenario, run_stages
from emob_sim.sim.site_year import BASIS_DAYS, BASIS_MONTHS, block_starts

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
    "grid_limit_kw": 200.0,
    "strategy": "uncontrolled",
    "pv_kwp": 0.0,
    "load_shape": "factory_1shift",
    "annual_load_kwh": 300_000.0,
}


def with_area(scenario, money=None, **changes):
    energy = scenario.energy.model_copy(update={"areas": [AreaSpec(**{**AREA, **changes})]})
    if money:
        energy = energy.model_copy(update={"money": energy.money.model_copy(update=money)})
    return scenario.model_copy(update={"energy": energy})


@pytest.fixture(scope="module")
def base():
    scenario = resolve_scenario(None, overrides=["time.days=7", "time.start_date=2025-06-02"])
    return scenario, build_region(with_area(scenario))


def card(result):
    return result.kpis["areas"]["scorecard"]["sites"][0]


def test_npv_and_annuity_by_hand():
    assert annuity_factor(0.0, 10) == 10.0
    assert annuity_factor(0.1, 2) == pytest.approx(1 / 1.1 + 1 / 1.21)
    # 1000 invested, 300 a year for 3 years at 10 %, a part of 100 re-bought after 2 years
    value = npv_eur(
        investment_eur=1000, net_eur_per_year=300, replacements=[(100, 2)], rate=0.1, years=3
    )
    assert value == pytest.approx(-1000 + 300 / 1.1 + 300 / 1.21 + 300 / 1.331 - 100 / 1.21)


def test_without_solar_or_battery_uncontrolled_is_its_own_reference(base):
    scenario, region = base
    result = run_stages(with_area(scenario), region)
    c = card(result)
    assert c["savings_eur_per_year"] == pytest.approx(0.0, abs=1e-6)
    assert c["peak_reduction_kw"] == pytest.approx(0.0, abs=1e-9)
    assert c["investment_eur"] == 0 and c["simple_payback_years"] is None
    assert c["renewable_share"] == 0.0
    assert c["money_basis"] == BASIS_MONTHS
    # the bill by hand from the year's twelve blocks: each block's kWh x the month's days /
    # the block's 7 days at the flat price + network fee, the capacity charge on each
    # month's peak
    money = scenario.energy.money
    year = result.energy.years["test-park"]
    imp = year.flows["grid_import_kw"].to_numpy()
    kwh, peaks = 0.0, 0.0
    for month in range(1, 13):
        block = imp[year.block == month]
        kwh += block.sum() * 0.25 * calendar.monthrange(2025, month)[1] / (len(block) / 96)
        peaks += block.max()
    expected = kwh * (money.price_eur_per_kwh + money.network_eur_per_kwh)
    expected += peaks * money.capacity_eur_per_kw_month
    assert c["energy_bill_eur_per_year"] == pytest.approx(expected, rel=1e-9)
    grid = scenario.emissions.grid_kg_per_kwh
    assert c["co2_kg_per_year"] == pytest.approx(kwh * grid, rel=1e-9)
    assert c["co2_kg_per_employee_year"] == pytest.approx(c["co2_kg_per_year"] / 1500, rel=1e-3)
    # a year's energy: the factory's 300 MWh (its BDEW shape over the twelve blocks stands
    # for the year within 2 %) plus the simulated week's cars 365 / 7 times
    cars_week = result.kpis["areas"]["total"]["charged_kwh"]
    used = c["consumed_kwh_per_year"]
    assert used == pytest.approx(300_000 + cars_week * 365 / 7, rel=0.02)


def test_the_year_does_not_depend_on_the_week_simulated(base):
    """A June and a December week of the same year give the same money: the year is built
    from twelve months either way (issue 27: they gave NPVs of opposite sign)."""
    scenario, region = base
    area = {"pv_kwp": 150.0, "strategy": "capped-earliest", "grid_limit_kw": 120.0}
    june_run = run_stages(with_area(scenario, **area), region)
    june = card(june_run)
    # the factory's winter load alone is above the 120 kW limit: the June week keeps it, the
    # year does not, and says so
    assert june_run.kpis["areas"]["sites"][0]["limit_kept"] is True
    assert june["limit_kept_year"] is False and june["peak_grid_kw"] > 120.0
    winter = scenario.model_copy(
        update={"time": scenario.time.model_copy(update={"start_date": date(2025, 12, 1)})}
    )
    december = card(run_stages(with_area(winter, **area), region))
    for key in ("npv_eur", "savings_eur_per_year", "renewable_kwh_per_year", "peak_grid_kw"):
        assert december[key] == pytest.approx(june[key], rel=1e-9), key


def test_blocks_start_on_the_start_dates_weekday_mid_month():
    starts = block_starts(pd.Timestamp("2025-06-04"))  # a Wednesday
    assert [s.month for s in starts] == list(range(1, 13))
    assert all(s.day_of_week == 2 and 9 <= s.day <= 15 for s in starts)


def test_a_month_long_run_is_its_own_year(base):
    scenario, region = base
    long = scenario.model_copy(update={"time": scenario.time.model_copy(update={"days": 28})})
    result = run_stages(with_area(long), region)
    c = card(result)
    assert c["money_basis"] == BASIS_DAYS
    steps = result.energy.steps
    days = len(steps) / 96
    money = scenario.energy.money
    kwh = steps["grid_import_kw"].sum() * 0.25
    months = pd.DatetimeIndex(steps["time"]).month
    peaks = steps["grid_import_kw"].groupby(months).max()
    expected = kwh * (money.price_eur_per_kwh + money.network_eur_per_kwh) * 365 / days
    expected += peaks.mean() * 12 * money.capacity_eur_per_kw_month
    assert c["energy_bill_eur_per_year"] == pytest.approx(expected, rel=1e-9)


def test_solar_and_a_capped_strategy_save_money_and_cut_the_peak(base):
    scenario, region = base
    result = run_stages(
        with_area(scenario, pv_kwp=150.0, strategy="capped-earliest", grid_limit_kw=200.0), region
    )
    c = card(result)
    money = scenario.energy.money
    assert c["savings_eur_per_year"] > 0
    assert c["reference_peak_kw"] > 200.0 >= c["peak_grid_kw"] - 1e-6
    assert c["limit_kept_year"] is True
    assert c["peak_reduction_kw"] == pytest.approx(c["reference_peak_kw"] - c["peak_grid_kw"])
    assert 0.05 < c["renewable_share"] < 1.0
    assert c["investment_eur"] == 150.0 * scenario.costs.pv_eur_per_kwp
    net = c["savings_eur_per_year"] - c["opex_eur_per_year"]
    assert c["simple_payback_years"] == pytest.approx(c["investment_eur"] / net, rel=1e-4)
    expected = -c["investment_eur"] + net * annuity_factor(money.discount_rate, 25)
    assert c["npv_eur"] == pytest.approx(expected, rel=1e-4)  # 25-year PV: no replacement
    total = result.kpis["areas"]["scorecard"]["total"]
    assert total["renewable_share"] == pytest.approx(c["renewable_share"], rel=1e-3)


def test_a_capacity_charge_and_time_of_use_prices_enter_the_bill(base):
    scenario, region = base
    result = run_stages(with_area(scenario), region)
    site = result.energy.sites.to_dict(orient="records")[0]
    year = result.energy.years[site["site_id"]]
    imp = year.flows["grid_import_kw"].to_numpy()
    plain = site_money(scenario, result.energy, site)
    charged = scenario.energy.money.model_copy(update={"capacity_eur_per_kw_month": 13.0})
    sc = scenario.model_copy(
        update={"energy": scenario.energy.model_copy(update={"money": charged})}
    )
    more = site_money(sc, result.energy, site)
    extra = 13.0 - scenario.energy.money.capacity_eur_per_kw_month
    month_peaks = pd.Series(imp).groupby(year.block).max()
    assert len(month_peaks) == 12
    assert more["energy_bill_eur_per_year"] - plain["energy_bill_eur_per_year"] == pytest.approx(
        extra * month_peaks.sum(), rel=1e-6
    )
    tou = scenario.energy.money.model_copy(
        update={"peak_price_eur_per_kwh": 0.30, "peak_hours": (8, 20)}
    )
    sc = scenario.model_copy(update={"energy": scenario.energy.model_copy(update={"money": tou})})
    dear = site_money(sc, result.energy, site)
    wall = year.time
    peak = (wall.day_of_week < 5) & (wall.hour >= 8) & (wall.hour < 20)
    kwh_peak = (imp * year.weight)[peak].sum() * 0.25
    diff = kwh_peak * (0.30 - scenario.energy.money.price_eur_per_kwh)
    assert dear["energy_bill_eur_per_year"] - plain["energy_bill_eur_per_year"] == pytest.approx(
        diff, rel=1e-6
    )


def test_bad_peak_hours_are_named():
    with pytest.raises(ValueError, match="peak_hours: expected from < to"):
        resolve_scenario(None, overrides=["energy.money.peak_hours=[20,8]"])
