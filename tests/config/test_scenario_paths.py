"""The paths a scenario names, and their confinement to an upload's folder (issue 25, item 14)."""

from __future__ import annotations

import typing
from pathlib import Path

import pydantic
import pytest
import yaml

from emob_sim.config import Scenario
from emob_sim.config.paths import check_confined, named_paths
from emob_sim.errors import ConfigError
from emob_sim.io.reading import SCENARIO_MAX_BYTES


def _refusal(folder: Path, text: str, *, allow_local: bool = False) -> str:
    (folder / "s.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        check_confined(folder / "s.yaml", folder=folder, allow_local=allow_local)
    message = str(info.value)
    assert "\n" not in message and message.startswith("s.yaml: ")
    assert str(folder) not in message
    return message


def _path_fields(model: type[pydantic.BaseModel], prefix: str = "") -> list[str]:
    """Dotted names of every field of ``model`` (and its sub-models) that holds a path."""
    found = []
    for name, field in model.model_fields.items():
        parts = [field.annotation]
        while parts:
            t = parts.pop()
            if t is Path:
                found.append(prefix + name)
            elif isinstance(t, type) and issubclass(t, pydantic.BaseModel):
                found += _path_fields(t, f"{prefix}{name}.")
            else:
                parts += list(typing.get_args(t))
    return found


def test_every_path_field_of_a_scenario_is_listed():
    fields = _path_fields(Scenario)
    assert {"network.file", "zones.auto.population_file", "charging.sites_file"} <= set(fields)
    tree: dict = {}
    for field in fields:  # a list's items as one mapping: the keys are what is read
        *sections, leaf = field.split(".")
        node = tree
        for section in sections:
            node = node.setdefault(section, {})
        node[leaf] = "x"
    listed = {key for key, _ in named_paths(yaml.safe_dump(tree), source="t")}
    assert listed == set(fields)


def test_named_paths_reads_nested_lists_and_extends_but_not_other_values():
    text = (
        "extends: ../base.yaml\nname: file.csv\n"
        "zones: {file: z.csv, auto: {population_file: null}}\n"
        "energy:\n  sites:\n    - {pv_profile_file: pv.csv, kwp: 3}\n"
        "network: {cache_dir: ~/c, file: 12}\n"
    )
    assert named_paths(text, source="t") == [
        ("energy.sites.0.pv_profile_file", "pv.csv"),
        ("extends", "../base.yaml"),
        ("network.cache_dir", "~/c"),
        ("zones.file", "z.csv"),
    ]


def test_named_paths_follows_each_alias_once():
    levels = ["a0: &a0 {file: /etc/shadow}"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    assert named_paths("\n".join(levels), source="t") == [("a0.file", "/etc/shadow")]


def test_malformed_yaml_is_one_line():
    with pytest.raises(ConfigError, match=r"^t: malformed YAML at line 1"):
        named_paths("a: [", source="t")


@pytest.mark.parametrize("key", ["zones.file", "extends", "network.strategic_dir"])
def test_a_path_outside_the_folder_reads_alike_whether_it_exists_or_not(tmp_path, key):
    section, _, leaf = key.rpartition(".")
    shown = []
    for path in ("/etc/passwd", "/etc/passwe", "~/.kube/config", "~root/x"):
        line = f"{section}:\n  {leaf}: {path}\n" if section else f"{leaf}: {path}\n"
        shown.append(_refusal(tmp_path, line).replace(path, "PATH"))
    assert len(set(shown)) == 1 and "uploaded" in shown[0]


def test_a_relative_path_must_be_an_uploaded_file(tmp_path):
    (tmp_path / "zones.csv").write_text("zone_id\n")
    (tmp_path / "s.yaml").write_text("zones: {file: zones.csv}\n")
    check_confined(tmp_path / "s.yaml", folder=tmp_path)
    message = _refusal(tmp_path, "zones: {file: sub/zones.csv}\n")
    assert "not among the uploaded files (s.yaml, zones.csv)" in message
    message = _refusal(tmp_path, "zones: {file: ../../etc/passwd}\n")
    assert "relative to a folder the app does not have" in message


@pytest.mark.parametrize(
    ("extends", "hint"),
    [
        ("../base.yaml", "write extends: emob-sim:configs/base.yaml"),
        ("../../configs/zemgale/baseline.yaml", "upload that file with the scenario"),
        ("../zemgale/baseline.yaml", "write extends: emob-sim:configs/zemgale/baseline.yaml"),
        ("base.yaml", "write extends: emob-sim:configs/base.yaml"),
    ],
)
def test_a_relative_extends_gets_what_to_write_instead(tmp_path, extends, hint):
    message = _refusal(tmp_path, f"extends: {extends}\n")
    assert message.startswith(f"s.yaml: extends: {extends} ")
    assert message.endswith(hint) or hint in message


@pytest.mark.parametrize(
    "value",
    ["emob-sim:../../etc/passwd", "emob-sim:configs/../../x", "emob-sim:/etc/passwd", "emob-sim:"],
)
def test_a_shipped_path_stays_among_the_shipped_files(tmp_path, value):
    assert "expected a shipped file" in _refusal(tmp_path, f"zones: {{file: '{value}'}}\n")


def test_shipped_files_pass_and_an_uploaded_parent_is_checked_too(tmp_path):
    (tmp_path / "parent.yaml").write_text("zones: {file: /etc/passwd}\n")
    (tmp_path / "ok.yaml").write_text(
        "extends: emob-sim:configs/zemgale/baseline.yaml\ncharging: {sites_file: emob-sim:data/x}\n"
    )
    check_confined(tmp_path / "ok.yaml", folder=tmp_path)
    (tmp_path / "s.yaml").write_text("extends: parent.yaml\n")
    with pytest.raises(ConfigError, match=r"^parent.yaml: zones.file: /etc/passwd: the app"):
        check_confined(tmp_path / "s.yaml", folder=tmp_path)


def test_a_desktop_install_may_name_local_files_but_not_relative_ones(tmp_path):
    (tmp_path / "s.yaml").write_text("extends: /etc/passwd\nzones: {file: ~/z.csv}\n")
    check_confined(tmp_path / "s.yaml", folder=tmp_path, allow_local=True)
    assert "relative to a folder" in _refusal(
        tmp_path, "zones: {file: ../z.csv}\n", allow_local=True
    )


def test_odd_values_are_named_on_one_line(tmp_path):
    assert "expected a file name" in _refusal(tmp_path, 'zones: {file: "a\\0b"}\n')
    message = _refusal(tmp_path, 'zones: {file: "/x\\ny"}\n')
    assert "/x\\ny" in message
    long = "/" + "a" * 5000
    assert len(_refusal(tmp_path, f"zones: {{file: {long}}}\n")) < 400
    (tmp_path / "s.yaml").write_bytes(b"\xff\xfe not text")
    with pytest.raises(ConfigError, match="^s.yaml: expected a YAML text file"):
        check_confined(tmp_path / "s.yaml", folder=tmp_path)
    (tmp_path / "s.yaml").write_bytes(b"#" * (SCENARIO_MAX_BYTES + 1))
    with pytest.raises(ConfigError, match="^s.yaml: expected a scenario file of at most"):
        check_confined(tmp_path / "s.yaml", folder=tmp_path)
