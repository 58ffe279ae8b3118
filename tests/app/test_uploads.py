"""Uploaded scenarios (issue 25, item 14): confined to the uploaded and the shipped files, the
network read before Run is enabled, a re-upload replaces its file, every error one line."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyrosm
import pytest

import emob_sim

UPLOADER = "upload_files"
#: a town on an uploaded OSM extract, the rest from the shipped Kouvola demo
TOWN = (
    "extends: emob-sim:configs/demo/kouvola.yaml\nname: town\n"
    "network:\n  source: file\n  pyrosm_extract: null\n  file: town.osm.pbf\n"
)
GOOD_PBF = Path(pyrosm.get_data("test_pbf")).read_bytes()
#: what never appears in a message: the server's temporary folders and the package's folder
SERVER_PATHS = (tempfile.gettempdir(), str(Path(emob_sim.__file__).parents[1]))


def _upload(at, *files: tuple[str, bytes | str]):
    """Add files to the uploader as a browser does: the files there stay (a file uploaded
    again under its name is there twice, the newest last)."""
    uploader = at.file_uploader(key=UPLOADER)
    there = [(f.name, f.getvalue(), f.type) for f in uploader.value or []]
    added = [
        (n, d.encode() if isinstance(d, str) else d, "application/octet-stream") for n, d in files
    ]
    uploader.set_value(there + added).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at) -> list[str]:
    """The text of every message, caption and markdown element on the page."""
    kinds = ("error", "warning", "info", "success", "markdown", "caption", "code", "exception")
    return [str(e.value) for kind in kinds for e in at.get(kind)]


def _one_error(at) -> str:
    """The page's only error message, checked to be one line without a server path."""
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    (message,) = errors
    assert "\n" not in message
    assert not any(p in message for p in SERVER_PATHS), message
    assert not any("Traceback" in t for t in _texts(at))
    return message


@pytest.mark.parametrize(
    ("name", "data"),
    [("town.osm.pbf", b"this is not an OSM extract\n"), ("town.graphml", "<not>a graph</not>")],
)
def test_a_network_file_that_is_not_a_graph_is_named_before_run(app, name, data):
    _upload(app, ("town.yaml", TOWN.replace("town.osm.pbf", name)), (name, data))
    assert app.selectbox(key="scenario_file").value == "uploaded: town.yaml"  # chosen at once
    message = _one_error(app)
    assert "network.file" in message and name in message
    assert app.button(key="run").disabled  # nothing runs until the network reads


def test_a_fixed_file_uploaded_again_under_its_name_replaces_it(app):
    _upload(app, ("town.yaml", TOWN), ("town.osm.pbf", b"not a graph"))
    assert "town.osm.pbf" in _one_error(app)
    _upload(app, ("town.osm.pbf", GOOD_PBF))
    assert not app.error, [e.value for e in app.error]
    assert not app.button(key="run").disabled
    app.button(key="run").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    assert app.session_state["scenario"].name == "town"
    assert [m.label for m in app.metric]  # the run's cards


@pytest.mark.parametrize("key", ["zones.file", "extends"])
def test_a_path_outside_the_uploads_is_refused_alike_whether_it_exists_or_not(app, key):
    shown = []
    for path in ("/etc/passwd", "/etc/passwe"):  # the first exists, the second does not
        assert Path(path).exists() == path.endswith("passwd")
        line = f"zones:\n  file: {path}\n" if key == "zones.file" else f"extends: {path}\n"
        _upload(app, ("probe.yaml", f"name: probe\n{line}"))
        shown.append(_one_error(app).replace(path, "PATH"))
    assert shown[0] == shown[1]  # the same words for a file that exists and one that does not
    assert key in shown[0] and "uploaded" in shown[0] and "PATH" in shown[0]


def test_the_readmes_relative_extends_gets_a_hint(app):
    example = "extends: ../base.yaml\nname: zemgale-ev20\nfleet:\n  ev_share: 0.20\n"
    _upload(app, ("ev20.yaml", example))
    message = _one_error(app)
    assert "write extends: emob-sim:configs/base.yaml" in message
    assert "ev20.yaml" in message


def test_the_hinted_scenario_and_a_scenario_it_extends_uploaded_with_it_run(app):
    parent = "extends: emob-sim:configs/base.yaml\nname: parent\nfleet:\n  ev_share: 0.05\n"
    _upload(app, ("parent.yaml", parent), ("child.yaml", "extends: parent.yaml\nname: child\n"))
    assert app.selectbox(key="scenario_file").value == "uploaded: child.yaml"
    assert not app.error, [e.value for e in app.error]
    assert app.session_state["scenario"].fleet.ev_share == 0.05


def test_a_failing_run_shows_one_line_and_clears_its_progress_bar(app):
    bad = (
        "extends: emob-sim:configs/zemgale/baseline.yaml\nname: bad-corridor\n"
        "demand:\n  corridors: [{a: nowhere, b: Jelgava, vehicles_per_day: 100}]\n"
    )
    _upload(app, ("bad.yaml", bad))
    assert not app.error and not app.button(key="run").disabled  # its network reads
    app.button(key="run").click().run()
    assert not app.exception, [e.value for e in app.exception]
    message = _one_error(app)
    assert "nowhere" in message and "demand.corridors" in message
    assert not app.get("progress")
    assert "runs" not in app.session_state or not app.session_state["runs"]


def test_a_desktop_setting_lets_an_upload_name_local_files(app, monkeypatch):
    baseline = emob_sim.config.bundled_path("configs/zemgale/baseline.yaml")
    _upload(app, ("local.yaml", f"extends: {baseline}\nname: local\n"))
    assert "uploaded" in _one_error(app)
    monkeypatch.setenv("EMOB_SIM_APP_LOCAL_FILES", "1")
    app.run()
    assert not app.error, [e.value for e in app.error]
    assert app.session_state["scenario"].name == "local"
