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
    power, pv_used, grid = allocate_power(arrive, depart, need, max_kw, limit, pv, STEP_H,
                                          strategy)  # fmt: skip
    np.testing.assert_allclose(power.sum(axis=0), pv_used + grid, atol=1e-9)
    assert (power.sum(axis=1) * STEP_H <= need + 1e-9).all()
    assert (power <= max_kw[:, None] + 1e-9).all() and (power >= -1e-12).all()
    steps = np.arange(power.shape[1])
    plugged = (steps[None, :] >= arrive[:, None]) & (steps[None, :] < depart[:, None])
    assert (power[~plugged] == 0).all()
    assert (pv_used <= pv + 1e-9).all()
    if strategy != UNCONTROLLED:
        assert (grid <= limit + 1e-9).all()
    same = allocate_power.py_func(arrive, depart, need, max_kw, limit, pv, STEP_H, strategy)
    for a, b in zip(same, (power, pv_used, grid)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_a_limit_that_does_not_bind_leaves_capped_charging_as_uncontrolled():
    arrive, depart, need, max_kw, _, pv = _case(4)
    limit = np.full(96, 1e6)
    free = allocate_power(arrive, depart, need, max_kw, limit, pv, STEP_H, UNCONTROLLED)
    for strategy in (CAPPED_EQUAL, CAPPED_EARLIEST):
        capped = allocate_power(arrive, depart, need, max_kw, limit, pv, STEP_H, strategy)
        for a, b in zip(capped, free):
            np.testing.assert_array_equal(a, b)


def test_a_binding_limit_is_shared_equally_or_by_departure():
    arrive = np.array([0, 0, 0])
    depart = np.array([8, 4, 8])
    need = np.array([20.0, 20.0, 20.0])
    max_kw = np.array([22.0, 22.0, 22.0])
    limit, pv = np.full(8, 30.0), np.zeros(8)
    equal, _, _ = allocate_power(arrive, depart, need, max_kw, limit, pv, 1.0, CAPPED_EQUAL)
    np.testing.assert_allclose(equal[:, 0], [10.0, 10.0, 10.0])
    first, _, _ = allocate_power(arrive, depart, need, max_kw, limit, pv, 1.0, CAPPED_EARLIEST)
    np.testing.assert_allclose(first[:, 0], [10.0, 20.0, 0.0])  # the car leaving at 4 first


def test_pv_following_uses_solar_first_and_the_grid_only_as_late_as_needed():
    arrive, depart, need, max_kw, limit, _ = _case(5, limit=1e6)
    no_pv = np.zeros(96)
    late, pv_used, grid = allocate_power(arrive, depart, need, max_kw, limit, no_pv, STEP_H,
                                         PV_FOLLOWING)  # fmt: skip
    asap, _, _ = allocate_power(arrive, depart, need, max_kw, limit, no_pv, STEP_H, CAPPED_EQUAL)
    # without solar power every car still gets what it got charging at once, only later
    np.testing.assert_allclose(late.sum(axis=1), asap.sum(axis=1))
    first_late = np.argmax(late > 0, axis=1)
    first_asap = np.argmax(asap > 0, axis=1)
    assert (first_late >= first_asap).all() and (first_late > first_asap).any()
    _, pv_used, grid = allocate_power(arrive, depart, need, max_kw, limit, np.full(96, 500.0),
                                      STEP_H, PV_FOLLOWING)  # fmt: skip
    assert grid.sum() == pytest.approx(0.0) and pv_used.sum() > 0  # ample sun: no grid at all
