"""Charging under a taper curve: numba vs Python, exactness, edge cases."""

from __future__ import annotations

import numpy as np

from emob_sim.kernels import charge_time, charge_walk, make_car, soc_after_time

CURVE_SOC = np.array([0.0, 0.1, 0.5, 0.8, 0.9, 1.0, 1.0, 1.0])  # padded like Demand curves
CURVE_FRAC = np.array([0.8, 1.0, 1.0, 0.5, 0.3, 0.1, 0.1, 0.1])


def _car(battery, soc_pts, frac_pts, max_dc, max_ac, plug, is_dc):
    """The kernels' trailing arguments ``(car, plug_kw, is_dc)`` from flat values."""
    car = make_car(
        battery_kwh=battery,
        curve_soc=soc_pts,
        curve_frac=frac_pts,
        max_dc_kw=max_dc,
        max_ac_kw=max_ac,
    )
    return car, plug, is_dc


def _random_curve(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    inner = np.sort(rng.uniform(0.05, 0.95, rng.integers(1, 6)))
    soc = np.concatenate([[0.0], inner, [1.0], [1.0] * int(rng.integers(0, 3))])
    frac = rng.uniform(0.05, 1.0, soc.size)
    frac[soc.size - (soc == 1.0).sum() :] = frac[-1]
    return soc, frac


def _fine_time(soc0, soc1, battery, soc_pts, frac_pts, max_dc, max_ac, plug, is_dc, n=200_000):
    s = np.linspace(soc0, soc1, n + 1)
    mid = 0.5 * (s[1:] + s[:-1])
    p = np.minimum(plug, max_dc * np.interp(mid, soc_pts, frac_pts)) if is_dc else min(plug, max_ac)
    return float(np.sum(3600.0 * battery * np.diff(s) / p))


def test_charge_kernels_match_python_on_random_inputs():
    rng = np.random.default_rng(1)
    for _ in range(300):
        soc_pts, frac_pts = _random_curve(rng)
        soc0, soc1 = np.sort(rng.uniform(0, 1, 2))
        args = _car(
            float(rng.uniform(20, 100)),
            soc_pts,
            frac_pts,
            float(rng.uniform(20, 250)),
            float(rng.uniform(3, 22)),
            float(rng.uniform(7, 350)),
            bool(rng.random() < 0.7),
        )
        np.testing.assert_allclose(
            charge_time(soc0, soc1, *args), charge_time.py_func(soc0, soc1, *args)
        )
        t = float(rng.uniform(0, 7200))
        np.testing.assert_allclose(
            soc_after_time(soc0, soc1, t, *args), soc_after_time.py_func(soc0, soc1, t, *args)
        )
        np.testing.assert_allclose(
            charge_walk(soc0, soc1, t, *args), charge_walk.py_func(soc0, soc1, t, *args)
        )


def test_exact_time_agrees_with_fine_steps_and_energy_has_no_losses():
    rng = np.random.default_rng(2)
    for _ in range(40):
        soc_pts, frac_pts = _random_curve(rng)
        soc0, soc1 = np.sort(rng.uniform(0, 1, 2))
        battery, max_dc, plug = 60.0, float(rng.uniform(40, 250)), float(rng.uniform(20, 300))
        is_dc = bool(rng.random() < 0.8)
        car = _car(battery, soc_pts, frac_pts, max_dc, 11.0, plug, is_dc)
        t, e = charge_time(soc0, soc1, *car)
        ref = _fine_time(soc0, soc1, battery, soc_pts, frac_pts, max_dc, 11.0, plug, is_dc)
        np.testing.assert_allclose(t, ref, rtol=1e-6)
        np.testing.assert_allclose(e, battery * (soc1 - soc0))


def test_soc_after_time_inverts_charge_time():
    args = _car(58.0, CURVE_SOC, CURVE_FRAC, 120.0, 11.0, 100.0, True)
    total, _ = charge_time(0.1, 0.85, *args)
    assert soc_after_time(0.1, 0.85, total, *args) == 0.85
    assert soc_after_time(0.1, 0.85, 2 * total, *args) == 0.85
    previous = 0.1
    for frac in np.linspace(0.05, 0.95, 19):
        s = soc_after_time(0.1, 0.85, frac * total, *args)
        assert previous < s < 0.85
        t_back, _ = charge_time(0.1, s, *args)
        np.testing.assert_allclose(t_back, frac * total, rtol=1e-9)
        previous = s


def test_plug_limit_flat_part_and_ac():
    # plug 50 kW below the curve's 120 kW from 0.1 to 0.5: 58 kWh * 0.4 at 50 kW
    t, _ = charge_time(0.1, 0.5, *_car(58.0, CURVE_SOC, CURVE_FRAC, 120.0, 11.0, 50.0, True))
    np.testing.assert_allclose(t, 58.0 * 0.4 / 50.0 * 3600.0)
    # AC: flat at min(plug, max_ac), the DC curve is irrelevant
    t, e = charge_time(0.2, 0.8, *_car(58.0, CURVE_SOC, CURVE_FRAC, 120.0, 11.0, 22.0, False))
    np.testing.assert_allclose(t, 58.0 * 0.6 / 11.0 * 3600.0)
    np.testing.assert_allclose(e, 58.0 * 0.6)


def test_vanishing_power_takes_forever_and_empty_charge_is_free():
    frac = np.array([1.0, 1.0, 0.0])
    soc = np.array([0.0, 0.5, 1.0])
    t, _ = charge_time(0.2, 1.0, *_car(50.0, soc, frac, 100.0, 11.0, 150.0, True))
    assert np.isinf(t)
    t, _ = charge_time(0.2, 0.9, *_car(50.0, soc, frac, 100.0, 11.0, 150.0, True))
    assert np.isfinite(t)
    assert charge_time(0.6, 0.4, *_car(50.0, soc, frac, 100.0, 11.0, 150.0, True)) == (0.0, 0.0)
