"""Traffic zones: reading the zones table and snapping the zone centres to the road network.

A zones table is a CSV with the columns ``zone_id`` (unique), ``name``, ``kind`` (``zone``:
residents; ``external``: an attractor outside the region, e.g. Rīga; ``gateway``: where through
traffic enters), ``lon``, ``lat`` (WGS84 degrees), ``population`` (>= 0; empty = 0),
``area_km2`` (>= 0; empty = 0 = unknown) and ``municipality``; optionally ``apartment_share``
(share of residents living in multi-apartment buildings, in [0, 1]; empty = unknown), which
sets the zone's home-charging share (:func:`emob_sim.demand.fleet.home_access_share`); other
columns (e.g. ``source``) are ignored. See ``data/zemgale/zones.csv``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.errors import DataError
from emob_sim.io.tables import read_text_table
from emob_sim.network.arrays import RoadNetwork
from emob_sim.network.routing import snap_points

__all__ = [
    "load_zones",
    "snap_zones",
    "intrazonal_distance_km",
    "ZONE_KINDS",
    "ZONE_FILE_COLUMNS",
    "ZONE_COLUMNS",
    "APARTMENT_SHARE",
]

logger = logging.getLogger(__name__)

ZONE_KINDS = ("zone", "external", "gateway")
#: columns a zones file must have (Region.zones adds ``node`` and ``snap_distance_m``)
ZONE_FILE_COLUMNS = [
    "zone_id",
    "name",
    "kind",
    "lon",
    "lat",
    "population",
    "area_km2",
    "municipality",
]
#: optional column of a zones file (NaN in Region.zones where the file has none or it is empty)
APARTMENT_SHARE = "apartment_share"

#: columns of Region.zones (one row per zone, index 0..n_zones-1 = zone index)
ZONE_COLUMNS = [
    "zone_id",  # str, unique
    "name",  # str
    "kind",  # "zone" (residents), "external" (attractor, e.g. Rīga), "gateway" (through traffic)
    "lon",
    "lat",  # float, WGS84
    "population",  # float, residents (0 for gateways)
    "area_km2",  # float (0 where unknown)
    "municipality",  # str (post-2021 municipality for Zemgale; "" where not applicable)
    "apartment_share",  # float in [0, 1], residents in multi-apartment buildings; NaN = unknown
    "node",  # int, index into network arrays of the nearest network node
    "snap_distance_m",  # float, distance from the zone centre to that node
]


def _bad_row(
    path: Path, mask: NDArray[np.bool_], column: str, expected: str, df: pd.DataFrame
) -> None:
    """DataError naming the first row where ``mask`` is true."""
    if mask.any():
        i = int(np.flatnonzero(mask)[0])
        raise DataError(
            f"{path}: row {i + 2}: {column} must be {expected}, got {df[column].iloc[i]!r}"
        )


def load_zones(path: str | Path) -> pd.DataFrame:
    """Read and validate a zones table.

    Parameters
    ----------
    path
        CSV file with the columns of :data:`ZONE_FILE_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        One row per zone (index 0..n-1) with the columns of :data:`ZONE_FILE_COLUMNS`:
        strings, float ``lon``/``lat``/``population``/``area_km2``, and float
        ``apartment_share`` (NaN where the file has no such column or the cell is empty).

    Raises
    ------
    InputFileNotFoundError
        The file does not exist.
    DataError
        A column is missing or a row holds a bad value (file, row number and column named).
    """
    path = Path(path)
    raw = read_text_table(path, ZONE_FILE_COLUMNS, key="zones.file")
    if raw.empty:
        raise DataError(f"{path}: the zones table has no rows")
    shares = raw[APARTMENT_SHARE] if APARTMENT_SHARE in raw.columns else None
    raw = raw[ZONE_FILE_COLUMNS]

    zones = raw.copy()
    _bad_row(path, (raw["zone_id"] == "").to_numpy(), "zone_id", "a non-empty name", raw)
    dup = raw["zone_id"].duplicated().to_numpy()
    _bad_row(path, dup, "zone_id", "unique", raw)
    _bad_row(path, ~raw["kind"].isin(ZONE_KINDS).to_numpy(), "kind", f"one of {ZONE_KINDS}", raw)
    for column, low, high, empty_ok in (
        ("lon", -180.0, 180.0, False),
        ("lat", -90.0, 90.0, False),
        ("population", 0.0, np.inf, True),
        ("area_km2", 0.0, np.inf, True),
    ):
        text = raw[column].replace("", "0") if empty_ok else raw[column]
        values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(values) & (values >= low) & (values <= high)
        _bad_row(path, ~ok, column, f"a number in [{low:g}, {high:g}]", raw)
        zones[column] = values
    zones[APARTMENT_SHARE] = np.nan
    if shares is not None:
        values = pd.to_numeric(shares, errors="coerce").to_numpy(dtype=float)
        bad = (shares != "").to_numpy() & ~((values >= 0) & (values <= 1))
        where = raw.assign(**{APARTMENT_SHARE: shares})
        _bad_row(path, bad, APARTMENT_SHARE, "a number in [0, 1] or empty", where)
        zones[APARTMENT_SHARE] = values
    _bad_row(
        path,
        ((zones["kind"] == "zone") & (zones["population"] <= 0)).to_numpy(),
        "population",
        "> 0 for a zone of kind 'zone'",
        raw,
    )
    logger.info("%s: %d zones", path, len(zones))
    return zones.reset_index(drop=True)


def snap_zones(
    zones: pd.DataFrame, network: RoadNetwork, *, max_snap_distance_m: float
) -> pd.DataFrame:
    """Add the nearest network node of each zone centre.

    Parameters
    ----------
    zones
        Output of :func:`load_zones`.
    network
        The road network.
    max_snap_distance_m
        A zone centre farther than this from every node is an error.

    Returns
    -------
    pandas.DataFrame
        A copy of ``zones`` with ``node`` (index into the network arrays) and
        ``snap_distance_m``.

    Raises
    ------
    NetworkError
        ``zones: zone 'X' is 12.3 km from the network, expected at most 5 km``.
    """
    node, dist_m = snap_points(
        network,
        zones["lon"].to_numpy(dtype=float),
        zones["lat"].to_numpy(dtype=float),
        labels=list(zones["zone_id"]),
        max_snap_distance_m=max_snap_distance_m,
        what="zones: zone",
    )
    out = zones.copy()
    out["node"] = node
    out["snap_distance_m"] = dist_m
    return out


def intrazonal_distance_km(area_km2: NDArray[np.float64], *, min_km: float) -> NDArray[np.float64]:
    """Typical length of a trip inside a zone.

    The mean straight-line distance between two uniformly random points of a disc of the
    zone's area, ``128 / (45 * pi) * r`` with ``r = sqrt(area_km2 / pi)`` (about ``0.51 *
    sqrt(area_km2)``), and at least ``min_km`` (``zones.min_intrazonal_km``; also for an
    unknown area, 0).

    Parameters
    ----------
    area_km2 : numpy.ndarray
        Per zone: its area, km2 (0 when unknown).
    min_km : float
        The shortest intrazonal trip, km.

    Returns
    -------
    numpy.ndarray
        Per zone: the intrazonal trip length, km.
    """
    radius_km = np.sqrt(np.asarray(area_km2, dtype=float) / np.pi)
    return np.maximum(128.0 / (45.0 * np.pi) * radius_km, min_km)
