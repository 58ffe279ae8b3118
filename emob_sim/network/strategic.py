"""Strategic road network: a node table and a link table as an OSMnx-style graph.

A strategic network (``data/zemgale`` for the default scenario) is a folder with

``nodes.csv``
    ``node_id`` (int, unique), ``name`` (unique), ``lon``, ``lat`` (WGS84 degrees); optional
    ``kind``, ``bank``.
``links.csv``
    ``a``, ``b`` (node names), ``highway`` (OSM class: trunk, primary, ...); optional ``ref``
    (road number). Every link is a two-way road.
``calibration.csv``
    ``from``, ``to`` (node names), ``road_km`` (published road distance); needed only when the
    detour factor is calibrated.

Edge length is the great-circle distance between the two nodes times a detour factor (road km
per straight-line km). The calibrated factor is the one that best fits the published road
distances: for each calibration pair, ``s_i`` is the straight-line length of the shortest path
and ``d_i`` the published distance; minimising ``sum((f * s_i / d_i - 1) ** 2)`` (least squares
on the ratios) gives ``f = sum(s_i / d_i) / sum((s_i / d_i) ** 2)``. The shortest path by length
does not depend on the factor, so it is found once on straight-line lengths.
"""

from __future__ import annotations

import logging
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from osmnx.distance import great_circle

from emob_sim.errors import DataError, NetworkError
from emob_sim.io.tables import read_text_table

__all__ = ["build_strategic_graph", "calibrate_detour_factor", "read_strategic_tables"]

logger = logging.getLogger(__name__)

_NODE_COLUMNS = ["node_id", "name", "lon", "lat"]
_LINK_COLUMNS = ["a", "b", "highway"]
_CALIBRATION_COLUMNS = ["from", "to", "road_km"]


def _numeric(
    df: pd.DataFrame, column: str, path: Path, *, low: float, high: float
) -> NDArray[np.float64]:
    """Column as floats in [low, high]; DataError naming the first bad row (line number)."""
    values = pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=float)
    i = _first(~(np.isfinite(values) & (values >= low) & (values <= high)))
    if i is not None:
        raise DataError(
            f"{path}: row {i + 2}: {column} must be a number in [{low:g}, {high:g}], "
            f"got {df[column].iloc[i]!r}"
        )
    return values


def _first(mask: pd.Series | NDArray[np.bool_]) -> int | None:
    """Position of the first true value, None if there is none."""
    hits = np.flatnonzero(np.asarray(mask))
    return int(hits[0]) if hits.size else None


def _check_unique(df: pd.DataFrame, column: str, path: Path) -> None:
    i = _first(df[column].duplicated())
    if i is not None:
        value = df[column].iloc[i]
        shown = repr(value) if isinstance(value, str) else str(value)
        raise DataError(f"{path}: row {i + 2}: {column} {shown} is not unique")


def _check_names(df: pd.DataFrame, columns: list[str], known: set[str], path: Path) -> None:
    for column in columns:
        i = _first(~df[column].isin(known))
        if i is not None:
            raise DataError(
                f"{path}: row {i + 2}: {column} {df[column].iloc[i]!r} is not a node name "
                "of nodes.csv"
            )


def read_strategic_tables(strategic_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read and validate ``nodes.csv`` and ``links.csv`` of a strategic network folder.

    Returns
    -------
    nodes, links
        ``nodes`` with int ``node_id`` and float ``lon``/``lat``; ``links`` with string columns.

    Raises
    ------
    DataError
        A missing column or a bad value, named with the file, row and column.
    """
    strategic_dir = Path(strategic_dir)
    nodes_path, links_path = strategic_dir / "nodes.csv", strategic_dir / "links.csv"
    nodes = read_text_table(nodes_path, _NODE_COLUMNS)
    links = read_text_table(links_path, _LINK_COLUMNS)
    if nodes.empty or links.empty:
        raise DataError(f"{strategic_dir}: nodes.csv and links.csv must have at least one row")
    ids = pd.to_numeric(nodes["node_id"], errors="coerce")
    i = _first(ids.isna() | (ids != ids.round()))
    if i is not None:
        got = nodes["node_id"].iloc[i]
        raise DataError(f"{nodes_path}: row {i + 2}: node_id must be an integer, got {got!r}")
    nodes["node_id"] = ids.astype(np.int64)
    nodes["lon"] = _numeric(nodes, "lon", nodes_path, low=-180, high=180)
    nodes["lat"] = _numeric(nodes, "lat", nodes_path, low=-90, high=90)
    for column in ("node_id", "name"):
        _check_unique(nodes, column, nodes_path)
    i = _first(nodes["name"] == "")
    if i is not None:
        raise DataError(f"{nodes_path}: row {i + 2}: name is empty")
    _check_names(links, ["a", "b"], set(nodes["name"]), links_path)
    i = _first(links["a"] == links["b"])
    if i is not None:
        a = links["a"].iloc[i]
        raise DataError(f"{links_path}: row {i + 2}: link joins node {a!r} to itself")
    i = _first(links["highway"] == "")
    if i is not None:
        raise DataError(
            f"{links_path}: row {i + 2}: highway is empty, expected a class (trunk, ...)"
        )
    return nodes, links


def _graph(nodes: pd.DataFrame, links: pd.DataFrame, *, detour_factor: float) -> nx.MultiDiGraph:
    """Both directions of every link, length = great-circle distance x detour factor."""
    G = nx.MultiDiGraph(crs="EPSG:4326")
    for row in nodes.itertuples(index=False):
        G.add_node(int(row.node_id), x=float(row.lon), y=float(row.lat), name=row.name)
    node_of = dict(zip(nodes["name"], nodes["node_id"].astype(int)))
    u = links["a"].map(node_of).to_numpy()
    v = links["b"].map(node_of).to_numpy()
    xy = nodes.set_index("node_id")[["lon", "lat"]]
    straight_m = great_circle(
        xy.loc[u, "lat"].to_numpy(),
        xy.loc[u, "lon"].to_numpy(),
        xy.loc[v, "lat"].to_numpy(),
        xy.loc[v, "lon"].to_numpy(),
    )
    refs = links["ref"] if "ref" in links.columns else pd.Series("", index=links.index)
    for i, (a, b) in enumerate(zip(u, v)):
        attrs = {
            "length": float(straight_m[i] * detour_factor),
            "highway": links["highway"].iloc[i],
            "name": f"{links['a'].iloc[i]} – {links['b'].iloc[i]}",
            "oneway": False,
        }
        if refs.iloc[i]:
            attrs["ref"] = refs.iloc[i]
        G.add_edge(int(a), int(b), reversed=False, **attrs)
        G.add_edge(int(b), int(a), reversed=True, **attrs)
    return G


def calibrate_detour_factor(G: nx.MultiDiGraph, calibration: pd.DataFrame) -> float:
    """The detour factor that best fits published road distances.

    Parameters
    ----------
    G
        Strategic graph with straight-line edge lengths (detour factor 1) and node ``name``.
    calibration
        Columns ``from``, ``to`` (node names) and ``road_km`` (published road distance).

    Returns
    -------
    float
        ``sum(r) / sum(r ** 2)`` with ``r = straight-line km of the shortest path / road_km``:
        the least-squares fit of ``factor * r`` to 1.

    Raises
    ------
    DataError
        A name that is not a node, a non-positive distance, or no calibration rows.
    NetworkError
        No path between a calibration pair.
    """
    if calibration.empty:
        raise DataError("calibration: at least one (from, to, road_km) row is needed")
    node_of = {name: n for n, name in G.nodes(data="name")}
    ratios = []
    for i, (a, b, road_km) in enumerate(
        zip(calibration["from"], calibration["to"], calibration["road_km"])
    ):
        for name in (a, b):
            if name not in node_of:
                raise DataError(f"calibration: row {i + 2}: {name!r} is not a network node name")
        if not (np.isfinite(road_km) and road_km > 0):
            raise DataError(f"calibration: row {i + 2}: road_km must be > 0, got {road_km!r}")
        try:
            straight_m = nx.shortest_path_length(G, node_of[a], node_of[b], weight="length")
        except nx.NetworkXNoPath:
            raise NetworkError(f"calibration: no path from {a!r} to {b!r}") from None
        ratios.append(straight_m / 1000.0 / road_km)
    r = np.asarray(ratios)
    return float(r.sum() / (r**2).sum())


def build_strategic_graph(strategic_dir: Path, *, detour_factor: float | None) -> nx.MultiDiGraph:
    """Build the raw strategic graph from a nodes/links folder.

    Parameters
    ----------
    strategic_dir
        Folder with ``nodes.csv``, ``links.csv`` and, when calibrating, ``calibration.csv``.
    detour_factor
        Road km per straight-line km; None calibrates it on ``calibration.csv``.

    Returns
    -------
    networkx.MultiDiGraph
        OSMnx-style graph (crs EPSG:4326; nodes with ``x`` = lon, ``y`` = lat, ``name``; both
        directions of each link with ``length`` in m, ``highway``, ``ref`` where known, ``name``),
        without speeds. The graph attribute ``detour_factor`` holds the factor used.

    Raises
    ------
    DataError
        A table is missing a column or holds a bad value.
    InputFileNotFoundError
        A table does not exist.
    """
    strategic_dir = Path(strategic_dir)
    nodes, links = read_strategic_tables(strategic_dir)
    if detour_factor is None:
        path = strategic_dir / "calibration.csv"
        table = read_text_table(path, _CALIBRATION_COLUMNS)
        table["road_km"] = _numeric(table, "road_km", path, low=1e-9, high=np.inf)
        detour_factor = calibrate_detour_factor(_graph(nodes, links, detour_factor=1.0), table)
        logger.info("calibrated detour factor %.4f on %d road distances", detour_factor, len(table))
    elif not detour_factor > 0:
        raise DataError(f"network.detour_factor: must be > 0, got {detour_factor}")
    G = _graph(nodes, links, detour_factor=detour_factor)
    G.graph["detour_factor"] = float(detour_factor)
    return G
