"""Sweeps at the edges of a long campaign: a bad executor refused before anything is written,
interruptions that leave the tables, dead workers that cost one run, and no worker left behind.

Everything is real: a local process pool (workers killed by pid), the command as a process
sent real signals, and a Dask scheduler with workers as processes on 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
import yaml

from emob_sim.batch import sweep
from emob_sim.config import bundled_path
from emob_sim.errors import ConfigError

BASE = str(bundled_path("configs/zemgale/baseline.yaml"))


def write_sweep(folder: Path, **changes) -> Path:
    data = {
        "name": "edges",
        "base": BASE,
        "seeds": 3,
        "grid": {"fleet.ev_share": [0.0112, 0.02, 0.03], "charging.max_wait_min": [10, 30]},
        **changes,
    }
    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "emob_sim", *args]


def wait_for(condition, *, limit_s: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``limit_s`` (a bound on
    the test, not an assertion about speed)."""
    end = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.2)


def recorded(out: Path) -> int:
    return len(list((out / "runs").glob("*/record.json"))) if (out / "runs").is_dir() else 0


# -- item 1: everything checked before the folder is made ---------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["-w", "0"], "--workers 0: expected at least 1"),
        (["--scheduler", "127.0.0.1:8786"], "expected 'local' or an address like tcp://"),
        (["--scheduler", "tcp://127.0.0.1"], "expected 'local' or an address like tcp://"),
        (["--scheduler", "tcp://127.0.0.1:PORT"], "cannot connect"),
    ],
)
def test_a_bad_executor_is_refused_before_anything_is_written(
    tmp_path, free_port, options, message
):
    from typer.testing import CliRunner

    from emob_sim.cli import app

    path = write_sweep(tmp_path, seeds=1, grid={"fleet.ev_share": [0.0112]})
    out = tmp_path / "out"
    options = [o.replace("PORT", str(free_port)) for o in options]
    runner = CliRunner()
    r = runner.invoke(app, ["sweep", str(path), "--out", str(out), *options])
    assert r.exit_code == 2, r.output
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.output and not out.exists()
    out.mkdir()  # an empty folder given: still empty afterwards
    r = runner.invoke(app, ["sweep", str(path), "--out", str(out), *options])
    assert r.exit_code == 2 and list(out.iterdir()) == []
    fixed = runner.invoke(app, ["sweep", str(path), "--out", str(out), "-w", "1", "-q"])
    assert fixed.exit_code == 0, fixed.output
    assert (out / "runs.parquet").is_file() and recorded(out) == 1


def test_the_library_refuses_a_bad_executor_before_the_folder_is_made(tmp_path, free_port):
    path = write_sweep(tmp_path, seeds=1)
    for options in ({"workers": 0}, {"scheduler": f"tcp://127.0.0.1:{free_port}"}):
        with pytest.raises(ConfigError, match="--workers 0|cannot connect"):
            sweep(path, tmp_path / "out", **options)
        assert not (tmp_path / "out").exists()


# -- items 6 and 7: an interrupted sweep writes its tables and keeps wall times -------------


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_sweep_writes_its_tables_and_keeps_wall_times(tmp_path, sig):
    path = write_sweep(tmp_path)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        command("sweep", str(path), "--out", str(out), "-w", "2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: recorded(out) >= 3, limit_s=300, what="three finished runs")
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 128 + sig, stderr
    assert "wrote runs.parquet and summary.csv" in stderr and "pending" in stderr, stderr
    assert "no output folder was changed" not in stderr and "Traceback" not in stderr
    runs = pd.read_parquet(out / "runs.parquet")
    status = runs["status"].value_counts()
    assert len(runs) == 18 and status.get("pending", 0) > 0
    assert status["completed"] == recorded(out) >= 3  # the table says what is on disk
    assert f"{status['completed']} completed" in stderr
    assert runs.loc[runs["status"] == "completed", "wall_s"].gt(0).all()
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["variant"]) <= set(runs.loc[runs["status"] == "completed", "variant"])
    earlier = set(runs.loc[runs["status"] == "completed", "key"])
    again = sweep(path, out, workers=2)  # the rerun finishes it; earlier runs keep wall_s
    assert (again.runs["status"] == "completed").all() and again.skipped == len(earlier)
    assert again.runs.set_index("key").loc[sorted(earlier), "wall_s"].gt(0).all()


# -- item 3: a dead local worker costs its one run ------------------------------------------


def pool_workers(parent: psutil.Process | None = None) -> list[psutil.Process]:
    """The worker processes of a local pool started by ``parent`` (default: this process)."""
    out = []
    for child in (parent or psutil.Process()).children():
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                out.append(child)
        except psutil.Error:
            continue
    return out


def test_a_killed_local_worker_costs_its_one_run_and_the_sweep_completes(tmp_path):
    path = write_sweep(tmp_path, seeds=2)
    out = tmp_path / "out"
    killed = []

    def kill_one(progress) -> None:
        if progress.done >= 2 and not killed:
            victim = pool_workers()[0]
            victim.kill()  # real process death, mid-sweep
            killed.append(victim.pid)

    result = sweep(path, out, workers=2, on_progress=kill_one)
    assert killed, "no worker was killed: the test did not test anything"
    assert not psutil.pid_exists(killed[0]) or killed[0] not in [p.pid for p in pool_workers()]
    assert len(result.runs) == 12 and (result.runs["status"] == "completed").all()
    assert sorted(p.name for p in (out / "runs").iterdir()) == sorted(result.runs["key"])
    assert not list((out / "failed").iterdir())


def test_a_run_whose_worker_always_dies_is_recorded_as_failed_after_its_retries(tmp_path):
    import threading

    from emob_sim.batch.dispatch import RETRIES

    path = write_sweep(tmp_path, seeds=1, grid={"fleet.ev_share": [0.0112, 0.02]})
    stop, kills = threading.Event(), []

    def kill_every_worker() -> None:
        while not stop.is_set():
            for worker in pool_workers():
                with_pid = worker.pid
                try:
                    worker.kill()
                    kills.append(with_pid)
                except psutil.Error:
                    pass
            time.sleep(0.05)

    killer = threading.Thread(target=kill_every_worker, daemon=True)
    killer.start()
    try:
        result = sweep(path, tmp_path / "out", workers=2)
    finally:
        stop.set()
        killer.join(timeout=10)
    assert kills and result.failed == 2 and set(result.runs["status"]) == {"failed"}
    for error in result.runs["error"]:
        assert "worker process" in error and f"{RETRIES + 1} times" in error
    assert len(list((tmp_path / "out" / "failed").glob("*.json"))) == 2


# -- item 4: no worker left behind, SIGKILL included -----------------------------------------


def test_sigkill_of_the_sweep_command_leaves_no_worker_behind(tmp_path):
    path = write_sweep(tmp_path)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        command("sweep", str(path), "--out", str(out), "-w", "2", "-q"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[psutil.Process] = []
    try:
        wait_for(lambda: recorded(out) >= 1, limit_s=300, what="a finished run")
        workers = pool_workers(psutil.Process(proc.pid))
        assert len(workers) == 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

        def gone() -> bool:
            return not any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers)

        wait_for(gone, limit_s=60, what="the workers to exit after the sweep was killed")
        folders = len(list((out / "runs").iterdir()))
        time.sleep(2)
        assert len(list((out / "runs").iterdir())) == folders  # nobody runs the queued runs
    finally:
        proc.kill()
        for worker in workers:  # only the workers of this test's sweep, if the test failed
            try:
                worker.kill()
            except psutil.Error:
                pass


# -- item 2: no finished run computed twice on Dask -----------------------------------------


#: an executor that runs each task of another one, then appends a line to a marker file named
#: by the task's run key (one line per finished computation); uploaded to the cluster as a
#: module of its own, so that the scheduler and the workers import it by name
COUNTING = """
import os


class Counting:
    def __init__(self, inner, markers):
        self.inner, self.markers = inner, markers

    def submit(self, fn, /, *args, **kwargs):
        return self.inner.submit(counted, self.markers, fn, *args, **kwargs)


def counted(markers, fn, *args, **kwargs):
    outcome = fn(*args, **kwargs)
    with open(os.path.join(markers, args[2].key), "a", encoding="utf-8") as marker:
        marker.write(f"{os.getpid()}\\n")
    return outcome
"""


def test_a_dead_dask_worker_makes_no_finished_run_computed_again(cluster, tmp_path):
    import importlib

    from dask.distributed import Client

    address, procs = cluster
    module = tmp_path / "sweep_counting.py"
    module.write_text(COUNTING)
    path = write_sweep(tmp_path, seeds=4)
    markers = tmp_path / "markers"
    markers.mkdir()
    killed = []

    def kill_one(progress) -> None:
        if progress.done >= 6 and not killed:
            time.sleep(1)  # the recorded runs' releases reach the scheduler (asynchronous)
            nanny = psutil.Process(procs[1].pid)
            for proc in [*nanny.children(recursive=True), nanny]:
                proc.kill()  # the worker process and its nanny: its results are lost
            killed.append(progress.done)

    sys.path.insert(0, str(tmp_path))
    try:
        counting = importlib.import_module("sweep_counting")
        with Client(address, timeout=30) as client:
            client.upload_file(str(module))
            executor = counting.Counting(client.get_executor(), str(markers))
            result = sweep(path, tmp_path / "out", executor=executor, on_progress=kill_one)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("sweep_counting", None)
    assert killed, "the worker was never killed: the test did not test anything"
    assert len(result.runs) == 24 and (result.runs["status"] == "completed").all()
    counts = {p.name: len(p.read_text().splitlines()) for p in markers.iterdir()}
    assert set(counts) == set(result.runs["key"])
    assert max(counts.values()) == 1, {k: n for k, n in counts.items() if n > 1}
