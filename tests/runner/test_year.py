"""A simulated year: day types x periods, weighted by days, each variant an ordinary run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import emob_sim
from emob_sim.config import bundled_path, load_scenario
from emob_sim.errors import ConfigError, DataError
from emob_sim.runner import ExecutorEvaluator, SequentialEvaluator, run_year, year_variants
from emob_sim.runner.year import annual_kpis, consumption_factor, kpi_rule, monthly_temperatures

ALL_DAYS = "[mon, tue, wed, thu, fri, sat, sun]"
#: one day type of every weekday, one period of every month, no temperature effect
ONE_DAY = [
    f"year.day_types={{day: {{weekdays: {ALL_DAYS}}}}}",
    "year.periods={year: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}",
    "year.climate_file=null",
]
#: January, July and the rest, every day alike: the temperature effect alone
MONTHS = [
    f"year.day_types={{day: {{weekdays: {ALL_DAYS}}}}}",
    "year.periods={jan: [1], jul: [7], rest: [2, 3, 4, 5, 6, 8, 9, 10, 11, 12]}",
]


@pytest.fixture(scope="module")
def default_year():
    """The shipped year (12 variants) of the default scenario with two seeds."""
    return run_year([load_scenario(None)], seeds=[1, 2], evaluator=SequentialEvaluator())


def test_the_shipped_year_has_three_day_types_in_four_seasons_adding_up_to_365_days():
    year = load_scenario(None).year
    weights = year.weights()
    assert len(weights) == 12
    assert sum(weights.values()) == 365
    by_type = {t: sum(d for (_, tt), d in weights.items() if tt == t) for t in year.day_types}
    # 2025 starts on a Wednesday: 52 whole weeks and one more Wednesday
    assert by_type == {"weekday": 261, "saturday": 52, "sunday": 52}
    assert sum(d for (p, _), d in weights.items() if p == "winter") == 31 + 31 + 28


def test_the_year_says_in_one_sentence_how_it_is_built():
    text = load_scenario(None).year.describe()
    assert text.startswith("A year is 4 period(s) (winter, spring, summer, autumn) x 3 day type")
    assert "weighted by their days in 2025 (365 days)" in text and "\n" not in text
    assert "no temperature effect" in load_scenario(None, overrides=ONE_DAY).year.describe()


def test_a_leap_calendar_year_has_366_days():
    weights = load_scenario(None, overrides=["year.calendar_year=2024"]).year.weights()
    assert sum(weights.values()) == 366
    # 2024 starts on a Monday: 52 weeks, then a Monday and a Tuesday
    assert sum(d for (_, t), d in weights.items() if t == "weekday") == 262


def test_explicit_days_replace_the_calendar():
    sc = load_scenario(None, overrides=[*ONE_DAY, "year.days={year: {day: 365}}"])
    assert sc.year.weights() == {("year", "day"): 365.0}


def test_a_year_of_one_day_type_is_365_times_the_day_exactly():
    scenario = load_scenario(None, overrides=ONE_DAY)
    (variant,) = year_variants(scenario)
    assert variant.days == 365 and variant.scenario is scenario  # an ordinary scenario
    year = run_year([scenario], seeds=[3, 4])
    for seed, row in zip([3, 4], year.annual.to_dict(orient="records")):
        day = emob_sim.run(scenario, seed=seed)
        assert row["days"] == 365
        assert row["charging_sessions_total"] == 365 * day.kpis["charging_sessions"]
        assert row["trips_stranded_total"] == 365 * day.kpis["trips_stranded"]
        used = float(day.sim.trips["energy_used_kwh"].sum())
        assert row["energy_used_kwh_total"] == 365 * used
        assert row["peak_kw_total"] == day.kpis["peak_load_kw"]
        assert row["mean_wait_min_total"] == pytest.approx(day.kpis["mean_wait_min"], abs=1e-4)


def test_a_run_of_several_days_counts_per_simulated_day():
    scenario = load_scenario(None, overrides=[*ONE_DAY, "time.days=2"])
    row = run_year([scenario], seeds=[3]).annual.iloc[0]
    two_days = emob_sim.run(scenario, seed=3)
    assert row["charging_sessions_total"] == pytest.approx(
        365 * two_days.kpis["charging_sessions"] / 2
    )
    assert row["peak_kw_total"] == two_days.kpis["peak_load_kw"]


def test_weekend_day_types_drive_fewer_work_chains_and_fewer_cars():
    scenario = load_scenario(None)
    by_type = {v.day_type: v.scenario for v in year_variants(scenario) if v.period == "summer"}
    week, sun = by_type["weekday"].demand.chain_shares, by_type["sunday"].demand.chain_shares
    assert sum(sun.values()) == pytest.approx(sum(week.values()) * 0.774)
    assert sun["HWH"] == pytest.approx(week["HWH"] * 0.093 * 0.774)
    assert sun["HOH"] > week["HOH"] * 0.774  # the cars that do not work drive to other places
    assert by_type["sunday"].fleet == by_type["weekday"].fleet  # same season, same consumption


def test_colder_months_use_more_energy_per_electric_km():
    scenario = load_scenario(None, overrides=MONTHS)
    variants = {v.period: v for v in year_variants(scenario)}
    temps = monthly_temperatures(scenario.year.climate_file)
    assert variants["jan"].temp_c == temps[1] < variants["jul"].temp_c == temps[7]
    jan_types = variants["jan"].scenario.fleet.vehicle_types
    for base, cold in zip(scenario.fleet.vehicle_types, jan_types):
        assert cold.consumption_kwh_per_km == pytest.approx(
            base.consumption_kwh_per_km * consumption_factor(scenario.year, temps[1])
        )
    table = run_year([scenario], seeds=[5]).variants.set_index("period")
    per_km = table["energy_used_kwh_total"] / table["km_electric_total"]
    assert per_km["jan"] > 1.2 * per_km["jul"]
    assert table.loc["jan", "consumption_factor"] > 1 > table.loc["jul", "consumption_factor"]


def test_annual_kpis_carry_their_seed_spread(default_year):
    annual, spread = default_year.annual, default_year.spread
    assert list(annual["seed"]) == [1, 2] and (annual["days"] == 365).all()
    assert len(default_year.variants) == 2 * 12
    rows = spread.set_index("kpi")
    assert (rows["seeds"] == 2).all()
    assert (rows["min"] <= rows["mean"] + 1e-9).all() and (rows["mean"] <= rows["max"] + 1e-9).all()
    sessions = rows.loc["charging_sessions_total"]
    assert sessions["min"] < sessions["max"]  # two seeds, two different years
    assert sessions["min"] == annual["charging_sessions_total"].min()
    # counts are days-weighted sums of the variants' days
    v = default_year.variants[default_year.variants["seed"] == 1]
    expected = float((v["days"] * v["trips_stranded_total"]).sum())
    assert annual.loc[annual["seed"] == 1, "trips_stranded_total"].item() == expected
    # the 95th-percentile wait is the worst variant's
    assert annual["p95_wait_min_area"].iloc[0] == v["p95_wait_min_area"].max()


def test_options_sharing_a_layout_run_once_and_get_the_same_year():
    a = load_scenario(None, overrides=[*ONE_DAY, "name=a"])
    b = load_scenario(None, overrides=[*ONE_DAY, "name=b"])
    year = run_year([a, b], seeds=[0])
    rows = year.annual.set_index("layout")
    assert list(rows.index) == ["a", "b"]
    assert rows.loc["a"].equals(rows.loc["b"])


def test_a_year_on_worker_processes_equals_the_sequential_one():
    scenario = load_scenario(None, overrides=MONTHS)
    sequential = run_year([scenario], seeds=[7]).annual
    with ExecutorEvaluator(max_workers=2) as ev:
        parallel = run_year([scenario], seeds=[7], evaluator=ev).annual
    assert parallel.equals(sequential)


@pytest.mark.parametrize(
    "override, expected",
    [
        (
            "year.periods.winter=[12, 1, 13]",
            r"year\.periods\.winter\.2: .*less than or equal to 12",
        ),
        ("year.periods.winter=[12, 1]", r"year\.periods: .*each month 1-12 .* missing: \[2\]"),
        ("year.day_types.sunday.weekdays=[sun, funday]", r"year\.day_types\.sunday\.weekdays\.1"),
        ("year.day_types.sunday.weekdays=[sat]", r"each weekday .* twice: \['sat'\]"),
        ("year.days={winter: {weekday: -3}}", r"year\.days\.winter\.weekday: .*greater than or"),
        ("year.day_types.sunday.work_factor=1.5", r"work_factor: .*less than or equal to 1"),
        ("year.temperature_curve=[[10, 1.0], [0, 0.8]]", r"temperature strictly ascending"),
    ],
)
def test_a_bad_year_is_refused_in_one_line(override, expected):
    with pytest.raises(ConfigError, match=expected) as err:
        load_scenario(None, overrides=[override])
    assert "\n" not in str(err.value)


def test_explicit_days_must_add_up_to_the_calendar_year():
    with pytest.raises(ConfigError, match=r"add up to 300, expected 365 \(the days of 2025\)"):
        load_scenario(None, overrides=[*ONE_DAY, "year.days={year: {day: 300}}"])


def test_a_trip_factor_that_overfills_the_chains_is_refused_when_the_year_is_built():
    scenario = load_scenario(None, overrides=["year.day_types.saturday.trip_factor=1.5"])
    with pytest.raises(
        ConfigError,
        match=r"year: winter saturday: demand\.chain_shares: .* at most 1, got 1\.125 "
        r"\(day type trip_factor 1\.5",
    ) as err:
        year_variants(scenario)
    assert "\n" not in str(err.value)


def test_a_bad_climate_file_is_refused_in_one_line(tmp_path):
    bad = tmp_path / "climate.csv"
    bad.write_text("month,mean_temp_c\n" + "".join(f"{m},1.0\n" for m in range(1, 12)))
    scenario = load_scenario(None, overrides=[f"year.climate_file={bad}"])
    with pytest.raises(DataError, match="no temperature for month 12") as err:
        year_variants(scenario)
    assert "\n" not in str(err.value)


def test_the_temperature_curve_is_one_at_the_reference_and_rises_below_it():
    year = load_scenario(None).year
    assert consumption_factor(year, year.reference_temp_c) == 1.0
    factors = [consumption_factor(year, t) for t in (-20, -15, -5, 5, 10)]
    assert factors == sorted(factors, reverse=True)
    assert factors[0] == factors[1] == pytest.approx(1 / 0.54)  # constant beyond the ends
    assert np.isclose(consumption_factor(year, 21.5), 1 / 1.15)


def test_the_industrial_areas_commuters_need_more_energy_in_winter():
    """The year scales every vehicle type's consumption by the season's temperature; the
    area's commuters draw their vehicle types from the fleet, so they need more in January."""
    scenario = load_scenario(
        bundled_path("configs/zemgale/industrial_area.yaml"),
        overrides=[*MONTHS, "time.days=1"],
    )
    year = run_year([scenario], seeds=[5], evaluator=SequentialEvaluator())
    rows = year.variants.set_index("period")
    assert rows.loc["jan", "consumption_factor"] > 1.0 > rows.loc["jul", "consumption_factor"]
    per_visit = rows["areas_need_kwh"] / rows["areas_visits"]
    # the same commuters on the same seed, each needing more per visit in winter
    assert rows.loc["jan", "areas_visits"] == rows.loc["jul", "areas_visits"] > 0
    assert per_visit["jan"] > 1.05 * per_visit["jul"]


def test_area_ratios_of_a_year_come_from_its_figures_not_the_variants_ratios():
    """Two variants of an energy site: the year's scorecard money is their day-weighted mean
    (each is already a year's), its peaks the largest, and the renewable share, peak
    reduction and payback are recomputed from those (not averaged, not the largest)."""
    card = "areas_scorecard_"
    variants = pd.DataFrame(
        {
            "layout": ["a", "a"],
            "seed": [0, 0],
            "period": ["winter", "summer"],
            "day_type": ["day", "day"],
            "days": [100.0, 265.0],
            "sim_days": [1.0, 1.0],
            "temp_c": [-3.0, 15.0],
            "consumption_factor": [1.2, 1.0],
            f"{card}renewable_kwh_per_year": [1000.0, 5000.0],
            f"{card}consumed_kwh_per_year": [10000.0, 8000.0],
            f"{card}renewable_share": [0.1, 0.625],
            f"{card}peak_grid_kw": [90.0, 60.0],
            f"{card}reference_peak_kw": [100.0, 120.0],
            f"{card}peak_reduction_kw": [10.0, 60.0],
            f"{card}peak_reduction_share": [0.1, 0.5],
            f"{card}investment_eur": [50000.0, 50000.0],
            f"{card}savings_eur_per_year": [2000.0, 6000.0],
            f"{card}opex_eur_per_year": [500.0, 500.0],
            f"{card}simple_payback_years": [50000 / 1500, 50000 / 5500],
            f"{card}npv_eur": [-20000.0, 30000.0],
        }
    )
    row = annual_kpis(variants).iloc[0]
    w = np.array([100.0, 265.0]) / 365.0
    renewable = w @ [1000.0, 5000.0]
    consumed = w @ [10000.0, 8000.0]
    assert row[f"{card}renewable_kwh_per_year"] == pytest.approx(renewable)
    assert row[f"{card}renewable_share"] == pytest.approx(renewable / consumed)
    assert row[f"{card}npv_eur"] == pytest.approx(w @ [-20000.0, 30000.0])
    assert row[f"{card}peak_grid_kw"] == 90.0 and row[f"{card}reference_peak_kw"] == 120.0
    assert row[f"{card}peak_reduction_kw"] == pytest.approx(30.0)  # not 60, the largest
    assert row[f"{card}peak_reduction_share"] == pytest.approx(0.25)
    net = w @ [2000.0, 6000.0] - 500.0
    assert row[f"{card}simple_payback_years"] == pytest.approx(50000.0 / net)
    assert kpi_rule(f"{card}npv_eur") == "mean" and kpi_rule(f"{card}renewable_share") == "derived"
