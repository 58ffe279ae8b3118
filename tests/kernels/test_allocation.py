"""The power allocation kernel: conservation, limits, and how the strategies relate."""

from __future__ import annotations

import numpy as np
import pytest

from emob_sim.kernels.allocation import (
    CAPPED_EARLIEST,
    CAPPED_EQUAL,
    PV_FOLLOWING,
    UNCONTROLLED,
    allocate_power,
)

STEP_H = 0.25


def alloc(arrive, depart, need, max_kw, limit, pv, step_h, strategy, battery=(0.0, 0.0, 0.0),
          kernel=allocate_power, keep_power=True):  # fmt: skip
    """The kernel with a battery of (kWh, kW, round-trip efficiency); none by default."""
    return kernel(arrive, depart, need, max_kw, limit, pv, step_h, *battery, strategy,
                  keep_power)  # fmt: skip


def _case(seed: int, *, n: int = 40, steps: int = 96, limit: float = 60.0, pv: float = 0.0):
    rng = np.random.default_rng(seed)
    arrive = rng.integers(20, 50, n)
    depart = arrive + rng.integers(8, 40, n)
    need = rng.uniform(2, 30, n)
    max_kw = rng.choice([7.4, 11.0, 22.0], n)
    hours = np.arange(steps) * STEP_H
    pv_kw = pv * np.clip(np.sin((hours - 6) / 12 * np.pi), 0, None)
    return arrive, depart, need, max_kw, np.full(steps, limit), pv_kw


@pytest.mark.parametrize("strategy", [UNCONTROLLED, CAPPED_EQUAL, CAPPED_EARLIEST, PV_FOLLOWING])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_energy_is_conserved_and_no_car_gets_more_than_it_needs(strategy, seed):
    arrive, depart, need, max_kw, limit, pv = _case(seed, pv=40.0)
    battery = (80.0, 30.0, 0.9)
    out = alloc(arrive, depart, need, max_kw, limit, pv, STEP_H, strategy, battery)
    power, pv_used, batt_in, batt_out, grid, stored, delivered, charging_kw, cars = out
    np.testing.assert_allclose(delivered, power.sum(axis=1) * STEP_H, atol=1e-9)
    np.testing.assert_allclose(charging_kw, power.sum(axis=0), atol=1e-9)
    np.testing.assert_array_equal(cars, (power > 0).sum(axis=0))
    np.testing.assert_allclose(power.sum(axis=0), pv_used + batt_out + grid, atol=1e-9)
    assert (pv_used + batt_in <= pv + 1e-9).all()
    assert (stored >= -1e-9).all() and (stored <= battery[0] + 1e-9).all()
    change = np.diff(stored, prepend=0.0)
    np.testing.assert_allclose(change, (battery[2] * batt_in - batt_out) * STEP_H, atol=1e-9)
    assert (power.sum(axis=1) * STEP_H <= need + 1e-9).all()
    assert (power <= max_kw[:, None] + 1e-9).all() and (power >= -1e-12).all()
    steps = np.arange(power.shape[1])
    plugged = (steps[None, :] >= arrive[:, None]) & (steps[None, :] < depart[:, None])
    assert (power[~plugged] == 0).all()
    assert (pv_used <= pv + 1e-9).all()
    if strategy != UNCONTROLLED:
        assert (grid <= limit + 1e-9).all()
    same = alloc(arrive, depart, need, max_kw, limit, pv, STEP_H, strategy, battery,
                 kernel=allocate_power.py_func)  # fmt: skip
    for a, b in zip(same, out):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    # without the cars x steps matrix: the same totals, no matrix
    lean = alloc(arrive, depart, need, max_kw, limit, pv, STEP_H, strategy, battery,
                 keep_power=False)  # fmt: skip
    assert lean[0].shape == (0, power.shape[1])
    for a, b in zip(lean[1:], out[1:]):
        np.testing.assert_array_equal(a, b)


def test_a_limit_that_does_not_bind_leaves_capped_charging_as_uncontrolled():
    arrive, depart, need, max_kw, _, pv = _case(4)
    limit = np.full(96, 1e6)
    free = alloc(arrive, depart, need, max_kw, limit, pv, STEP_H, UNCONTROLLED)
    for strategy in (CAPPED_EQUAL, CAPPED_EARLIEST):
        capped = alloc(arrive, depart, need, max_kw, limit, pv, STEP_H, strategy)
        for a, b in zip(capped, free):
            np.testing.assert_array_equal(a, b)


def test_a_binding_limit_is_shared_equally_or_by_departure():
    arrive = np.array([0, 0, 0])
    depart = np.array([8, 4, 8])
    need = np.array([20.0, 20.0, 20.0])
    max_kw = np.array([22.0, 22.0, 22.0])
    limit, pv = np.full(8, 30.0), np.zeros(8)
    equal = alloc(arrive, depart, need, max_kw, limit, pv, 1.0, CAPPED_EQUAL)[0]
    np.testing.assert_allclose(equal[:, 0], [10.0, 10.0, 10.0])
    first = alloc(arrive, depart, need, max_kw, limit, pv, 1.0, CAPPED_EARLIEST)[0]
    np.testing.assert_allclose(first[:, 0], [10.0, 20.0, 0.0])  # the car leaving at 4 first


def test_pv_following_without_sun_is_capped_earliest_departure_first():
    for limit in (60.0, 1e6):
        arrive, depart, need, max_kw, lim, _ = _case(5, limit=limit)
        no_pv = np.zeros(96)
        follow = alloc(arrive, depart, need, max_kw, lim, no_pv, STEP_H, PV_FOLLOWING)
        capped = alloc(arrive, depart, need, max_kw, lim, no_pv, STEP_H, CAPPED_EARLIEST)
        for a, b in zip(follow, capped):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_pv_following_leaves_to_the_sun_what_it_will_give_before_departure():
    # a morning sun of 11 kW from step 4 to 7; one car plugged from 0 to 8 needing 22 kWh at
    # up to 11 kW: the 4 sunny hours give 44 kWh of which it can take 4 x 11 = 44 >= 22
    pv = np.array([0, 0, 0, 0, 11.0, 11.0, 11.0, 11.0])
    one = (np.array([0]), np.array([8]), np.array([22.0]), np.array([11.0]), np.full(8, 50.0))
    power, pv_used, _, _, grid, *_ = alloc(*one, pv, 1.0, PV_FOLLOWING)
    assert grid.sum() == 0 and pv_used.sum() == pytest.approx(22.0)
    np.testing.assert_allclose(power[0], [0, 0, 0, 0, 11.0, 11.0, 0, 0])
    capped = alloc(*one, pv, 1.0, CAPPED_EQUAL)
    assert capped[4].sum() == pytest.approx(22.0)  # charged at once, all from the grid
    # the same car leaving at 6 gets only 2 sunny hours (22 kWh): none from the grid either;
    # leaving at 5 it gets 11 kWh of sun and draws the other 11 kWh from the grid at once
    early = alloc(np.array([0]), np.array([5]), *one[2:], pv, 1.0, PV_FOLLOWING)
    np.testing.assert_allclose(early[4], [11.0, 0, 0, 0, 0, 0, 0, 0])
    np.testing.assert_allclose(early[0][0], [11.0, 0, 0, 0, 11.0, 0, 0, 0])


def test_pv_following_meets_every_need_that_capped_charging_meets():
    for seed in (6, 7, 8):
        arrive, depart, need, max_kw, limit, pv = _case(seed, limit=1e6, pv=60.0)
        follow = alloc(arrive, depart, need, max_kw, limit, pv, STEP_H, PV_FOLLOWING)
        capped = alloc(arrive, depart, need, max_kw, limit, pv, STEP_H, CAPPED_EARLIEST)
        np.testing.assert_allclose(follow[0].sum(axis=1), capped[0].sum(axis=1), atol=1e-9)
        assert follow[1].sum() >= capped[1].sum() - 1e-9  # at least as much of it solar
        assert follow[4].sum() <= capped[4].sum() + 1e-9
    sunny = alloc(arrive, depart, need, max_kw, limit, np.full(96, 500.0), STEP_H, PV_FOLLOWING)
    assert sunny[4].sum() == pytest.approx(0.0) and sunny[1].sum() > 0  # ample sun: no grid


def test_a_battery_moves_midday_sun_to_the_evening_cars():
    # sun from step 0 to 3 (no car), cars from step 4 to 7 (no sun)
    arrive, depart = np.array([4, 4]), np.array([8, 8])
    need, max_kw = np.array([10.0, 10.0]), np.array([11.0, 11.0])
    pv = np.array([20.0, 20.0, 20.0, 20.0, 0, 0, 0, 0])
    limit = np.full(8, 100.0)
    without = alloc(arrive, depart, need, max_kw, limit, pv, 1.0, CAPPED_EQUAL)
    power, pv_used, batt_in, batt_out, grid, stored, *_ = alloc(
        arrive, depart, need, max_kw, limit, pv, 1.0, CAPPED_EQUAL, (50.0, 15.0, 0.9)
    )
    assert without[4].sum() == pytest.approx(20.0)  # all from the grid
    # 3 x 15 kW x 0.9 = 40.5 kWh stored; the last 9.5 kWh take 9.5 / 0.9 kW of sun
    np.testing.assert_allclose(batt_in[:4], [15.0, 15.0, 15.0, 9.5 / 0.9])
    assert stored[3] == pytest.approx(50.0)
    # at step 4 the cars take 20 kW: 15 from the battery (its power), 5 from the grid
    np.testing.assert_allclose(batt_out[4:], [15.0, 0, 0, 0])
    np.testing.assert_allclose(grid[4:], [5.0, 0, 0, 0])
    assert power.sum() == pytest.approx(20.0) and pv_used.sum() == 0
