"""Sensitivity of each KPI to each sampled parameter, with SALib.

For a sweep whose only varied group is a sample (``sample:`` in the sweep file), each variant's
KPI is its mean over the seeds, and:

- ``saltelli`` samples give first-order and total Sobol indices (``SALib.analyze.sobol``);
- ``lhs`` and ``sobol`` (scipy.stats.qmc) samples give first-order indices with the RBD-FAST
  estimator (``SALib.analyze.rbd_fast``), which works on any space-filling sample (no total
  indices: those need the Saltelli design).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emob_sim.batch.config import Sweep

__all__ = ["sensitivity_table", "SENSITIVITY_COLUMNS"]

SENSITIVITY_COLUMNS = ["kpi", "parameter", "method", "S1", "S1_conf", "ST", "ST_conf"]


def sensitivity_table(sw: Sweep, summary: pd.DataFrame) -> pd.DataFrame | None:
    """Sobol indices per KPI and parameter; None unless the sweep is a sample alone, complete."""
    cfg = sw.config
    if cfg.sample is None or cfg.grid or cfg.zip or sw.sample_matrix is None:
        return None
    names = list(cfg.sample.bounds)
    problem = {"num_vars": len(names), "names": names,
               "bounds": [list(cfg.sample.bounds[n]) for n in names]}  # fmt: skip
    means = summary.pivot(index="variant", columns="kpi", values="mean")
    if len(means) != len(sw.variants):
        return None  # runs missing or failed: no estimate from an incomplete design
    rows = []
    for kpi in means.columns:
        y = means[kpi].to_numpy(dtype=float)
        if not np.isfinite(y).all() or np.ptp(y) == 0.0:
            continue
        if cfg.sample.method == "saltelli":
            from SALib.analyze import sobol

            res = sobol.analyze(problem, y, calc_second_order=False, seed=cfg.sample.seed)
            for i, name in enumerate(names):
                rows.append([kpi, name, "sobol", res["S1"][i], res["S1_conf"][i],
                             res["ST"][i], res["ST_conf"][i]])  # fmt: skip
        else:
            from SALib.analyze import rbd_fast

            res = rbd_fast.analyze(problem, sw.sample_matrix, y, seed=cfg.sample.seed)
            for i, name in enumerate(names):
                rows.append([kpi, name, "rbd_fast", res["S1"][i], res["S1_conf"][i],
                             np.nan, np.nan])  # fmt: skip
    return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)
