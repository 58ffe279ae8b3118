"""Other libraries' private names: used only in emob_sim/_compat/, each behaviour relied upon
checked on the installed library (no mocks), and nothing else uses one.

When a test here fails after an upgrade of OSMnx or SimPy, the library changed a private name
or its behaviour: adapt the module in emob_sim/_compat/ and move the upper pin in
pyproject.toml, or keep the pin.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import osmnx as ox
import pytest
import simpy

import emob_sim
from emob_sim._compat import osmnx as ox_compat
from emob_sim._compat.simpy import OrderedUsersResource
from emob_sim.errors import NetworkError
from emob_sim.network._overpass import parse_way_filter, way_matches
from emob_sim.network.sources import osmnx_download
from emob_sim.sim.resources import Plugs

ROOT = Path(emob_sim.__file__).resolve().parents[1]
#: the code scanned for private names of other packages (the package and the app)
SCANNED = ("emob_sim", "apps")
COMPAT = ROOT / "emob_sim" / "_compat"
#: our own code: its private names are ours to use
FIRST_PARTY = {"emob_sim", "apps", "benchmarks", "scripts", "tests"}
#: underscore names that the standard library documents as public API
DOCUMENTED = {"os._exit"}


# --- OSMnx ------------------------------------------------------------------------------------


def test_drive_filter_selects_public_roads_and_leaves_out_paths_and_service_ways():
    text = ox_compat.network_way_filter("drive")
    assert text.startswith('["highway"]')
    clauses = parse_way_filter(text)
    assert way_matches({"highway": "primary"}, clauses)
    assert way_matches({"highway": "residential", "maxspeed": "50"}, clauses)
    for tags in (
        {"highway": "footway"},
        {"highway": "cycleway"},
        {"highway": "service"},
        {"highway": "primary", "access": "private"},
        {"highway": "primary", "motor_vehicle": "no"},
        {"highway": "residential", "area": "yes"},
        {"building": "yes"},
    ):
        assert not way_matches(tags, clauses), tags


def test_bike_filter_selects_cycleways_and_leaves_out_motorways():
    clauses = parse_way_filter(ox_compat.network_way_filter("bike"))
    assert way_matches({"highway": "cycleway"}, clauses)
    assert way_matches({"highway": "residential"}, clauses)
    for tags in ({"highway": "motorway"}, {"highway": "residential", "bicycle": "no"}):
        assert not way_matches(tags, clauses), tags


def test_way_filter_honours_default_access_and_refuses_unknown_types():
    saved = ox.settings.default_access
    try:
        ox.settings.default_access = '["access"!~"no"]'
        assert '["access"!~"no"]' in ox_compat.network_way_filter("drive")
    finally:
        ox.settings.default_access = saved
    assert saved in ox_compat.network_way_filter("drive")
    with pytest.raises(ValueError, match="tram"):
        ox_compat.network_way_filter("tram")


def test_error_classes_are_osmnx_own_and_value_errors():
    # sources.py catches both; a ValueError handler after them relies on the subclassing
    for cls in (ox_compat.InsufficientResponseError, ox_compat.ResponseStatusCodeError):
        assert issubclass(cls, ValueError)
        assert cls.__module__.split(".")[0] == "osmnx"


def test_no_matching_features_in_a_file_raise_insufficient_response(tmp_path):
    path = tmp_path / "town.osm"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
        ' <node id="1" lat="56.65" lon="23.72"/>\n <node id="2" lat="56.66" lon="23.73"/>\n'
        ' <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/></way>\n</osm>\n',
        encoding="utf-8",
    )
    with pytest.raises(ox_compat.InsufficientResponseError):
        ox.features_from_xml(path, tags={"amenity": "fuel"})


class _Answers(BaseHTTPRequestHandler):
    """A geocoder on 127.0.0.1 that answers every query with a fixed status and a non-JSON body."""

    status = 500

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = b"<html>not JSON</html>"
        self.send_response(self.status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_geocoder():
    """Start the local geocoder, point OSMnx at it (no cache); yield a setter of its status."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    saved = (ox.settings.nominatim_url, ox.settings.use_cache, ox.settings.requests_timeout)
    ox.settings.nominatim_url = f"http://127.0.0.1:{server.server_address[1]}/"
    ox.settings.use_cache = False
    ox.settings.requests_timeout = 10
    try:
        yield lambda status: setattr(_Answers, "status", status)
    finally:
        ox.settings.nominatim_url, ox.settings.use_cache, ox.settings.requests_timeout = saved
        server.shutdown()
        server.server_close()
        thread.join()


def test_server_errors_raise_the_classes_that_downloads_turn_into_network_errors(
    local_geocoder,
):
    local_geocoder(500)
    with pytest.raises(ox_compat.ResponseStatusCodeError):
        ox.geocode("Jelgava")
    local_geocoder(200)
    with pytest.raises(ox_compat.InsufficientResponseError):
        ox.geocode("Jelgava")
    # and emob-sim's download wrapper turns them into its own one-line errors
    local_geocoder(500)
    with pytest.raises(NetworkError, match="the server answered with an error"):
        with osmnx_download("the test place", None):
            ox.geocode("Jelgava")
    local_geocoder(200)
    with pytest.raises(NetworkError, match="the server returned no usable data"):
        with osmnx_download("the test place", None):
            ox.geocode("Jelgava")


# --- SimPy ------------------------------------------------------------------------------------


def _service_log(cls: type) -> list[tuple]:
    env = simpy.Environment()
    res = cls(env, capacity=2)
    log = []

    def user(i: int, arrive: float, hold: float):
        yield env.timeout(arrive)
        with res.request() as req:
            yield req
            log.append((env.now, i, req.usage_since, res.count))
            yield env.timeout(hold)

    for i, (arrive, hold) in enumerate([(0, 10), (1, 10), (2, 5), (3, 1), (4, 1)]):
        env.process(user(i, arrive, hold))
    env.run()
    assert res.count == 0 and not res.queue
    return log


def test_requests_are_granted_first_come_first_served_with_their_start_time():
    log = _service_log(OrderedUsersResource)
    assert log == [(0, 0, 0, 1), (1, 1, 1, 2), (10, 2, 10, 2), (11, 3, 11, 2), (12, 4, 12, 2)]
    assert log == _service_log(simpy.Resource)


def test_users_keep_the_order_of_service_and_release_from_the_middle():
    env = simpy.Environment()
    res = OrderedUsersResource(env, capacity=3)
    reqs = [res.request() for _ in range(4)]
    env.run()
    assert isinstance(res.users, dict) and list(res.users) == reqs[:3]
    assert res.queue == [reqs[3]]
    res.release(reqs[1])
    env.run()
    assert list(res.users) == [reqs[0], reqs[2], reqs[3]] and not res.queue
    res.release(reqs[1])  # a second release does nothing, as with simpy.Resource
    env.run()
    assert res.count == 3


def test_a_request_given_up_before_its_grant_leaves_no_trace():
    env = simpy.Environment()
    res = OrderedUsersResource(env, capacity=1)
    outcome = []

    def holder():
        with res.request() as req:
            yield req
            yield env.timeout(10)

    def impatient():
        with res.request() as req:
            got = yield req | env.timeout(3)
            outcome.append(req in got)
        outcome.append((res.count, len(res.queue)))

    env.process(holder())
    env.process(impatient())
    env.run()
    assert outcome == [False, (1, 0)]
    assert res.count == 0


def test_holders_added_by_hand_block_requests_until_serve_waiting():
    # Plugs.take and give_back rely on this: users edited directly, then the queue served
    env = simpy.Environment()
    res = OrderedUsersResource(env, capacity=1)
    token = object()
    res.users[token] = None
    req = res.request()
    env.run()
    assert not req.triggered and res.queue == [req]
    del res.users[token]
    res.serve_waiting()
    assert req.triggered and list(res.users) == [req] and req.usage_since == env.now


def test_plugs_are_an_ordered_users_resource_and_a_simpy_resource():
    env = simpy.Environment()
    plugs = Plugs(env, capacity=2)
    assert isinstance(plugs, OrderedUsersResource) and isinstance(plugs, simpy.Resource)


def test_the_hooks_overridden_are_simpy_own():
    """The names OrderedUsersResource overrides and calls exist on simpy.Resource."""
    base = inspect.getsource(simpy.resources.base.BaseResource)
    for name in ("_do_put", "_do_get", "_trigger_put", "self._env"):
        assert name in base, name
    env = simpy.Environment()
    assert simpy.Resource(env, capacity=1)._env is env


# --- nothing else uses a private name of another package ---------------------------------------


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_outside(module: str) -> bool:
    return module.split(".")[0] not in FIRST_PARTY | {"__future__"}


def _resolve(dotted: str) -> object | None:
    """The object a dotted name of an installed package names, or None."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def _dotted(node: ast.expr, names: dict[str, str]) -> str | None:
    """``a.b.c`` with ``a`` an imported outside name, as the full dotted name; else None."""
    attrs = []
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in names:
        return ".".join([names[node.id], *reversed(attrs)])
    return None


def private_uses(source: str) -> list[str]:
    """Private names of other packages used in ``source``: ``line: what``.

    Found: ``import pkg._mod``, ``from pkg._mod import x``, ``from pkg import _x``; attribute
    access ``name._x`` (at any depth) on a name imported from another package; and in a class
    derived from another package's class, a method ``_x`` or an access ``self._x`` where
    ``_x`` is a name of that class (its code, or that of a class it derives from). Not found:
    private attributes of objects that another package's functions return.
    """
    tree = ast.parse(source)
    names: dict[str, str] = {}  # local name -> dotted name in the outside package
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not _is_outside(alias.name):
                    continue
                if any(_private(p) for p in alias.name.split(".")):
                    found.append(f"{node.lineno}: import {alias.name}")
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    names[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and not node.level and _is_outside(node.module):
            if any(_private(p) for p in node.module.split(".")):
                found.append(f"{node.lineno}: from {node.module} import")
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{node.lineno}: from {node.module} import {alias.name}")
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            dotted = _dotted(node, names)
            if dotted is not None and dotted not in DOCUMENTED:
                found.append(f"{node.lineno}: {dotted}")
        if isinstance(node, ast.ClassDef):
            bases = [_dotted(b, names) or "" for b in node.bases]
            outside = [b for b in map(_resolve, filter(None, bases)) if inspect.isclass(b)]
            if not outside:
                continue
            theirs = "\n".join(
                inspect.getsource(c)
                for b in outside
                for c in b.__mro__
                if c is not object and not _is_first_party(c) and _has_source(c)
            )
            for sub in ast.walk(node):
                name = None
                if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef):
                    name = sub.name
                elif (
                    isinstance(sub, ast.Attribute)
                    and isinstance(sub.value, ast.Name)
                    and sub.value.id == "self"
                ):
                    name = sub.attr
                if name and _private(name) and re.search(rf"\b{re.escape(name)}\b", theirs):
                    found.append(f"{sub.lineno}: {name} of {', '.join(filter(None, bases))}")
    return sorted(set(found), key=lambda s: (int(s.split(":")[0]), s))


def _is_first_party(cls: type) -> bool:
    return not _is_outside(cls.__module__)


def _has_source(cls: type) -> bool:
    try:
        inspect.getsource(cls)
    except (OSError, TypeError):
        return False
    return True


def test_the_scan_finds_each_kind_of_private_use():
    source = (
        "import osmnx as ox\nimport simpy\nfrom osmnx import _errors\n"
        "from osmnx._overpass import _get_network_filter\nimport osmnx._http\n"
        "import os\nimport concurrent.futures as cf\n"
        "a = ox._overpass._get_network_filter('drive')\n"
        "class P(simpy.Resource):\n"
        "    def _do_put(self, e):\n        return self._env.now\n"
        "    def _mine(self):\n        self._own = 1\n"
        "class E(cf.Executor):\n    def _ours(self):\n        self._pool = None\n"
        "os._exit(0)\n"
    )
    found = [line.split(": ", 1)[1] for line in private_uses(source)]
    assert found == [
        "from osmnx import _errors",
        "from osmnx._overpass import",
        "from osmnx._overpass import _get_network_filter",
        "import osmnx._http",
        "osmnx._overpass",
        "osmnx._overpass._get_network_filter",
        "_do_put of simpy.Resource",
        "_env of simpy.Resource",
    ]


def test_nothing_outside_compat_uses_a_private_name_of_another_package():
    scanned = [
        path
        for folder in SCANNED
        for path in sorted((ROOT / folder).rglob("*.py"))
        if COMPAT not in path.parents
    ]
    assert len(scanned) > 100  # the scan sees the code
    problems = [
        f"{path.relative_to(ROOT)}:{use}"
        for path in scanned
        for use in private_uses(path.read_text(encoding="utf-8"))
    ]
    assert problems == [], "move these into emob_sim/_compat/:\n" + "\n".join(problems)


def test_compat_modules_use_private_names_and_the_package_reaches_them_only_through_compat():
    # the door is used: each compat module touches its library's private names
    for path in COMPAT.glob("*.py"):
        if path.name != "__init__.py":
            assert private_uses(path.read_text(encoding="utf-8")), path.name
    assert "emob_sim._compat.osmnx" in sys.modules and "emob_sim._compat.simpy" in sys.modules
