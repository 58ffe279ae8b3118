"""Writing the files of an output folder: JSON, Parquet, points as GeoJSON or GeoPackage."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = [
    "write_json",
    "write_parquet",
    "write_points",
    "write_atomically",
    "points_bytes",
    "sha256_file",
]


def _plain(value: object) -> object:
    """A JSON value: numpy scalars as Python numbers, non-finite floats as null."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def write_json(path: str | Path, data: dict) -> None:
    """Write ``data`` as indented UTF-8 JSON (numpy scalars as numbers, NaN as null).

    Parameters
    ----------
    path : str or pathlib.Path
        The file written (replaced if it exists).
    data : dict
        JSON-able data; numpy scalars and arrays are written as numbers and lists.
    """
    Path(path).write_text(
        json.dumps(_plain(data), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def write_parquet(table: pd.DataFrame, path: str | Path) -> None:
    """Write a table to Parquet, dictionary-encoding its non-float columns only.

    Float columns (times, energies, states of charge) are nearly all distinct: trying a
    dictionary for them costs time (an eighth of the writing of a million-trip run) for no gain.

    Parameters
    ----------
    table : pandas.DataFrame
        The table (its index is not written).
    path : str or pathlib.Path
        The Parquet file written.
    """
    keep = [c for c in table.columns if table[c].dtype.kind != "f"]
    table.to_parquet(path, index=False, use_dictionary=keep)


def write_points(table: pd.DataFrame, path: str | Path, *, layer: str | None = None) -> None:
    """Write a table with ``lon``/``lat`` columns (WGS84) as point features.

    The format follows the file name: ``.geojson`` (RFC 7946, coordinates to 7 decimals, about
    a centimetre) or ``.gpkg`` (one ``layer`` of a GeoPackage; further layers are added to an
    existing file). The other columns become the features' properties.

    Parameters
    ----------
    table : pandas.DataFrame
        The points: ``lon`` and ``lat`` in degrees (WGS84), and their properties.
    path : str or pathlib.Path
        The file written: ``.geojson`` or ``.gpkg``.
    layer : str or None
        The GeoPackage layer written (ignored for GeoJSON).
    """
    path = Path(path)
    gdf = gpd.GeoDataFrame(
        table.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(table["lon"], table["lat"]),
        crs="EPSG:4326",
    )
    if path.suffix == ".gpkg":
        gdf.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
    else:
        gdf.to_file(
            path,
            driver="GeoJSON",
            engine="pyogrio",
            layer_options={"RFC7946": "YES", "WRITE_NAME": "NO"},
        )


def write_atomically(path: str | Path, write: Callable[[Path], None]) -> None:
    """Write a file in one step: ``write`` writes a temporary file beside ``path``, which then
    replaces ``path``; readers see the old file or the whole new one, never a part.

    The temporary file (``.NAME.tmp-PID``) is removed if ``write`` raises.

    Parameters
    ----------
    path : str or pathlib.Path
        The file to write.
    write : callable
        ``write(tmp_path)`` writes the whole file at the path it is given.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def points_bytes(table: pd.DataFrame, suffix: str, *, layer: str = "sites") -> bytes:
    """The bytes of :func:`write_points` for a ``.geojson`` or ``.gpkg`` file (for downloads).

    Parameters
    ----------
    table : pandas.DataFrame
        The points: ``lon`` and ``lat`` in degrees (WGS84), and their properties.
    suffix : str
        ``".geojson"`` or ``".gpkg"``: the format.
    layer : str
        The GeoPackage layer (and the temporary file's name).

    Returns
    -------
    bytes
        The content of the file :func:`write_points` writes.
    """
    with tempfile.TemporaryDirectory(prefix="emob-sim-points-") as tmp:
        path = Path(tmp) / f"{layer}{suffix}"
        write_points(table, path, layer=layer)
        return path.read_bytes()


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file's bytes, as hex.

    Parameters
    ----------
    path : str or pathlib.Path
        The file, read in chunks of 1 MiB.

    Returns
    -------
    str
        The 64 hex digits of the digest.
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
