"""Shared fixtures of the placement tests: the Zemgale default scenario, region and demand."""

from __future__ import annotations

import numpy as np
import pytest

from emob_sim.config import load_scenario
from emob_sim.placement.candidates import build_candidates
from emob_sim.region import build_region
from emob_sim.runner import draw_demand


@pytest.fixture(scope="session")
def zemgale():
    return load_scenario()


@pytest.fixture(scope="session")
def zemgale_region(zemgale):
    return build_region(zemgale)


@pytest.fixture(scope="session")
def zemgale_demand(zemgale, zemgale_region):
    return draw_demand(zemgale, zemgale_region)[0]


@pytest.fixture(scope="session")
def zemgale_candidates(zemgale, zemgale_region):
    return build_candidates(zemgale, zemgale_region)


def _random_instance(seed: int, *, n: int = 30, m: int = 15, radius: float = 22.0):
    """Demand points and candidates uniform in a 100 x 100 square; Euclidean distances.

    Returns weights, distances (n x m), cover matrix (distance <= radius), candidate costs.
    """
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0.0, 100.0, (n, 2))
    cand = rng.uniform(0.0, 100.0, (m, 2))
    d = np.hypot(pts[:, None, 0] - cand[None, :, 0], pts[:, None, 1] - cand[None, :, 1])
    w = rng.integers(1, 100, n).astype(float)
    cost = rng.uniform(1.0, 3.0, m)
    return w, d, d <= radius, cost


@pytest.fixture
def random_instance():
    return _random_instance
