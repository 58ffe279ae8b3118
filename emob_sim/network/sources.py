"""Raw road graphs from OpenStreetMap: OSMnx downloads (place, bbox, polygon) and local files.

Every function returns an OSMnx-compatible, simplified MultiDiGraph (crs EPSG:4326, node
``x``/``y``, edge ``length`` in m and ``highway``, ``maxspeed`` where OSM has one) that has not
been prepared yet (see :func:`emob_sim.network.prepare.prepare_graph`).
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import warnings
import xml.etree.ElementTree as ET
import xml.sax
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import osmnx as ox
import requests
from shapely.geometry import MultiPolygon, Polygon

from emob_sim._compat import osmnx as ox_compat
from emob_sim.errors import NetworkError
from emob_sim.io.reading import NETWORK_MAX_BYTES, check_input_file, read_layer, shown_path
from emob_sim.network import _graphml, _osm_xml, _overpass

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
    except ox_compat.InsufficientResponseError as e:
        raise NetworkError(f"{what}: the server returned no usable data ({e})") from e
    except ox_compat.ResponseStatusCodeError as e:
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
        except ox_compat.InsufficientResponseError as e:
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
    key = "network.polygon_file"
    gdf = read_layer(path, key=key, error=NetworkError, what="a polygon layer (GeoJSON)")
    if gdf.crs is not None:
        gdf = gdf.to_crs(4326)
    gdf = gdf[gdf.geometry.notna() & gdf.geom_type.isin(["Polygon", "MultiPolygon"])]
    if gdf.empty:
        msg = f"{key}: {shown_path(path)} holds no Polygon or MultiPolygon feature"
        raise NetworkError(msg)
    polygon = gdf.geometry.union_all()
    if not polygon.is_valid:
        polygon = polygon.buffer(0)
    return polygon


def graph_from_file(
    path: Path, *, network_type: str = "drive", crs: str | None = None
) -> nx.MultiDiGraph:
    """Read a road graph from a local file.

    ``.graphml`` is loaded whatever ``network_type``: an undirected graph gets each edge both
    ways (with a warning), missing edge lengths are computed, and a file without a ``crs``
    attribute is read in ``crs`` or, if its coordinates can be lon/lat, in EPSG:4326 (see
    :func:`emob_sim.network._graphml.read_graphml`). ``.osm``, ``.osm.bz2``, ``.osm.gz``
    (OSM XML) is read with OSMnx, keeping the ways OSMnx's filter of ``network_type`` selects,
    cut at the file's edge where they reference nodes the file does not hold (with a warning
    that counts them). ``.osm.pbf`` / ``.pbf`` is read with pyrosm.

    Parameters
    ----------
    path
        The file.
    network_type
        OSMnx network type (``drive``, ``bike``, ``walk``, ...) of OSM files.
    crs
        CRS of the node x/y of a GraphML file without a ``crs`` attribute (``network.crs``).

    Raises
    ------
    InputFileNotFoundError
        If the file does not exist.
    NetworkError
        If its name has another ending, it cannot be read, a GraphML lacks a crs that cannot
        be guessed, or it holds no roads of ``network_type`` (the message names the highway
        types it holds).
    """
    path = Path(path)
    check_input_file(path, key="network.file", max_bytes=NETWORK_MAX_BYTES, error=NetworkError)
    name = path.name.lower()
    if name.endswith(".graphml"):
        G = _graphml.read_graphml(path, crs=crs)
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


def _graph_from_xml(path: Path, network_type: str) -> nx.MultiDiGraph:
    """OSM XML via OSMnx: the ways OSMnx's filter of ``network_type`` selects, cut at the edge."""
    try:
        clauses = _overpass.network_filter(network_type)
    except ValueError as e:
        raise NetworkError(f"network.network_type: {e}") from e
    with tempfile.TemporaryDirectory(prefix="emob-sim-osm-") as tmp:
        selected = Path(tmp) / "selected.osm"
        try:
            kept = _osm_xml.select_ways(path, selected, clauses)
            if kept.n_ways:
                G = ox.graph_from_xml(
                    selected,
                    bidirectional=network_type in ox.settings.bidirectional_network_types,
                    simplify=True,
                    retain_all=False,
                )
        except ox_compat.InsufficientResponseError as e:
            raise NetworkError(f"network.file: {path} holds no OSM nodes or ways") from e
        except (ET.ParseError, xml.sax.SAXException, OSError, EOFError, ValueError, KeyError) as e:
            msg = f"network.file: cannot read {path} as OSM XML ({type(e).__name__}: {e})"
            raise NetworkError(msg) from e
    if not kept.n_ways:
        raise _no_roads(path, network_type, kept.highways)
    if kept.dropped_refs:
        logger.warning(
            "network.file: %s: dropped %d references to nodes not in the file, in %d ways "
            "(ways cut at the file's edge)",
            path,
            kept.dropped_refs,
            kept.cut_ways,
        )
    return G


def _no_roads(path: Path, network_type: str, highways: Counter[str]) -> NetworkError:
    """The error for a file without roads of ``network_type``, naming the highway types."""
    if not highways:
        return NetworkError(
            f"network.file: {path} holds no {network_type} roads (no way with a highway tag)"
        )
    found = ", ".join(f"{hwy} {n}" for hwy, n in highways.most_common())
    msg = (
        f"network.file: {path} holds no {network_type} roads; its ways by highway type: "
        f"{found}; choose a network type that includes them (drive, drive_service, bike, "
        f"walk, all)"
    )
    return NetworkError(msg)


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
        raise _no_roads(path, network_type, _pbf_highways(osm))
    G = osm.to_graph(nodes, edges, graph_type="networkx", network_type=pyrosm_type, progress=False)
    if G is None or G.number_of_edges() == 0:
        raise NetworkError(f"network.file: {path} holds no connected {network_type} roads")
    return _osmnx_compatible(G)


def _pbf_highways(osm) -> Counter[str]:
    """Number of ways of each ``highway`` value in a pyrosm ``OSM`` file."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ways = osm.get_data_by_custom_criteria(
            custom_filter={"highway": True},
            filter_type="keep",
            keep_nodes=False,
            keep_relations=False,
        )
    if ways is None or "highway" not in ways:
        return Counter()
    return Counter(ways["highway"].dropna().astype(str))


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
