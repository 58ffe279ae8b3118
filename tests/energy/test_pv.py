"""Solar generation: pvlib's clear-sky day at Jelgava and Rīga against published sunrise and
sunset times, and the profile scaled to the array's annual yield."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from emob_sim.energy import PVArray, daylight, pv_profile_kw

JELGAVA = (56.6514, 23.7339)  # zones.csv (OpenStreetMap place node)
RIGA = (56.9494, 24.1052)


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


# Sunrise and sunset in Rīga (timeanddate.com via LETA): 21 June 04:29 and 22:21 (summer time,
# valmieraszinas.lv, "Sākas astronomiskā vasara"); 21 December 09:00 and 15:43
# (nra.lv 403452, bb.lv 2026-01-20). Jelgava is 40 km south-west: a few minutes apart.
@pytest.mark.parametrize("where", [RIGA, JELGAVA])
@pytest.mark.parametrize(
    ("day", "sunrise", "sunset"),
    [("2025-06-21", "04:29", "22:21"), ("2025-12-21", "09:00", "15:43")],
)
def test_the_clear_sky_day_starts_and_ends_with_the_published_sunrise_and_sunset(
    where, day, sunrise, sunset
):
    first, last = daylight(*where, day)
    assert abs(_minutes(first) - _minutes(sunrise)) <= 15, (first, sunrise)
    assert abs(_minutes(last) - _minutes(sunset)) <= 15, (last, sunset)


def test_a_year_of_the_profile_gives_the_annual_yield():
    array = PVArray(kwp=100.0, tilt_deg=40, azimuth_deg=180, annual_yield_kwh_per_kwp=950)
    kw = pv_profile_kw(*JELGAVA, array, start="2023-01-01", days=365, step_min=60)
    assert kw.sum() == pytest.approx(100 * 950, rel=0.01)  # hours x kW = kWh


def test_a_summer_day_peaks_near_solar_noon_and_is_dark_at_night():
    array = PVArray(kwp=10.0)
    kw = pv_profile_kw(*JELGAVA, array, start="2025-06-21", days=1, step_min=15)
    assert kw.shape == (96,)
    times = pd.date_range("2025-06-21", periods=96, freq="15min")
    peak = times[int(np.argmax(kw))]
    # solar noon at 23.7 deg E is about 13:25 summer time
    assert 12 * 60 + 45 <= peak.hour * 60 + peak.minute <= 14 * 60
    assert kw[:12].max() == 0 and kw[-4:].max() == 0  # 00:00-03:00 and 23:00-24:00
    assert 0 < kw.max() < 10.0 * 1.2
    winter = pv_profile_kw(*JELGAVA, array, start="2025-12-21", days=1, step_min=15)
    assert winter.sum() < 0.25 * kw.sum()


def test_an_array_takes_the_scenario_s_solar_settings():
    from emob_sim.config import load_scenario

    solar = load_scenario(overrides=["solar.annual_yield_kwh_per_kwp=1100"]).solar
    array = PVArray.of(50.0, solar)
    assert (array.kwp, array.annual_yield_kwh_per_kwp, array.tilt_deg) == (50.0, 1100, 40)
