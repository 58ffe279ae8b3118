"""Evaluators: the same scenario gives the same result in every evaluator as emob_sim.run."""

from __future__ import annotations

import dataclasses
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pandas as pd
import pytest

import emob_sim
from emob_sim.config import bundled_path, load_scenario
from emob_sim.results import RunResult
from emob_sim.runner import ExecutorEvaluator, RegionCache, SequentialEvaluator, kpis_of

CORRIDOR = bundled_path("configs/zemgale/layout_corridor.yaml")


@pytest.fixture(scope="module")
def scenarios():
    base = load_scenario(overrides=["fleet.ev_share=0.05"])
    corridor = load_scenario(CORRIDOR, overrides=["fleet.ev_share=0.05"])
    return [base, corridor, base.model_copy(update={"seed": base.seed + 1})]


@pytest.fixture(scope="module")
def alone(scenarios):
    return [emob_sim.run(sc) for sc in scenarios]


def test_sequential_evaluator_gives_the_runs_of_emob_sim_run(scenarios, alone):
    with SequentialEvaluator() as ev:
        got = ev.evaluate(scenarios)
    assert all(isinstance(r, RunResult) for r in got)
    for a, b in zip(alone, got):
        assert a.kpis == b.kpis
        pd.testing.assert_frame_equal(a.sim.events, b.sim.events)
        pd.testing.assert_frame_equal(a.sites, b.sites)
    assert got[0].kpis != got[2].kpis  # another seed, another day
    # one network, zones and e-bike settings: one region built for all three
    assert ev.regions.builds == 1


def test_collect_keeps_what_the_caller_needs(scenarios, alone):
    with SequentialEvaluator() as ev:
        assert ev.evaluate(scenarios[:2], collect=kpis_of) == [r.kpis for r in alone[:2]]


def test_process_evaluator_runs_in_other_processes_with_the_same_results(scenarios, alone):
    pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
    with ExecutorEvaluator(pool) as ev:
        got = ev.evaluate(scenarios, collect=kpis_of)
    pool.shutdown()
    assert got == [r.kpis for r in alone]


def test_an_owned_pool_is_shut_down_with_the_block(scenarios, alone):
    with ExecutorEvaluator(max_workers=1) as ev:
        assert ev.evaluate(scenarios[:1], collect=kpis_of) == [alone[0].kpis]
    with pytest.raises(RuntimeError):
        ev.executor.submit(print)


def test_region_cache_builds_a_network_once_and_keeps_at_most_max_regions(scenarios):
    cache = RegionCache(max_regions=1)
    a = cache.region_for(scenarios[0])
    b = cache.region_for(scenarios[1])
    assert cache.builds == 1
    assert a.network is b.network
    assert list(b.sites["site_id"]) != list(a.sites["site_id"])  # each scenario's own sites
    other = scenarios[0].model_copy(
        update={"zones": scenarios[0].zones.model_copy(update={"min_intrazonal_km": 2.5})}
    )
    cache.region_for(other)
    cache.region_for(scenarios[0])  # dropped when `other` came in: built again
    assert cache.builds == 3


def test_run_result_is_a_plain_record():
    """Derived tables are computed by the analysis and stored, not computed by the record."""
    fields = {f.name for f in dataclasses.fields(RunResult)}
    assert {"scenario", "region", "demand", "sim", "kpis", "sites", "ebike", "energy"} == fields
    own = {k for k, v in vars(RunResult).items() if not k.startswith("_")}
    assert not {
        k for k in own if callable(vars(RunResult)[k]) or isinstance(vars(RunResult)[k], property)
    }
