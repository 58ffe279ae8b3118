"""Bad input: one line naming the problem, exit code 2, no output folder left behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from emob_sim.cli import app
from emob_sim.config import bundled_path

runner = CliRunner()
BASE = bundled_path("configs/base.yaml")


def run_cli(*args: str):
    return runner.invoke(app, list(args))


def test_malformed_yaml(tmp_path, clean_failure):
    bad = tmp_path / "bad.yaml"
    bad.write_text("fleet: {ev_share: [\n")
    clean_failure(
        run_cli("run", str(bad), "--out", str(tmp_path / "o")), tmp_path / "o", "malformed YAML"
    )


def test_invalid_value(tmp_path, clean_failure):
    out = tmp_path / "o"
    r = run_cli("run", "--out", str(out), "--set", "fleet.ev_share=1.4")
    clean_failure(r, out, "fleet.ev_share", "1.4")


def test_unknown_key(tmp_path, clean_failure):
    out = tmp_path / "o"
    clean_failure(
        run_cli("run", "--out", str(out), "--set", "fleet.evshare=1"), out, "fleet.evshare"
    )


def test_missing_scenario_file(tmp_path, clean_failure):
    out = tmp_path / "o"
    clean_failure(run_cli("run", str(tmp_path / "nope.yaml"), "--out", str(out)), out, "nope.yaml")


def test_unreadable_graph(tmp_path, clean_failure):
    graph = tmp_path / "broken.graphml"
    graph.write_text("this is not graphml")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"extends: {BASE}\nnetwork:\n  source: file\n  file: broken.graphml\n")
    out = tmp_path / "o"
    clean_failure(run_cli("run", str(scenario), "--out", str(out)), out, "broken.graphml")


def test_zone_that_cannot_reach_the_network(tmp_path, clean_failure):
    zones = Path(bundled_path("data/zemgale/zones.csv")).read_text(encoding="utf-8").splitlines()
    header = zones[0].split(",")
    far = dict.fromkeys(header, "")
    # a zone in the Baltic Sea, 150 km west of the network
    far.update(
        zone_id="Sea",
        name="Sea",
        kind="zone",
        lon="20.9",
        lat="56.9",
        population="1000",
        area_km2="10",
        municipality="none",
        source="test",
    )
    (tmp_path / "zones.csv").write_text(
        "\n".join(zones + [",".join(far[h] for h in header)]) + "\n", encoding="utf-8"
    )
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"extends: {BASE}\nzones:\n  file: zones.csv\n")
    out = tmp_path / "o"
    clean_failure(run_cli("run", str(scenario), "--out", str(out)), out, "Sea")


def test_existing_output_folder_is_kept(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    r = run_cli("run", "--out", str(out))
    assert r.exit_code == 2
    assert "--overwrite" in r.output
    assert (out / "precious.txt").read_text() == "keep me"


def test_validate_prints_resolved_scenario():
    r = run_cli("validate", "--set", "fleet.ev_share=0.2")
    assert r.exit_code == 0, r.output
    assert '"ev_share": 0.2' in r.output


@pytest.mark.parametrize("args", [["run"], ["run", "--out"]])
def test_usage_errors_exit_2(args):
    assert run_cli(*args).exit_code == 2


def test_out_in_a_new_nested_folder_is_created(tmp_path):
    out = tmp_path / "runs" / "nested" / "baseline"
    r = run_cli("run", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert (out / "kpis.json").is_file()


def test_out_below_a_file_is_refused(tmp_path):
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "afile" / "run"
    r = run_cli("run", "--out", str(out))
    assert r.exit_code == 2
    assert "is a file" in r.output
    assert (tmp_path / "afile").read_text() == "x"


def test_overwrite_replaces_an_earlier_run(tmp_path):
    out = tmp_path / "o"
    assert run_cli("run", "--out", str(out)).exit_code == 0
    r = run_cli("run", "--out", str(out), "--overwrite", "--seed", "3")
    assert r.exit_code == 0, r.output
    assert '"seed": 3' in (out / "manifest.json").read_text()


def test_overwrite_keeps_a_run_folder_holding_a_users_file(tmp_path):
    out = tmp_path / "o"
    assert run_cli("run", "--out", str(out)).exit_code == 0
    (out / "plan.txt").write_text("my notes")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    r = run_cli("run", "--out", str(out), "--overwrite", "--seed", "3")
    assert r.exit_code == 2
    assert "plan.txt" in r.output and "did not write" in r.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_overwrite_never_replaces_a_folder_that_is_not_emob_sim_output(tmp_path):
    out = tmp_path / "data"
    out.mkdir()
    (out / "zones.csv").write_text("precious")
    r = run_cli("run", "--out", str(out), "--overwrite")
    assert r.exit_code == 2
    assert "only folders written by emob-sim" in r.output and "zones.csv" in r.output
    assert (out / "zones.csv").read_text() == "precious"


def test_overwrite_never_replaces_the_current_folder(tmp_path, monkeypatch):
    (tmp_path / "manifest.json").write_text("{}")  # even one that looks like a run
    monkeypatch.chdir(tmp_path)
    r = run_cli("run", "--out", ".", "--overwrite")
    assert r.exit_code == 2
    assert "current folder" in r.output
    assert (tmp_path / "manifest.json").read_text() == "{}"


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc")
def test_out_on_a_filesystem_that_takes_no_folders_is_refused():
    r = run_cli("run", "--out", "/proc/emob-sim-test")
    assert r.exit_code == 2
    assert "cannot write in /proc" in r.output
