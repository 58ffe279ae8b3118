"""Dwelling types from OpenStreetMap building tags: the apartment share of automatic zones.

A zone's ``apartment_share`` (share of residents in multi-apartment buildings) sets its
home-charging share (:func:`emob_sim.demand.fleet.home_access_share`). For automatic zones made
from an OSM extract's buildings (:mod:`emob_sim.region.autozones`) it is the share of the
residential floor space of the zone's *typed* homes that lies in apartment buildings:

- apartment buildings: ``building`` in :data:`APARTMENT_BUILDINGS`;
- houses: ``building`` in :data:`HOUSE_BUILDINGS`;
- every other home (``building=yes``, ``residential``, untagged types) says nothing about the
  type and is left out of the share.

Floor space is the footprint area times ``building:levels`` where the tag holds a number
from 1 to 100, else the footprint (one level). ASSUMPTION: residents in proportion to floor
space. A zone without typed homes has no share (NaN: the regional ``fleet.home_charging_share``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["APARTMENT_BUILDINGS", "HOUSE_BUILDINGS", "dwelling_floor_m2", "apartment_share"]

#: OSM ``building`` values of multi-apartment buildings
APARTMENT_BUILDINGS = frozenset({"apartments", "dormitory"})
#: OSM ``building`` values of houses (one or two dwellings, usually with their own plot)
HOUSE_BUILDINGS = frozenset(
    {"house", "detached", "semidetached_house", "terrace", "bungalow", "farm", "cabin"}
)


def dwelling_floor_m2(
    building: pd.Series, levels: pd.Series | None, footprint_m2: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Floor space of each building if it is an apartment building, and if it is a house.

    Parameters
    ----------
    building
        The ``building`` tag of each building.
    levels
        The ``building:levels`` tag (None where the extract has no such column).
    footprint_m2
        Each building's footprint area (0 for a building mapped as a point).

    Returns
    -------
    tuple of numpy.ndarray
        ``(apartment_m2, house_m2)``: the floor space in the one class the building belongs
        to, 0 in the other (both 0 for an untyped building).
    """
    tag = building.astype(str).str.strip().str.lower().to_numpy()
    n_levels = np.ones(len(tag))
    if levels is not None:
        parsed = pd.to_numeric(levels, errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(parsed) & (parsed >= 1) & (parsed <= 100)
        n_levels[ok] = parsed[ok]
    floor = np.nan_to_num(np.asarray(footprint_m2, dtype=float), nan=0.0) * n_levels
    is_apartment = np.isin(tag, list(APARTMENT_BUILDINGS))
    is_house = np.isin(tag, list(HOUSE_BUILDINGS))
    return np.where(is_apartment, floor, 0.0), np.where(is_house, floor, 0.0)


def apartment_share(
    apartment_m2: NDArray[np.float64], house_m2: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``apartment / (apartment + house)`` element-wise, NaN where both are 0."""
    apartment_m2 = np.asarray(apartment_m2, dtype=float)
    total = apartment_m2 + np.asarray(house_m2, dtype=float)
    return np.divide(apartment_m2, total, out=np.full(total.shape, np.nan), where=total > 0)
