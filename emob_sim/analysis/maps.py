"""Tables for maps and charts of a run: network lines, zones, sites, strandings, distributions.

Every table has WGS84 ``lon``/``lat`` columns (lines: ``from_lon``, ``from_lat``, ``to_lon``,
``to_lat``), ready for a map layer (pydeck in the app, any GIS otherwise).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from osmnx.distance import EARTH_RADIUS_M

from emob_sim.analysis.tables import load_profile_table
from emob_sim.network.arrays import RoadNetwork
from emob_sim.region.model import Region
from emob_sim.results import RunResult

__all__ = [
    "network_lines",
    "zone_table",
    "site_waits_min",
    "site_load_profile",
    "arrival_soc",
    "boundary_table",
    "place_names",
    "scale_bar",
    "ZONE_MAP_COLUMNS",
    "BOUNDARY_MAP_COLUMNS",
    "PLACE_NAME_COLUMNS",
]

#: columns of :func:`zone_table`
ZONE_MAP_COLUMNS = [
    "zone_id",
    "name",
    "kind",
    "municipality",
    "lon",
    "lat",
    "population",
    "electric_cars",
    "trips_from",
    "trips_stranded",
    "drivers_gave_up",
]


#: columns of :func:`boundary_table`
BOUNDARY_MAP_COLUMNS = ["name", "polygon"]

#: columns of :func:`place_names`
PLACE_NAME_COLUMNS = ["name", "kind", "lon", "lat"]


def boundary_table(region: Region) -> pd.DataFrame:
    """The municipality polygons of the region (``zones.boundaries_file``), one row per polygon
    part: ``name`` and ``polygon`` (its rings, the outer one first, as lists of [lon, lat]).

    Empty (with :data:`BOUNDARY_MAP_COLUMNS`) when the scenario has no boundaries.

    Parameters
    ----------
    region : Region
        A built region (its ``boundaries`` layer, or None).

    Returns
    -------
    pandas.DataFrame
        One row per polygon part, columns :data:`BOUNDARY_MAP_COLUMNS`.
    """
    boundaries = region.boundaries
    rows = []
    if boundaries is not None:
        for name, geometry in zip(boundaries["name"], boundaries.geometry):
            parts = getattr(geometry, "geoms", [geometry])
            for part in parts:
                rings = [part.exterior, *part.interiors]
                polygon = [[list(xy) for xy in ring.coords] for ring in rings]
                rows.append({"name": str(name), "polygon": polygon})
    return pd.DataFrame(rows, columns=BOUNDARY_MAP_COLUMNS)


def place_names(region: Region) -> pd.DataFrame:
    """Names to write on a map: each municipality of the boundaries layer at the point inside
    it farthest from its border (``kind`` ``municipality``), and each resident zone and the
    outside destination at its centre (``kind`` ``zone``; gateways on the region's edge are
    left out).

    Columns :data:`PLACE_NAME_COLUMNS` (WGS84).

    Parameters
    ----------
    region : Region
        A built region (its zones and ``boundaries`` layer).

    Returns
    -------
    pandas.DataFrame
        One row per name: ``name``, ``kind``, ``lon``, ``lat`` (degrees).
    """
    zones = region.zones[region.zones["kind"] != "gateway"]
    rows = [
        {"name": str(n), "kind": "zone", "lon": float(x), "lat": float(y)}
        for n, x, y in zip(zones["name"], zones["lon"], zones["lat"])
    ]
    if region.boundaries is not None:
        from shapely.ops import polylabel

        for name, geometry in zip(region.boundaries["name"], region.boundaries.geometry):
            largest = max(getattr(geometry, "geoms", [geometry]), key=lambda part: part.area)
            point = polylabel(largest, tolerance=0.001)  # the point farthest from its border
            rows.append({"name": str(name), "kind": "municipality", "lon": point.x, "lat": point.y})
    return pd.DataFrame(rows, columns=PLACE_NAME_COLUMNS)


def network_lines(network: RoadNetwork, *, max_lines: int = 200_000) -> pd.DataFrame:
    """One straight line per road (both directions of a two-way road drawn once).

    At most ``max_lines`` lines (the longest roads are kept), so that a large network still
    draws quickly.

    Parameters
    ----------
    network : RoadNetwork
        The road network as arrays (node coordinates, CSR edges, edge lengths).
    max_lines : int
        The most lines returned.

    Returns
    -------
    pandas.DataFrame
        One row per road: ``from_lon``, ``from_lat``, ``to_lon``, ``to_lat`` (degrees, WGS84)
        and ``length_m`` (m).
    """
    src = np.repeat(np.arange(network.n_nodes), np.diff(network.indptr))
    dst = network.indices
    a, b = np.minimum(src, dst), np.maximum(src, dst)
    pairs, first = np.unique(np.stack([a, b], axis=1), axis=0, return_index=True)
    length = network.length_m[first]
    if len(pairs) > max_lines:
        keep = np.argsort(-length, kind="stable")[:max_lines]
        pairs, length = pairs[keep], length[keep]
    return pd.DataFrame(
        {
            "from_lon": network.lon[pairs[:, 0]],
            "from_lat": network.lat[pairs[:, 0]],
            "to_lon": network.lon[pairs[:, 1]],
            "to_lat": network.lat[pairs[:, 1]],
            "length_m": length,
        }
    )


def zone_table(result: RunResult) -> pd.DataFrame:
    """Per zone: its electric cars (residents), trips starting there, stranded trips starting
    there, and drivers who gave up at a site on a trip from there (:data:`ZONE_MAP_COLUMNS`).

    Parameters
    ----------
    result : RunResult
        A finished run.

    Returns
    -------
    pandas.DataFrame
        One row per zone (external zones included), columns :data:`ZONE_MAP_COLUMNS`.
    """
    zones = result.region.zones
    n = len(zones)
    vehicles = result.demand.vehicles
    resident = vehicles["resident"].to_numpy(bool)
    cars = np.bincount(vehicles["home_zone"].to_numpy(np.int64)[resident], minlength=n)
    origin = result.demand.trips["origin"].to_numpy(np.int64)
    stranded = result.sim.trips["status"].to_numpy() == "stranded"
    gave_up = result.sim.abandoned["trip_id"].to_numpy(np.int64)
    return pd.DataFrame(
        {
            "zone_id": zones["zone_id"].to_numpy(),
            "name": zones["name"].to_numpy(),
            "kind": zones["kind"].to_numpy(),
            "municipality": zones["municipality"].to_numpy(),
            "lon": zones["lon"].to_numpy(float),
            "lat": zones["lat"].to_numpy(float),
            "population": zones["population"].to_numpy(float),
            "electric_cars": cars[:n],
            "trips_from": np.bincount(origin, minlength=n)[:n],
            "trips_stranded": np.bincount(origin[stranded], minlength=n)[:n],
            "drivers_gave_up": np.bincount(origin[gave_up], minlength=n)[:n],
        },
        columns=ZONE_MAP_COLUMNS,
    )


def site_waits_min(result: RunResult, site_id: str | None = None) -> pd.DataFrame:
    """Every driver who arrived at a car site (at every site: None): the wait in minutes and
    whether they gave up.

    Parameters
    ----------
    result : RunResult
        A finished run.
    site_id : str or None
        The car site (None: every car site).

    Returns
    -------
    pandas.DataFrame
        One row per driver: ``wait_min`` (min) and ``gave_up``; the served drivers first.
    """
    s, a = result.sim.sessions, result.sim.abandoned
    if site_id is not None:
        s, a = s[s["site_id"] == site_id], a[a["site_id"] == site_id]
    served = s["wait_s"].to_numpy(float) / 60.0
    left = a["wait_s"].to_numpy(float) / 60.0
    return pd.DataFrame(
        {
            "wait_min": np.concatenate([served, left]),
            "gave_up": np.concatenate([np.zeros(served.size, bool), np.ones(left.size, bool)]),
        }
    )


def site_load_profile(result: RunResult, site_id: str | None = None) -> pd.DataFrame:
    """Mean kW per profile bin at one car site, or of all car sites together (None).

    Columns ``hour`` (hours from the scenario start) and ``power_kw``.

    Parameters
    ----------
    result : RunResult
        A finished run.
    site_id : str or None
        The car site (None: the sum over every car site).

    Returns
    -------
    pandas.DataFrame
        One row per profile bin: ``hour`` (h) and ``power_kw`` (kW).
    """
    table = load_profile_table(result)
    if site_id is not None:
        table = table[table["site_id"] == site_id]
    total = table.groupby("bin_start_s", sort=True)["power_kw"].sum()
    return pd.DataFrame({"hour": total.index.to_numpy() / 3600.0, "power_kw": total.to_numpy()})


def arrival_soc(result: RunResult) -> pd.Series:
    """State of charge (0-1) of the cars when they plugged in at a public site.

    Parameters
    ----------
    result : RunResult
        A finished run.

    Returns
    -------
    pandas.Series
        One value per public charging session, named ``soc_on_arrival``.
    """
    return result.sim.sessions["soc_start"].astype(float).rename("soc_on_arrival")


def scale_bar(
    west: float, south: float, east: float, north: float, *, share: float = 0.2
) -> dict[str, float | str]:
    """A scale bar for a map that shows ``west``..``east``, ``south``..``north`` (WGS84
    degrees): a line along a parallel at the lower left of the view, a round length (1, 2 or
    5 x 10^k km) of at most ``share`` of the view's width at that latitude.

    Parameters
    ----------
    west, south, east, north : float
        The view's bounds, degrees (WGS84).
    share : float
        The longest bar as a share (0-1) of the view's width.

    Returns
    -------
    dict[str, float | str]
        ``start_lon``, ``start_lat``, ``end_lon``, ``end_lat`` (the ends of the line, degrees),
        ``length_km`` (the great-circle length of the line, km) and ``label`` (``"10 km"``,
        ``"500 m"``).
    """
    lat = south + 0.07 * (north - south)
    start = west + 0.04 * (east - west)
    cos_lat = max(math.cos(math.radians(lat)), 1e-9)
    radius_km = EARTH_RADIUS_M / 1000.0

    def along_km(d_lon: float) -> float:  # great circle between two points of one parallel
        half = min(cos_lat * math.sin(math.radians(abs(d_lon)) / 2.0), 1.0)
        return 2.0 * radius_km * math.asin(half)

    wanted = share * along_km(min(east - west, 359.0))
    power = 10.0 ** math.floor(math.log10(max(wanted, 1e-3)))
    length_km = max(f * power for f in (1.0, 2.0, 5.0) if f * power <= max(wanted, power))
    d_lon = 2.0 * math.degrees(math.asin(min(math.sin(length_km / radius_km / 2.0) / cos_lat, 1.0)))
    label = f"{length_km:g} km" if length_km >= 1.0 else f"{length_km * 1000.0:g} m"
    return {
        "start_lon": start,
        "start_lat": lat,
        "end_lon": start + d_lon,
        "end_lat": lat,
        "length_km": length_km,
        "label": label,
    }
