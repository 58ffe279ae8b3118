"""Sobol indices through emob-sim's sensitivity functions on cheap analytic models (SALib's
Ishigami function and a steep exponential): they converge as N grows, their confidence
intervals shrink, and indices from too small a design are flagged with the N to use."""

from __future__ import annotations

import numpy as np
import pandas as pd
from SALib.test_functions import Ishigami

from emob_sim.batch.config import SampleConfig
from emob_sim.batch.sensitivity import check_indices, design, sobol_indices, suggested_n

#: Ishigami (a=7, b=0.1): the analytic first-order and total indices of x1, x2, x3
ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])
PI_BOUNDS = {f"x{i}": (-np.pi, np.pi) for i in (1, 2, 3)}


def indices(n: int, model, *, bounds=PI_BOUNDS, seed: int = 1) -> pd.DataFrame:
    sample = SampleConfig(method="saltelli", n=n, seed=seed, bounds=bounds)
    points = design(sample)
    assert points.shape == (n * (len(bounds) + 2), len(bounds))  # Saltelli: N (d + 2) points
    return sobol_indices(sample, points, {"y": model(points)})


def test_ishigami_indices_converge_as_n_grows():
    errors, widths = [], []
    for n in (16, 64, 256, 1024):
        table = indices(n, Ishigami.evaluate)
        assert list(table["parameter"]) == ["x1", "x2", "x3"]
        error = max(
            np.abs(table["S1"] - ISHIGAMI_S1).max(), np.abs(table["ST"] - ISHIGAMI_ST).max()
        )
        errors.append(error)
        widths.append(table[["S1_conf", "ST_conf"]].to_numpy().max())
    assert widths == sorted(widths, reverse=True) and widths[-1] < widths[0] / 4
    assert errors[-1] < errors[0] / 10 and errors[-1] < 0.02
    final = indices(1024, Ishigami.evaluate)
    assert (final["check"] == "").all() and check_indices(final, n=1024) == []
    # the analytic values lie within the reported intervals (plus a little)
    assert (np.abs(final["S1"] - ISHIGAMI_S1) <= final["S1_conf"] + 0.01).all()
    assert (np.abs(final["ST"] - ISHIGAMI_ST) <= final["ST_conf"] + 0.01).all()


def steep(points: np.ndarray) -> np.ndarray:
    return np.exp(8 * points[:, 0]) + points[:, 1]


def test_indices_from_too_small_a_design_are_flagged_with_the_n_to_use():
    unit = {"x1": (0.0, 1.0), "x2": (0.0, 1.0), "x3": (0.0, 1.0)}
    small = indices(8, steep, bounds=unit, seed=4)
    lines = check_indices(small, n=8)
    assert len(lines) == 1 and lines[0].startswith("sensitivity of y: x1: S1 ")
    assert "leaves [0, 1]" in lines[0] and "(N=8) is too small" in lines[0]
    better = suggested_n(small[small["check"] != ""], 8)
    assert f"use sample.n >= {better}" in lines[0]
    assert better >= 32 and better & (better - 1) == 0  # at least 4 N, a power of 2
    enough = indices(better, steep, bounds=unit, seed=4)
    assert check_indices(enough, n=better) == []


def test_a_first_order_index_above_the_total_one_is_flagged():
    table = pd.DataFrame(
        {
            "kpi": ["wait", "wait"],
            "parameter": ["a", "b"],
            "method": ["sobol"] * 2,
            "S1": [0.40, 0.20],
            "S1_conf": [0.05, 0.05],
            "ST": [0.20, 0.22],
            "ST_conf": [0.05, 0.05],
        }
    )
    from emob_sim.batch.sensitivity import _problem

    table["check"] = [_problem(*r) for r in table[["S1", "S1_conf", "ST", "ST_conf"]].to_numpy()]
    assert table["check"].tolist() == ["S1 0.40 exceeds ST 0.20 beyond their intervals", ""]
    (line,) = check_indices(table, n=16)
    assert line.startswith("sensitivity of wait: a: S1 0.40 exceeds ST") and ">= 64" in line


def test_the_shipped_sensitivity_sweep_is_not_the_too_small_design_of_issue_26():
    from emob_sim.batch import load_sweep
    from emob_sim.config import bundled_path

    sw = load_sweep(bundled_path("configs/sweeps/sensitivity.yaml"))
    assert sw.config.sample.method == "saltelli" and sw.config.sample.n >= 64
