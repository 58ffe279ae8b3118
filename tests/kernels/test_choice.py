"""Site choice by generalised cost."""

from __future__ import annotations

import numpy as np

from emob_sim.kernels import (
    charge_time,
    choose_site,
    make_car,
    make_choice_rule,
    make_sites,
    make_travel,
)

CURVE_SOC = np.array([0.0, 0.1, 0.5, 0.8, 0.9, 1.0])
CURVE_FRAC = np.array([0.8, 1.0, 1.0, 0.5, 0.3, 0.1])


def _line(x_km):
    x = np.asarray(x_km, dtype=float)
    dist = np.abs(x[:, None] - x[None, :])
    return dist * 60.0, dist


def _choose(
    soc,
    x_km,
    n_zones,
    *,
    tried=None,
    busy=None,
    queued=None,
    mean_s=None,
    plugs=None,
    plug_kw=None,
    is_dc=None,
    wait_weight=1.0,
    fn=choose_site,
):
    time_s, dist_km = _line(x_km)
    n_sites = len(x_km) - n_zones
    ones = np.ones(n_sites, dtype=np.int64)
    car = make_car(
        battery_kwh=58.0,
        curve_soc=CURVE_SOC,
        curve_frac=CURVE_FRAC,
        max_dc_kw=120.0,
        max_ac_kw=11.0,
        consumption_kwh_per_km=0.165,
    )
    sites = make_sites(
        point=n_zones + np.arange(n_sites),
        is_dc=np.ones(n_sites, bool) if is_dc is None else is_dc,
        plug_kw=np.full(n_sites, 50.0) if plug_kw is None else plug_kw,
        plugs=ones if plugs is None else plugs,
        busy=0 * ones if busy is None else busy,
        queued=0 * ones if queued is None else queued,
        mean_s=np.full(n_sites, 1800.0) if mean_s is None else mean_s,
    )
    rule = make_choice_rule(reserve_soc=0.05, target_soc=0.8, wait_weight=wait_weight)
    tried = np.zeros(n_sites, bool) if tried is None else tried
    return fn(0, 1, soc, car, make_travel(time_s=time_s, dist_km=dist_km), sites, tried, rule)


def test_choice_matches_python_on_random_inputs():
    rng = np.random.default_rng(5)
    for _ in range(100):
        n_sites = int(rng.integers(1, 8))
        x = np.concatenate([[0.0, rng.uniform(50, 300)], rng.uniform(-20, 300, n_sites)])
        kw = dict(
            busy=rng.integers(0, 3, n_sites),
            queued=rng.integers(0, 3, n_sites),
            plugs=rng.integers(1, 3, n_sites),
            plug_kw=rng.uniform(11, 300, n_sites),
            is_dc=rng.random(n_sites) < 0.5,
            tried=rng.random(n_sites) < 0.2,
            mean_s=rng.uniform(600, 3600, n_sites),
        )
        soc = float(rng.uniform(0.05, 0.6))
        assert _choose(soc, x, 2, **kw) == _choose(soc, x, 2, fn=choose_site.py_func, **kw)


def test_cost_is_detour_plus_wait_plus_charge_time():
    # zones at 0 and 100 km; site 0 on the way at 10 km, site 1 off the way at -10 km
    s, cost = _choose(0.3, [0.0, 100.0, 10.0, -10.0], 2)
    assert s == 0
    soc_arr = 0.3 - 10 * 0.165 / 58.0
    car = make_car(
        battery_kwh=58.0,
        curve_soc=CURVE_SOC,
        curve_frac=CURVE_FRAC,
        max_dc_kw=120.0,
        max_ac_kw=11.0,
    )
    t, _ = charge_time(soc_arr, 0.8, car, 50.0, True)
    np.testing.assert_allclose(cost, t)  # no detour, no wait
    # the on-the-way site is full with one car queueing: expected wait (1 + 1) * 1800 s
    s, cost = _choose(
        0.3, [0.0, 100.0, 10.0, -10.0], 2, busy=np.array([1, 0]), queued=np.array([1, 0])
    )
    assert s == 1  # a 1200 s detour beats a 3600 s expected wait
    s, _ = _choose(
        0.3,
        [0.0, 100.0, 10.0, -10.0],
        2,
        busy=np.array([1, 0]),
        queued=np.array([1, 0]),
        wait_weight=0.0,
    )
    assert s == 0  # drivers who ignore waiting keep the direct site


def test_unreachable_tried_and_useless_sites_are_skipped():
    x = [0.0, 100.0, 10.0, 80.0]
    # 0.1 soc reaches 0.05 reserve after ~17.6 km: only the site at 10 km
    assert _choose(0.1, x, 2)[0] == 0
    assert _choose(0.1, x, 2, tried=np.array([True, False])) == (-1, np.inf)
    # arriving above the target: nothing to charge there (site at 80 km: arrives at 0.67)
    assert _choose(0.9, x, 2)[0] == 1
    assert _choose(0.9, [0.0, 100.0, 10.0, 20.0], 2)[0] == -1
