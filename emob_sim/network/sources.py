"""Raw road graphs from OpenStreetMap: OSMnx downloads (place, bbox, polygon) and local files.

Every function returns an OSMnx-compatible, simplified MultiDiGraph (crs EPSG:4326, node
``x``/``y``, edge ``length`` in m and ``highway``, ``maxspeed`` where OSM has one) that has not
been prepared yet (see :func:`emob_sim.network.prepare.prepare_graph`).
"""

from __future__ import annotations

import contextlib
import logging
import warnings
import xml.etree.ElementTree as ET
import xml.sax
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import networkx as nx
import osmnx as ox
import pyproj
import requests
from shapely.geometry import MultiPolygon, Polygon

from emob_sim.errors import InputFileNotFoundError, NetworkError
from emob_sim.network import _overpass

__all__ = [
    "graph_from_place",
    "graph_from_bbox",
    "graph_from_polygon_file",
    "graph_from_file",
    "osmnx_download",
    "read_polygon",
    "FILE_SUFFIXES",
]

logger = logging.getLogger(__name__)

FILE_SUFFIXES = (".graphml", ".osm", ".osm.bz2", ".osm.gz", ".osm.pbf", ".pbf")
"""File name endings :func:`graph_from_file` reads."""

# OSMnx network_type -> pyrosm network_type
_PYROSM_NETWORK_TYPES = {
    "drive": "driving",
    "drive_service": "driving+service",
    "bike": "cycling",
    "walk": "walking",
    "all": "all",
    "all_public": "all_public",
}


@contextlib.contextmanager
def osmnx_download(what: str, cache_dir: Path | None) -> Iterator[None]:
    """Use OSMnx's response cache (in ``cache_dir`` if given) and translate its errors.

    The OSMnx settings changed here are restored on exit.
    """
    saved = (ox.settings.use_cache, ox.settings.cache_folder)
    ox.settings.use_cache = True
    if cache_dir is not None:
        ox.settings.cache_folder = str(cache_dir)
    try:
        yield
    except NetworkError:
        raise
    except requests.exceptions.ConnectionError as e:
        raise NetworkError(f"could not download {what} (offline?): {e}") from e
    except requests.exceptions.Timeout as e:
        timeout_s = ox.settings.requests_timeout
        msg = f"could not download {what}: no answer within {timeout_s} s (offline?)"
        raise NetworkError(msg) from e
    except requests.exceptions.RequestException as e:
        raise NetworkError(f"could not download {what}: {e}") from e
    except ox._errors.InsufficientResponseError as e:
        raise NetworkError(f"{what}: the server returned no usable data ({e})") from e
    except ox._errors.ResponseStatusCodeError as e:
        raise NetworkError(f"{what}: the server answered with an error ({e})") from e
    except ValueError as e:
        # e.g. "Found no graph nodes within the requested polygon."
        raise NetworkError(f"{what}: {e}") from e
    finally:
        ox.settings.use_cache, ox.settings.cache_folder = saved


def graph_from_place(
    place: str, *, network_type: str = "drive", cache_dir: Path | None = None
) -> nx.MultiDiGraph:
    """Geocode ``place`` with Nominatim and download its road network with OSMnx.

    Parameters
    ----------
    place
        Place name, e.g. ``"Jelgava, Latvia"``; it must geocode to a (multi)polygon.
    network_type
        OSMnx network type (``drive``, ``bike``, ``walk``, ...).
    cache_dir
        OSMnx response cache folder; None keeps ``ox.settings.cache_folder``.

    Raises
    ------
    NetworkError
        If the place geocodes to nothing or to no polygon, the download fails or is empty.
    """
    what = f"the {network_type} network of place {place!r}"
    with osmnx_download(what, cache_dir):
        try:
            return ox.graph_from_place(place, network_type=network_type)
        except ox._errors.InsufficientResponseError as e:
            if "geocoder" in str(e):
                msg = f"network.place: {place!r} was not found by the geocoder (Nominatim)"
                raise NetworkError(msg) from e
            raise
        except TypeError as e:  # OSMnx: the place geocoded to a point, not a polygon
            msg = f"network.place: {place!r} geocodes to no (multi)polygon ({e})"
            raise NetworkError(msg) from e


def graph_from_bbox(
    bbox: tuple[float, float, float, float],
    *,
    network_type: str = "drive",
    cache_dir: Path | None = None,
) -> nx.MultiDiGraph:
    """Download the road network inside ``bbox`` = (west, south, east, north) with OSMnx.

    Raises
    ------
    NetworkError
        If the download fails or finds no roads.
    """
    what = f"the {network_type} network in bbox {list(bbox)}"
    with osmnx_download(what, cache_dir):
        return ox.graph_from_bbox(tuple(bbox), network_type=network_type)


def graph_from_polygon_file(
    path: Path, *, network_type: str = "drive", cache_dir: Path | None = None
) -> nx.MultiDiGraph:
    """Download the road network inside the (multi)polygon(s) of a GeoJSON file with OSMnx.

    Raises
    ------
    InputFileNotFoundError
        If the file does not exist.
    NetworkError
        If the file holds no polygon, cannot be read, or the download fails.
    """
    polygon = read_polygon(path)
    what = f"the {network_type} network inside the polygon of {path}"
    with osmnx_download(what, cache_dir):
        return ox.graph_from_polygon(polygon, network_type=network_type)


def read_polygon(path: Path) -> Polygon | MultiPolygon:
    """The union of the polygons in a vector file (GeoJSON), in EPSG:4326."""
    path = Path(path)
    if not path.is_file():
        raise InputFileNotFoundError(f"network.polygon_file: {path} does not exist")
    try:
        gdf = gpd.read_file(path)
    except Exception as e:  # pyogrio raises its own DataSourceError and friends
        msg = f"network.polygon_file: cannot read {path} as GeoJSON ({e})"
        raise NetworkError(msg) from e
    if gdf.crs is not None:
        gdf = gdf.to_crs(4326)
    gdf = gdf[gdf.geometry.notna() & gdf.geom_type.isin(["Polygon", "MultiPolygon"])]
    if gdf.empty:
        msg = f"network.polygon_file: {path} holds no Polygon or MultiPolygon feature"
        raise NetworkError(msg)
    polygon = gdf.geometry.union_all()
    if not polygon.is_valid:
        polygon = polygon.buffer(0)
    return polygon


def graph_from_file(path: Path, *, network_type: str = "drive") -> nx.MultiDiGraph:
    """Read a road graph from a local file.

    ``.graphml`` (saved by OSMnx) is loaded as it is, whatever ``network_type``; ``.osm``,
    ``.osm.bz2``, ``.osm.gz`` (OSM XML) is read with OSMnx and filtered with OSMnx's way filter of
    ``network_type``; ``.osm.pbf`` / ``.pbf`` is read with pyrosm.

    Raises
    ------
    InputFileNotFoundError
        If the file does not exist.
    NetworkError
        If its name has another ending, it cannot be read, or it holds no roads.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileNotFoundError(f"network.file: {path} does not exist")
    name = path.name.lower()
    if name.endswith(".graphml"):
        G = _graph_from_graphml(path)
    elif name.endswith((".osm", ".osm.bz2", ".osm.gz")):
        G = _graph_from_xml(path, network_type)
    elif name.endswith(".pbf"):
        G = _graph_from_pbf(path, network_type)
    else:
        msg = f"network.file: {path} must end in one of {', '.join(FILE_SUFFIXES)}"
        raise NetworkError(msg)
    if G.number_of_edges() == 0:
        raise NetworkError(f"network.file: {path} holds no {network_type} roads")
    return G


def _graph_from_graphml(path: Path) -> nx.MultiDiGraph:
    try:
        G = ox.load_graphml(path)
    except Exception as e:  # xml ParseError, networkx errors, OSMnx type conversions
        msg = f"network.file: cannot read {path} as an OSMnx GraphML graph ({e})"
        raise NetworkError(msg) from e
    if not isinstance(G, nx.MultiDiGraph) or "crs" not in G.graph:
        msg = f"network.file: {path} is not an OSMnx graph (expected a MultiDiGraph with crs)"
        raise NetworkError(msg)
    if pyproj.CRS.from_user_input(G.graph["crs"]) != pyproj.CRS.from_epsg(4326):
        G = ox.projection.project_graph(G, to_latlong=True)
    return G


def _graph_from_xml(path: Path, network_type: str) -> nx.MultiDiGraph:
    """OSM XML via OSMnx, keeping the ways OSMnx's filter of ``network_type`` selects."""
    try:
        clauses = _overpass.network_filter(network_type)
    except ValueError as e:
        raise NetworkError(f"network.network_type: {e}") from e
    keys = _overpass.filter_keys(clauses)
    useful = list(ox.settings.useful_tags_way)
    extra = [k for k in keys if k not in useful]
    ox.settings.useful_tags_way = useful + extra
    try:
        G = ox.graph_from_xml(
            path,
            bidirectional=network_type in ox.settings.bidirectional_network_types,
            simplify=False,
            retain_all=True,
        )
    except ox._errors.InsufficientResponseError as e:
        raise NetworkError(f"network.file: {path} holds no OSM nodes or ways") from e
    except (ET.ParseError, xml.sax.SAXException, OSError, EOFError, ValueError, KeyError) as e:
        msg = f"network.file: cannot read {path} as OSM XML ({type(e).__name__}: {e})"
        raise NetworkError(msg) from e
    finally:
        ox.settings.useful_tags_way = useful

    drop = [
        (u, v, k)
        for u, v, k, data in G.edges(keys=True, data=True)
        if not _overpass.way_matches(data, clauses)
    ]
    G.remove_edges_from(drop)
    G.remove_nodes_from(list(nx.isolates(G)))
    if G.number_of_edges() == 0:
        raise NetworkError(f"network.file: {path} holds no {network_type} roads")
    for _, _, data in G.edges(data=True):
        for key in extra:
            data.pop(key, None)
    G = ox.truncate.largest_component(G, strongly=False)
    return ox.simplify_graph(G)


def _graph_from_pbf(path: Path, network_type: str) -> nx.MultiDiGraph:
    """OSM PBF via pyrosm, made OSMnx-compatible."""
    import pyrosm

    if network_type not in _PYROSM_NETWORK_TYPES:
        expected = sorted(_PYROSM_NETWORK_TYPES)
        msg = f"network.network_type: must be one of {expected}, got {network_type!r}"
        raise NetworkError(msg)
    pyrosm_type = _PYROSM_NETWORK_TYPES[network_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # pyrosm warns on an empty result
            osm = pyrosm.OSM(str(path), progress=False)
            nodes, edges = osm.get_network(network_type=pyrosm_type, nodes=True)
    except Exception as e:  # pyrosm raises protobuf, zlib, OSError and ValueError errors
        msg = f"network.file: cannot read {path} as an OSM PBF extract ({type(e).__name__}: {e})"
        raise NetworkError(msg) from e
    if edges is None or len(edges) == 0:
        raise NetworkError(f"network.file: {path} holds no {network_type} roads")
    G = osm.to_graph(nodes, edges, graph_type="networkx", network_type=pyrosm_type, progress=False)
    if G is None or G.number_of_edges() == 0:
        raise NetworkError(f"network.file: {path} holds no connected {network_type} roads")
    return _osmnx_compatible(G)


def _osmnx_compatible(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Tidy a pyrosm graph into what OSMnx itself returns.

    Node geometries and edge ``u``/``v`` copies are dropped (OSMnx derives them), the crs
    is set, and the graph is simplified with OSMnx if pyrosm did not simplify it.
    """
    G.graph.setdefault("crs", "EPSG:4326")
    for _, data in G.nodes(data=True):
        data.pop("geometry", None)
    for _, _, data in G.edges(data=True):
        data.pop("u", None)
        data.pop("v", None)
    if not G.graph.get("simplified", False):
        G = ox.simplify_graph(G)
    return G
