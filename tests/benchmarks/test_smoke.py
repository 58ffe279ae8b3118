"""A tiny run of the benchmark suite (no timing asserts: benchmarks are not tests)."""

from __future__ import annotations

import json
import os

import pytest

from benchmarks import markdown, run_suite
from benchmarks.suite import _in_child, compare_kpis


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
    text = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert "| workload | trips | vehicles | graph nodes | wall s |" in text
    assert "| peak MB | SimPy events |" in text
    assert text == markdown(results)
    saved = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert saved["machine"]["cores"] == os.cpu_count()
    assert saved["workloads"][0]["project"]["trips"] == results["workloads"][0]["project"]["trips"]


def test_measurements_run_in_a_fresh_process():
    assert _in_child(os.getpid) != os.getpid()


def test_kpi_comparison_names_the_worst_kpi():
    same = compare_kpis({"trips_completed": 10, "energy_delivered_kwh": 5.0},
                        {"trips_completed": 10, "energy_delivered_kwh": 5.0})  # fmt: skip
    assert same["agree"] and same["max_rel_diff"] == 0
    off = compare_kpis({"trips_completed": 100, "peak_load_kw": 50.0},
                       {"trips_completed": 98, "peak_load_kw": 50.5})  # fmt: skip
    assert not off["agree"] and off["worst_kpi"] == "trips_completed"
    assert off["max_rel_diff"] == pytest.approx(0.02)


def test_cli_bench_rejects_an_unknown_size():
    from typer.testing import CliRunner

    from emob_sim.cli import app

    result = CliRunner().invoke(app, ["bench", "--size", "huge"])
    assert result.exit_code == 2
    assert "--size: expected 'full' or 'smoke', got 'huge'" in result.output
