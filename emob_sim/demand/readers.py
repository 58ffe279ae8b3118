"""Reading the demand input tables (OD matrix, trip table) with row-numbered errors.

A table is a CSV (UTF-8, header row) or a Parquet file (``.parquet``/``.pq``). Every error
names the file, the row as a spreadsheet shows the CSV (the header is row 1, the first data
row 2; Parquet rows are numbered alike), the column and the value, and is a
:class:`~emob_sim.errors.DataError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from emob_sim.errors import DataError
from emob_sim.io.reading import TABLE_MAX_BYTES, one_line, open_input, shown_path
from emob_sim.io.tables import read_text_table
from emob_sim.network.arrays import RoadNetwork
from emob_sim.network.routing import nearest_nodes

__all__ = ["DemandTable", "read_demand_table", "nearest_zone", "PARQUET_SUFFIXES"]

PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass(frozen=True, eq=False)
class DemandTable:
    """A table read from ``path`` (the scenario key ``key`` names it) and its checked columns."""

    frame: pd.DataFrame
    path: Path
    key: str

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    def has(self, column: str) -> bool:
        return column in self.frame.columns

    def require(self, columns: list[str], expected: str) -> None:
        """Raise when one of ``columns`` is missing (``expected`` says what the file needs)."""
        missing = [c for c in columns if c not in self.frame.columns]
        if missing:
            raise DataError(
                f"{shown_path(self.path)}: column {missing[0]!r} is missing, expected {expected}"
            )

    def fail(self, i: int, column: str, problem: str, value: object = None) -> DataError:
        """The error of data row ``i`` (0-based) in ``column``: ``problem``, got ``value``."""
        got = "" if value is None else f", got {value!r}"
        return DataError(f"{shown_path(self.path)}: row {i + 2}: {column}: {problem}{got}")

    def text(self, column: str) -> NDArray[np.object_]:
        """The column as stripped strings, ``""`` where empty (missing column: all empty)."""
        if column not in self.frame.columns:
            return np.full(len(self.frame), "", dtype=object)
        raw = self.frame[column]
        if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
            values = raw.to_numpy(dtype=np.float64)
            out = np.full(values.shape, "", dtype=object)
            ok = np.isfinite(values)
            integral = ok & (values == np.round(values))
            out[integral] = [str(int(v)) for v in values[integral]]
            out[ok & ~integral] = [repr(float(v)) for v in values[ok & ~integral]]
            return out
        s = raw.astype(object).where(raw.notna(), "")
        return s.astype(str).str.strip().to_numpy(dtype=object)

    def numbers(self, column: str, *, required: bool = True) -> NDArray[np.float64]:
        """The column as finite floats; NaN where empty (an error when ``required``)."""
        if column not in self.frame.columns:
            if required:
                raise DataError(f"{shown_path(self.path)}: column {column!r} is missing")
            return np.full(len(self.frame), np.nan)
        raw = self.frame[column]
        if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
            values = raw.to_numpy(dtype=np.float64)
            empty = np.isnan(values)
            text = None
        else:
            text = self.text(column)
            empty = text == ""
            values = pd.to_numeric(pd.Series(text).where(~empty), errors="coerce").to_numpy(
                dtype=np.float64
            )
        bad = np.flatnonzero(~np.isfinite(values) & ~empty)
        if bad.size:
            i = int(bad[0])
            shown = text[i] if text is not None else float(values[i])
            raise self.fail(i, column, "expected a finite number", shown)
        if required and empty.any():
            raise self.fail(int(np.flatnonzero(empty)[0]), column, "empty, expected a number")
        return values

    def check(self, column: str, ok: NDArray[np.bool_], expected: str) -> None:
        """Raise the error of the first row where ``ok`` is False: ``expected``, got the cell."""
        bad = np.flatnonzero(~np.asarray(ok, dtype=bool))
        if bad.size:
            i = int(bad[0])
            raise self.fail(i, column, f"expected {expected}", self.text(column)[i])

    def zone_indices(
        self, column: str, zone_ids: NDArray[np.object_], *, zones_file: object
    ) -> NDArray[np.int64]:
        """Zone index of each row's zone_id in ``column``; -1 where empty.

        Raises
        ------
        DataError
            A zone_id that is not in the zones table.
        """
        names = self.text(column)
        idx = pd.Index([str(z) for z in zone_ids]).get_indexer(names)
        unknown = np.flatnonzero((idx < 0) & (names != ""))
        if unknown.size:
            i = int(unknown[0])
            raise self.fail(
                i, column, f"unknown zone, expected a zone_id of {zones_file}", names[i]
            )
        return np.where(names == "", -1, idx).astype(np.int64)


def read_demand_table(path: str | Path, *, key: str) -> DemandTable:
    """Read a CSV or Parquet demand table.

    Parameters
    ----------
    path
        The file: ``.parquet``/``.pq`` is read as Parquet, anything else as a UTF-8 CSV.
    key
        The scenario key naming the file (``demand.od_file``), for the messages.

    Raises
    ------
    InputFileNotFoundError
        The file does not exist.
    DataError
        The file is not a regular file under the size cap
        (:func:`~emob_sim.io.reading.open_input`) or cannot be read as a table.
    """
    path = Path(path)
    if path.suffix.lower() in PARQUET_SUFFIXES:
        with open_input(path, key=key, max_bytes=TABLE_MAX_BYTES) as f:
            try:
                frame = pd.read_parquet(f)
            except Exception as exc:  # pyarrow raises several types for a file not Parquet
                reason = one_line(str(exc) or type(exc).__name__)
                raise DataError(
                    f"{shown_path(path)}: cannot read the Parquet table ({reason})"
                ) from None
        frame.columns = [str(c).strip() for c in frame.columns]
        frame = frame.reset_index(drop=True)
    else:
        frame = read_text_table(path, [], key=key)
    return DemandTable(frame=frame, path=path, key=key)


def _unit_xyz(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
    lon_r, lat_r = np.radians(lon), np.radians(lat)
    return np.column_stack(
        [np.cos(lat_r) * np.cos(lon_r), np.cos(lat_r) * np.sin(lon_r), np.sin(lat_r)]
    )


def nearest_zone(
    table: DemandTable,
    columns: tuple[str, str],
    rows: NDArray[np.int64],
    *,
    network: RoadNetwork,
    zones: pd.DataFrame,
    max_snap_distance_m: float,
) -> NDArray[np.int64]:
    """Zone index of the coordinates of ``rows`` in the (lon, lat) ``columns``.

    A point must lie within ``max_snap_distance_m`` of the road network (its nearest node, as
    zone centres must); it then belongs to the zone whose centre is nearest (great circle).

    Raises
    ------
    DataError
        Coordinates out of range, or farther from the network than ``max_snap_distance_m``.
    """
    lon_col, lat_col = columns
    lon = table.numbers(lon_col, required=False)[rows]
    lat = table.numbers(lat_col, required=False)[rows]
    for name, values, limit in ((lon_col, lon, 180.0), (lat_col, lat, 90.0)):
        ok = np.isfinite(values) & (np.abs(values) <= limit)
        bad = np.flatnonzero(~ok)
        if bad.size:
            i = int(rows[bad[0]])
            value = table.text(name)[i]
            raise table.fail(i, name, f"expected degrees in [-{limit:g}, {limit:g}]", value)
    if rows.size == 0:
        return np.zeros(0, dtype=np.int64)
    _, dist_m = nearest_nodes(network, lon, lat)
    far = np.flatnonzero(dist_m > max_snap_distance_m)
    if far.size:
        k = int(far[0])
        raise table.fail(
            int(rows[k]),
            f"{lon_col}/{lat_col}",
            f"({lon[k]:g}, {lat[k]:g}) is {dist_m[k] / 1000:.1f} km from the road network, "
            f"expected at most {max_snap_distance_m / 1000:g} km (zones.max_snap_distance_m)",
        )
    tree = cKDTree(_unit_xyz(zones["lon"].to_numpy(np.float64), zones["lat"].to_numpy(np.float64)))
    _, idx = tree.query(_unit_xyz(lon, lat))
    return np.asarray(idx, dtype=np.int64)
