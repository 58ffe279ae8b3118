"""Automatic zones: square grid cells of the road network, for a region without a zones table.

Used by :func:`~emob_sim.region.build.build_region` when ``zones.file`` is null, with the
options of ``zones.auto`` (:class:`~emob_sim.config.models.AutoZonesConfig`). The method:

1. The network's nodes are projected into the local UTM zone (metres). A square grid of
   ``cell_km`` is laid over them, anchored at a multiple of the cell size south-west of the
   nodes; cell ``(i, j)`` is the ``i``-th column from the west and the ``j``-th row from the
   south, and its zone id is ``z_{i:03d}_{j:03d}``.
2. Each cell is clipped to the network area, the convex hull of the nodes. A cell holding at
   least ``min_nodes`` nodes becomes a zone; every other cell (its people included) is merged
   into the zone whose cell centre is nearest.
3. A zone's point is the node of its cell nearest the centroid of the cell's nodes (so it snaps
   at distance 0); ``area_km2`` is its cell clipped to the network area (the whole cell when
   the nodes span no area); ``kind`` is ``zone``; ``municipality`` is ``zones.auto.municipality``.
4. Population, by the first source given:

   - ``population_file``, polygons (GeoPackage, GeoJSON, Shapefile) with residents in
     ``population_column``: each polygon's residents are spread over the cells by the share of
     its area in each (areal weighting, :func:`geopandas.overlay`); the part outside the
     network area is left out;
   - ``population_file``, a raster of residents per pixel (GeoTIFF, needs ``rasterio``): each
     pixel's count goes to the cell holding its centre;
   - else the buildings of the OSM network file (``network.source: file`` with ``.osm.pbf``,
     read with pyrosm, or ``.osm``, read with OSMnx), those tagged with a non-residential
     ``building`` value (:data:`NON_RESIDENTIAL_BUILDINGS`) left out, counted per cell by their
     representative point and scaled to ``population_total`` (required then): one building,
     the same residents, an ASSUMPTION said so in each zone's ``source``.

   With ``population_total`` set a file's residents are rescaled to it. The total is rounded to
   whole residents and shared out by largest remainders, so the zones add up to it exactly;
   zones left with no resident are dropped.
5. ``apartment_share``: with the buildings proxy, from the building types
   (:mod:`emob_sim.region.dwellings`), else NaN (the regional home-charging share).
"""

from __future__ import annotations

import logging
import math
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from emob_sim.config.models import AutoZonesConfig
from emob_sim.errors import ConfigError, DataError
from emob_sim.network.arrays import RoadNetwork
from emob_sim.region.dwellings import apartment_share, dwelling_floor_m2
from emob_sim.region.zones import APARTMENT_SHARE, ZONE_FILE_COLUMNS

__all__ = ["auto_zones", "largest_remainder", "NON_RESIDENTIAL_BUILDINGS", "RASTER_SUFFIXES"]

logger = logging.getLogger(__name__)

#: suffixes of population files read as rasters (anything else is read as a vector layer)
RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".asc", ".img")
#: OSM ``building`` values not counted as homes by the buildings proxy (ASSUMPTION: every other
#: building, ``building=yes`` included, houses the same number of residents)
NON_RESIDENTIAL_BUILDINGS = frozenset(
    "barn bridge bunker carport cathedral chapel church civic college commercial construction "
    "cowshed digester farm_auxiliary fire_station garage garages gatehouse government "
    "grandstand greenhouse hangar hospital hut industrial kindergarten kiosk manufacture "
    "mosque office parking pavilion public religious retail riding_hall roof ruins school "
    "service shed sports_centre sports_hall stable storage_tank supermarket synagogue temple "
    "toilets train_station transformer_tower transportation university warehouse "
    "water_tower".split()
)


def auto_zones(
    network: RoadNetwork, config: AutoZonesConfig, *, osm_file: str | Path | None = None
) -> pd.DataFrame:
    """Zones from the grid cells of the road network (the method is in the module docstring).

    Parameters
    ----------
    network
        The road network the zones are made from.
    config
        ``zones.auto`` of the scenario.
    osm_file
        The OSM file the network was read from (``.osm.pbf`` or ``.osm``), for the buildings
        proxy; None when the network has no such file.

    Returns
    -------
    pandas.DataFrame
        One row per zone with the columns of :data:`~emob_sim.region.zones.ZONE_FILE_COLUMNS`
        (as :func:`~emob_sim.region.zones.load_zones` returns them), ``apartment_share`` and
        ``source``, the method.

    Raises
    ------
    ConfigError
        No population source can be used, or no cell holds ``min_nodes`` nodes.
    DataError
        A population file or the OSM buildings cannot be read, or a feature holds a bad value
        (its number and field named), or the network area holds no resident.
    """
    if config.population_file is None and config.population_total is None:
        raise ConfigError(
            "zones.auto.population_total: not set, expected the residents of the network area "
            "to scale the OSM buildings to (or give zones.auto.population_file)"
        )
    crs = _local_crs(network)
    x, y = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(
        network.lon, network.lat
    )
    cell_m = config.cell_km * 1000.0
    x0, y0 = math.floor(x.min() / cell_m) * cell_m, math.floor(y.min() / cell_m) * cell_m
    ix = np.floor((x - x0) / cell_m).astype(np.int64)
    iy = np.floor((y - y0) / cell_m).astype(np.int64)
    nx, ny = int(ix.max()) + 1, int(iy.max()) + 1
    _check_grid_size(config.cell_km, nx, ny)
    hull = shapely.MultiPoint(np.column_stack([x, y])).convex_hull

    # every cell of the grid, clipped to the network area
    ci, cj = np.divmod(np.arange(nx * ny), ny)
    boxes = shapely.box(
        x0 + ci * cell_m, y0 + cj * cell_m, x0 + (ci + 1) * cell_m, y0 + (cj + 1) * cell_m
    )
    has_area = hull.area > 0
    clipped = shapely.intersection(boxes, hull) if has_area else boxes
    n_nodes = np.bincount(ix * ny + iy, minlength=nx * ny)
    kept = np.flatnonzero(n_nodes >= config.min_nodes)
    if not kept.size:
        raise ConfigError(
            f"zones.auto.min_nodes: no {config.cell_km:g} km cell holds {config.min_nodes} of "
            f"the network's {network.n_nodes} nodes, expected at least one; lower min_nodes or "
            "raise cell_km"
        )
    # each cell belongs to the zone whose cell centre is nearest (a kept cell to itself)
    _, owner = cKDTree(np.column_stack([ci[kept], cj[kept]])).query(np.column_stack([ci, cj]))
    owner[kept] = np.arange(kept.size)

    cells = gpd.GeoDataFrame({"cell": np.arange(nx * ny)}, geometry=clipped, crs=crs)
    if has_area:
        cells = cells[~cells.geometry.is_empty & (cells.geometry.area > 0)]
    grid = (x0, y0, cell_m, nx, ny)
    cell_weight, how, floor = _cell_weights(config, cells, hull, grid, osm_file)
    weight = np.bincount(owner, weights=cell_weight, minlength=nx * ny)[: kept.size]
    share = np.full(kept.size, np.nan)
    if floor is not None:
        apt, house = (np.bincount(owner, weights=f, minlength=nx * ny)[: kept.size] for f in floor)
        share = apartment_share(apt, house)
    total = config.population_total if config.population_total is not None else weight.sum()
    if not total <= MAX_AREA_POPULATION:  # before it is rounded to whole residents
        raise DataError(
            f"zones.auto.population_file {config.population_file}: {total:.3g} residents in the "
            f"network area ({how}), expected at most {MAX_AREA_POPULATION:.0e}"
        )
    if weight.sum() <= 0 or round(total) <= 0:
        raise DataError(f"zones.auto: no resident in the network area ({how})")
    population = largest_remainder(weight, round(total))

    # a zone's point: the node of its cell nearest the centroid of the cell's nodes
    cell_of_node = ix * ny + iy
    cx = np.bincount(cell_of_node, weights=x, minlength=nx * ny) / np.maximum(n_nodes, 1)
    cy = np.bincount(cell_of_node, weights=y, minlength=nx * ny) / np.maximum(n_nodes, 1)
    d2 = (x - cx[cell_of_node]) ** 2 + (y - cy[cell_of_node]) ** 2
    by_cell = np.lexsort((np.arange(len(x)), d2, cell_of_node))  # nearest first in each cell
    first = by_cell[np.r_[True, np.diff(cell_of_node[by_cell]) != 0]]
    node = first[np.searchsorted(cell_of_node[first], kept)]
    area_km2 = shapely.area(clipped[kept]) / 1e6
    i, j = ci[kept], cj[kept]
    source = (
        f"automatic zone: {config.cell_km:g} km grid cell ({crs.to_string()}) of the network with "
        f">= {config.min_nodes} nodes, smaller cells merged into the nearest; point = node nearest "
        f"the cell's nodes' centroid; area = cell within the network's convex hull; "
        f"population = {how}"
    )
    zones = pd.DataFrame(
        {
            "zone_id": [f"z_{a:03d}_{b:03d}" for a, b in zip(i, j)],
            "name": [f"grid cell {a}, {b}" for a, b in zip(i, j)],
            "kind": "zone",
            "lon": network.lon[node].astype(float),
            "lat": network.lat[node].astype(float),
            "population": population.astype(float),
            "area_km2": np.round(area_km2, 4).astype(float),
            "municipality": config.municipality,
            APARTMENT_SHARE: share,
            "source": source,
        }
    )
    empty = zones["population"].to_numpy() <= 0
    if empty.any():
        logger.info("zones.auto: %d cells without residents left out", int(empty.sum()))
    zones = zones[~empty].reset_index(drop=True)
    logger.info(
        "zones.auto: %d zones of %g km, %d residents (%s)",
        len(zones),
        config.cell_km,
        int(zones["population"].sum()),
        how,
    )
    return zones[[*ZONE_FILE_COLUMNS, APARTMENT_SHARE, "source"]]


#: At most this many grid cells (before merging) for automatic zones: every cell is a polygon
#: clipped to the network area. Measured on the Kouvola demo: 250,000 cells took 20 s and
#: 0.6 GB; 4.7 million (1 m cells over its 2 x 2 km) two minutes, then all the memory. An
#: engineering bound, not a model figure.
MAX_GRID_CELLS = 1_000_000


#: at most this many residents in a network area of automatic zones (a larger total is a
#: wrong value: no town or region of that size is simulated street by street)
MAX_AREA_POPULATION = 1e9


def _check_grid_size(cell_km: float, nx: int, ny: int) -> None:
    """Refuse a grid of more than :data:`MAX_GRID_CELLS` cells before any cell is made."""
    if nx * ny > MAX_GRID_CELLS:
        smallest = cell_km * math.sqrt(nx * ny / MAX_GRID_CELLS)
        raise ConfigError(
            f"zones.auto.cell_km: {cell_km:g} km cells over the network's "
            f"{nx * cell_km:,.3g} x {ny * cell_km:,.3g} km make {nx * ny:,} grid cells, expected "
            f"at most {MAX_GRID_CELLS:,} (a cell_km of about {smallest:.2g} or more)"
        )


def largest_remainder(weight: NDArray[np.float64], total: int) -> NDArray[np.int64]:
    """Whole numbers proportional to ``weight`` that add up to ``total`` exactly (the largest
    remainders get the units left over; ties go to the earlier entry)."""
    weight = np.asarray(weight, dtype=float)
    quota = weight / weight.sum() * total
    out = np.floor(quota).astype(np.int64)
    left = int(total - out.sum())
    if left > 0:
        order = np.argsort(-(quota - out), kind="stable")
        out[order[:left]] += 1
    return out


def _local_crs(network: RoadNetwork) -> pyproj.CRS:
    """The UTM zone of the network's centre."""
    centre = gpd.GeoSeries(
        gpd.points_from_xy([np.median(network.lon)], [np.median(network.lat)]), crs="EPSG:4326"
    )
    return centre.estimate_utm_crs()


def _cell_weights(
    config: AutoZonesConfig,
    cells: gpd.GeoDataFrame,
    hull: shapely.Geometry,
    grid: tuple[float, float, float, int, int],
    osm_file: str | Path | None,
) -> tuple[NDArray[np.float64], str, tuple[NDArray[np.float64], NDArray[np.float64]] | None]:
    """Residents (or buildings) per grid cell, how they were counted, and (buildings proxy
    only) the floor space of apartment buildings and of houses per cell."""
    n_cells = grid[3] * grid[4]
    path = config.population_file
    floor = None
    if path is not None and Path(path).suffix.lower() in RASTER_SUFFIXES:
        x, y, values = _raster_points(Path(path), hull, cells.crs)
        w = _points_per_cell(x, y, values, hull, grid)
        how = f"pixels of {Path(path).name} (centre in the cell)"
    elif path is not None:
        w = _layer_per_cell(Path(path), config, cells, n_cells)
        how = f"{Path(path).name} column {config.population_column!r} by area overlap"
    else:
        x, y, apt_m2, house_m2 = _building_points(osm_file, hull, cells.crs)
        w = _points_per_cell(x, y, np.ones_like(x), hull, grid)
        floor = tuple(_points_per_cell(x, y, f, hull, grid) for f in (apt_m2, house_m2))
        how = (
            f"ASSUMPTION: {int(w.sum())} OSM buildings of {Path(str(osm_file)).name} (not "
            "tagged non-residential) counted per cell, each with the same residents"
        )
    if config.population_total is not None:
        how += f", scaled to zones.auto.population_total {config.population_total:g}"
    return w, how, floor


def _points_per_cell(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    values: NDArray[np.float64],
    hull: shapely.Geometry,
    grid: tuple[float, float, float, int, int],
) -> NDArray[np.float64]:
    """Sum of ``values`` at the points inside the network area, by grid cell."""
    x0, y0, cell_m, nx, ny = grid
    inside = shapely.intersects_xy(hull, x, y) if hull.area > 0 else np.ones(len(x), dtype=bool)
    i = np.floor((x[inside] - x0) / cell_m).astype(np.int64)
    j = np.floor((y[inside] - y0) / cell_m).astype(np.int64)
    ok = (i >= 0) & (i < nx) & (j >= 0) & (j < ny)
    return np.bincount((i * ny + j)[ok], weights=values[inside][ok], minlength=nx * ny)


def _layer_per_cell(
    path: Path, config: AutoZonesConfig, cells: gpd.GeoDataFrame, n_cells: int
) -> NDArray[np.float64]:
    """Residents of a polygon layer spread over the cells by area overlap."""
    key = "zones.auto.population_file"
    try:
        layer = gpd.read_file(path, layer=config.population_layer)
    except Exception as exc:  # pyogrio raises its own errors for unreadable files and layers
        raise DataError(f"{key}: cannot read {path} as a vector layer ({exc})") from None
    column = config.population_column
    if column not in layer.columns:
        columns = [c for c in layer.columns if c != "geometry"]
        raise DataError(
            f"{path}: column {column!r} (zones.auto.population_column) is missing, expected "
            f"one of {columns}"
        )
    values = pd.to_numeric(layer[column], errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(values) & (values >= 0))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        got = layer[column].iloc[k]
        raise DataError(f"{path}: feature {k + 1}: {column}: must be a number >= 0, got {got!r}")
    kinds = layer.geometry.geom_type.to_numpy()
    bad = ~np.isin(kinds, ["Polygon", "MultiPolygon"])
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise DataError(f"{path}: feature {k + 1}: geometry: must be a polygon, got {kinds[k]}")
    if layer.crs is None:
        layer = layer.set_crs("EPSG:4326")
    polys = gpd.GeoDataFrame(
        {"_people": values, "_area": layer.to_crs(cells.crs).geometry.area.to_numpy()},
        geometry=layer.to_crs(cells.crs).geometry.to_numpy(),
        crs=cells.crs,
    )
    polys = polys[polys["_area"] > 0]
    pieces = gpd.overlay(polys, cells, how="intersection", keep_geom_type=True)
    people = pieces["_people"].to_numpy() * pieces.geometry.area.to_numpy() / pieces["_area"]
    logger.info("%s: %.0f of %.0f residents in the network area", path, people.sum(), values.sum())
    return np.bincount(pieces["cell"].to_numpy(dtype=np.int64), weights=people, minlength=n_cells)


def _raster_points(
    path: Path, hull: shapely.Geometry, crs: pyproj.CRS
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Pixel centres (in ``crs``) and counts of a population raster around the network area."""
    try:
        import rasterio
        import rasterio.windows
    except ImportError:
        raise ConfigError(
            f"zones.auto.population_file: {path.name} is a raster, which needs the rasterio "
            "package (pip install rasterio); or give a polygon layer"
        ) from None
    try:
        with rasterio.open(path) as src:
            raster_crs = src.crs or pyproj.CRS("EPSG:4326")
            bounds = pyproj.Transformer.from_crs(crs, raster_crs, always_xy=True).transform_bounds(
                *hull.bounds
            )
            w = rasterio.windows.from_bounds(*bounds, transform=src.transform)
            col0, row0 = max(math.floor(w.col_off), 0), max(math.floor(w.row_off), 0)
            col1 = min(math.ceil(w.col_off + w.width), src.width)
            row1 = min(math.ceil(w.row_off + w.height), src.height)
            if col1 <= col0 or row1 <= row0:
                raise DataError(f"{path}: the raster does not cover the network area")
            window = rasterio.windows.Window(col0, row0, col1 - col0, row1 - row0)
            data = src.read(1, window=window, masked=True).astype(float).filled(0.0)
            t = src.window_transform(window)
    except rasterio.errors.RasterioError as exc:
        raise DataError(f"zones.auto.population_file: cannot read {path} ({exc})") from None
    data = np.where(np.isnan(data), 0.0, data)
    bad = data < 0
    if bad.any():
        r, c = (int(v[0]) for v in np.nonzero(bad))
        raise DataError(
            f"{path}: pixel (row {r + row0}, column {c + col0}): "
            f"must be a count >= 0, got {data[r, c]:g}"
        )
    rows, cols = np.nonzero(data > 0)
    px = t.c + t.a * (cols + 0.5) + t.b * (rows + 0.5)
    py = t.f + t.d * (cols + 0.5) + t.e * (rows + 0.5)
    x, y = pyproj.Transformer.from_crs(raster_crs, crs, always_xy=True).transform(px, py)
    return np.asarray(x, float), np.asarray(y, float), data[rows, cols]


def _building_points(
    osm_file: str | Path | None, hull: shapely.Geometry, crs: pyproj.CRS
) -> tuple[NDArray[np.float64], ...]:
    """Representative points (in ``crs``) of the homes among the OSM file's buildings, and
    their floor space if apartment buildings and if houses (:mod:`emob_sim.region.dwellings`)."""
    path = Path(osm_file) if osm_file is not None else None
    name = path.name.lower() if path is not None else ""
    if path is None or not name.endswith((".pbf", ".osm", ".xml")):
        raise ConfigError(
            "zones.auto.population_file: not set, and the network is not read from an OSM file "
            "(network.source 'file' with .osm.pbf or .osm) whose buildings could stand in for "
            "residents; give a population layer"
        )
    to_wgs = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    west, south, east, north = to_wgs.transform_bounds(*hull.bounds)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if name.endswith(".pbf"):
                import pyrosm

                osm = pyrosm.OSM(str(path), bounding_box=[west, south, east, north])
                buildings = osm.get_buildings()
            else:
                import osmnx as ox

                polygon = shapely.box(west, south, east, north)
                try:
                    buildings = ox.features_from_xml(path, polygon=polygon, tags={"building": True})
                except Exception as exc:  # noqa: BLE001 - OSMnx's "No matching features"
                    if type(exc).__name__ != "InsufficientResponseError":
                        raise
                    buildings = None  # none in the file: said below
    except Exception as exc:  # pyrosm and OSMnx raise many kinds of errors on bad files
        raise DataError(f"zones.auto: cannot read the buildings of {path} ({exc})") from None
    if buildings is None or len(buildings) == 0:
        raise DataError(
            f"zones.auto: {path.name} holds no buildings in the network area; give "
            "zones.auto.population_file"
        )
    tag = buildings["building"].astype(str).str.lower()
    homes = buildings[~tag.isin(NON_RESIDENTIAL_BUILDINGS).to_numpy()]
    homes = homes[homes.geometry.notna() & ~homes.geometry.is_empty]
    geometry = homes.geometry if homes.crs is not None else homes.geometry.set_crs("EPSG:4326")
    levels = homes["building:levels"] if "building:levels" in homes.columns else None
    floor = dwelling_floor_m2(homes["building"], levels, geometry.to_crs(crs).area.to_numpy())
    points = geometry.representative_point().to_crs("EPSG:4326")
    lon, lat = shapely.get_coordinates(points.to_numpy()).T
    x, y = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    logger.info("%s: %d of %d buildings counted as homes", path.name, len(homes), len(buildings))
    return np.asarray(x, float), np.asarray(y, float), *floor
