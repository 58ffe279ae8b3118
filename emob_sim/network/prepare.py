"""Graph preparation: largest strongly connected component, edge speeds and travel times."""

from __future__ import annotations

import logging
import math

import networkx as nx
import numpy as np
import osmnx as ox

from emob_sim.errors import NetworkError

__all__ = ["prepare_graph", "add_missing_lengths"]

logger = logging.getLogger(__name__)

MIN_NODES = 2


def prepare_graph(
    G: nx.MultiDiGraph,
    *,
    hwy_speeds_kph: dict[str, float],
    fallback_speed_kph: float,
    source: str = "road network",
) -> nx.MultiDiGraph:
    """Restrict a raw road graph to its largest strongly connected component and add speeds.

    Speeds come from OSMnx (:func:`osmnx.routing.add_edge_speeds`): an edge's ``maxspeed``
    where OSM has one, otherwise ``hwy_speeds_kph`` of its highway class, otherwise the mean
    maxspeed of its class, otherwise ``fallback_speed_kph``; an edge that already has a
    usable ``speed_kph`` (e.g. from a GraphML file) keeps it. Travel times come from
    :func:`osmnx.routing.add_edge_travel_times` (length / speed, for every edge). Edges without
    a ``length`` get one (see :func:`add_missing_lengths`).

    Parameters
    ----------
    G
        Raw OSMnx-style graph (crs, node ``x``/``y``, edge ``length`` in m and ``highway``).
        It is not modified.
    hwy_speeds_kph
        Speed by highway class for edges without ``maxspeed`` (may be empty).
    fallback_speed_kph
        Speed for classes with neither a ``hwy_speeds_kph`` entry nor any ``maxspeed``.
    source
        Where the graph came from, for error messages.

    Returns
    -------
    networkx.MultiDiGraph
        A new graph, strongly connected; every edge has ``length`` (m), ``speed_kph`` and
        ``travel_time`` (s).

    Raises
    ------
    NetworkError
        If the graph has no edges, its largest strongly connected component has fewer than
        two nodes, or a node lacks coordinates.
    """
    if G.number_of_edges() == 0:
        msg = f"{source}: the road graph has no edges (nodes: {G.number_of_nodes()})"
        raise NetworkError(msg)
    if not (math.isfinite(fallback_speed_kph) and fallback_speed_kph > 0):
        msg = f"fallback_speed_kph: must be a positive number, got {fallback_speed_kph}"
        raise NetworkError(msg)

    n_before = G.number_of_nodes()
    H = ox.truncate.largest_component(G, strongly=True)
    if H is G:
        H = G.copy()
    n_after = H.number_of_nodes()
    if n_after < MIN_NODES or H.number_of_edges() == 0:
        msg = (
            f"{source}: the largest strongly connected component has {n_after} node(s) of "
            f"{n_before}; expected a routable network (one-way roads only, or a tiny area?)"
        )
        raise NetworkError(msg)
    logger.info(
        "%s: kept %d of %d nodes in the largest strongly connected component (dropped %d)",
        source,
        n_after,
        n_before,
        n_before - n_after,
    )

    _check_coordinates(H, source)
    add_missing_lengths(H)
    _add_speeds(H, hwy_speeds_kph=hwy_speeds_kph, fallback_speed_kph=fallback_speed_kph)
    return ox.routing.add_edge_travel_times(H)


def _check_coordinates(G: nx.MultiDiGraph, source: str) -> None:
    """Raise NetworkError if the graph has no crs or a node lacks finite x/y."""
    if "crs" not in G.graph:
        msg = f"{source}: the graph has no 'crs' attribute; expected an OSMnx graph"
        raise NetworkError(msg)
    for node, data in G.nodes(data=True):
        x, y = data.get("x"), data.get("y")
        try:
            ok = math.isfinite(float(x)) and math.isfinite(float(y))
        except (TypeError, ValueError):
            ok = False
        if not ok:
            msg = f"{source}: node {node} has no coordinates (x={x!r}, y={y!r})"
            raise NetworkError(msg)


def add_missing_lengths(G: nx.MultiDiGraph) -> int:
    """Give edges without a (finite) ``length`` their great-circle length in m, in place.

    The length runs along the edge's ``geometry`` where it has one, otherwise between its end
    nodes; the graph must be in EPSG:4326 (node ``x`` = longitude, ``y`` = latitude).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The road graph (OSMnx), changed in place.

    Returns
    -------
    int
        The number of edges that got a length.
    """
    n = 0
    for u, v, data in G.edges(data=True):
        if _usable(data.get("length"), positive=False):
            continue
        geometry = data.get("geometry")
        if geometry is not None:
            lon, lat = np.asarray(geometry.coords, dtype=float).T[:2]
        else:
            lon = np.array([G.nodes[u]["x"], G.nodes[v]["x"]], dtype=float)
            lat = np.array([G.nodes[u]["y"], G.nodes[v]["y"]], dtype=float)
        steps = ox.distance.great_circle(lat[:-1], lon[:-1], lat[1:], lon[1:])
        data["length"] = float(np.sum(steps))
        n += 1
    if n:
        logger.info("computed the great-circle length of %d edges without a length", n)
    return n


def _usable(value: object, *, positive: bool) -> bool:
    """Whether ``value`` is a finite number (and > 0 if ``positive``)."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return math.isfinite(x) and (x > 0 or not positive)


def _add_speeds(
    G: nx.MultiDiGraph, *, hwy_speeds_kph: dict[str, float], fallback_speed_kph: float
) -> None:
    """OSMnx speed imputation, then the fallback for edges it left without a usable speed.

    Edges that came with a usable ``speed_kph`` keep it.
    """
    given = {
        (u, v, k): float(speed)
        for u, v, k, speed in G.edges(keys=True, data="speed_kph")
        if _usable(speed, positive=True)
    }
    if any(hwy is not None for _, _, hwy in G.edges(data="highway")):
        ox.routing.add_edge_speeds(
            G, hwy_speeds=dict(hwy_speeds_kph) or None, fallback=fallback_speed_kph
        )
    if given:
        logger.info("%d of %d edges keep the speed_kph they came with", len(given), len(G.edges))
        nx.set_edge_attributes(G, given, "speed_kph")
    bad = [
        (u, v, k)
        for u, v, k, speed in G.edges(keys=True, data="speed_kph")
        if not _usable(speed, positive=True)
    ]
    if bad:
        logger.info("%d edges without a usable speed get %.0f km/h", len(bad), fallback_speed_kph)
        nx.set_edge_attributes(G, dict.fromkeys(bad, float(fallback_speed_kph)), "speed_kph")
