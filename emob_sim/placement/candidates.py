"""Candidate sites for new chargers.

:func:`candidate_sites` collects, from the region and the scenario's ``placement`` section:

1. **existing** chargers (``region.sites``), fixed unless ``candidates.keep_existing`` is false;
2. **zone centres**: one candidate per kind of ``zone_centre_kinds`` at the centre of every
   resident zone (kind ``zone``);
3. **corridors**: points every ``corridor_spacing_km`` along roads of ``corridor_highways``.
   Points are put on every such edge every quarter spacing (and at its ends), snapped to the
   nearest network node within ``charging.max_snap_distance_m``, and thinned so that kept
   nodes are at least ``corridor_spacing_km`` apart (straight line; nodes in ascending index
   order). On OSM networks the points land within metres of the road position. The strategic
   network has nodes only at towns and waypoints, 5-30 km apart: there the corridor
   candidates are those towns and waypoints on the trunk roads, and points in the middle of
   long links (farther than the snapping limit from a node) are dropped;
4. **OSM amenities** (``osm_amenities``, e.g. fuel stations and parking) for OSM sources;
5. **extra** places named in the scenario (rail stations, industrial areas, ...).

New candidates outside the convex hull of the resident zone centres buffered by
``area_buffer_km`` are left out (the strategic network reaches Rīga and the neighbouring
regions); a new candidate on the same node as an existing site of its kind, or as an earlier
candidate of its kind, is merged into that one. Every candidate has the plugs and power of
``placement.designs[kind]`` and the CAPEX of building it (:mod:`emob_sim.placement.costs`).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyproj
import shapely
from numpy.typing import NDArray

from emob_sim.config.models import Scenario
from emob_sim.demand.tables import Demand
from emob_sim.errors import ConfigError
from emob_sim.network.routing import nearest_nodes
from emob_sim.placement._osm import amenity_points
from emob_sim.placement.costs import new_site_capex_eur
from emob_sim.region import Region, site_matrices
from emob_sim.region.boundaries import municipality_at
from emob_sim.region.sites import SITE_FILE_COLUMNS

__all__ = [
    "CANDIDATE_COLUMNS",
    "Candidates",
    "candidate_sites",
    "build_candidates",
    "trip_end_weights",
    "nearest_resident_zone",
    "existing_sites",
    "slug",
]

logger = logging.getLogger(__name__)

#: columns of a candidate table: the site fields, where it comes from, whether it must stay,
#: the CAPEX of building it (0 for existing sites)
CANDIDATE_COLUMNS = [*SITE_FILE_COLUMNS, "origin", "fixed", "capex_eur"]


def slug(text: str) -> str:
    """ASCII lower-case id part: ``"Jēkabpils novads"`` -> ``"jekabpils-novads"``.

    Parameters
    ----------
    text : str
        A name (any script; accents are dropped).

    Returns
    -------
    str
        Lower-case ASCII letters and digits joined by ``-`` (``"x"`` when nothing is left).
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def _local_crs(lon: float, lat: float) -> pyproj.Transformer:
    aeqd = pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +units=m")
    return pyproj.Transformer.from_crs("EPSG:4326", aeqd, always_xy=True)


def _area_mask(region: Region, lon: NDArray, lat: NDArray, buffer_km: float) -> NDArray[np.bool_]:
    """Points inside the resident zones' convex hull buffered by ``buffer_km``."""
    zones = region.zones[region.zones["kind"] == "zone"]
    if not len(zones) or not len(lon):
        return np.ones(len(lon), dtype=bool)
    tr = _local_crs(float(zones["lon"].mean()), float(zones["lat"].mean()))
    zx, zy = tr.transform(zones["lon"].to_numpy(float), zones["lat"].to_numpy(float))
    area = shapely.MultiPoint(np.column_stack([zx, zy])).convex_hull.buffer(buffer_km * 1000.0)
    px, py = tr.transform(np.asarray(lon, float), np.asarray(lat, float))
    return shapely.contains_xy(area, px, py) | shapely.intersects_xy(area.boundary, px, py)


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=[*SITE_FILE_COLUMNS, "origin"])
    return df.astype({"lon": float, "lat": float, "plugs": "int64", "power_kw": float})


def _design_rows(scenario: Scenario, places: pd.DataFrame, kinds: list[str], origin: str):
    """One candidate per place (columns key, name, lon, lat, source) and kind."""
    rows = []
    designs = scenario.placement.designs
    for kind in kinds:
        d = designs.get(kind)
        if d is None:
            raise ConfigError(f"placement.designs: no design for site kind {kind!r}")
        for p in places.itertuples(index=False):
            rows.append(
                {
                    "site_id": f"{origin}-{kind}-{slug(p.key)}",
                    "name": p.name,
                    "kind": kind,
                    "lon": p.lon,
                    "lat": p.lat,
                    "plugs": d.plugs,
                    "power_kw": d.power_kw,
                    "source": p.source,
                    "origin": origin,
                }
            )
    return rows


def _zone_centres(scenario: Scenario, region: Region) -> list[dict]:
    z = region.zones[region.zones["kind"] == "zone"]
    places = pd.DataFrame(
        {
            "key": z["zone_id"],
            "name": z["name"],
            "lon": z["lon"],
            "lat": z["lat"],
            "source": "centre of zone " + z["zone_id"].astype(str),
        }
    )
    return _design_rows(scenario, places, scenario.placement.candidates.zone_centre_kinds, "zc")


def _edge_points(G, u, v, data, step_km: float) -> list[tuple[float, float]]:
    """Points every ``step_km`` along an edge (its geometry or the straight line), ends included."""
    geom = data.get("geometry")
    if geom is None:
        geom = shapely.LineString(
            [(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])]
        )
    n = max(int(np.ceil(float(data.get("length", 0.0)) / 1000.0 / step_km)), 1)
    pts = shapely.line_interpolate_point(geom, np.linspace(0.0, 1.0, n + 1), normalized=True)
    return [(p.x, p.y) for p in pts]


def _corridors(scenario: Scenario, region: Region) -> list[dict]:
    cfg = scenario.placement.candidates
    if not cfg.corridor_kinds or not cfg.corridor_highways:
        return []
    net = region.network
    G = net.graph
    wanted = set(cfg.corridor_highways)
    step_km = cfg.corridor_spacing_km / 4.0
    pts: list[tuple[float, float]] = []
    for u, v, data in G.edges(data=True):
        hwy = data.get("highway")
        hwys = set(hwy) if isinstance(hwy, list) else {hwy}
        if hwys & wanted:  # both directions of a two-way road: the same points
            pts += _edge_points(G, u, v, data, step_km)
    if not pts:
        return []
    lon, lat = np.array(pts).T
    node, dist_m = nearest_nodes(net, lon, lat)
    node = np.unique(node[dist_m <= scenario.charging.max_snap_distance_m])
    node = node[_area_mask(region, net.lon[node], net.lat[node], cfg.area_buffer_km)]
    if not node.size:
        return []
    # thin: keep nodes at least the spacing apart, in ascending node index order
    tr = _local_crs(float(net.lon[node].mean()), float(net.lat[node].mean()))
    x, y = tr.transform(net.lon[node], net.lat[node])
    kept: list[int] = []
    min_m = cfg.corridor_spacing_km * 1000.0
    for i in range(node.size):
        if all(np.hypot(x[i] - x[k], y[i] - y[k]) >= min_m for k in kept):
            kept.append(i)
    chosen = node[kept]
    names = [str(G.nodes[net.node_ids[k]].get("name") or f"node {net.node_ids[k]}") for k in chosen]
    places = pd.DataFrame(
        {
            "key": names,
            "name": names,
            "lon": net.lon[chosen],
            "lat": net.lat[chosen],
            "source": f"corridor ({'/'.join(sorted(wanted))}) node every "
            f"{cfg.corridor_spacing_km:g} km",
        }
    )
    return _design_rows(scenario, places, cfg.corridor_kinds, "cor")


def _osm(scenario: Scenario) -> list[dict]:
    amenities = {k: v for k, v in scenario.placement.candidates.osm_amenities.items() if v}
    pois = amenity_points(scenario.network, sorted(amenities))
    rows = []
    for amenity, kinds in sorted(amenities.items()):
        p = pois[pois["amenity"] == amenity]
        places = pd.DataFrame(
            {
                "key": p["osm_id"],
                "name": np.where(p["name"] != "", p["name"], amenity + " " + p["osm_id"]),
                "lon": p["lon"],
                "lat": p["lat"],
                "source": "OpenStreetMap amenity="
                + amenity
                + " "
                + p["osm_id"]
                + ", © OpenStreetMap contributors, ODbL 1.0",
            }
        )
        rows += _design_rows(scenario, places, kinds, f"osm-{amenity}")
    return rows


def _extra(scenario: Scenario) -> list[dict]:
    rows = []
    for c in scenario.placement.candidates.extra:
        places = pd.DataFrame(
            [
                {
                    "key": c.name,
                    "name": c.name,
                    "lon": c.lon,
                    "lat": c.lat,
                    "source": f"scenario: placement.candidates.extra ({c.category})",
                }
            ]
        )
        rows += _design_rows(scenario, places, list(c.kinds), slug(c.category))
    return rows


def candidate_sites(scenario: Scenario, region: Region) -> pd.DataFrame:
    """All candidate sites of a scenario: existing sites first, then new ones.

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario (``placement.candidates`` settings).
    region : Region
        The scenario's region, built (its existing sites, zones and network).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CANDIDATE_COLUMNS`; ``origin`` is ``existing``, ``zc`` (zone centre),
        ``cor`` (corridor), ``osm-<amenity>`` or the category of an extra place.
    """
    cfg = scenario.placement.candidates
    external = set(scenario.placement.external_site_ids)
    existing = existing_sites(region)
    existing["origin"] = "existing"
    existing["fixed"] = cfg.keep_existing | existing["site_id"].isin(external)
    existing["capex_eur"] = 0.0

    new = _frame(
        _zone_centres(scenario, region)
        + _corridors(scenario, region)
        + _osm(scenario)
        + _extra(scenario)
    )
    if len(new):
        inside = _area_mask(
            region, new["lon"].to_numpy(), new["lat"].to_numpy(), cfg.area_buffer_km
        )
        node, dist_m = nearest_nodes(region.network, new["lon"], new["lat"])
        near = dist_m <= scenario.charging.max_snap_distance_m
        logger.info(
            "candidates: %d outside the area, %d off the network dropped",
            int((~inside).sum()),
            int((inside & ~near).sum()),
        )
        new = new[inside & near].assign(_node=node[inside & near])
        seen = set(zip(existing_nodes(region), existing["kind"]))
        keep = []
        for n, k in zip(new["_node"], new["kind"]):
            keep.append((n, k) not in seen)
            seen.add((n, k))
        new = new[np.array(keep, dtype=bool)].drop(columns="_node")
        new = new.drop_duplicates("site_id")
        new["fixed"] = False
        new["capex_eur"] = np.round(
            new_site_capex_eur(new["plugs"], new["power_kw"], scenario.costs), 2
        )
    table = pd.concat([existing, new], ignore_index=True) if len(new) else existing
    table["fixed"] = table["fixed"].astype(bool)
    return table[CANDIDATE_COLUMNS].reset_index(drop=True)


def existing_sites(region: Region) -> pd.DataFrame:
    """The region's car sites then its e-bike sites, with the SiteSpec columns.

    Parameters
    ----------
    region : Region
        A built region.

    Returns
    -------
    pandas.DataFrame
        One row per site, columns :data:`~emob_sim.region.sites.SITE_FILE_COLUMNS`.
    """
    parts = [region.sites[SITE_FILE_COLUMNS]]
    if region.bike is not None and region.bike.n_sites:
        parts.append(region.bike.sites[SITE_FILE_COLUMNS])
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].copy()


def existing_nodes(region: Region) -> NDArray[np.int64]:
    """Drive-network node of each row of :func:`existing_sites`."""
    car = region.sites["node"].to_numpy(np.int64)
    if region.bike is None or not region.bike.n_sites:
        return car
    bike = region.bike.sites
    lon, lat = bike["lon"].to_numpy(float), bike["lat"].to_numpy(float)
    node, _ = nearest_nodes(region.network, lon, lat)
    return np.concatenate([car, node])


def nearest_resident_zone(region: Region) -> NDArray[np.int64]:
    """Index of the resident zone (kind ``zone``) each site is reached from fastest (-1: none).

    Parameters
    ----------
    region : Region
        A region with its sites and travel-time matrix.

    Returns
    -------
    numpy.ndarray
        Per site: the row of ``region.zones``, ``int64``.
    """
    resident = np.flatnonzero(region.zones["kind"].to_numpy() == "zone")
    if not resident.size:
        return np.full(region.n_sites, -1, dtype=np.int64)
    t = region.time_s[np.ix_(resident, region.n_zones + np.arange(region.n_sites))]
    return resident[np.argmin(t, axis=0)] if region.n_sites else np.zeros(0, dtype=np.int64)


def trip_end_weights(region: Region, demand: Demand) -> NDArray[np.float64]:
    """Trip origins plus destinations per zone; zero for zones that are not resident zones.

    Parameters
    ----------
    region : Region
        The region (its zones and their kinds).
    demand : Demand
        The car trips (``origin`` and ``dest`` as point indices).

    Returns
    -------
    numpy.ndarray
        Per zone: the number of trip ends, as ``float64``.
    """
    n = region.n_zones
    ends = (
        np.bincount(demand.trips["origin"].to_numpy(np.int64), minlength=n)[:n]
        + np.bincount(demand.trips["dest"].to_numpy(np.int64), minlength=n)[:n]
    )
    return np.where(region.zones["kind"].to_numpy() == "zone", ends, 0).astype(np.float64)


@dataclass(frozen=True, eq=False)
class Candidates:
    """Candidates as the sites of a region (site ``j`` of ``region`` is row ``j`` of ``table``).

    ``table`` has :data:`CANDIDATE_COLUMNS` plus ``node``, ``zone`` (index of the nearest
    resident zone) and ``municipality`` (by territory with ``zones.boundaries_file``, else
    that zone's). All kinds, e-bike points too, are points of the drive
    network here (``region`` is for scoring, not for simulation).
    """

    table: pd.DataFrame
    region: Region

    def points(self, mask: NDArray[np.bool_] | None = None) -> NDArray[np.int64]:
        """Point indices (matrix rows/columns) of the candidates (of ``mask``).

        Parameters
        ----------
        mask : numpy.ndarray or None
            Per candidate (row of ``table``): whether it is wanted (None: every candidate).

        Returns
        -------
        numpy.ndarray
            The candidates' rows and columns of the region's travel matrices, ``int64``.
        """
        idx = np.arange(len(self.table)) if mask is None else np.flatnonzero(mask)
        return self.region.n_zones + idx


def build_candidates(scenario: Scenario, region: Region) -> Candidates:
    """The candidate sites of a scenario with their travel times (see :func:`candidate_sites`).

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario (``placement.candidates`` settings).
    region : Region
        The scenario's region, built.

    Returns
    -------
    Candidates
        The candidate table (with ``node``, ``zone`` and ``municipality``) and a copy of the
        region whose sites are the candidates, with their travel matrices.

    Raises
    ------
    NetworkError
        A candidate is unreachable.
    """
    table = candidate_sites(scenario, region)
    sites, time_s, dist_km = site_matrices(
        region, table[SITE_FILE_COLUMNS], max_snap_distance_m=scenario.charging.max_snap_distance_m
    )
    cand_region = dataclasses.replace(region, sites=sites, time_s=time_s, dist_km=dist_km)
    zone = nearest_resident_zone(cand_region)
    if region.boundaries is not None:  # by territory (zones.boundaries_file)
        municipality = municipality_at(
            region.boundaries,
            table["lon"].to_numpy(dtype=float),
            table["lat"].to_numpy(dtype=float),
            tolerance_km=scenario.zones.boundaries_tolerance_km,
        )
    else:
        municipality = np.where(
            zone >= 0, region.zones["municipality"].to_numpy(dtype=object)[zone], ""
        )
    table = table.assign(
        node=cand_region.sites["node"].to_numpy(), zone=zone, municipality=municipality
    )
    logger.info("%d candidates (%s)", len(table), table["origin"].value_counts().to_dict())
    return Candidates(table=table, region=cand_region)
