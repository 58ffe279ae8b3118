"""Sweeps: the same runs locally, on a LocalCluster and on a real Dask cluster; resumable; bad
variants refused before anything runs; failures recorded.

The cluster is real: a scheduler and two workers started as processes on 127.0.0.1, bounded
in time, torn down after.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from emob_sim.batch import load_sweep, sweep
from emob_sim.config import bundled_path
from emob_sim.errors import ConfigError, EmobSimError

BASE = str(bundled_path("configs/zemgale/baseline.yaml"))
KPIS = [
    "trips_generated",
    "trips_stranded",
    "charging_sessions",
    "mean_wait_min",
    "energy_delivered_kwh",
    "co2_avoided_kg",
    "ebike_trips",
]


def write_sweep(folder: Path, **changes) -> Path:
    data = {
        "name": "grid-3x2",
        "base": BASE,
        "seeds": 3,
        "grid": {"fleet.ev_share": [0.0112, 0.02, 0.03], "charging.max_wait_min": [10, 30]},
        **changes,
    }
    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def kpis_by_key(runs: pd.DataFrame) -> pd.DataFrame:
    return runs.set_index("key").sort_index()[["status", *KPIS]]


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep")
    path = write_sweep(folder)
    return path, sweep(path, folder / "out", workers=2)


def test_a_grid_sweep_runs_every_variant_and_seed(local):
    _, result = local
    runs = result.runs
    assert len(runs) == 18 and (runs["status"] == "completed").all()
    assert runs["key"].is_unique and sorted(runs["seed"].unique()) == [42, 43, 44]
    assert len(list((result.out_dir / "runs").iterdir())) == 18
    # accounting holds in every run, and more electric cars make more trips
    assert (runs["trips_completed"] + runs["trips_stranded"] == runs["trips_generated"]).all()
    by_share = runs.groupby("fleet.ev_share")["trips_generated"].mean()
    assert by_share.is_monotonic_increasing
    summary = result.summary
    row = summary[(summary["variant"] == 0) & (summary["kpi"] == "trips_generated")].iloc[0]
    assert row["runs"] == 3 and row["p5"] <= row["p50"] <= row["p95"]
    saved = pd.read_parquet(result.out_dir / "runs.parquet")
    pd.testing.assert_frame_equal(kpis_by_key(saved), kpis_by_key(runs))
    assert (result.out_dir / "summary.csv").is_file()


def test_a_local_cluster_gives_the_same_runs(local, tmp_path):
    path, result = local
    again = sweep(path, tmp_path / "dask", workers=2, scheduler="local")
    pd.testing.assert_frame_equal(kpis_by_key(again.runs), kpis_by_key(result.runs))


def test_local_cluster_workers_leave_the_gil_to_the_runs():
    import os

    import dask

    from emob_sim.batch import executor_for

    with executor_for(workers=1, scheduler="local") as pool:
        profiler = pool.submit(dask.config.get, "distributed.worker.profile.enabled").result()
        monitor = pool.submit(dask.config.get, "distributed.worker.memory.monitor-interval")
        trim = pool.submit(os.environ.get, "MALLOC_TRIM_THRESHOLD_", "unset").result()
        assert (profiler, monitor.result(), trim) == (False, "2s", "unset")


def test_a_dask_cluster_of_separate_processes_gives_the_same_runs(local, cluster, tmp_path):
    path, result = local
    address, _ = cluster
    remote = sweep(path, tmp_path / "remote", scheduler=address)
    pd.testing.assert_frame_equal(kpis_by_key(remote.runs), kpis_by_key(result.runs))


def test_a_killed_worker_loses_no_finished_run(cluster, tmp_path):
    address, procs = cluster
    path = write_sweep(tmp_path, seeds=6)
    out = tmp_path / "out"
    killed = []

    def kill_one(progress) -> None:
        if progress.done >= 4 and not killed:
            procs[1].kill()  # a worker, mid-sweep
            killed.append(progress.done)

    try:  # Dask retries the killed worker's tasks on the other one, or the sweep stops
        first = sweep(path, out, scheduler=address, on_progress=kill_one)
    except Exception:  # noqa: BLE001 - stopping is allowed: the rerun must finish it
        first = None
    assert killed, "the worker was never killed: the test did not test anything"
    if first is not None:
        assert set(first.runs["status"]) <= {"completed", "failed"}
    rerun = sweep(path, out, workers=2)
    assert (rerun.runs["status"] == "completed").all() and len(rerun.runs) == 36
    folders = [p.name for p in (out / "runs").iterdir()]
    assert sorted(folders) == sorted(rerun.runs["key"])  # none lost, none twice


def test_a_rerun_runs_nothing_and_a_deleted_run_is_run_again(local):
    path, result = local
    out = result.out_dir
    records = {p: p.stat().st_mtime_ns for p in (out / "runs").glob("*/record.json")}
    again = sweep(path, out, workers=2)
    assert again.ran == 0 and again.skipped == 18
    assert {p: p.stat().st_mtime_ns for p in records} == records
    gone = sorted(records)[5].parent
    shutil.rmtree(gone)
    third = sweep(path, out, workers=2)
    assert third.ran == 1 and (out / "runs" / gone.name / "record.json").exists()
    pd.testing.assert_frame_equal(kpis_by_key(third.runs), kpis_by_key(result.runs))


def test_a_bad_variant_is_refused_before_anything_runs(tmp_path):
    path = write_sweep(tmp_path, grid={"fleet.ev_share": [0.02, 1.5]})
    with pytest.raises(ConfigError, match=r"variant 1 \(fleet.ev_share=1.5\).*fleet.ev_share"):
        sweep(path, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    path = write_sweep(tmp_path, grid={"fleet.ev_shar": [0.02]})
    with pytest.raises(ConfigError, match="fleet.ev_shar"):
        load_sweep(path)


def test_a_run_that_fails_is_recorded_and_the_others_finish(tmp_path):
    # sites farther from the network than 1 m: valid as a value, fails when the region builds
    path = write_sweep(tmp_path, seeds=1, grid={"charging.max_snap_distance_m": [5000, 1]})
    result = sweep(path, tmp_path / "out", workers=2)
    status = dict(zip(result.runs["charging.max_snap_distance_m"], result.runs["status"]))
    assert status == {5000: "completed", 1: "failed"}
    failed = result.runs[result.runs["status"] == "failed"].iloc[0]
    assert "NetworkError" in failed["error"] and "from the network" in failed["error"]
    assert (tmp_path / "out" / "failed" / f"{failed['key']}.json").exists()


def test_a_sweep_folder_holds_one_sweep(local, tmp_path):
    path, result = local
    other = write_sweep(tmp_path, seeds=1)
    with pytest.raises(EmobSimError, match="another sweep"):
        sweep(other, result.out_dir)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "plan.txt").write_text("mine")
    with pytest.raises(EmobSimError, match="holds other files"):
        sweep(path, tmp_path / "notes")
    assert (tmp_path / "notes" / "plan.txt").read_text() == "mine"


def test_the_report_draws_each_kpi_against_each_parameter_for_a_paper(local):
    from PIL import Image

    from emob_sim.batch import sweep_report
    from emob_sim.batch.folder import REPORT_KPIS
    from emob_sim.display import label_of

    _, result = local
    runs = result.runs
    report = sweep_report(result.out_dir)
    constant = {k for k in REPORT_KPIS if runs[k].nunique() == 1}
    params = ("fleet.ev_share", "charging.max_wait_min")
    stems = {f"{k}__{p}" for k in REPORT_KPIS if k not in constant for p in params}
    assert len(stems) > len(params) and {p.stem for p in report.glob("*.png")} == stems
    for fmt in ("svg", "pdf"):
        assert {p.stem for p in report.glob(f"*.{fmt}")} == stems
    image = Image.open(report / "mean_wait_min__fleet.ev_share.png")
    assert image.info["dpi"][0] == pytest.approx(300, abs=1) and image.size[0] >= 1800
    svg = (report / "mean_wait_min__fleet.ev_share.svg").read_text()
    assert "Electric share of cars (%)" in svg and "Mean wait (min)" in svg  # labels, units
    assert "fleet.ev_share" not in svg.replace("__fleet.ev_share", "")
    page = (report / "index.html").read_text()
    assert all(f'src="{s}.png"' in page for s in stems)
    assert "min-max over 3 seeds" in page and "p5-p95" not in page
    for kpi in constant:  # e.g. no e-bike CO2 in any run: listed, not drawn
        assert label_of(kpi) in page.split("not drawn")[1].split("<figure")[0]
    sweep_report(result.out_dir)  # made again: the report folder is replaced


def test_a_sampled_sweep_gets_sobol_indices_from_salib(tmp_path):
    path = write_sweep(
        tmp_path,
        seeds=1,
        grid={},
        sample={
            "method": "saltelli",
            "n": 4,
            "seed": 3,
            "bounds": {"fleet.ev_share": [0.01, 0.06], "charging.max_wait_min": [5, 40]},
        },
    )
    result = sweep(path, tmp_path / "out", workers=2)
    assert len(result.runs) == 4 * (2 + 2)  # Saltelli: N (d + 2) points
    sens = result.sensitivity
    assert sens is not None and set(sens["parameter"]) == {
        "fleet.ev_share",
        "charging.max_wait_min",
    }
    assert set(sens["method"]) == {"sobol"} and sens["ST"].notna().all()
    saved = pd.read_csv(tmp_path / "out" / "sensitivity.csv", keep_default_na=False)
    assert len(saved) == len(sens) and "trips_generated" in set(saved["kpi"])
    assert {"S1_conf", "ST_conf", "check"} <= set(saved.columns)
    confs = saved[["S1_conf", "ST_conf"]].astype(float)
    assert confs.notna().all().all() and (confs >= 0).all().all() and (confs > 0).any().all()
    flagged = sorted(set(saved.loc[saved["check"] != "", "kpi"]))  # N=4: some are not sound
    assert [w.split(":")[0] for w in result.warnings] == [f"sensitivity of {k}" for k in flagged]
    assert all("use sample.n >= " in w for w in result.warnings)
    from typer.testing import CliRunner

    from emob_sim.cli import app

    again = CliRunner().invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out"), "-q"])
    assert again.exit_code == 0 and "sensitivity.csv" in again.stdout
    assert again.stderr.count("warning: sensitivity of") == len(flagged)
    from emob_sim.batch import sweep_report

    report = sweep_report(tmp_path / "out")
    assert all((report / f"sensitivity.{fmt}").stat().st_size > 5_000 for fmt in ("png", "pdf"))
    assert (
        "Sobol index, with its 95 % confidence interval" in (report / "sensitivity.svg").read_text()
    )


def test_the_command_runs_a_sweep_and_says_what_it_did(tmp_path):
    from typer.testing import CliRunner

    from emob_sim.cli import app

    path = write_sweep(tmp_path, seeds=1, grid={"fleet.ev_share": [0.0112, 0.02]})
    runner = CliRunner()
    r = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out"), "-w", "2"])
    assert r.exit_code == 0, r.output
    assert "runs: 2 of 2 done" in r.stderr and "runs.parquet" in r.stdout
    assert "sensitivity.csv" not in r.stdout  # a grid: no indices
    usage = runner.invoke(app, ["sweep", "--help"])
    usage = " ".join(usage.stdout.replace("│", " ").split())  # the text of the rich boxes
    assert "resumed when it holds this sweep" in usage and "must not exist" not in usage
    again = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out"), "-q"])
    assert again.exit_code == 0 and "finished before" in again.stdout
    bad = runner.invoke(
        app, ["sweep", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "x")]
    )
    assert bad.exit_code == 2 and "sweep file not found" in bad.output


def test_a_placement_step_runs_the_proposed_layout_of_each_variant(tmp_path):
    import json

    path = write_sweep(
        tmp_path,
        seeds=1,
        grid={"fleet.ev_share": [0.0112, 0.03]},
        placement={"method": "coverage", "budget": "3plugs"},
    )
    result = sweep(path, tmp_path / "out", workers=2)
    assert (result.runs["status"] == "completed").all() and len(result.runs) == 2
    for key in result.runs["key"]:
        manifest = json.loads((tmp_path / "out" / "runs" / key / "manifest.json").read_text())
        sites = manifest["scenario"]["charging"]["sites"]
        assert any(s["site_id"].startswith("zc-") or s["kind"] == "car_dc" for s in sites)
        assert manifest["scenario"]["charging"]["sites_file"] is None  # the layout, inline
    again = sweep(path, tmp_path / "out", workers=2)
    assert again.ran == 0  # keys include the placement step: found again
    bad = write_sweep(tmp_path, seeds=1, placement={"method": "nope", "budget": "3plugs"})
    with pytest.raises(ConfigError, match="placement"):
        load_sweep(bad)


def test_a_sweep_folder_reads_back_as_its_tables(local, tmp_path):
    from emob_sim.batch import curves, find_sweeps, read_sweep

    _, result = local
    folder = read_sweep(result.out_dir)
    pd.testing.assert_frame_equal(kpis_by_key(folder.runs), kpis_by_key(result.runs))
    assert sorted(folder.parameters) == ["charging.max_wait_min", "fleet.ev_share"]
    assert folder.counts() == {"completed": 18, "failed": 0, "pending": 0}
    table, as_lines = curves(folder.summary, "mean_wait_min", "fleet.ev_share", folder.parameters)
    assert as_lines and set(table["line"]) == {
        "charging.max_wait_min=10",
        "charging.max_wait_min=30",
    }
    runs = result.runs
    for _, row in table.iterrows():
        wait = int(row["line"].split("=")[1])
        chosen = runs[
            (runs["fleet.ev_share"] == row["fleet.ev_share"])
            & (runs["charging.max_wait_min"] == wait)
        ]
        assert row["mean"] == pytest.approx(chosen["mean_wait_min"].mean())
        assert row["runs"] == 3
    assert result.out_dir in find_sweeps(result.out_dir.parent.parent)
    from emob_sim.batch import load

    tables = load(result.out_dir, sites=True)  # tidy: one observation per row
    wait = tables.kpis[tables.kpis["kpi"] == "mean_wait_min"].set_index("key")["value"]
    assert (
        len(wait) == 18 and (wait == runs.set_index("key").loc[wait.index, "mean_wait_min"]).all()
    )
    assert {"variant", "seed", "fleet.ev_share", "charging.max_wait_min"} <= set(tables.kpis)
    sites = tables.sites.groupby("key")
    assert sites.ngroups == 18 and {"lon", "lat", "site_id", "fleet.ev_share"} <= set(tables.sites)
    by_key = runs.set_index("key").loc[sorted(runs["key"])]
    assert (sites["sessions"].sum() == by_key["charging_sessions"]).all()  # sessions add up
    energy = sites["energy_kwh"].sum() - by_key["energy_delivered_kwh"]
    assert energy.abs().max() < 0.01  # the site table rounds to 0.1 Wh
    with pytest.raises(EmobSimError, match="nope"):
        curves(folder.summary, "mean_wait_min", "nope", folder.parameters)
    (tmp_path / "plain").mkdir()
    with pytest.raises(EmobSimError, match=r"plain: expected a sweep folder"):
        read_sweep(tmp_path / "plain")
