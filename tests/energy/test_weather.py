"""Solar weather: monthly yields from the shipped table, a clearness per day from the seed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from emob_sim.config import load_scenario
from emob_sim.energy import (
    PVArray,
    clear_sky_monthly_kwh_per_kwp,
    daily_clearness,
    monthly_clearness,
    pv_profile_kw,
    read_monthly_yields,
)
from emob_sim.errors import DataError
from emob_sim.seeds import seed_streams

LAT, LON = 56.65, 23.72  # Jelgava
ARRAY = PVArray(kwp=1.0, tilt_deg=40, azimuth_deg=180)


def _month_profile(month: int, seed: int | None, *, concentration: float | None = 4.0):
    """A whole month of 1 kWp, 60-minute steps, and the month's yield of the table."""
    scenario = load_scenario()
    yields = read_monthly_yields(scenario.energy.weather.pv_monthly_file)
    clear = clear_sky_monthly_kwh_per_kwp(LAT, LON, tilt_deg=40, azimuth_deg=180)
    start = pd.Timestamp(2025, month, 1)
    days = start.days_in_month
    months = np.full(days, month)
    seq = None if seed is None else seed_streams(seed)["weather"]
    c = daily_clearness(
        months, monthly_clearness(yields, clear), seed_seq=seq, concentration=concentration
    )
    kw = pv_profile_kw(LAT, LON, ARRAY, start=start, days=days, step_min=60, day_clearness=c)
    return kw, yields[month - 1]


def test_the_table_has_twelve_cited_or_assumed_months_and_december_is_far_below_june():
    yields = read_monthly_yields(load_scenario().energy.weather.pv_monthly_file)
    assert yields.shape == (12,) and (yields > 0).all()
    assert yields[11] / yields[5] < 0.1  # far more skewed than the clear sky's 1:5
    raw = pd.read_csv(load_scenario().energy.weather.pv_monthly_file)
    assert raw["source"].str.contains("Elektrum|ASSUMPTION").all()


def test_the_december_to_june_ratio_of_the_profile_matches_the_data():
    dec, dec_yield = _month_profile(12, None)
    jun, jun_yield = _month_profile(6, None)
    assert dec.sum() == pytest.approx(dec_yield, rel=0.02)  # kW over 1 h steps = kWh
    assert jun.sum() == pytest.approx(jun_yield, rel=0.02)
    assert dec.sum() / jun.sum() == pytest.approx(dec_yield / jun_yield, rel=0.03)
    assert dec.sum() / 31 < 0.5  # kWh per kWp a day in December (was 0.89)


def test_same_seed_same_profile_different_seeds_differ_day_to_day():
    a, _ = _month_profile(6, 7)
    b, _ = _month_profile(6, 7)
    c, _ = _month_profile(6, 8)
    np.testing.assert_array_equal(a, b)
    days_a, days_c = a.reshape(30, 24).sum(1), c.reshape(30, 24).sum(1)
    assert not np.allclose(days_a, days_c)
    assert days_a.std() > 0.1 * days_a.mean()  # days differ within a month


def test_the_monthly_mean_holds_over_seeds():
    totals = [_month_profile(6, seed)[0].sum() for seed in range(30)]
    _, june = _month_profile(6, None)
    assert np.mean(totals) == pytest.approx(june, rel=0.05)
    totals = [_month_profile(12, seed)[0].sum() for seed in range(30)]
    _, december = _month_profile(12, None)
    assert np.mean(totals) == pytest.approx(december, rel=0.08)


def test_a_day_never_exceeds_its_clear_sky():
    kw, _ = _month_profile(6, 3, concentration=0.5)  # wide: many clear days
    clear, _ = _month_profile(6, None)
    clear_per_kwp = (
        clear
        / monthly_clearness(
            read_monthly_yields(load_scenario().energy.weather.pv_monthly_file),
            clear_sky_monthly_kwh_per_kwp(LAT, LON, tilt_deg=40, azimuth_deg=180),
        )[5]
    )
    assert (kw <= clear_per_kwp + 1e-9).all()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("13,10,x", "month: expected 1-12, got '13'"),
        ("12,-1,x", "kwh_per_kwp: expected a number >= 0, got '-1'"),
        ("12,10,", "source: expected the value's source"),
    ],
)
def test_a_bad_monthly_table_is_named(tmp_path, row, message):
    lines = ["month,kwh_per_kwp,source"] + [f"{m},10,x" for m in range(1, 12)] + [row]
    path = tmp_path / "pv.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=message.replace("(", r"\(")):
        read_monthly_yields(path)


def test_a_missing_month_is_named(tmp_path):
    path = tmp_path / "pv.csv"
    path.write_text("month,kwh_per_kwp,source\n" + "".join(f"{m},1,x\n" for m in range(1, 12)))
    with pytest.raises(DataError, match="month 12 missing"):
        read_monthly_yields(path)


def test_the_cli_names_a_bad_monthly_table_and_writes_nothing(tmp_path):
    from typer.testing import CliRunner

    from emob_sim.cli import app
    from emob_sim.config import bundled_path

    bad = tmp_path / "pv.csv"
    bad.write_text("month,kwh_per_kwp,source\n1,10,x\n", encoding="utf-8")
    out = tmp_path / "out"
    scenario = str(bundled_path("configs/zemgale/industrial_area.yaml"))
    setting = f"energy.weather.pv_monthly_file={bad}"
    got = CliRunner().invoke(app, ["run", scenario, "--set", setting, "--out", str(out)])
    assert got.exit_code == 2
    assert "pv_monthly_file" in got.output and "month 2 missing" in got.output
    assert "Traceback" not in got.output and not out.exists()
