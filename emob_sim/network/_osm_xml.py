"""OSM XML prepared for :func:`osmnx.graph_from_xml`: one network type's ways, cut at the edge.

OSMnx reads every way of a local file and refuses a way that references a node the file does
not hold ("Some edges missing nodes"), which every extract clipped by a bounding box has.
:func:`select_ways` writes a copy that holds only the ways passing an Overpass tag filter (see
:mod:`emob_sim.network._overpass`), each cut into the runs of its nodes that the file holds, and
the nodes they use.
"""

from __future__ import annotations

import bz2
import gzip
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from emob_sim.network._overpass import TagClause, way_matches

__all__ = ["WaySelection", "select_ways"]


@dataclass(frozen=True)
class WaySelection:
    """What :func:`select_ways` kept and dropped.

    Attributes
    ----------
    n_ways
        Ways written (a way cut into several pieces counts once per piece).
    dropped_refs
        References of the selected ways to nodes not in the file, dropped.
    cut_ways
        Selected ways that had such references.
    highways
        Number of ways of each ``highway`` value in the whole file (selected or not).
    """

    n_ways: int
    dropped_refs: int
    cut_ways: int
    highways: Counter[str]


def select_ways(src: Path, dst: Path, clauses: list[TagClause]) -> WaySelection:
    """Copy the ways of ``src`` that pass ``clauses`` and their nodes to ``dst`` (plain XML).

    A way referencing nodes that ``src`` does not hold is cut into its runs of present nodes;
    runs of fewer than two nodes are dropped. The first run keeps the way's id, further runs
    get new negative ids. Relations are left out.

    Parameters
    ----------
    src
        OSM XML file (``.osm``, ``.osm.bz2`` or ``.osm.gz``).
    dst
        File to write.
    clauses
        Tag filter every selected way passes (:func:`emob_sim.network._overpass.network_filter`).

    Returns
    -------
    WaySelection

    Raises
    ------
    xml.etree.ElementTree.ParseError, OSError, EOFError, ValueError
        If ``src`` is not readable OSM XML (e.g. a way id that is not an integer).
    """
    with _open(src) as f:
        root = ET.parse(f).getroot()  # noqa: S314 (a local file the user named)
    nodes = {el.get("id"): el for el in root.findall("node")}
    ways = root.findall("way")
    next_id = min([0, *(int(w.get("id", "0")) for w in ways)]) - 1
    highways: Counter[str] = Counter()
    kept: list[ET.Element] = []
    used: set[str] = set()
    dropped_refs = cut_ways = 0
    for way in ways:
        tags = {t.get("k"): t.get("v") for t in way.findall("tag")}
        if "highway" in tags:
            highways[str(tags["highway"])] += 1
        if not way_matches(tags, clauses):
            continue
        refs = [nd.get("ref") for nd in way.findall("nd")]
        runs: list[list[str]] = [[]]
        for ref in refs:
            if ref in nodes:
                runs[-1].append(ref)
            elif runs[-1]:
                runs.append([])
        missing = sum(ref not in nodes for ref in refs)
        if missing:
            dropped_refs += missing
            cut_ways += 1
        for i, run in enumerate(r for r in runs if len(r) >= 2):
            piece = ET.Element("way", way.attrib)
            if i > 0:
                piece.set("id", str(next_id))
                next_id -= 1
            piece.extend(ET.Element("nd", ref=ref) for ref in run)
            piece.extend(way.findall("tag"))
            kept.append(piece)
            used.update(run)

    out = ET.Element("osm", root.attrib)
    out.extend(el for node_id, el in nodes.items() if node_id in used)
    out.extend(kept)
    ET.ElementTree(out).write(dst, encoding="utf-8", xml_declaration=True)
    return WaySelection(len(kept), dropped_refs, cut_ways, highways)


def _open(path: Path) -> BinaryIO:
    name = path.name.lower()
    if name.endswith(".bz2"):
        return bz2.open(path, "rb")
    if name.endswith(".gz"):
        return gzip.open(path, "rb")
    return path.open("rb")
