"""Municipality boundaries: which municipality's territory a point (a charging site) lies in.

A boundaries file (``zones.boundaries_file``) is a polygon layer (GeoJSON, GeoPackage, any
format pyogrio reads) with a ``name`` property per municipality; names are those of the zones
table's ``municipality`` column. ``data/zemgale/municipalities.geojson`` holds the six
municipalities of Zemgale (Natural Earth admin-1, public domain; see
``scripts/build_boundaries.py``).

A point belongs to the polygon that contains it. Boundaries drawn at a small scale are
generalised, so a point just outside the outer border (a site on the border road) belongs to
the nearest polygon when it is at most ``tolerance_km`` away; farther points belong to none
(``""``). Distances are measured in the layer's local UTM projection.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from emob_sim.errors import DataError
from emob_sim.io.reading import read_layer, shown_path

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["load_boundaries", "check_boundaries", "municipality_at", "BOUNDARY_COLUMNS"]

logger = logging.getLogger(__name__)

#: columns of a boundaries layer as loaded (one row per municipality, EPSG:4326)
BOUNDARY_COLUMNS = ["name", "geometry"]
_KEY = "zones.boundaries_file"


def load_boundaries(path: str | Path) -> gpd.GeoDataFrame:
    """Read a municipality polygon layer.

    Parameters
    ----------
    path
        A polygon layer with a ``name`` property (other properties are ignored).

    Returns
    -------
    geopandas.GeoDataFrame
        ``name`` and ``geometry`` (Polygon or MultiPolygon) in EPSG:4326, one row per
        municipality (features of the same name are merged), in the file's order.

    Raises
    ------
    InputFileNotFoundError
        The file does not exist.
    DataError
        The file is not a regular file or is too large (:func:`emob_sim.io.reading.read_layer`),
        cannot be read as a layer, has no geometry, no features or no ``name``, or a
        feature has an empty name or a geometry that is not a polygon (feature number, from
        1, named).
    """
    import geopandas as gpd

    layer = read_layer(path, key=_KEY, what="a boundaries layer")
    shown = shown_path(path)
    if not isinstance(layer, gpd.GeoDataFrame):
        raise DataError(
            f"{shown}: expected a polygon layer (GeoJSON, GeoPackage), got a table without geometry"
        )
    if layer.empty:
        raise DataError(f"{shown}: the boundaries layer has no features")
    if "name" not in layer.columns:
        raise DataError(f"{shown}: property 'name' is missing, expected one per municipality")
    names = layer["name"].astype("string").fillna("").str.strip()
    kinds = layer.geometry.geom_type.fillna("none").to_numpy()
    for i, (name, kind) in enumerate(zip(names, kinds)):
        if not name:
            raise DataError(f"{shown}: feature {i + 1}: name must be a non-empty text, got ''")
        if kind not in ("Polygon", "MultiPolygon"):
            raise DataError(f"{shown}: feature {i + 1}: geometry must be a polygon, got {kind}")
    if layer.crs is not None:
        layer = layer.to_crs("EPSG:4326")
    layer = gpd.GeoDataFrame({"name": names.to_numpy(dtype=object)}, geometry=layer.geometry.values)
    layer = layer.dissolve(by="name", sort=False, as_index=False)[BOUNDARY_COLUMNS]
    layer = layer.set_crs("EPSG:4326", allow_override=True)
    logger.info("%s: %d municipalities", shown, len(layer))
    return layer.reset_index(drop=True)


def check_boundaries(
    boundaries: gpd.GeoDataFrame, municipalities: ArrayLike, *, path: Path
) -> None:
    """Raise DataError unless every polygon names a municipality of the zones table.

    ``municipalities`` are the zones' ``municipality`` values (empty ones are ignored): a site
    in a polygon of another name would be counted in no municipality's row.
    """
    known = sorted({str(m) for m in np.asarray(municipalities, dtype=object) if str(m)})
    unknown = [n for n in boundaries["name"] if n not in known]
    if unknown:
        raise DataError(
            f"{shown_path(path)}: municipality {unknown[0]!r} is not in the zones table's "
            f"municipality column, expected one of {known}"
        )


def municipality_at(
    boundaries: gpd.GeoDataFrame,
    lon: ArrayLike,
    lat: ArrayLike,
    *,
    tolerance_km: float,
) -> NDArray[np.object_]:
    """The municipality of each point: the polygon holding it, else the nearest polygon within
    ``tolerance_km``, else ``""``.

    Parameters
    ----------
    boundaries
        Output of :func:`load_boundaries`.
    lon, lat
        WGS84 degrees of the points.
    tolerance_km
        How far outside every polygon a point may lie and still count for the nearest one.

    Returns
    -------
    numpy.ndarray
        One name (object array) per point.
    """
    import geopandas as gpd

    lon = np.asarray(lon, dtype=float).ravel()
    lat = np.asarray(lat, dtype=float).ravel()
    out = np.full(lon.size, "", dtype=object)
    if not lon.size or boundaries.empty:
        return out
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    crs = boundaries.estimate_utm_crs()
    polygons = boundaries.geometry.to_crs(crs).reset_index(drop=True)
    projected = points.to_crs(crs).reset_index(drop=True)
    names = boundaries["name"].to_numpy(dtype=object)
    # distance 0 = inside (or on the border); the first polygon in the file's order wins a tie
    dist_m = np.stack([projected.distance(poly).to_numpy() for poly in polygons], axis=1)
    nearest = np.argmin(dist_m, axis=1)
    within = dist_m[np.arange(lon.size), nearest] <= tolerance_km * 1000.0
    out[within] = names[nearest[within]]
    return out
