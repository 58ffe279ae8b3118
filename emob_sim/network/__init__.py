"""Road networks: load a graph from the configured source, prepare it, convert it to arrays.

>>> net = load_network(scenario.network)          # doctest: +SKIP
>>> bike = load_graph(scenario.network, network_type="bike")   # doctest: +SKIP
"""

from __future__ import annotations

import networkx as nx

from emob_sim.config.models import NetworkConfig
from emob_sim.errors import NetworkError
from emob_sim.network import sources
from emob_sim.network.arrays import RoadNetwork, to_arrays
from emob_sim.network.prepare import prepare_graph

__all__ = [
    "load_network",
    "load_graph",
    "describe_source",
    "prepare_graph",
    "to_arrays",
    "RoadNetwork",
    "OSM_ATTRIBUTION",
]

OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"
"""Attribution of every network source: all derive from OpenStreetMap data."""


def load_graph(config: NetworkConfig, *, network_type: str | None = None) -> nx.MultiDiGraph:
    """Load the raw (unprepared) road graph of ``config.source``.

    Parameters
    ----------
    config
        The scenario's network section.
    network_type
        OSMnx network type (``drive``, ``bike``, ``walk``, ...); None = ``config.network_type``.
        A ``.graphml`` file is loaded as saved (undirected graphs get each edge both ways,
        ``config.crs`` gives the CRS of one without ``crs``); the strategic network is a drive
        network only.

    Returns
    -------
    networkx.MultiDiGraph
        OSMnx-style graph in EPSG:4326 with edge ``length`` (m) and ``highway``.

    Raises
    ------
    NetworkError, InputFileNotFoundError
        If the source cannot be read or downloaded or holds no roads.
    """
    network_type = network_type or config.network_type
    source = config.source
    if source == "strategic":
        if network_type != "drive":
            msg = (
                f"network_type: the strategic network is a drive network, got {network_type!r}; "
                f"use source place, bbox, polygon or file for other network types"
            )
            raise NetworkError(msg)
        from emob_sim.network.strategic import build_strategic_graph

        return build_strategic_graph(config.strategic_dir, detour_factor=config.detour_factor)
    if source == "place":
        return sources.graph_from_place(
            config.place, network_type=network_type, cache_dir=config.cache_dir
        )
    if source == "bbox":
        return sources.graph_from_bbox(
            config.bbox, network_type=network_type, cache_dir=config.cache_dir
        )
    if source == "polygon":
        return sources.graph_from_polygon_file(
            config.polygon_file, network_type=network_type, cache_dir=config.cache_dir
        )
    if source == "file":
        return sources.graph_from_file(config.file, network_type=network_type, crs=config.crs)
    raise NetworkError(f"network.source: unknown source {source!r}")  # pragma: no cover


def describe_source(config: NetworkConfig, *, network_type: str | None = None) -> str:
    """One line saying where the network of ``config`` comes from (for manifests, reports).

    Parameters
    ----------
    config : NetworkConfig
        The scenario's ``network:`` section.
    network_type : str or None
        The OSMnx network type named (``drive``, ``bike``); None: ``config.network_type``.

    Returns
    -------
    str
        E.g. ``OpenStreetMap via OSMnx, place 'Jelgava, Latvia' (drive network)``.
    """
    network_type = network_type or config.network_type
    source = config.source
    if source == "strategic":
        return f"strategic road network from {config.strategic_dir}"
    if source == "place":
        what = f"place {config.place!r}"
    elif source == "bbox":
        what = f"bbox (west, south, east, north) {list(config.bbox)}"
    elif source == "polygon":
        what = f"polygon {config.polygon_file}"
    elif config.file.name.lower().endswith(".graphml"):
        return f"GraphML file {config.file}"
    else:
        return f"OpenStreetMap file {config.file} ({network_type} network)"
    return f"OpenStreetMap via OSMnx, {what} ({network_type} network)"


def load_network(config: NetworkConfig, *, network_type: str | None = None) -> RoadNetwork:
    """Load, prepare and convert the road network of ``config``.

    Parameters
    ----------
    config
        The scenario's network section (source, speeds, cache folder).
    network_type
        OSMnx network type; None = ``config.network_type``.

    Returns
    -------
    RoadNetwork
        The largest strongly connected component with speeds, travel times and CSR arrays.
    """
    description = describe_source(config, network_type=network_type)
    G = load_graph(config, network_type=network_type)
    G = prepare_graph(
        G,
        hwy_speeds_kph=dict(config.hwy_speeds_kph),
        fallback_speed_kph=config.fallback_speed_kph,
        source=description,
    )
    return to_arrays(G, description=description, attribution=OSM_ATTRIBUTION)
