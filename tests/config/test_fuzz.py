"""Fuzzing scenarios: every broken scenario ends with exit 2, one line, no traceback, no files.

Valid scenarios (the embedded default, resolved) are mutated: a value of the wrong type, an
unknown key, a negative or a huge number, a missing file, broken YAML, an ``extends:`` cycle.
``emob-sim validate`` reads each and ``emob-sim run`` runs it: where validate refuses, run
must refuse with the same line and write nothing; where validate accepts, run must succeed.
Mutations that must always be refused (wrong type, unknown key, missing file, broken YAML,
cycle) are; a negative or huge number may be valid. Hypothesis draws a fixed number of cases
from a fixed seed (derandomized), so the test is the same every run.

A second strategy draws only scenarios that must be refused, adding the inputs of issue 25:
special files (``/dev/zero``, a FIFO, a folder, a symbolic link to a device) for every file key
and ``extends:``, alias bombs and recursive aliases, deep nesting, numbers of thousands of
digits, impossible dates, odd ``--set`` keys, keys and file names with non-ASCII characters,
newlines or NUL bytes, a list as a key, files that are not scenarios (holding secrets that
must not be echoed), files over their size cap, and garbage tables: 17 kinds.
:data:`FUZZ_IN_PROCESS_PER_KIND` of each kind run through
:func:`emob_sim.runner.check_scenario` in this process (what ``validate`` does), and
:data:`FUZZ_CLI_PER_KIND` through ``emob-sim validate`` and ``emob-sim run``.
"""

from __future__ import annotations

import copy
import math
import os
import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from emob_sim.cli import app
from emob_sim.config import load_scenario, scenario_to_dict
from emob_sim.errors import EmobSimError
from emob_sim.runner import check_scenario

#: how many mutated scenarios the test tries (README: "Bad input")
FUZZ_CASES = 150

runner = CliRunner()
BASE = scenario_to_dict(load_scenario())
PATH_KEYS = (
    "file",
    "sites_file",
    "strategic_dir",
    "polygon_file",
    "existing_sites_file",
    "facts_file",
)


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
FREE_FORM = {
    "hwy_speeds_kph",
    "chain_shares",
    "assist_shares",
    "consumption_wh_per_km",
    "zone_shares",
    "designs",
    "osm_amenities",
}
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
    return copy.deepcopy(BASE)


def _dump(data: dict) -> str:
    return yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)


KINDS = [
    "wrong_type",
    "unknown_key",
    "negative",
    "huge",
    "missing_file",
    "broken_yaml",
    "extends_cycle",
]


@st.composite
def mutations(draw, kinds=tuple(KINDS)):
    """(kind, the YAML files {name: text}, the key the error must name, the value changed)."""
    kind = draw(st.sampled_from(kinds))
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
    text = _dump(data)
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
    max_examples=FUZZ_CASES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
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


# --- scenarios that must be refused (issue 25) ----------------------------------------------

#: how many bad scenarios of each kind run through check_scenario in this process, and
#: through the CLI (README: "Bad input": 17 kinds, 1,020 in process, 68 on the CLI)
FUZZ_IN_PROCESS_PER_KIND = 60
FUZZ_CLI_PER_KIND = 4

#: a secret in files that are not scenarios and in values of unknown keys: never echoed
SECRET = "s3cr3t-T0KEN-0d6f"
BASE_TEXT = _dump(BASE)
BAD_KINDS = (
    "wrong_type unknown_key missing_file broken_yaml extends_cycle special_file alias_bomb "
    "recursive_alias deep_nesting huge_number bad_date bad_set odd_path list_key "
    "not_a_scenario oversize bad_table"
).split()
#: special files a file key may name (@DIR@ is the case's folder)
SPECIAL = ["/dev/zero", "/dev/null", "@DIR@/fifo", "@DIR@/folder", "@DIR@/link-to-dev-zero"]
ODD_KEYS = ["zzz_unknown", "zzzé中", "zzz\nline", "zzz\x00nul", "zzz\u202eevil", "zzz" * 40]
BAD_DATES = ["2025-02-30", "2025-13-45", "2024-00-10", "2023-02-29", "9999-99-99"]
#: --set overrides that must be refused, with a text the message must hold
BAD_SETS = [
    ("fleet.vehicle_types.\u00b2.share=1", "\u00b2"),
    ("fleet.vehicle_types.\u0663.share=1", "\u0663"),
    ("fleet.vehicle_types.99.share=1", "99"),
    ("fleet..ev_share=1", "fleet..ev_share"),
    ("=1", "--set"),
    ("fleet.ev_share", "--set"),
    ("fleet.ev_share.x=1", "fleet.ev_share"),
    ("zzzé中=1", "zzzé中"),
    ("fleet.zzz\nx=1", "fleet.zzz"),
    ("fleet.ev_share=\x00", "fleet.ev_share"),
    ("zones.file=a\x00b.csv", "NUL"),
    ("zones.file=" + "x" * 300 + ".csv", "zones.file"),
    ("seed=" + "9" * 5000, "seed"),
    ("time.start_date=2025-02-30", "time.start_date"),
    ("time.start_date=2025-13-45", "time.start_date"),
    ("fleet.ev_share=[&a [*a]]", "fleet.ev_share"),
]
#: files that are not scenarios, and what the message says of each
KUBE_CONFIG = (
    "apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: 'https://k8s'}\n  name: c\n"
    f"users:\n- name: u\n  user: {{token: {SECRET}}}\n"
)
FOREIGN = [
    (KUBE_CONFIG, "not an emob-sim scenario"),
    (f"root:$6${SECRET}$abc:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n", "not an emob-sim"),
    (f"services:\n  db:\n    environment:\n      PASSWORD: {SECRET}\n", "services"),
    (f'{{"name": "pkg", "dependencies": {{"x": "{SECRET}"}}}}\n', "dependencies"),
    (f"API_KEY={SECRET}\nDEBUG=1\n", "expected a mapping"),
    (f"[default]\naws_secret_access_key = {SECRET}\n", "YAML"),
]
RECURSIVE = ["zzz: &r [*r]\n", "zzz: &r {b: *r}\n", "zzz: &r [1, [2, {c: *r}]]\n"]
#: odd values of a file key, with what the message must hold ("" = the key)
ODD_PATHS = [
    ("a\x00b.csv", "NUL"),
    ("x" * 300 + ".csv", ""),
    ("/nonexistent/a\nb.csv", ""),
    ("/nonexistent/\u202eb.csv", ""),
]
GARBAGE = [bytes(range(256)) * 4, b"hello,world\n1,2\n", b"", b"\x00" * 100]
TABLE_KEYS = [
    ("zones", "file"),
    ("charging", "sites_file"),
    ("demand", "facts_file"),
    ("costs", "existing_sites_file"),
]


def _node_of(data: dict, path: tuple):
    for key in path:
        data = data[key]
    return data


def _with_extra_field(path: str) -> bytes:
    """The first rows of a shipped table, its third line with one field too many."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()[:5]
    lines[2] += ",extra"
    return ("\n".join(lines) + "\n").encode()


@st.composite
def bad_scenarios(draw, kind: str):
    """(kind, files {name: text | bytes | (special,)}, --set overrides, text the message must
    hold): a scenario ``s.yaml`` of mutation ``kind`` that must be refused (its ``name:`` is
    drawn too, so that each kind has more cases than any test draws)."""
    name = draw(st.text("abcdefghijklmnopqrstuvwxyz0123456789-é中", min_size=1, max_size=16))
    case = draw(_bad_scenarios(kind))
    files = case[1]
    if isinstance(files["s.yaml"], str) and files["s.yaml"].startswith("name: "):
        files["s.yaml"] = re.sub(r"^name: .*", f"name: '{name}'", files["s.yaml"], count=1)
    return case


@st.composite
def _bad_scenarios(draw, kind: str):
    text, files, overrides, needle = BASE_TEXT, {}, [], ""
    if kind in ("wrong_type", "missing_file", "broken_yaml", "extends_cycle"):
        _, files, needle, _ = draw(mutations(kinds=(kind,)))
        return kind, files, [], needle
    if kind == "unknown_key":  # an odd key, a secret value
        where, key = draw(st.sampled_from(MODELS)), draw(st.sampled_from(ODD_KEYS))
        data = _copy()
        _node_of(data, where)[key] = SECRET
        text, needle = _dump(data), "zzz"
    if kind == "special_file":
        path = draw(st.sampled_from([*(p for p, _ in FILES), ("extends",)]))
        targets = [t for t in SPECIAL if not (path[-1] == "strategic_dir" and "folder" in t)]
        target = draw(st.sampled_from(targets))
        if path == ("extends",):
            text = f"extends: {target}\n" + text
        else:
            data = _copy()
            _set(data, path, target)
            text = _dump(data)
        needle = "expected a folder" if path[-1] == "strategic_dir" else "not a regular file"
    elif kind == "alias_bomb":
        width, levels = draw(st.integers(6, 12)), draw(st.integers(7, 10))
        mapping = draw(st.booleans())
        lines = [f"zzz0: &a0 [{', '.join(['lol'] * width)}]"]
        for i in range(1, levels):
            refs = [f"k{j}: *a{i - 1}" if mapping else f"*a{i - 1}" for j in range(width)]
            lines.append(f"zzz{i}: &a{i} " + ("{%s}" if mapping else "[%s]") % ", ".join(refs))
        text += "\n".join(lines) + "\n"
        needle = "expands to more than"
    elif kind == "recursive_alias":
        text += draw(st.sampled_from(RECURSIVE))
        needle = "alias refers"
    elif kind == "deep_nesting":
        depth = draw(st.sampled_from([41, 60, 999, 1001, 5000]))
        if draw(st.booleans()):
            text += "zzz: " + "[" * depth + "]" * depth + "\n"
        else:
            text += "zzz:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(min(depth, 1200)))
        needle = "nest"
    elif kind == "huge_number":
        path, _ = draw(st.sampled_from(NUMBERS))
        data = _copy()
        _set(data, path, "HUGE_NUMBER")
        digits = draw(st.sampled_from([4301, 5000, 20000]))
        text = _dump(data).replace("HUGE_NUMBER", "9" * digits, 1)
        needle = "digits"
    elif kind == "bad_date":
        date = draw(st.sampled_from(BAD_DATES))
        if draw(st.booleans()):
            overrides, needle = [f"time.start_date={date}"], "time.start_date"
        else:
            text = text.replace(
                f"start_date: '{BASE['time']['start_date']}'", f"start_date: {date}"
            )
            needle = "not a date"
    elif kind == "bad_set":
        override, needle = draw(st.sampled_from(BAD_SETS))
        overrides = [override]
    elif kind == "odd_path":
        path, _ = draw(st.sampled_from([(p, v) for p, v in FILES if p[-1] != "strategic_dir"]))
        value, needle = draw(st.sampled_from(ODD_PATHS))
        needle = needle or _dotted(path)
        data = _copy()
        _set(data, path, value)
        text = _dump(data)
    elif kind == "list_key":
        text += draw(st.sampled_from(["? [a, b]\n: 1\n", "? {a: 1}\n: 1\n"]))
        needle = "a key must be a plain value"
    elif kind == "not_a_scenario":
        foreign, needle = draw(st.sampled_from(FOREIGN))
        if draw(st.booleans()):
            text = foreign
        else:
            text, files["foreign.yaml"] = "extends: foreign.yaml\n", foreign
    elif kind == "oversize":
        if draw(st.booleans()):
            return kind, {"s.yaml": ("sparse", 4 * 1024**2 + draw(st.integers(1, 99)))}, [], "cap"
        path, _ = draw(st.sampled_from([(p, v) for p, v in FILES if p[-1] != "strategic_dir"]))
        data = _copy()
        _set(data, path, "@DIR@/big.csv")
        text, files["big.csv"], needle = _dump(data), ("sparse", 1024**3 + 1), "cap"
    elif kind == "bad_table":
        path = draw(st.sampled_from(TABLE_KEYS))
        content = draw(st.sampled_from([*GARBAGE, "extra"]))
        if content == "extra":
            content = _with_extra_field(_node(path))
        data = _copy()
        _set(data, path, "@DIR@/table.csv")
        text, files["table.csv"], needle = _dump(data), content, _dotted(path)
    files["s.yaml"] = text
    return kind, files, overrides, needle


def _write_case(folder: Path, files: dict) -> None:
    (folder / "folder").mkdir()
    os.mkfifo(folder / "fifo")
    (folder / "link-to-dev-zero").symlink_to("/dev/zero")
    for name, content in files.items():
        path = folder / name
        if isinstance(content, tuple):  # ("sparse", size): a file of that size, no disk used
            with open(path, "wb") as f:
                f.truncate(content[1])
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content.replace("@DIR@", str(folder)), encoding="utf-8")


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _check_message(kind: str, message: str, needle: str) -> None:
    assert message and message.isprintable(), (kind, message)  # one line, no control characters
    assert needle in message, (kind, needle, message)
    assert SECRET not in message, (kind, message)


BAD_SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_bad_scenarios_are_refused_in_process_with_one_line(kind):
    """FUZZ_IN_PROCESS_PER_KIND bad scenarios through check_scenario: an EmobSimError of one
    printable line naming the problem, no secret echoed, nothing written, no other exception."""
    tried = []

    @settings(BAD_SETTINGS, max_examples=FUZZ_IN_PROCESS_PER_KIND)
    @given(bad_scenarios(kind))
    def check(case):
        kind, files, overrides, needle = case
        tried.append(case)
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            _write_case(folder, files)
            before = _listing(folder)
            overrides = [o.replace("@DIR@", name) for o in overrides]
            with pytest.raises(EmobSimError) as info:
                check_scenario(folder / "s.yaml", overrides=overrides)
            _check_message(kind, str(info.value), needle)
            assert _listing(folder) == before

    check()
    assert len(tried) >= FUZZ_IN_PROCESS_PER_KIND


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_a_sample_of_bad_scenarios_ends_with_one_line_on_the_cli(kind):
    """FUZZ_CLI_PER_KIND bad scenarios through validate and run: exit 2, one line, no
    traceback, nothing written."""
    tried = []

    @settings(BAD_SETTINGS, max_examples=FUZZ_CLI_PER_KIND)
    @given(bad_scenarios(kind))
    def check(case):
        tried.append(case)
        _cli_refuses(*case)

    check()
    assert len(tried) >= FUZZ_CLI_PER_KIND


def _cli_refuses(kind, files, overrides, needle):
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        _write_case(folder, files)
        before = _listing(folder)
        sets = [arg for o in overrides for arg in ("--set", o.replace("@DIR@", name))]
        scenario = str(folder / "s.yaml")
        v = runner.invoke(app, ["validate", scenario, "--quiet", *sets])
        r = runner.invoke(app, ["run", scenario, "--out", str(folder / "out"), "--quiet", *sets])
        for result in (v, r):
            assert result.exit_code == 2, (kind, result.output, repr(result.exception))
            assert "Traceback" not in result.output
            line = result.output.strip()
            assert line.startswith("error: "), (kind, line)
            _check_message(kind, line, needle)
        assert r.output == v.output
        assert _listing(folder) == before  # nothing written
