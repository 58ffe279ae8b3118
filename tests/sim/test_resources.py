"""Plugs serve like simpy.Resource; LaterWaits wake processes when asked, outside the heap."""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from emob_sim.sim.resources import LaterWaits, Plugs


def _queue_log(resource_cls, seed: int) -> list[tuple]:
    """Cars arrive, wait at most a while for a plug, charge, leave; what happened, in order."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    plugs = resource_cls(env, capacity=3)
    log: list[tuple] = []

    def car(i: int, arrive: float, patience: float, charge: float):
        yield env.timeout(arrive)
        req = plugs.request()
        got = yield req | env.timeout(patience)
        if req not in got:
            req.cancel()
            log.append((env.now, i, "gave up", plugs.count, len(plugs.queue)))
            return
        log.append((env.now, i, "plug in", plugs.count, len(plugs.queue)))
        yield env.timeout(charge)
        plugs.release(req)
        log.append((env.now, i, "plug out", plugs.count, len(plugs.queue)))

    for i in range(200):
        arrive = float(rng.integers(0, 500))  # many equal arrival times
        env.process(car(i, arrive, float(rng.integers(1, 40)), float(rng.integers(5, 60))))
    env.run()
    return log


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plugs_serve_like_simpy_resource(seed):
    expected = _queue_log(simpy.Resource, seed)
    # the comparison means something: cars queued, were served from the queue and gave up
    assert any(entry[2] == "gave up" for entry in expected)
    assert any(entry[4] > 0 for entry in expected)
    assert _queue_log(Plugs, seed) == expected


def _outcomes(use_take: bool, seed: int) -> dict[int, tuple]:
    """Per car: (plug-in time, plug-out time) or (give-up time,), cars at distinct times."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    plugs = Plugs(env, capacity=2) if use_take else simpy.Resource(env, capacity=2)
    out: dict[int, tuple] = {}
    in_use: list[int] = []

    def car(i: int, arrive: float, patience: float, charge: float):
        yield env.timeout(arrive)
        holder = plugs.take() if use_take else None
        if holder is None:
            req = plugs.request()
            got = yield req | env.timeout(patience)
            if req not in got:
                req.cancel()
                out[i] = (env.now,)
                return
            holder = req
        in_use.append(plugs.count)
        start = env.now
        yield env.timeout(charge)
        if use_take:
            plugs.give_back(holder)
        else:
            plugs.release(holder)
        out[i] = (start, env.now)

    for i in range(150):
        env.process(car(i, rng.uniform(0, 600), rng.uniform(5, 40), rng.uniform(10, 60)))
    env.run()
    assert max(in_use) <= 2
    return out


@pytest.mark.parametrize("seed", [3, 4])
def test_taking_plugs_without_events_serves_like_requests(seed):
    expected = _outcomes(False, seed)
    # the comparison means something: some cars waited and were served, some gave up
    assert any(len(o) == 1 for o in expected.values())
    assert _outcomes(True, seed) == expected


def test_give_back_serves_the_first_waiting_car_at_once():
    env = simpy.Environment()
    plugs = Plugs(env, capacity=1)
    first = plugs.take()
    assert first is not None and plugs.take() is None
    waiting = [plugs.request(), plugs.request()]
    env.run()
    assert not any(r.triggered for r in waiting) and len(plugs.queue) == 2
    plugs.give_back(first)
    assert waiting[0].triggered and not waiting[1].triggered
    assert list(plugs.users) == [waiting[0]] and plugs.take() is None  # others still wait
    plugs.give_back(waiting[0])
    assert waiting[1].triggered and plugs.count == 1


def test_plugs_release_from_the_middle():
    env = simpy.Environment()
    plugs = Plugs(env, capacity=3)
    reqs = [plugs.request() for _ in range(4)]  # the fourth waits
    env.run()
    assert plugs.count == 3 and len(plugs.queue) == 1
    plugs.release(reqs[1])
    env.run()
    assert list(plugs.users) == [reqs[0], reqs[2], reqs[3]] and not plugs.queue
    plugs.release(reqs[1])  # twice: nothing happens, as with simpy.Resource
    env.run()
    assert plugs.count == 3


def test_later_waits_wake_each_process_at_its_time():
    rng = np.random.default_rng(4)
    env = simpy.Environment()
    later = LaterWaits(env)
    wanted = np.concatenate([rng.uniform(0, 7 * 86400, 500), [0.0, 10.0, 3600.0, 7200.0]])
    woke: list[tuple[float, float]] = []
    heap_sizes: list[int] = []

    def sleeper(t: float):
        yield env.timeout(float(rng.uniform(0, min(t, 600.0))))
        yield from later.wait_until(t)
        woke.append((t, env.now))
        heap_sizes.append(len(env._queue))  # SimPy's event heap (private; size only)

    for t in wanted:
        env.process(sleeper(float(t)))
    env.run()
    t_wanted, t_woke = np.array(woke).T
    assert len(woke) == wanted.size
    np.testing.assert_allclose(t_woke, t_wanted, rtol=1e-12, atol=1e-9)
    assert np.all(np.diff(t_woke) >= 0)  # woken in time order
    # waits for later hours stay out of the heap: it holds about an hour of wake-ups and one
    # entry per later hour, not every sleeper
    hours = np.unique(np.floor(wanted / LaterWaits.bucket_s)).size
    assert max(heap_sizes[10:]) < hours
    assert later.hour_starts == {}  # the hours that have begun are forgotten
