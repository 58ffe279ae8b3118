"""The benchmark's results folder is written like every output folder: a user's file in it is
never replaced, the recorded results (benchmarks/results/) are."""

from __future__ import annotations

import json

import pytest

from benchmarks import RESULTS_DIR
from benchmarks.report import check_results_dir, write_results
from emob_sim.errors import EmobSimError
from emob_sim.io import atomic_output_dir, read_manifest

#: the recorded results, as a results dict of the right shape (the suite is not run here)
RECORDED = json.loads((RESULTS_DIR / "results.json").read_text(encoding="utf-8"))


def fake(wall_s: float = 1.0) -> dict:
    return {**RECORDED, "suite_wall_s": wall_s}


def test_a_new_folder_gets_the_results_and_a_bench_manifest(tmp_path):
    md, js = write_results(fake(), tmp_path / "bench")
    assert md == tmp_path / "bench" / "results.md" and md.read_text().startswith("#")
    assert json.loads(js.read_text())["suite_wall_s"] == 1.0
    manifest = read_manifest(tmp_path / "bench")
    assert manifest["kind"] == "bench"
    assert manifest["files"] == ["manifest.json", "results.json", "results.md"]


def test_a_folder_holding_a_users_file_is_refused_naming_it(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    for overwrite in (False, True):
        with pytest.raises(EmobSimError, match="notes.txt" if overwrite else "not empty"):
            write_results(fake(), out, overwrite=overwrite)
        with pytest.raises(EmobSimError):
            check_results_dir(out, overwrite=overwrite)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert (out / "notes.txt").read_text() == "my notes"


def test_overwrite_replaces_its_own_folder_only(tmp_path):
    out = tmp_path / "bench"
    write_results(fake(1.0), out)
    with pytest.raises(EmobSimError, match="not empty"):
        write_results(fake(2.0), out)  # no overwrite: refused
    write_results(fake(2.0), out, overwrite=True)
    assert json.loads((out / "results.json").read_text())["suite_wall_s"] == 2.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bench"]  # nothing left beside it

    (out / "notes.txt").write_text("mine")  # a user's file beside the results
    with pytest.raises(EmobSimError, match="notes.txt"):
        write_results(fake(3.0), out, overwrite=True)
    assert json.loads((out / "results.json").read_text())["suite_wall_s"] == 2.0

    run = tmp_path / "run"
    with atomic_output_dir(run, kind="run") as tmp:
        (tmp / "kpis.json").write_text("{}")
    with pytest.raises(EmobSimError, match="run output"):
        write_results(fake(), run, overwrite=True)
    assert sorted(p.name for p in run.iterdir()) == ["kpis.json", "manifest.json"]


def test_the_recorded_results_are_a_bench_folder_that_a_full_run_may_replace(tmp_path):
    """The committed manifest is the one a write gives, so the default folder passes the rule."""
    write_results(fake(), tmp_path / "bench")
    committed = (RESULTS_DIR / "manifest.json").read_text(encoding="utf-8")
    assert committed == (tmp_path / "bench" / "manifest.json").read_text(encoding="utf-8")
    assert check_results_dir(RESULTS_DIR) == RESULTS_DIR  # overwrite is on for it
    with pytest.raises(EmobSimError, match="not empty"):
        check_results_dir(RESULTS_DIR, overwrite=False)
