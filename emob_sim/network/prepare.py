"""Graph preparation: largest strongly connected component, edge speeds and travel times."""

from __future__ import annotations

import logging
import math

import networkx as nx
import osmnx as ox

from emob_sim.errors import NetworkError

__all__ = ["prepare_graph"]

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
    maxspeed of its class, otherwise ``fallback_speed_kph``. Travel times come from
    :func:`osmnx.routing.add_edge_travel_times`. Edges without a ``length`` get the
    great-circle length between their end nodes.

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
    _add_missing_lengths(H)
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


def _add_missing_lengths(G: nx.MultiDiGraph) -> None:
    """Give edges without a (finite) ``length`` the great-circle length of their ends."""
    missing = [
        (u, v, k)
        for u, v, k, length in G.edges(keys=True, data="length")
        if length is None or not math.isfinite(float(length))
    ]
    if missing:
        logger.info("computing great-circle lengths of %d edges without a length", len(missing))
        ox.distance.add_edge_lengths(G, edges=missing)


def _add_speeds(
    G: nx.MultiDiGraph, *, hwy_speeds_kph: dict[str, float], fallback_speed_kph: float
) -> None:
    """OSMnx speed imputation, then the fallback for edges it left without a usable speed."""
    has_class = any(hwy is not None for _, _, hwy in G.edges(data="highway"))
    if has_class:
        ox.routing.add_edge_speeds(
            G, hwy_speeds=dict(hwy_speeds_kph) or None, fallback=fallback_speed_kph
        )
    bad = [
        (u, v, k)
        for u, v, k, speed in G.edges(keys=True, data="speed_kph")
        if not has_class or speed is None or not (math.isfinite(float(speed)) and speed > 0)
    ]
    if bad:
        logger.info("%d edges without a usable speed get %.0f km/h", len(bad), fallback_speed_kph)
        nx.set_edge_attributes(G, dict.fromkeys(bad, float(fallback_speed_kph)), "speed_kph")
