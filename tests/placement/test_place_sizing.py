"""Erlang-C plug sizing: the formula, a SimPy M/M/c check, and the budgeted plan."""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy

from emob_sim.placement.sizing import (
    erlang_c,
    erlang_c_wait_s,
    plan_plugs,
    plugs_for_wait,
)


def test_erlang_c_known_values():
    assert erlang_c(1, 0.6) == pytest.approx(0.6)  # M/M/1: P(wait) = rho
    assert erlang_c(2, 1.0) == pytest.approx(1.0 / 3.0)
    assert erlang_c(3, 3.0) == 1.0 and erlang_c(3, 0.0) == 0.0
    # M/M/1 mean wait rho / (mu - lambda)
    lam, svc = 0.5 / 60, 60.0
    assert erlang_c_wait_s(1, lam, svc) == pytest.approx(0.5 / (1 / svc - lam))
    assert math.isinf(erlang_c_wait_s(2, 3.0 / 60, 60.0))
    with pytest.raises(ValueError):
        erlang_c(0, 1.0)


def test_erlang_c_agrees_with_a_simpy_mmc_queue():
    lam, svc, c, n = 1.0 / 60.0, 130.0, 3, 30_000  # offered load 2.17 Erlang on 3 plugs
    rng = np.random.default_rng(7)
    arrivals = np.cumsum(rng.exponential(1.0 / lam, n))
    services = rng.exponential(svc, n)
    env = simpy.Environment()
    plugs = simpy.Resource(env, capacity=c)
    waits = np.zeros(n)

    def car(i):
        yield env.timeout(arrivals[i] - env.now)
        t0 = env.now
        with plugs.request() as req:
            yield req
            waits[i] = env.now - t0
            yield env.timeout(services[i])

    def source():
        for i in range(n):
            yield env.timeout(arrivals[i] - env.now)
            env.process(car(i))

    env.process(source())
    env.run()
    simulated = waits[n // 10 :].mean()  # drop the warm-up
    assert simulated == pytest.approx(erlang_c_wait_s(c, lam, svc), rel=0.15)


def test_plugs_for_wait_is_the_fewest_that_meet_the_target():
    lam, svc = 6.0 / 3600, 1800.0  # 3 Erlang
    c = plugs_for_wait(lam, svc, target_wait_s=300.0, max_plugs=20)
    assert erlang_c_wait_s(c, lam, svc) <= 300.0 < erlang_c_wait_s(c - 1, lam, svc)
    assert plugs_for_wait(2 * lam, svc, target_wait_s=300.0, max_plugs=20) > c
    assert plugs_for_wait(lam, svc, target_wait_s=300.0, max_plugs=3) == 3


def test_plan_plugs_spends_where_waits_are_and_respects_the_budget():
    plugs = np.array([1, 2, 4, 1])
    arrivals_h = np.array([3.0, 0.5, 10.0, 4.0])
    service_min = np.array([30.0, 30.0, 30.0, 30.0])
    cost = np.array([100.0, 100.0, 100.0, 100.0])
    sizable = np.array([True, True, True, False])
    out = plan_plugs(
        plugs,
        arrivals_h,
        service_min,
        cost_per_plug=cost,
        budget=500.0,
        target_wait_min=5.0,
        max_plugs=12,
        sizable=sizable,
    )
    assert (out >= plugs).all() and out[3] == 1  # never reduced; not sizable stays
    assert ((out - plugs) * cost).sum() <= 500.0
    assert out[1] == 2  # 0.25 Erlang on 2 plugs already meets the target
    assert out[0] > 1 and out[2] > 4
    rich = plan_plugs(
        plugs,
        arrivals_h,
        service_min,
        cost_per_plug=cost,
        budget=1e9,
        target_wait_min=5.0,
        max_plugs=12,
        sizable=sizable,
    )
    for i in range(3):  # with money enough every sizable site meets the target, just
        lam, svc = arrivals_h[i] / 3600, service_min[i] * 60
        assert erlang_c_wait_s(int(rich[i]), lam, svc) <= 300.0
        assert rich[i] == plugs[i] or erlang_c_wait_s(int(rich[i]) - 1, lam, svc) > 300.0
