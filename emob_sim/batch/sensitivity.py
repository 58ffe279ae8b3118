"""Sensitivity of each KPI to each sampled parameter, with SALib, and whether it can be trusted.

For a sweep whose only varied group is a sample (``sample:`` in the sweep file), each variant's
KPI is its mean over the seeds, and:

- ``saltelli`` samples give first-order and total Sobol indices (``SALib.analyze.sobol``);
- ``lhs`` and ``sobol`` (scipy.stats.qmc) samples give first-order indices with the RBD-FAST
  estimator (``SALib.analyze.rbd_fast``), which works on any space-filling sample (no total
  indices: those need the Saltelli design).

Each index comes with SALib's 95 % confidence interval (``S1_conf``, ``ST_conf``: half-widths,
bootstrap). An index is *sound* when it lies in [0, 1] within its interval and, for Saltelli,
S1 <= ST within their intervals; an index outside is an estimate from too small a design, and
:func:`check_indices` says so with the N that should be used instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from emob_sim.batch.config import SampleConfig, Sweep, _sample

__all__ = [
    "sensitivity_table",
    "sobol_indices",
    "check_indices",
    "suggested_n",
    "design",
    "SENSITIVITY_COLUMNS",
]

SENSITIVITY_COLUMNS = ["kpi", "parameter", "method", "S1", "S1_conf", "ST", "ST_conf", "check"]
#: the confidence half-width that a suggested N aims at (intervals shrink as 1/sqrt(N))
TARGET_CONF = 0.1


def design(sample: SampleConfig) -> np.ndarray:
    """The sample's points (one row per variant, one column per parameter of its bounds).

    Parameters
    ----------
    sample : SampleConfig
        The sweep's ``sample:`` section: method, N, bounds and seed.

    Returns
    -------
    numpy.ndarray
        The design matrix, in the units of each parameter.
    """
    return _sample(sample)[1]


def sobol_indices(
    sample: SampleConfig, matrix: np.ndarray, outputs: Mapping[str, np.ndarray]
) -> pd.DataFrame:
    """Indices of each output (one value per row of ``matrix``) for each parameter, with their
    confidence intervals and :func:`checked <check_indices>` (:data:`SENSITIVITY_COLUMNS`).

    Outputs that do not vary (or are not finite) are left out: they have no indices.

    Parameters
    ----------
    sample : SampleConfig
        The sweep's ``sample:`` section (method, bounds, seed).
    matrix : numpy.ndarray
        The design (:func:`design`): one row per variant.
    outputs : Mapping[str, numpy.ndarray]
        KPI -> its value for each row of ``matrix`` (the mean over seeds).

    Returns
    -------
    pandas.DataFrame
        One row per KPI and parameter, columns :data:`SENSITIVITY_COLUMNS`.
    """
    names = list(sample.bounds)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(sample.bounds[n]) for n in names],
    }
    rows = []
    for kpi, values in outputs.items():
        y = np.asarray(values, dtype=float)
        if not np.isfinite(y).all() or np.ptp(y) == 0.0:
            continue
        if sample.method == "saltelli":
            from SALib.analyze import sobol

            res = sobol.analyze(problem, y, calc_second_order=False, seed=sample.seed)
            method, st, st_conf = "sobol", res["ST"], res["ST_conf"]
        else:
            from SALib.analyze import rbd_fast

            res = rbd_fast.analyze(problem, matrix, y, seed=sample.seed)
            method, st, st_conf = "rbd_fast", [np.nan] * len(names), [np.nan] * len(names)
        for i, name in enumerate(names):
            s1, s1c, ti, tic = res["S1"][i], res["S1_conf"][i], st[i], st_conf[i]
            rows.append([kpi, name, method, s1, s1c, ti, tic, _problem(s1, s1c, ti, tic)])
    return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)


def _problem(s1: float, s1_conf: float, st: float, st_conf: float) -> str:
    """What is wrong with one parameter's indices ('' when they are sound)."""
    found = []
    for name, value, conf in (("S1", s1, s1_conf), ("ST", st, st_conf)):
        if not math.isfinite(value):
            continue
        conf = conf if math.isfinite(conf) else 0.0
        if value < -conf or value > 1 + conf:
            found.append(f"{name} {value:.2f} (±{conf:.2f}) leaves [0, 1]")
    if math.isfinite(st) and s1 - st > _finite(s1_conf) + _finite(st_conf):
        found.append(f"S1 {s1:.2f} exceeds ST {st:.2f} beyond their intervals")
    return "; ".join(found)


def _finite(value: float) -> float:
    return value if math.isfinite(value) else 0.0


def suggested_n(table: pd.DataFrame, n: int) -> int:
    """The base sample size that should make the indices of ``table`` sound: at least 4 N
    (halving the errors), and enough for confidence intervals of about :data:`TARGET_CONF`
    (they shrink as 1/sqrt(N)), as a power of 2.

    Parameters
    ----------
    table : pandas.DataFrame
        Sobol indices of one KPI with their confidence intervals (``S1_conf``, ``ST_conf``).
    n : int
        The base sample size N of the design.

    Returns
    -------
    int
        The suggested ``sample.n``.
    """
    confs = table[["S1_conf", "ST_conf"]].to_numpy(dtype=float)
    widest = float(np.nanmax(confs)) if np.isfinite(confs).any() else 0.0
    wanted = max(4 * n, n * (widest / TARGET_CONF) ** 2)
    return 2 ** math.ceil(math.log2(wanted))


def check_indices(table: pd.DataFrame, *, n: int) -> list[str]:
    """One line per KPI whose indices are not sound, naming the parameter, what is wrong and
    how large N should be; empty when every index is sound.

    Parameters
    ----------
    table : pandas.DataFrame
        Sobol indices (:func:`sobol_indices`), with their ``check`` column.
    n : int
        The base sample size N of the design (``sample.n``).

    Returns
    -------
    list[str]
        The warning lines.
    """
    bad = table[table["check"] != ""]
    lines = []
    for kpi, rows in bad.groupby("kpi", sort=False):
        what = "; ".join(f"{r.parameter}: {r.check}" for r in rows.itertuples())
        better = suggested_n(rows, n)
        lines.append(
            f"sensitivity of {kpi}: {what}. The design (N={n}) is too small for sound indices: "
            f"use sample.n >= {better}"
        )
    return lines


def sensitivity_table(sw: Sweep, summary: pd.DataFrame) -> pd.DataFrame | None:
    """Sobol indices per KPI and parameter; None unless the sweep is a sample alone, complete.

    Parameters
    ----------
    sw : Sweep
        The loaded sweep (its sample settings and design matrix).
    summary : pandas.DataFrame
        The summary table (:func:`~emob_sim.batch.tables.summary_table`): the mean of each
        KPI per variant.

    Returns
    -------
    pandas.DataFrame or None
        The first-order and total indices with their confidence intervals per KPI and
        parameter (sensitivity.csv).
    """
    cfg = sw.config
    if cfg.sample is None or cfg.grid or cfg.zip or sw.sample_matrix is None:
        return None
    means = summary.pivot(index="variant", columns="kpi", values="mean")
    if len(means) != len(sw.variants):
        return None  # runs missing or failed: no estimate from an incomplete design
    outputs = {kpi: means[kpi].to_numpy(dtype=float) for kpi in means.columns}
    return sobol_indices(cfg.sample, sw.sample_matrix, outputs)
