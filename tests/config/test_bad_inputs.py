"""The bad inputs of issue 25 (items 2-5, 11, 12), each a named case: one line naming the value
and what was expected, exit 2, no traceback, no hang, nothing written, no file's contents
echoed."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emob_sim.batch import load_sweep
from emob_sim.cli import app
from emob_sim.config import bundled_path, load_scenario
from emob_sim.config.loading import read_yaml_file
from emob_sim.errors import ConfigError, DataError, EmobSimError, InputFileNotFoundError
from emob_sim.io import SCENARIO_MAX_BYTES, TABLE_MAX_BYTES, check_input_file, read_text_table
from emob_sim.io.folders import read_manifest
from emob_sim.plan import load_plan
from emob_sim.region import read_sites_file

runner = CliRunner()
BASE = bundled_path("configs/base.yaml")
SECRET = "s3cr3t-T0KEN-0d6f"


def refused(args: list[str], *needles: str, absent: tuple[str, ...] = ()) -> str:
    """Run the CLI; assert exit 2 and one printable ``error:`` line holding ``needles``."""
    result = runner.invoke(app, [*args, "--quiet"])
    assert result.exit_code == 2, (result.output, repr(result.exception))
    line = result.output.strip()
    assert "Traceback" not in line
    assert line.startswith("error: ") and line.isprintable(), line
    for needle in needles:
        assert needle in line, (needle, line)
    for text in absent:
        assert text not in line, (text, line)
    return line


def validate_and_run_refuse(tmp_path: Path, args: list[str], *needles: str) -> None:
    """``validate`` and ``run`` refuse with the same line; ``run`` writes nothing."""
    before = sorted(tmp_path.iterdir())
    line = refused(["validate", *args], *needles)
    out = tmp_path / "out"
    assert refused(["run", *args, "--out", str(out)], *needles) == line
    assert sorted(tmp_path.iterdir()) == before


def scenario(tmp_path: Path, text: str, name: str = "s.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- item 2: parser errors --------------------------------------------------------------


def test_an_impossible_date_in_set_names_the_key_and_value():
    refused(["validate", "--set", "time.start_date=2025-02-30"], "time.start_date", "2025-02-30")


def test_an_impossible_date_in_yaml_names_its_line(tmp_path):
    s = scenario(tmp_path, f"extends: {BASE}\ntime:\n  start_date: 2025-13-45\n")
    refused(["validate", s], "line 3", "'2025-13-45' is not a date", "YYYY-MM-DD")


def test_a_non_ascii_digit_is_not_an_item_number():
    refused(
        ["validate", "--set", "fleet.vehicle_types.\u00b2.share=1"],
        "fleet.vehicle_types is a list",
        "expected an item number",
        "'\u00b2'",
    )


@pytest.mark.parametrize("key", ["? [a, b]\n: 1\n", "? {a: 1}\n: 1\n"])
def test_a_list_or_mapping_as_a_key_is_refused(tmp_path, key):
    s = scenario(tmp_path, f"extends: {BASE}\n{key}")
    refused(["validate", s], "line 2", "a key must be a plain value")


def test_a_seed_of_5000_digits_is_refused(tmp_path):
    s = scenario(tmp_path, f"extends: {BASE}\nseed: {'9' * 5000}\n")
    refused(["validate", s], "line 2", "a number of 5000 digits, expected at most 4300")
    refused(["validate", "--set", "seed=" + "9" * 5000], "seed:", "integer")


def test_a_recursive_alias_is_refused(tmp_path):
    s = scenario(tmp_path, f"extends: {BASE}\nname: &a [*a]\n")
    refused(["validate", s], "line 2", "an alias refers to the list or mapping that holds it")


def test_a_nul_byte_in_a_file_name_is_refused(tmp_path):
    s = scenario(tmp_path, f'extends: {BASE}\nzones:\n  file: "a\\0b.csv"\n')
    refused(["validate", s], "zones.file: a file name cannot hold a NUL byte", r"'a\x00b.csv'")
    refused(["validate", "--set", "zones.file=a\0b.csv"], "--set zones.file", "NUL byte")
    with pytest.raises(DataError, match="zones.file: .*a file name cannot hold a NUL byte"):
        check_input_file("a\0b.csv", key="zones.file")


def test_a_scenario_path_of_300_characters_is_refused(tmp_path):
    refused(["validate", str(tmp_path / ("x" * 300 + ".yaml"))], "file name is too long")


# --- item 3: alias bombs and nesting -------------------------------------------------------


def alias_bomb(width: int = 9, levels: int = 9) -> str:
    """The "billion laughs": ``levels`` lists of ``width`` aliases of the list before."""
    lines = [f"a0: &a0 [{','.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path):
    text = alias_bomb()
    assert len(text) < 450  # the 400-byte file of the issue: 9 ** 9 values once expanded
    refused(["validate", scenario(tmp_path, text)], "expands to more than 100,000 values")


def test_aliases_that_stay_small_are_read(tmp_path):
    s = scenario(tmp_path, f"extends: {BASE}\ndescription: &d a text used twice\nname: *d\n")
    assert load_scenario(s).name == "a text used twice"


def test_deep_nesting_is_refused(tmp_path):
    s = scenario(tmp_path, f"extends: {BASE}\nzzz: {'[' * 60}{']' * 60}\n")
    refused(["validate", s], "nests deeper than 40 levels")


# --- item 4: costs.existing_sites_file and demand.facts_file ------------------------------


def test_existing_sites_file_as_a_folder_is_refused_by_validate_and_run(tmp_path):
    (tmp_path / "sites").mkdir()
    args = ["--set", f"costs.existing_sites_file={tmp_path / 'sites'}"]
    validate_and_run_refuse(tmp_path, args, "costs.existing_sites_file", "not a regular file")


def test_existing_sites_file_as_dev_zero_is_refused_by_validate_and_run(tmp_path):
    args = ["--set", "costs.existing_sites_file=/dev/zero"]
    validate_and_run_refuse(tmp_path, args, "costs.existing_sites_file", "a character device")


def test_existing_sites_file_of_garbage_is_refused_by_validate_and_run(tmp_path):
    (tmp_path / "g.csv").write_text("hello,world\n1,2\n")
    args = ["--set", f"costs.existing_sites_file={tmp_path / 'g.csv'}"]
    validate_and_run_refuse(tmp_path, args, "costs.existing_sites_file", "'site_id' is missing")


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda p: None, "file not found"),
        (lambda p: p.mkdir(), "not a regular file (a folder)"),
        (lambda p: p.write_bytes(bytes(range(256)) * 4), "cannot read the CSV table"),
        (lambda p: p.write_text("hello world\n1\n"), "column 'fact' is missing"),
        (lambda p: p.write_text(""), "cannot read the CSV table"),
    ],
    ids=["missing", "folder", "binary", "no-fact-column", "empty"],
)
def test_a_bad_facts_file_is_refused_by_validate_and_run(tmp_path, make, needle):
    facts = tmp_path / "facts.csv"
    make(facts)
    args = ["--set", f"demand.facts_file={facts}"]
    validate_and_run_refuse(tmp_path, args, "demand.facts_file", needle)


# --- item 5: special files -----------------------------------------------------------------


def test_extends_dev_zero_is_not_a_regular_file(tmp_path):
    refused(["validate", scenario(tmp_path, "extends: /dev/zero\n")], "extends: /dev/zero")
    refused(["validate", scenario(tmp_path, "extends: /dev/zero\n")], "not a regular file")


def test_zones_file_dev_zero_is_not_a_regular_file():
    refused(
        ["validate", "--set", "zones.file=/dev/zero"],
        "zones.file: /dev/zero: not a regular file (a character device)",
    )


def test_a_fifo_never_blocks(tmp_path):
    fifo = tmp_path / "zones.csv"
    os.mkfifo(fifo)  # no writer: reading it would wait for ever
    refused(["validate", "--set", f"zones.file={fifo}"], "not a regular file (a FIFO")
    refused(["validate", str(fifo)], "not a regular file (a FIFO")
    refused(["validate", scenario(tmp_path, f"extends: {fifo}\n")], "a FIFO")


def test_a_symlink_to_a_device_and_a_socket_are_refused(tmp_path):
    (tmp_path / "link.csv").symlink_to("/dev/zero")
    refused(["validate", "--set", f"zones.file={tmp_path / 'link.csv'}"], "a character device")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "sock.csv"))
        with pytest.raises(DataError, match=r"not a regular file \(a socket\)"):
            read_text_table(tmp_path / "sock.csv", [], key="zones.file")


def test_a_file_over_its_cap_is_refused_naming_its_size_and_the_cap(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as f:
        f.truncate(SCENARIO_MAX_BYTES + 1)  # sparse: no disk used
    refused(["validate", str(big)], "4.0 MiB", f"({SCENARIO_MAX_BYTES + 1} bytes)", "cap")
    table = tmp_path / "big.csv"
    with open(table, "wb") as f:
        f.truncate(TABLE_MAX_BYTES + 1)
    refused(["validate", "--set", f"zones.file={table}"], "zones.file", "cap of 1.0 GiB")


def test_a_fifo_named_manifest_json_is_no_manifest(tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    os.mkfifo(target / "manifest.json")
    assert read_manifest(target) is None
    # --overwrite refuses the folder, whose manifest.json is no manifest, without waiting on it
    refused(["run", "--out", str(target), "--overwrite"], "--overwrite", "manifest.json")
    assert sorted(p.name for p in target.iterdir()) == ["manifest.json"]


# --- item 11: files that are not scenarios ------------------------------------------------


def test_a_shadow_like_file_is_not_echoed(tmp_path):
    shadow = tmp_path / "shadow"
    shadow.write_text(f"root:$6${SECRET}$hash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n")
    s = scenario(tmp_path, f"extends: {shadow}\n")
    refused(
        ["validate", s],
        "not an emob-sim scenario (2 top-level keys, none of them a scenario key)",
        absent=(SECRET, "root:", "daemon:"),
    )


def test_a_kube_config_names_its_keys_not_its_values(tmp_path):
    kube = (
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: 'https://k8s'}\n  "
        f"name: c\nusers:\n- name: u\n  user:\n    token: {SECRET}\n"
    )
    refused(
        ["validate", scenario(tmp_path, kube)],
        "not an emob-sim scenario (unknown top-level keys: apiVersion, kind, clusters, users)",
        absent=(SECRET, "https://k8s"),
    )


def test_an_unknown_key_is_named_without_its_value(tmp_path):
    s = scenario(tmp_path, f"extends: {BASE}\nusers:\n- token: {SECRET}\n")
    refused(["validate", s], "users: unknown key", absent=(SECRET,))


# --- item 12: one line, whatever the other library says --------------------------------


def test_a_csv_row_with_an_extra_field_is_one_line(tmp_path):
    lines = bundled_path("data/zemgale/zones.csv").read_text(encoding="utf-8").splitlines()
    lines[2] += ",extra"
    table = tmp_path / "zones.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused(["validate", "--set", f"zones.file={table}"], "zones.file", "in line 3, saw")


def test_a_geojson_point_without_coordinates_is_one_line(tmp_path):
    layer = tmp_path / "sites.geojson"
    layer.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"site_id": "a", "kind": "car_dc", "plugs": 2, "power_kw": 50}, '
        '"geometry": {"type": "Point"}}]}'
    )
    refused(["validate", "--set", f"charging.sites_file={layer}"], "feature 1", "geometry")
    with pytest.raises(DataError) as info:
        read_sites_file(layer)
    assert str(info.value).isprintable()


def test_a_file_name_with_a_newline_is_shown_on_one_line(tmp_path):
    s = scenario(tmp_path, f'extends: {BASE}\nzones:\n  file: "/nonexistent/a\\nb.csv"\n')
    refused(["validate", s], "zones.file: file not found: /nonexistent/a\\nb.csv")
    odd = tmp_path / "s\nx.yaml"
    odd.write_text("fleet: [\n")
    refused(["validate", str(odd)], "s\\nx.yaml: malformed YAML")


def test_the_reader_raises_the_package_errors_only(tmp_path):
    with pytest.raises(InputFileNotFoundError, match="zones.file: file not found"):
        check_input_file(tmp_path / "none.csv", key="zones.file")
    with pytest.raises(EmobSimError, match="a part of the path is not a folder"):
        (tmp_path / "f").write_text("x")
        check_input_file(tmp_path / "f" / "g.csv")


# --- sweep and plan files are read the same way -------------------------------------------


@pytest.mark.parametrize("load", [load_sweep, load_plan], ids=["sweep", "plan"])
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (alias_bomb(), "expands to more than 100,000 values"),
        ("a: [unclosed, {\n", "malformed YAML at line"),
        ("base: &a [*a]\n", "an alias refers"),
    ],
    ids=["alias-bomb", "broken", "recursive"],
)
def test_sweep_and_plan_files_are_bounded_and_one_line(tmp_path, load, text, needle):
    path = tmp_path / "f.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load(path)
    assert needle in str(info.value) and str(info.value).isprintable()
    with pytest.raises(ConfigError, match="not a regular file"):
        load(Path("/dev/zero"))
    assert read_yaml_file(BASE)["fleet"]  # a good file is read
