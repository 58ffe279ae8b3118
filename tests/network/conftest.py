"""Fixtures for the network tests: OSM data from pyrosm's bundled Kouvola extract and a local
Overpass + Nominatim server on 127.0.0.1 that answers OSMnx from it (no internet).

The extract (``pyrosm.get_data("test_pbf")``, © OpenStreetMap contributors, ODbL 1.0) covers
about 26.93-26.97 E, 60.52-60.54 N.
"""

from __future__ import annotations

import json
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import numpy as np
import osmnx as ox
import pandas as pd
import pyrosm
import pytest
import shapely
from shapely.geometry import Polygon, mapping

from emob_sim.network import _overpass

KOUVOLA_PBF = Path(pyrosm.get_data("test_pbf"))
TEST_BBOX = (26.935, 60.523, 26.965, 60.537)  # west, south, east, north; inside the extract
TEST_PLACE = "Kouvola test area, Finland"
TEST_PLACE_POLYGON = Polygon(
    [(26.938, 60.524), (26.962, 60.524), (26.966, 60.531), (26.955, 60.538), (26.936, 60.533)]
)
_NOT_TAGS = {
    "id",
    "nodes",
    "geometry",
    "tags",
    "osm_type",
    "visible",
    "version",
    "timestamp",
    "changeset",
    "uid",
    "user",
    "lon",
    "lat",
}


@dataclass
class OsmData:
    """Nodes and highway ways of an extract, shaped like Overpass elements."""

    nodes: dict[int, dict[str, Any]]  # id -> {"lat", "lon", "tags"}
    ways: list[dict[str, Any]]  # {"id", "nodes", "tags"}
    lines: np.ndarray = field(repr=False)  # shapely LineString of each way
    # the ways as the extract holds them: all node references, some to nodes not in it
    whole_ways: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def select(self, query: str) -> dict[str, Any]:
        """Answer an OSMnx Overpass network query ``(way[filter](poly:'lat lon ...');>;);out;``."""
        m = re.search(r"way(?P<filter>(?:\[[^\]]*\])*)\(poly:'(?P<poly>[^']*)'\)", query)
        if m is None:
            raise ValueError(f"unsupported Overpass query: {query[:200]}")
        clauses = _overpass.parse_way_filter(m["filter"])
        latlon = np.array(m["poly"].split(), dtype=float).reshape(-1, 2)
        poly = Polygon(latlon[:, ::-1])
        inside = shapely.intersects(self.lines, poly)
        ways = [
            w
            for w, hit in zip(self.ways, inside, strict=True)
            if hit and _overpass.way_matches(w["tags"], clauses)
        ]
        node_ids = sorted({n for w in ways for n in w["nodes"]})
        elements = [{"type": "node", "id": n, **self.nodes[n]} for n in node_ids]
        elements += [{"type": "way", **w} for w in ways]
        return {"version": 0.6, "generator": "emob-sim test server", "elements": elements}


def _tags(row: pd.Series, columns: list[str]) -> dict[str, str]:
    tags = {c: str(row[c]) for c in columns if c not in _NOT_TAGS and pd.notna(row[c])}
    extra = row.get("tags")
    if isinstance(extra, str) and extra:
        tags.update({k: str(v) for k, v in json.loads(extra).items()})
    return tags


def read_osm_data(path: Path) -> OsmData:
    """All ways with a highway tag and their nodes.

    A way crossing the edge of the extract lacks some nodes; it is split into its runs of
    present nodes, run i getting the id ``way_id * 100 + i`` (``whole_ways`` keeps them uncut).
    """
    osm = pyrosm.OSM(str(path), progress=False, keep_node_info=True)
    ways = osm.get_data_by_custom_criteria(
        custom_filter={"highway": True}, filter_type="keep", keep_nodes=False, keep_relations=False
    )
    node_gdf, _ = osm.get_network(custom_filter={"highway": True}, nodes=True)
    node_cols = list(node_gdf.columns)
    nodes = {
        int(row["id"]): {
            "lat": float(row["lat"]),
            "lon": float(row["lon"]),
            "tags": _tags(row, node_cols),
        }
        for _, row in node_gdf.iterrows()
    }
    way_cols = list(ways.columns)
    out: list[dict[str, Any]] = []
    whole: list[dict[str, Any]] = []
    for _, row in ways.iterrows():
        tags = _tags(row, way_cols)
        whole.append({"id": int(row["id"]), "nodes": [int(n) for n in row["nodes"]], "tags": tags})
        runs: list[list[int]] = [[]]
        for n in row["nodes"]:
            if int(n) in nodes:
                runs[-1].append(int(n))
            elif runs[-1]:
                runs.append([])
        for i, run in enumerate(r for r in runs if len(r) >= 2):
            out.append({"id": int(row["id"]) * 100 + i, "nodes": run, "tags": tags})
    refs = [n for w in out for n in w["nodes"]]
    coords = np.array([(nodes[n]["lon"], nodes[n]["lat"]) for n in refs])
    which = np.repeat(np.arange(len(out)), [len(w["nodes"]) for w in out])
    lines = shapely.linestrings(coords, indices=which)
    return OsmData(nodes=nodes, ways=out, lines=lines, whole_ways=whole)


def write_osm_xml(path: Path, nodes: dict[int, dict[str, Any]], ways: list[dict[str, Any]]) -> Path:
    """Write nodes ({id: {"lat", "lon", "tags"}}) and ways as an OSM XML (.osm) file."""
    root = ET.Element("osm", version="0.6", generator="emob-sim tests")
    for nid, node in sorted(nodes.items()):
        el = ET.SubElement(
            root,
            "node",
            id=str(nid),
            lat=repr(node["lat"]),
            lon=repr(node["lon"]),
            version="1",
            visible="true",
        )
        for k, v in node["tags"].items():
            ET.SubElement(el, "tag", k=k, v=v)
    for way in ways:
        el = ET.SubElement(root, "way", id=str(way["id"]), version="1", visible="true")
        for n in way["nodes"]:
            ET.SubElement(el, "nd", ref=str(n))
        for k, v in way["tags"].items():
            ET.SubElement(el, "tag", k=k, v=v)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


@dataclass
class Kouvola:
    """What the tests know about pyrosm's Kouvola extract (a fixture, not a module import)."""

    pbf: Path = KOUVOLA_PBF
    bbox: tuple[float, float, float, float] = TEST_BBOX
    place: str = TEST_PLACE
    place_polygon: Polygon = TEST_PLACE_POLYGON

    @cached_property
    def osm(self) -> OsmData:
        """Highway ways and their nodes, read on first use."""
        return read_osm_data(self.pbf)

    write_osm_xml = staticmethod(write_osm_xml)


class FakeOsmServer:
    """Overpass (``/api/interpreter``, ``/api/status``) and Nominatim (``/nominatim/search``)."""

    def __init__(self, data: OsmData, places: dict[str, Polygon]) -> None:
        self.data = data
        self.places = places
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep pytest output clean
                pass

            def _send(self, status: int, body: str, ctype: str = "application/json") -> None:
                raw = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:
                url = urlparse(self.path)
                server.requests.append(url.path)
                if url.path == "/api/status":
                    self._send(
                        200,
                        "Connected as: 1\nCurrent time: 2024-01-01T00:00:00Z\n"
                        "Announced endpoint: none\nRate limit: 2\n2 slots available now.\n",
                        "text/plain",
                    )
                elif url.path == "/nominatim/search":
                    query = parse_qs(url.query).get("q", [""])[0]
                    self._send(200, json.dumps(server.geocode(query)))
                else:
                    self._send(404, "not found", "text/plain")

            def do_POST(self) -> None:
                url = urlparse(self.path)
                server.requests.append(url.path)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if url.path != "/api/interpreter":
                    self._send(404, "not found", "text/plain")
                    return
                query = parse_qs(body).get("data", [""])[0]
                self._send(200, json.dumps(server.data.select(query)))

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def geocode(self, query: str) -> list[dict[str, Any]]:
        poly = self.places.get(query)
        if poly is None:
            return []
        west, south, east, north = poly.bounds
        centre = poly.centroid
        return [
            {
                "place_id": 1,
                "licence": "Data © OpenStreetMap contributors, ODbL 1.0",
                "osm_type": "relation",
                "osm_id": 1,
                "lat": str(centre.y),
                "lon": str(centre.x),
                "boundingbox": [str(south), str(north), str(west), str(east)],
                "class": "boundary",
                "type": "administrative",
                "importance": 0.6,
                "display_name": query,
                "geojson": mapping(poly),
            }
        ]

    def __enter__(self) -> FakeOsmServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture(scope="session")
def kouvola() -> Kouvola:
    """pyrosm's Kouvola extract: file, test box and place, OSM data, an .osm writer."""
    return Kouvola()


@pytest.fixture(scope="session")
def osm_server(kouvola: Kouvola) -> Iterator[FakeOsmServer]:
    """A loopback Overpass/Nominatim server serving the Kouvola extract."""
    with FakeOsmServer(kouvola.osm, {kouvola.place: kouvola.place_polygon}) as server:
        yield server


@pytest.fixture
def offline_osmnx(
    osm_server: FakeOsmServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> FakeOsmServer:
    """Point OSMnx at the local server with a fresh cache folder; settings restored after.

    The cache is off here: the library's download functions must switch it on themselves.
    """
    osm_server.requests.clear()
    settings = {
        "overpass_url": f"{osm_server.url}/api",
        "nominatim_url": f"{osm_server.url}/nominatim/",
        "overpass_rate_limit": False,
        "requests_timeout": 5,
        "use_cache": False,  # load_graph must switch the cache on by itself
        "cache_folder": str(tmp_path / "osmnx-cache"),
        "doh_url_template": None,
        "requests_kwargs": {"proxies": {"http": None, "https": None}},
        "log_console": False,
    }
    for name, value in settings.items():
        monkeypatch.setattr(ox.settings, name, value)
    return osm_server


@pytest.fixture(scope="session")
def kouvola_drive_network():
    """The prepared drive network of the Kouvola extract (read once)."""
    from emob_sim.config.models import NetworkConfig
    from emob_sim.network import load_network

    return load_network(NetworkConfig(source="file", file=KOUVOLA_PBF))
