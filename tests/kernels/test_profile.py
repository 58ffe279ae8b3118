"""Load profiles re-integrate sessions into bins and conserve energy."""

from __future__ import annotations

import numpy as np

from emob_sim.kernels import (
    charge_time,
    load_profile,
    make_car,
    make_curves,
    make_profile_sessions,
)

CURVE_SOC = np.array([[0.0, 0.1, 0.5, 0.8, 0.9, 1.0], [0.0, 0.3, 0.6, 1.0, 1.0, 1.0]])
CURVE_FRAC = np.array([[0.8, 1.0, 1.0, 0.5, 0.3, 0.1], [1.0, 1.0, 0.7, 0.2, 0.2, 0.2]])


def _random_sessions(rng: np.random.Generator, n: int, n_sites: int):
    typ = rng.integers(0, 2, n)
    battery = rng.uniform(30, 90, n)
    soc0 = rng.uniform(0.05, 0.5, n)
    soc1 = rng.uniform(0.55, 0.95, n)
    max_dc, max_ac = rng.uniform(40, 250, n), rng.uniform(3, 11, n)
    plug = rng.uniform(11, 300, n)
    is_dc = rng.random(n) < 0.6
    start = rng.uniform(0, 80000, n)
    dur = np.array(
        [
            charge_time(
                soc0[i],
                soc1[i],
                make_car(
                    battery_kwh=battery[i],
                    curve_soc=CURVE_SOC[typ[i]],
                    curve_frac=CURVE_FRAC[typ[i]],
                    max_dc_kw=max_dc[i],
                    max_ac_kw=max_ac[i],
                ),
                plug[i],
                is_dc[i],
            )[0]
            for i in range(n)
        ]
    )
    site = rng.integers(0, n_sites, n)
    return _sessions(
        site, start, start + dur, soc0, soc1, battery, typ, max_dc, max_ac, plug, is_dc
    )


def _sessions(site, start, end, soc0, soc1, battery, typ, max_dc, max_ac, plug, is_dc):
    return make_profile_sessions(
        site_idx=site,
        start_s=start,
        end_s=end,
        soc_start=soc0,
        soc_end=soc1,
        battery_kwh=battery,
        type_idx=typ,
        max_dc_kw=max_dc,
        max_ac_kw=max_ac,
        plug_kw=plug,
        is_dc=is_dc,
    )


CURVES = make_curves(curve_soc=CURVE_SOC, curve_frac=CURVE_FRAC)


def test_load_profile_matches_python_and_conserves_energy():
    rng = np.random.default_rng(4)
    for _ in range(10):
        rows = _random_sessions(rng, 40, 3)
        bin_s = 900.0
        n_bins = int(np.ceil(max(86400.0, rows.end_s.max()) / bin_s))
        load = load_profile(rows, CURVES, 3, n_bins, bin_s)
        np.testing.assert_allclose(load, load_profile.py_func(rows, CURVES, 3, n_bins, bin_s))
        energy = rows.battery_kwh * (rows.soc_end - rows.soc_start)
        for s in range(3):
            np.testing.assert_allclose(
                load[s].sum() * bin_s / 3600.0, energy[rows.site_idx == s].sum(), rtol=1e-12
            )
        assert load.min() >= 0.0


def test_flat_ac_session_spreads_evenly():
    # 11 kW for exactly 2 h starting at 00:30: bins of 1 h get 5.5, 11, 5.5 kW
    battery = 55.0
    soc1 = 0.2 + 22.0 / battery
    rows = _sessions(
        np.array([0]),
        np.array([1800.0]),
        np.array([1800.0 + 7200.0]),
        np.array([0.2]),
        np.array([soc1]),
        np.array([battery]),
        np.array([0]),
        np.array([100.0]),
        np.array([11.0]),
        np.array([22.0]),
        np.array([False]),
    )
    load = load_profile(rows, CURVES, 1, 4, 3600.0)
    np.testing.assert_allclose(load[0], [5.5, 11.0, 5.5, 0.0], atol=1e-9)


def test_session_beyond_last_bin_goes_to_last_bin():
    rows = _sessions(
        np.array([0]),
        np.array([3000.0]),
        np.array([5000.0]),
        np.array([0.2]),
        np.array([0.4]),
        np.array([50.0]),
        np.array([0]),
        np.array([100.0]),
        np.array([11.0]),
        np.array([22.0]),
        np.array([False]),
    )
    load = load_profile(rows, CURVES, 1, 1, 3600.0)
    np.testing.assert_allclose(load[0, 0], 10.0)
