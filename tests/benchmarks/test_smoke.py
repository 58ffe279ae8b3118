"""A tiny run of the benchmark suite (no timing asserts: benchmarks are not tests)."""

from __future__ import annotations

import json
import os

import pytest

from benchmarks import markdown, run_suite
from benchmarks.suite import (
    _in_child,
    _more_growth_processes,
    _sim_row,
    compare_kpis,
    evaluate_targets,
)
from benchmarks.tables import growth_table
from benchmarks.workloads import SimWorkload


def test_smoke_suite_runs_end_to_end_and_agrees_with_the_reference(tmp_path):
    results = run_suite(size="smoke", out_dir=tmp_path, isolate=False)
    assert {w["name"] for w in results["workloads"]} == {"zemgale-2k", "grid400-1k"}
    for w in results["workloads"]:
        project, reference = w["project"], w["reference"]
        assert "error" not in project and "error" not in reference, w
        assert project["trips"] == reference["trips"] > 0
        assert project["events"] > project["trips"] and project["wall_s"] > 0
        assert w["kpi_agreement"]["agree"], w["kpi_agreement"]
        assert set(project["stages"]) == {"routing", "demand", "simulation", "kpis", "write"}
        # every car departs and arrives as SimPy events in the reference; emob-sim keeps only
        # the charging cars' queue events in SimPy
        assert reference["simpy_events"] >= 2 * reference["trips"]
        assert 0 <= project["simpy_events"] < reference["simpy_events"]
    (routing,) = results["routing"]
    assert routing["times_equal_scipy"] and routing["zones"] == 20
    assert results["kernels"] and all(k["same_result"] for k in results["kernels"])
    app = results["app"]
    assert "error" not in app, app
    assert all(app[k] > 0 for k in ("cli_s", "app_cold_s", "app_warm_s", "app_repeat_s"))
    text = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert "## The app against the command" in text and "app, first run" in text
    assert "| workload | trips | vehicles | graph nodes | wall s |" in text
    assert "| peak MB | SimPy events |" in text
    assert text == markdown(results)
    saved = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert saved["machine"]["cores"] == os.cpu_count()
    assert saved["workloads"][0]["project"]["trips"] == results["workloads"][0]["project"]["trips"]


def test_measurements_run_in_a_fresh_process():
    assert _in_child(os.getpid) != os.getpid()


def test_kpi_comparison_names_the_worst_kpi():
    same = compare_kpis(
        {"trips_completed": 10, "energy_delivered_kwh": 5.0},
        {"trips_completed": 10, "energy_delivered_kwh": 5.0},
    )
    assert same["agree"] and same["max_rel_diff"] == 0
    off = compare_kpis(
        {"trips_completed": 100, "peak_load_kw": 50.0},
        {"trips_completed": 98, "peak_load_kw": 50.5},
    )
    assert not off["agree"] and off["worst_kpi"] == "trips_completed"
    assert off["max_rel_diff"] == pytest.approx(0.02)


def test_suite_rejects_an_unknown_size(capsys):
    from benchmarks.__main__ import main

    with pytest.raises(SystemExit) as stop:
        main(["--size", "huge"])
    assert stop.value.code == 2
    assert "invalid choice: 'huge'" in capsys.readouterr().err


def test_suite_refuses_an_unfit_results_folder_before_running(tmp_path, capsys):
    from benchmarks.__main__ import main

    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("not a results folder")
    assert main(["--size", "smoke", "--out", str(taken)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and str(taken) in err and err.count("\n") == 1
    assert sorted(p.name for p in taken.iterdir()) == ["notes.txt"]  # nothing written


def test_the_cli_has_no_bench_command():
    from typer.testing import CliRunner

    from emob_sim.cli import app

    assert CliRunner().invoke(app, ["bench"]).exit_code == 2  # python -m benchmarks instead


def test_growth_counts_the_fastest_process_of_each_size(tmp_path):
    # tiny stand-ins named like the today's-chargers series, run in this process
    sizes = {"zemgale-10k": 300, "zemgale-100k": 600, "zemgale-1M": 1200}
    workloads = [
        SimWorkload(name, "zemgale", trips, 1, reference=False) for name, trips in sizes.items()
    ]
    rows = [_sim_row(wl, tmp_path, reference=False, isolate=False, say=print) for wl in workloads]
    _more_growth_processes(rows, workloads, tmp_path, 2, isolate=False, say=print)
    for row in rows:
        walls = row["growth_wall_s"]
        assert len(walls) == 2 and walls[0] == row["project"]["wall_s"] and walls[1] > 0
    # make the first process of the largest size slow: the second one counts
    rows[2]["growth_wall_s"] = [100.0, rows[2]["growth_wall_s"][1]]
    results = {"workloads": rows, "routing": [], "kernels": [], "size": "smoke"}
    targets = evaluate_targets(results)
    (growth_target,) = [t for t in targets if "n log n" in t["target"]]
    assert growth_target["value"].startswith("fastest of 2 processes: ")
    points = results["growth"]["zemgale"]["points"]
    assert [p["name"] for p in points] == list(sizes)
    assert points[2]["wall_s"] == rows[2]["growth_wall_s"][1] < 100.0
    step = results["growth"]["zemgale"]["steps"][1]
    assert step["time_ratio"] == pytest.approx(points[2]["wall_s"] / points[1]["wall_s"])
    assert growth_target["met"] == all(
        s["time_ratio"] <= s["nlogn_ratio"] for s in results["growth"]["zemgale"]["steps"]
    )
    table = growth_table(results)
    assert "| zemgale-1M | " in table and " | 100, " in table
