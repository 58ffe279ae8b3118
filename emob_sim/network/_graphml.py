"""GraphML road graphs: OSMnx-saved or not, directed or not, in any CRS.

:func:`read_graphml` turns what other tools save into what :mod:`emob_sim.network.sources`
returns: a MultiDiGraph in EPSG:4326 whose edges all have a ``length`` in m. An undirected
graph (``ox.convert.to_undirected``, a networkx ``MultiGraph``) gets each edge in both
directions; a graph without ``crs`` is taken as lon/lat if its coordinates can be, otherwise it
needs ``network.crs``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox
import pyproj
import shapely.wkt
from shapely.geometry import LineString

from emob_sim.errors import NetworkError
from emob_sim.network.prepare import add_missing_lengths

__all__ = ["read_graphml", "to_directed"]

logger = logging.getLogger(__name__)

LONLAT = pyproj.CRS.from_epsg(4326)


def read_graphml(path: Path, *, crs: str | None = None) -> nx.MultiDiGraph:
    """Read a GraphML road graph into a MultiDiGraph in EPSG:4326 with edge lengths.

    Parameters
    ----------
    path
        GraphML file: nodes with ``x``/``y``, edges (``highway``, ``maxspeed``, ``length``,
        ``speed_kph``, ``geometry`` where known), graph attribute ``crs`` where known.
    crs
        CRS of the node coordinates if the file has no ``crs`` attribute (``network.crs``).

    Returns
    -------
    networkx.MultiDiGraph
        Undirected graphs with each edge both ways (a warning is logged); reprojected to
        EPSG:4326; edges without ``length`` get their great-circle length.

    Raises
    ------
    NetworkError
        If the file cannot be read, a node lacks x/y, the file has no crs and its coordinates
        are not lon/lat while ``crs`` is not given, or the file's crs differs from ``crs``.
    """
    try:
        G = ox.load_graphml(path)
    except Exception as e:  # xml ParseError, networkx errors, OSMnx type conversions
        try:  # saved by another tool (networkx keeps the attribute types it wrote)
            G = _read_plain_graphml(path)
        except Exception:  # noqa: BLE001 - the OSMnx reader's error says more
            msg = f"network.file: cannot read {path} as a GraphML graph ({type(e).__name__}: {e})"
            raise NetworkError(msg) from e
    if not G.is_directed():
        n_edges = G.number_of_edges()
        n_oneway = sum(1 for _, _, oneway in G.edges(data="oneway") if oneway is True)
        G = to_directed(G)
        logger.warning(
            "network.file: %s is an undirected graph; each of its %d edges is used in both "
            "directions (%d of them marked oneway are two-way now)",
            path,
            n_edges,
            n_oneway,
        )
    G.graph["crs"] = _crs_of(G, path, crs)
    if pyproj.CRS.from_user_input(G.graph["crs"]) != LONLAT:
        G = ox.projection.project_graph(G, to_latlong=True)
    add_missing_lengths(G)
    return G


#: edge attributes read as numbers (the others are kept as saved)
_NUMERIC_EDGE = ("length", "speed_kph", "travel_time")


def _read_plain_graphml(path: Path) -> nx.MultiGraph | nx.MultiDiGraph:
    """A GraphML that OSMnx's reader refuses (e.g. written by ``nx.write_graphml``, with typed
    attributes): read with networkx, node ids as integers (their own where they are whole
    numbers, else 0..n-1 with the id kept as ``osmid``), ``x``/``y`` and the edges' lengths,
    speeds and times as floats, WKT ``geometry`` as lines."""
    G = nx.read_graphml(path, force_multigraph=True)
    ids = list(G.nodes)
    if all(str(n).lstrip("-").isdigit() for n in ids):
        mapping = {n: int(n) for n in ids}
    else:
        mapping = {n: i for i, n in enumerate(ids)}
        nx.set_node_attributes(G, {n: str(n) for n in ids}, "osmid")
    G = nx.relabel_nodes(G, mapping)
    for _, data in G.nodes(data=True):
        data["x"], data["y"] = float(data["x"]), float(data["y"])
    for _, _, data in G.edges(data=True):
        for key in _NUMERIC_EDGE:
            if key in data:
                data[key] = float(data[key])
        if isinstance(data.get("geometry"), str):
            data["geometry"] = shapely.wkt.loads(data["geometry"])
    return G


def to_directed(G: nx.MultiGraph) -> nx.MultiDiGraph:
    """Each edge of an undirected graph both ways, with its attributes.

    An edge ``geometry`` is turned to start at the edge's first node (OSMnx's convention); the
    ``from``/``to`` helper attributes of :func:`osmnx.convert.to_undirected` are dropped.
    Self-loops are kept once.
    """
    D = nx.MultiDiGraph(**G.graph)
    D.add_nodes_from(G.nodes(data=True))
    for u, v, data in G.edges(data=True):
        attrs = {k: val for k, val in data.items() if k not in ("from", "to")}
        for a, b in [(u, v)] if u == v else [(u, v), (v, u)]:
            edge = dict(attrs)
            geometry = edge.get("geometry")
            if isinstance(geometry, LineString) and _runs_backwards(geometry, D.nodes[a]):
                edge["geometry"] = LineString(geometry.coords[::-1])
            D.add_edge(a, b, **edge)
    return D


def _runs_backwards(line: LineString, start: dict) -> bool:
    """Whether ``line`` ends nearer than it starts to the node with attributes ``start``."""
    try:
        x, y = float(start["x"]), float(start["y"])
    except (KeyError, TypeError, ValueError):
        return False
    (x0, y0), (x1, y1) = line.coords[0][:2], line.coords[-1][:2]
    return (x1 - x) ** 2 + (y1 - y) ** 2 < (x0 - x) ** 2 + (y0 - y) ** 2


def _crs_of(G: nx.MultiDiGraph, path: Path, crs: str | None) -> str:
    """The CRS of the graph's x/y: its own ``crs``, else ``crs``, else EPSG:4326 if plausible.

    Raises
    ------
    NetworkError
        If a node lacks x/y, the crs is unknown or contradicts ``crs``, or none can be found.
    """
    own = G.graph.get("crs")
    if own is not None:
        try:
            own_crs = pyproj.CRS.from_user_input(own)
        except pyproj.exceptions.CRSError as e:
            msg = f"network.file: {path} has crs {own!r}, which pyproj does not know ({e})"
            raise NetworkError(msg) from e
        if crs is not None and pyproj.CRS.from_user_input(crs) != own_crs:
            msg = (
                f"network.crs: {crs!r} contradicts the crs {own!r} of {path}; "
                f"set network.crs only for a file without a crs attribute"
            )
            raise NetworkError(msg)
        return str(own)
    if crs is not None:
        return crs
    x, y = _node_xy(G, path)
    if len(x) == 0:
        return "EPSG:4326"  # no nodes: the caller reports an empty graph
    if np.all(np.abs(x) <= 180) and np.all(np.abs(y) <= 90):
        logger.warning(
            "network.file: %s has no crs attribute; its node x/y look like longitude/latitude "
            "and are read as EPSG:4326 (set network.crs if they are not)",
            path,
        )
        return "EPSG:4326"
    msg = (
        f"network.file: {path} has no 'crs' graph attribute and its node coordinates "
        f"(x {x.min():.6g} to {x.max():.6g}, y {y.min():.6g} to {y.max():.6g}) are not "
        f"longitude/latitude; set network.crs to the CRS of its x/y, e.g. 'EPSG:3067'"
    )
    raise NetworkError(msg)


def _node_xy(G: nx.MultiDiGraph, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Node x and y as float arrays.

    Raises
    ------
    NetworkError
        If a node has no finite ``x`` and ``y``.
    """
    xy = np.empty((len(G), 2))
    for i, (node, data) in enumerate(G.nodes(data=True)):
        try:
            xy[i] = float(data["x"]), float(data["y"])
        except (KeyError, TypeError, ValueError):
            xy[i] = np.nan
        if not np.all(np.isfinite(xy[i])):
            msg = (
                f"network.file: node {node} of {path} has no coordinates "
                f"(x={data.get('x')!r}, y={data.get('y')!r}); expected node attributes x and y"
            )
            raise NetworkError(msg)
    return xy[:, 0], xy[:, 1]
