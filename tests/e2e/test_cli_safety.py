"""What a user sees: folders that are never lost, honest messages, progress, one number format.

Each test reproduces a problem seen when the tool was tried as a new user would try it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from emob_sim import __version__
from emob_sim.cli import app
from emob_sim.config import bundled_path
from emob_sim.display import label_of

runner = CliRunner()
BASE = bundled_path("configs/base.yaml")


def cli(*args: str):
    return runner.invoke(app, list(args))


def test_run_overwrite_keeps_a_users_notes_beside_a_run(tmp_path):
    out = tmp_path / "run"
    assert cli("run", "--out", str(out), "-q").exit_code == 0
    (out / "plan.txt").write_text("notes for the council")
    r = cli("run", "--out", str(out), "--overwrite", "--seed", "5", "-q")
    assert r.exit_code == 2 and "plan.txt" in r.output
    assert (out / "plan.txt").read_text() == "notes for the council"
    assert '"seed": 5' not in (out / "manifest.json").read_text()


def test_run_overwrite_never_replaces_a_placement_folder(tmp_path):
    out = tmp_path / "lay"
    assert (
        cli("place", "--method", "coverage", "--budget", "3plugs", "--out", str(out)).exit_code == 0
    )
    before = sorted(p.name for p in out.iterdir())
    r = cli("run", "--out", str(out), "--overwrite", "-q")
    assert r.exit_code == 2 and "place output" in r.output
    assert sorted(p.name for p in out.iterdir()) == before


@pytest.mark.parametrize("out", [".", ""])
def test_out_the_current_folder_is_refused_even_when_empty(tmp_path, monkeypatch, out):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    r = cli("run", "--out", out, "-q")
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "current folder" in r.output or "folder name" in r.output
    assert work.is_dir() and list(work.iterdir()) == []


def test_out_holding_the_scenario_is_refused(tmp_path):
    scenario = tmp_path / "configs" / "s.yaml"
    scenario.parent.mkdir()
    scenario.write_text(f"extends: {bundled_path('configs/zemgale/baseline.yaml')}\n")
    r = cli("run", str(scenario), "--out", str(tmp_path / "configs"), "--overwrite", "-q")
    assert r.exit_code == 2 and "holds an input" in r.output
    assert scenario.exists()


def test_validate_refuses_what_run_refuses(tmp_path):
    graph = tmp_path / "broken.graphml"
    graph.write_text("this is not graphml")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"extends: {BASE}\nnetwork:\n  source: file\n  file: broken.graphml\n")
    v = cli("validate", str(scenario), "-q")
    r = cli("run", str(scenario), "--out", str(tmp_path / "o"), "-q")
    assert v.exit_code == r.exit_code == 2
    assert v.output.splitlines()[-1] == r.output.splitlines()[-1]
    assert "broken.graphml" in v.output


def test_validate_prints_the_resolved_scenario_of_a_good_file():
    r = cli("validate", "-q")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["name"] == "zemgale-baseline"


def test_extends_cycle_names_its_files(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("extends: b.yaml\n")
    b.write_text("extends: a.yaml\n")
    r = cli("validate", str(a))
    assert r.exit_code == 2
    assert "cycle" in r.output and "a.yaml" in r.output and "b.yaml" in r.output


def test_version():
    r = cli("--version")
    assert r.exit_code == 0 and r.output.strip() == f"emob-sim {__version__}"


def test_help_shows_no_bool_metavar():
    r = runner.invoke(app, ["run", "--help"], env={"COLUMNS": "120"})
    assert r.exit_code == 0 and "--overwrite" in r.output
    assert "<bool>" not in r.output


def test_progress_off_a_terminal_is_logged_with_elapsed_time_and_quiet_silences_it(tmp_path):
    r = runner.invoke(app, ["run", "--out", str(tmp_path / "a")])
    assert r.exit_code == 0
    stages = re.findall(r"^\[\s*\d+\.\d s\] (.+)$", r.stderr, flags=re.M)
    assert stages[0].startswith("building the region") and stages[-1] == "writing results"
    q = runner.invoke(app, ["run", "--out", str(tmp_path / "b"), "--quiet"])
    assert q.exit_code == 0 and q.stderr == ""


def test_numbers_for_people_in_the_run_summary(tmp_path):
    r = cli("run", "--out", str(tmp_path / "a"), "-q")
    assert r.exit_code == 0
    rows = {}
    for key, value in re.findall(r"│ ([^│]+?)\s+│\s+(.+?) │", r.stdout):
        rows.setdefault(key, value)  # the car KPIs come first, then the e-bike section
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", rows[label_of("trips_generated")])  # no .00
    co2 = rows[label_of("co2_avoided_kg")]
    assert co2.endswith(" kg") and "," in co2
    assert rows[label_of("mean_wait_min")].endswith(" min")
    assert not re.search(r"│ [a-z0-9]+(_[a-z0-9]+)+ ", r.stdout)  # labels, no raw keys
    assert "outside the planning area: Rīga" in r.stdout  # what the totals include
    assert "Jēkabpils (CSDD e-mobi)" in r.stdout  # names are not cut


def test_a_plug_budget_is_reported_in_plugs(tmp_path):
    r = cli("place", "--method", "sizing", "--budget", "4plugs", "--out", str(tmp_path / "s"))
    assert r.exit_code == 0, r.output
    spent = re.search(r"│ spent\s+│\s+(.+?) │", r.stdout).group(1)
    assert re.fullmatch(r"\d+ plugs", spent), spent


def test_sigterm_while_run_overwrite_writes_gets_a_true_message(tmp_path):
    """Issue 25, item 7: whenever SIGTERM lands in the write, the message says what is true."""
    out = tmp_path / "run"
    assert cli("run", "--out", str(out), "--seed", "1", "-q").exit_code == 0
    old = (out / "manifest.json").read_text()
    proc = subprocess.Popen(
        [sys.executable, "-m", "emob_sim", "run", "--out", str(out), "--overwrite", "--seed", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in proc.stderr:
        if line.rstrip().endswith("writing results"):
            proc.send_signal(signal.SIGTERM)
            break
    err = proc.stderr.read()
    proc.wait(timeout=120)
    new = (out / "manifest.json").read_text()
    assert "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no -old-, -tmp- or lock left
    if "no output folder was changed" in err:
        assert proc.returncode == 143 and new == old
    elif "is complete" in err:  # during the final rename: the new folder is complete
        assert proc.returncode == 143 and '"seed": 2' in new
        assert f"interrupted (SIGTERM): the new folder {out} is complete" in err
    else:  # before or after the write, where SIGTERM ends the process and nothing is said
        assert proc.returncode in (0, -signal.SIGTERM), err
        assert new == old or '"seed": 2' in new


def test_run_refuses_a_lock_planted_as_a_symlink(tmp_path):
    """Issue 25, item 8: another user's symlink in a shared folder makes no file anywhere."""
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o1777)
    lock = shared / ".victim.emob-sim.lock"
    lock.symlink_to(tmp_path / "created-through-the-link")
    if os.geteuid() == 0:
        os.lchown(lock, 65534, 65534)
    r = cli("run", "--out", str(shared / "victim"), "-q")
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert r.output.strip().splitlines() == [
        f"error: --out {shared / 'victim'}: {lock} is a symlink, not an emob-sim lock; remove "
        "it or choose another folder"
    ]
    assert not (tmp_path / "created-through-the-link").exists()
    assert [p.name for p in shared.iterdir()] == [lock.name]
