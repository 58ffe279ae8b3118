"""Fuzzing scenarios: every broken scenario ends with exit 2, one line, no traceback, no files.

Valid scenarios (the embedded default, resolved) are mutated: a value of the wrong type, an
unknown key, a negative or a huge number, a missing file, broken YAML, an ``extends:`` cycle.
``emob-sim validate`` reads each and ``emob-sim run`` runs it: where validate refuses, run
must refuse with the same line and write nothing; where validate accepts, run must succeed.
Mutations that must always be refused (wrong type, unknown key, missing file, broken YAML,
cycle) are; a negative or huge number may be valid. Hypothesis draws a fixed number of cases
from a fixed seed (derandomized), so the test is the same every run.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from emob_sim.cli import app
from emob_sim.config import load_scenario, scenario_to_dict

#: how many mutated scenarios the test tries (README: "Bad input")
FUZZ_CASES = 150

runner = CliRunner()
BASE = scenario_to_dict(load_scenario())
PATH_KEYS = ("file", "sites_file", "strategic_dir", "polygon_file", "existing_sites_file")


def _leaves(node, path=()):
    """(path, value, container is a model) of every scalar below ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, (*path, i))
    else:
        yield path, node


#: free-form mappings of the scenario (their keys are data, not model fields)
FREE_FORM = {"hwy_speeds_kph", "chain_shares", "assist_shares", "consumption_wh_per_km",
             "zone_shares", "designs", "osm_amenities"}  # fmt: skip
LEAVES = [
    (p, v)
    for p, v in _leaves(BASE)
    if not any(isinstance(k, str) and k in FREE_FORM for k in p[:-1])
]
NUMBERS = [(p, v) for p, v in LEAVES if isinstance(v, int | float) and not isinstance(v, bool)]
FILES = [(p, v) for p, v in LEAVES if p[-1] in PATH_KEYS and isinstance(v, str)]
MODELS = [(), *sorted({p[:-1] for p, _ in LEAVES if len(p) > 1}, key=str)]


def _node(path: tuple):
    node = BASE
    for key in path:
        node = node[key]
    return node


MODELS = [m for m in MODELS if isinstance(_node(m), dict)]


def _set(data: dict, path: tuple, value) -> None:
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def _dotted(path: tuple) -> str:
    return ".".join(str(p) for p in path)


def _copy():
    return yaml.safe_load(yaml.safe_dump(BASE))


@st.composite
def mutations(draw):
    """(kind, the YAML files {name: text}, the key the error must name, the value changed)."""
    kind = draw(st.sampled_from(
        ["wrong_type", "unknown_key", "negative", "huge", "missing_file", "broken_yaml",
         "extends_cycle"]
    ))  # fmt: skip
    data = _copy()
    key = where_ = ""
    if kind == "wrong_type":
        path, _ = draw(st.sampled_from(LEAVES))
        _set(data, path, draw(st.sampled_from([{"wrong": "type"}, [[1, 2], [3]]])))
        key = _dotted(path)
    elif kind == "unknown_key":
        where = draw(st.sampled_from(MODELS))
        node = data
        for k in where:
            node = node[k]
        node["zzz_unknown"] = 1
        key = _dotted((*where, "zzz_unknown"))
    elif kind in ("negative", "huge"):
        path, value = draw(st.sampled_from(NUMBERS))
        if kind == "negative":
            new = -abs(value) - draw(st.sampled_from([1, 0.5, 1e9]))
        else:
            new = draw(st.sampled_from([1e300, 10**20, 1e15]))
        _set(data, path, int(new) if isinstance(value, int) and math.isfinite(new) else new)
        key = _dotted(path[:1])  # at least the section is named
        where_ = f"{_dotted(path)}={new!r}"
    elif kind == "missing_file":
        path, _ = draw(st.sampled_from(FILES))
        _set(data, path, "/nonexistent/emob-sim-fuzz/" + path[-1])
        key = _dotted(path)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if kind == "broken_yaml":
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + "\n  bad: [unclosed, {\n"
        key = "s.yaml"
    files = {"s.yaml": text}
    if kind == "extends_cycle":
        files = {"s.yaml": "extends: t.yaml\n" + text, "t.yaml": "extends: s.yaml\n"}
        key = "cycle"
    return kind, files, key, where_


MUST_REFUSE = {"wrong_type", "unknown_key", "missing_file", "broken_yaml", "extends_cycle"}


@settings(
    max_examples=FUZZ_CASES, derandomize=True, database=None, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
@given(mutations())
def test_broken_scenarios_end_with_one_line_and_exit_2_and_write_nothing(case):
    kind, files, key, where_ = case
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for name, text in files.items():
            (work / name).write_text(text, encoding="utf-8")
        scenario = str(work / "s.yaml")
        v = runner.invoke(app, ["validate", scenario, "--quiet"])
        assert v.exit_code in (0, 2), (kind, key, where_, v.output, repr(v.exception))
        assert "Traceback" not in v.output and v.exception is None or v.exit_code == 2
        if kind in MUST_REFUSE:
            assert v.exit_code == 2, (kind, key)
        out = work / "out"
        r = runner.invoke(app, ["run", scenario, "--out", str(out), "--quiet"])
        if v.exit_code == 0:  # validate accepts: so does run
            assert r.exit_code == 0, (kind, where_, r.output, repr(r.exception))
            return
        line = v.output.strip()
        assert "\n" not in line and line.startswith("error:"), (kind, line)
        assert key in line, (kind, key, line)
        assert r.exit_code == 2 and r.output.strip() == line, (kind, r.output)
        assert sorted(p.name for p in work.iterdir()) == sorted(files)  # nothing written
