"""Folders of one kind are never replaced by another command's output, a user's file in a
folder of the right kind is never replaced, and an interruption names its signal."""

from __future__ import annotations

import signal

import pytest
import typer
from typer.testing import CliRunner

from emob_sim.cli import _progress, app
from emob_sim.config import bundled_path
from emob_sim.io import Interrupted, atomic_output_dir

runner = CliRunner()
PLAN = bundled_path("configs/zemgale/plans/zemgale_2030.yaml")


def cli(*args: str):
    return runner.invoke(app, list(args))


def folder_of(kind: str, out, *files: str):
    """Write a folder of ``kind`` as emob-sim does (manifest listing ``files``); its contents."""
    with atomic_output_dir(out, kind=kind) as tmp:
        for name in files:
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(f"{kind} {name}")
    return contents(out)


def contents(out):
    """Every file below ``out`` with its bytes."""
    return {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_plan_overwrite_refuses_a_plan_folder_holding_a_users_file(tmp_path):
    out = tmp_path / "plan"
    folder_of("plan", out, "plan.csv", "report.html")
    (out / "council-notes.txt").write_text("keep me")
    before = contents(out)
    r = cli("plan", str(PLAN), "--out", str(out), "--overwrite", "-q")
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "council-notes.txt" in r.output
    assert contents(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]  # no temporary folder left


@pytest.mark.parametrize(
    ("kind", "files"),
    [("plan", ["plan.csv", "report.html"]), ("sweep", ["sweep.yaml", "runs/a/record.json"])],
)
def test_run_overwrite_refuses_a_plan_or_sweep_folder(tmp_path, kind, files):
    out = tmp_path / kind
    before = folder_of(kind, out, *files)
    r = cli("run", "--out", str(out), "--overwrite", "-q")
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert f"{kind} output" in r.output
    assert contents(out) == before
    assert [p.name for p in tmp_path.iterdir()] == [kind]


@pytest.mark.parametrize(
    ("exc", "name", "code"),
    [(KeyboardInterrupt(), "SIGINT", 130), (Interrupted(signal.SIGTERM), "SIGTERM", 143)],
)
def test_an_interruption_names_its_signal(capsys, exc, name, code):
    with pytest.raises(typer.Exit) as ended, _progress(quiet=True):
        raise exc
    assert ended.value.exit_code == code
    err = capsys.readouterr().err
    assert f"interrupted ({name}): no output folder was changed" in err
    assert "()" not in err
