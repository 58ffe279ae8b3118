"""The municipality of each charging site of a run (compare's municipalities.csv, the plan's
``--municipality`` report, the run folder's sites.csv)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from emob_sim.placement import nearest_resident_zone
from emob_sim.region.boundaries import municipality_at
from emob_sim.results import RunResult

__all__ = ["site_municipalities"]


def _site_zone(result: RunResult, table: pd.DataFrame) -> np.ndarray:
    """Zone index of each row of the run's site table (car sites, then e-bike points)."""
    region = result.region
    car = nearest_resident_zone(region)
    bike = region.bike.site_zone if region.bike is not None else np.zeros(0, np.int64)
    zone = np.concatenate([car, bike])[: len(table)]
    return np.pad(zone, (0, len(table) - zone.size), constant_values=-1)


def site_municipalities(result: RunResult, table: pd.DataFrame) -> np.ndarray:
    """The municipality of each row of a run's site table (car sites, then e-bike points).

    ``"outside"`` for the sites of ``placement.external_site_ids`` (the aggregate Rīga site).
    With a boundaries layer (``zones.boundaries_file``) the municipality whose polygon holds
    the site (or the nearest within ``zones.boundaries_tolerance_km``; ``""`` beyond),
    :func:`emob_sim.region.boundaries.municipality_at`; without one the municipality of the
    resident zone the site is reached from fastest (``""`` where none).
    """
    region, sc = result.region, result.scenario
    if region.boundaries is not None:
        muni = municipality_at(
            region.boundaries,
            table["lon"].to_numpy(dtype=float),
            table["lat"].to_numpy(dtype=float),
            tolerance_km=sc.zones.boundaries_tolerance_km,
        )
    else:
        zone = _site_zone(result, table)
        muni = region.zones["municipality"].to_numpy(dtype=object)[np.maximum(zone, 0)]
        muni = np.where(zone >= 0, muni, "")
    external = table["site_id"].isin(sc.placement.external_site_ids).to_numpy()
    return np.where(external, "outside", muni)
