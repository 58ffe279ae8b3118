"""Heuristics against exact optima (HiGHS) on random instances small enough to solve exactly."""

from __future__ import annotations

import numpy as np
import pytest

from emob_sim.placement.coverage import covered_weight, max_coverage
from emob_sim.placement.exact import exact_max_coverage, exact_p_median
from emob_sim.placement.pmedian import median_cost, p_median

SEEDS = range(8)


@pytest.mark.parametrize("seed", SEEDS)
def test_coverage_greedy_swap_within_5_percent_of_optimum(random_instance, seed):
    w, _, covers, _ = random_instance(seed)
    for p in (2, 4):
        heuristic = max_coverage(w, covers, budget=p)
        exact = exact_max_coverage(w, covers, budget=p)
        assert heuristic.sum() <= p and exact.sum() <= p
        best = covered_weight(w, covers, exact)
        got = covered_weight(w, covers, heuristic)
        assert got <= best + 1e-9  # the optimum is an upper bound
        assert got >= 0.95 * best


@pytest.mark.parametrize("seed", SEEDS)
def test_pmedian_greedy_swap_within_5_percent_of_exact(random_instance, seed):
    w, d, _, _ = random_instance(seed)
    for p in (2, 4):
        heuristic = p_median(w, d, budget=p)
        exact = exact_p_median(w, d, budget=p)
        assert heuristic.sum() <= p and exact.sum() <= p
        best = median_cost(w, d, exact)
        got = median_cost(w, d, heuristic)
        assert got >= best - 1e-6
        assert got <= 1.05 * best


@pytest.mark.parametrize("seed", SEEDS[:4])
def test_budgeted_versions_respect_the_budget_and_stay_close(random_instance, seed):
    w, d, covers, cost = random_instance(seed)
    budget = 5.0
    cov = max_coverage(w, covers, cost=cost, budget=budget)
    med = p_median(w, d, cost=cost, budget=budget)
    assert cost[cov].sum() <= budget + 1e-9 and cost[med].sum() <= budget + 1e-9
    cov_opt = exact_max_coverage(w, covers, cost=cost, budget=budget)
    med_opt = exact_p_median(w, d, cost=cost, budget=budget)
    assert covered_weight(w, covers, cov) >= 0.9 * covered_weight(w, covers, cov_opt)
    assert median_cost(w, d, med) <= 1.1 * median_cost(w, d, med_opt)


def test_fixed_candidates_stay_open_and_cost_nothing(random_instance):
    w, d, covers, _ = random_instance(3)
    fixed = np.zeros(covers.shape[1], dtype=bool)
    fixed[[0, 5]] = True
    for sel in (
        max_coverage(w, covers, budget=2, fixed=fixed),
        p_median(w, d, budget=2, fixed=fixed),
        exact_max_coverage(w, covers, budget=2, fixed=fixed),
        exact_p_median(w, d, budget=2, fixed=fixed),
    ):
        assert sel[fixed].all()
        assert (sel & ~fixed).sum() <= 2


def test_swap_improves_on_plain_greedy_somewhere(random_instance):
    """Swap improvement matters: on some instance it beats the greedy alone."""
    better = 0
    for seed in range(12):
        w, d, _, _ = random_instance(seed)
        plain = median_cost(w, d, p_median(w, d, budget=4, swap=False))
        improved = median_cost(w, d, p_median(w, d, budget=4))
        assert improved <= plain + 1e-9
        better += improved < plain - 1e-9
    assert better >= 1
