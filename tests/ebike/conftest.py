"""Fixtures for the e-bike tests: the Kouvola demo and the Zemgale default regions, and the
loopback Overpass/Nominatim server of tests/network (imported from its conftest file, so the
OSMnx download path is exercised without the internet).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import osmnx as ox
import pytest

from emob_sim.config import load_scenario
from emob_sim.region import build_region

ROOT = Path(__file__).resolve().parents[2]
KOUVOLA = ROOT / "configs" / "demo" / "kouvola.yaml"


def _network_helpers():
    """tests/network/conftest.py as a plain module (its server and OSM data helpers)."""
    path = ROOT / "tests" / "network" / "conftest.py"
    spec = importlib.util.spec_from_file_location("emob_sim_tests_network_helpers", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


net = _network_helpers()


@pytest.fixture(scope="session")
def write_osm_xml():
    """Writer of small OSM XML files: ``write_osm_xml(path, nodes, ways)``."""
    return net.write_osm_xml


@pytest.fixture(scope="session")
def kouvola_region():
    """The demo region (drive and bike networks of pyrosm's test extract)."""
    return build_region(load_scenario(KOUVOLA))


@pytest.fixture(scope="session")
def zemgale_region():
    """The default region (strategic network, no bike network)."""
    return build_region(load_scenario())


@pytest.fixture(scope="session")
def osm_data():
    """Highway ways and nodes of the Kouvola extract, shaped like Overpass elements."""
    return net.read_osm_data(net.KOUVOLA_PBF)


@pytest.fixture(scope="session")
def osm_server(osm_data) -> Iterator:
    with net.FakeOsmServer(osm_data, {net.TEST_PLACE: net.TEST_PLACE_POLYGON}) as server:
        yield server


@pytest.fixture
def offline_osmnx(osm_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """OSMnx pointed at the loopback server, with a fresh cache folder (settings restored)."""
    osm_server.requests.clear()
    settings = {
        "overpass_url": f"{osm_server.url}/api",
        "nominatim_url": f"{osm_server.url}/nominatim/",
        "overpass_rate_limit": False,
        "requests_timeout": 5,
        "use_cache": False,
        "cache_folder": str(tmp_path / "osmnx-cache"),
        "doh_url_template": None,
        "requests_kwargs": {"proxies": {"http": None, "https": None}},
        "log_console": False,
    }
    for name, value in settings.items():
        monkeypatch.setattr(ox.settings, name, value)
    return osm_server
