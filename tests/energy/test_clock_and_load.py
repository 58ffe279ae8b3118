"""The wall clock across daylight-saving switches (solar power, step labels, measured
profiles), a site's own load (BDEW shapes, measured files) and partial steps at a site."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from emob_sim.energy import (
    PVArray,
    clear_sky_poa_w_m2,
    measured_load_kw,
    measured_profile_kw,
    pv_profile_kw,
    shaped_load_kw,
    step_instants,
    wall_clock,
    yield_scale,
)
from emob_sim.errors import DataError

JELGAVA = (56.6514, 23.7339)


def _peak_minutes(kw: np.ndarray, step_min: int) -> list[int]:
    per_day = 1440 // step_min
    return [int(np.argmax(day)) * step_min for day in kw.reshape(-1, per_day)]


@pytest.mark.parametrize(("start", "shift"), [("2025-03-27", 60), ("2025-10-23", -60)])
def test_solar_noon_moves_by_the_hour_the_clocks_move(start, shift):
    # issue 27, case 3: from 27 March the peak was at 12:30, then 12:15, and day 4's midnight
    # was labelled 01:00+03:00. On the wall clock of the commuters' days solar noon moves by
    # the hour the clocks move on the switch (30 March, 26 October 2025), by minutes otherwise
    kw = pv_profile_kw(*JELGAVA, PVArray(10.0), start=start, days=6, step_min=15)
    peaks = _peak_minutes(kw, 15)
    before, after = peaks[:3], peaks[4:]
    assert max(before) - min(before) <= 15 and max(after) - min(after) <= 15
    assert abs(np.mean(after) - np.mean(before) - shift) <= 30
    assert 12 * 60 <= np.mean(before if shift > 0 else after) <= 13 * 60
    labels = wall_clock(start, 6 * 96, 15)
    assert labels[4 * 96] == pd.Timestamp(start) + pd.Timedelta(days=4)  # local midnight


def test_each_step_gets_the_sun_of_its_real_instant():
    # 1-minute steps on 30 March: the wall minute 12:00 is 09:00 UTC (summer time), 29 March
    # 12:00 is 10:00 UTC (winter time)
    array = PVArray(1.0)
    kw = pv_profile_kw(*JELGAVA, array, start="2025-03-29", days=2, step_min=1)
    scale = yield_scale(*JELGAVA, array)
    for day, utc in (("2025-03-29", "10:00"), ("2025-03-30", "09:00")):
        minute = int((pd.Timestamp(f"{day} 12:00") - pd.Timestamp("2025-03-29")).total_seconds())
        instant = pd.DatetimeIndex([pd.Timestamp(f"{day} {utc}", tz="UTC")])
        poa = clear_sky_poa_w_m2(*JELGAVA, instant, tilt_deg=40.0, azimuth_deg=180.0)[0]
        assert kw[minute // 60] == pytest.approx(poa / 1000.0 * scale, rel=1e-9)
    # the hour that does not exist takes the next one's instants; the repeated one summer time
    wall = wall_clock("2025-03-30", 96, 15)
    instants = step_instants(wall, "Europe/Riga").tz_convert("UTC")
    assert instants[12] == pd.Timestamp("2025-03-30 01:00", tz="UTC")  # 03:00 -> 04:00 EEST
    assert instants[16] == pd.Timestamp("2025-03-30 01:00", tz="UTC")  # 04:00 EEST
    assert instants[48] == pd.Timestamp("2025-03-30 09:00", tz="UTC")
    autumn = step_instants(wall_clock("2025-10-26", 96, 15), "Europe/Riga").tz_convert("UTC")
    assert autumn[12] == pd.Timestamp("2025-10-26 00:00", tz="UTC")  # 03:00 EEST
    assert autumn[48] == pd.Timestamp("2025-10-26 10:00", tz="UTC")  # 12:00 EET


def test_a_measured_profile_with_offsets_lands_on_the_wall_clock(tmp_path):
    # hourly values given in UTC, each equal to its UTC hour
    times = pd.date_range("2025-03-28", "2025-04-02", freq="1h", tz="UTC", inclusive="left")
    pd.DataFrame(
        {"time": times.strftime("%Y-%m-%dT%H:%M:%S+00:00"), "kw_per_kwp": times.hour}
    ).to_csv(tmp_path / "pv.csv", index=False)
    kw = measured_profile_kw(
        tmp_path / "pv.csv", 1.0, start="2025-03-29", days=2, step_min=60, tz="Europe/Riga"
    )
    assert kw[12] == 10.0  # 29 March 12:00 EET = 10:00 UTC
    assert kw[24 + 12] == 9.0  # 30 March 12:00 EEST = 09:00 UTC
    assert np.isfinite(kw).all() and len(kw) == 48  # the skipped hour is filled


def test_a_shaped_load_follows_its_bdew_profile_and_its_annual_energy():
    year = shaped_load_kw("factory_3shift", 876_000.0, start="2025-01-01", days=365, step_min=15)
    assert year.sum() * 0.25 == pytest.approx(876_000.0, rel=1e-9)
    week = shaped_load_kw("office", 100_000.0, start="2025-06-02", days=7, step_min=15)
    days = week.reshape(7, 96)
    assert (days[:5, 10 * 4] > 3 * days[:5, 2 * 4]).all()  # workdays: 10:00 >> 02:00
    assert days[6, 10 * 4] < 0.3 * days[0, 10 * 4]  # Sunday
    np.testing.assert_allclose(days[0], days[3])  # every workday alike
    shift3 = shaped_load_kw("factory_3shift", 100_000.0, start="2025-06-02", days=1, step_min=15)
    assert shift3.min() > 0.5 * shift3.max()  # continuous operation
    fine = shaped_load_kw("office", 100_000.0, start="2025-06-02", days=1, step_min=5)
    np.testing.assert_allclose(fine.reshape(96, 3).mean(axis=1), days[0])


def test_a_measured_load_is_read_and_bad_rows_are_named(tmp_path):
    times = pd.date_range("2025-06-02", periods=2 * 96, freq="15min")
    pd.DataFrame({"time": times.strftime("%Y-%m-%dT%H:%M"), "load_kw": np.arange(192) % 96}).to_csv(
        tmp_path / "load.csv", index=False
    )
    kw = measured_load_kw(
        tmp_path / "load.csv", start="2025-06-02", days=2, step_min=5, tz="Europe/Riga"
    )
    np.testing.assert_allclose(kw[:6], [0, 0, 0, 1, 1, 1])
    bad = pd.DataFrame({"time": times.strftime("%Y-%m-%dT%H:%M"), "load_kw": 5.0})
    bad.loc[7, "load_kw"] = -1.0
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(DataError, match=r"row 9: load_kw: expected a number >= 0, got"):
        measured_load_kw(
            tmp_path / "bad.csv", start="2025-06-02", days=2, step_min=15, tz="Europe/Riga"
        )
    with pytest.raises(DataError, match="no load value for the step from 2025-06-04 00:00"):
        measured_load_kw(
            tmp_path / "load.csv", start="2025-06-02", days=3, step_min=15, tz="Europe/Riga"
        )
