"""The radix argsort gives np.argsort's stable permutation, also for signs, zeros and ties."""

from __future__ import annotations

import numpy as np
import pytest

from emob_sim.kernels import stable_argsort


def _awkward_values(rng: np.random.Generator, n: int) -> np.ndarray:
    values = np.concatenate(
        [
            rng.uniform(-1e6, 1e6, n),
            rng.integers(-20, 20, n).astype(np.float64),  # many ties
            rng.uniform(0, 7 * 86400, n),  # event times
            [0.0, -0.0, np.inf, -np.inf, 5e-324, -5e-324, 1e308, -1e308],
        ]
    )
    rng.shuffle(values)
    return values


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_stable_argsort_matches_numpy(seed):
    values = _awkward_values(np.random.default_rng(seed), 3000)
    expected = np.argsort(values, kind="stable")
    np.testing.assert_array_equal(stable_argsort(values), expected)


def test_stable_argsort_matches_its_python_twin():
    values = _awkward_values(np.random.default_rng(5), 150)
    np.testing.assert_array_equal(stable_argsort.py_func(values), stable_argsort(values))
    np.testing.assert_array_equal(stable_argsort.py_func(values), np.argsort(values, kind="stable"))


def test_stable_argsort_keeps_equal_values_in_order():
    values = np.array([3.0, 1.0, 3.0, -0.0, 1.0, 0.0, 3.0])
    np.testing.assert_array_equal(stable_argsort(values), [3, 5, 1, 4, 0, 2, 6])
    # one value repeated: every byte pass is skipped, the order stays the identity
    np.testing.assert_array_equal(stable_argsort(np.full(5, 2.5)), np.arange(5))


def test_stable_argsort_of_nothing_and_of_nan():
    assert stable_argsort(np.array([], dtype=np.float64)).size == 0
    with pytest.raises(ValueError, match="NaN"):
        stable_argsort(np.array([1.0, np.nan]))
