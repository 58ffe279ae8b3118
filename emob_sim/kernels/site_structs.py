"""Named inputs of the site and routing kernels: the plugged cars, a site's series and battery
(:mod:`emob_sim.kernels.allocation`), a CSR graph, its targets and queue
(:mod:`emob_sim.kernels.paths`). Re-exported by :mod:`emob_sim.kernels.structs`, whose
docstring says how they are built and typed.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "PluggedCars",
    "SiteSteps",
    "SiteBattery",
    "CsrGraph",
    "TargetSlots",
    "BucketQueue",
    "make_plugged_cars",
    "make_site_steps",
    "make_site_battery",
]


class PluggedCars(NamedTuple):
    """Per car plugged in at a site (times in steps, fractional: 3.4 is 40 % into step 3)."""

    #: plug-in step
    arrive: np.ndarray
    #: plug-out step
    depart: np.ndarray
    #: energy it needs
    need_kwh: np.ndarray
    #: the most power it draws
    max_kw: np.ndarray


class SiteSteps(NamedTuple):
    """A site's series, one value per step of ``step_h`` hours."""

    #: step length
    step_h: float
    #: grid connection (import limit)
    limit_kw: np.ndarray
    #: solar generation
    pv_kw: np.ndarray
    #: the site's own load
    load_kw: np.ndarray
    #: export limit
    export_kw: np.ndarray


class SiteBattery(NamedTuple):
    """A site's stationary battery (0 kWh: none)."""

    #: capacity
    capacity_kwh: float
    #: power limit (charge and discharge)
    power_kw: float
    #: round-trip efficiency (counted on charging)
    efficiency: float
    #: peak shaving: discharge only for the import above this, charge from the grid below it
    #: (negative: no peak shaving)
    grid_charge_below_kw: float


class CsrGraph(NamedTuple):
    """A directed graph as CSR arrays: edge ``e`` of row ``u`` (``indptr[u] <= e <
    indptr[u + 1]``) leads to ``indices[e]``."""

    #: per node and one more: where its edges start
    indptr: np.ndarray
    #: per edge: the node it leads to
    indices: np.ndarray
    #: per edge: travel time (>= 0)
    weight: np.ndarray
    #: per edge: length
    length: np.ndarray


class TargetSlots(NamedTuple):
    """The targets of a search: per node its column in the output (-1: not a target)."""

    #: per node: its output column, -1 when it is not a target
    slot: np.ndarray
    #: number of targets (nodes with a slot)
    n: int


class BucketQueue(NamedTuple):
    """The queue of a search: ``bucket_s`` 0 for the heap, else the bucket queue's width and
    size (see :func:`~emob_sim.kernels.paths.bucket_width`)."""

    #: bucket width (0: the heap)
    bucket_s: float
    #: size of the circular bucket array
    n_buckets: int


def make_plugged_cars(
    *, arrive: np.ndarray, depart: np.ndarray, need_kwh: np.ndarray, max_kw: np.ndarray
) -> PluggedCars:
    """A :class:`PluggedCars` of ``float64`` arrays.

    Parameters
    ----------
    arrive : numpy.ndarray
        Per car: plug-in step (fractional: 3.4 is 40 % into step 3).
    depart : numpy.ndarray
        Per car: plug-out step (fractional).
    need_kwh : numpy.ndarray
        Per car: energy it needs, kWh.
    max_kw : numpy.ndarray
        Per car: the most power it draws, kW.

    Returns
    -------
    PluggedCars
        The four arrays as ``float64``.
    """
    return PluggedCars(
        np.asarray(arrive, dtype=np.float64),
        np.asarray(depart, dtype=np.float64),
        np.asarray(need_kwh, dtype=np.float64),
        np.asarray(max_kw, dtype=np.float64),
    )


def make_site_steps(
    *,
    step_h: float,
    limit_kw: np.ndarray,
    pv_kw: np.ndarray,
    load_kw: np.ndarray,
    export_kw: np.ndarray,
) -> SiteSteps:
    """A :class:`SiteSteps` of a float and ``float64`` arrays.

    Parameters
    ----------
    step_h : float
        Length of a step, h.
    limit_kw : numpy.ndarray
        Per step: the grid connection's import limit, kW (``inf``: none).
    pv_kw : numpy.ndarray
        Per step: solar generation, kW.
    load_kw : numpy.ndarray
        Per step: the site's own load, kW.
    export_kw : numpy.ndarray
        Per step: the export limit, kW.

    Returns
    -------
    SiteSteps
        ``step_h`` as ``float``, the series as ``float64``.
    """
    return SiteSteps(
        float(step_h),
        np.asarray(limit_kw, dtype=np.float64),
        np.asarray(pv_kw, dtype=np.float64),
        np.asarray(load_kw, dtype=np.float64),
        np.asarray(export_kw, dtype=np.float64),
    )


def make_site_battery(
    *, capacity_kwh: float, power_kw: float, efficiency: float, grid_charge_below_kw: float
) -> SiteBattery:
    """A :class:`SiteBattery` of four floats.

    Parameters
    ----------
    capacity_kwh : float
        The battery's capacity, kWh.
    power_kw : float
        Its power limit, charging and discharging, kW.
    efficiency : float
        Round-trip efficiency (0-1), counted on charging.
    grid_charge_below_kw : float
        Peak shaving: discharge only for the import above this, charge from the grid below
        it, kW (negative: no peak shaving).

    Returns
    -------
    SiteBattery
        The four values as ``float``.
    """
    return SiteBattery(
        float(capacity_kwh), float(power_kw), float(efficiency), float(grid_charge_below_kw)
    )
