"""The planners' app against the command: one run as ``emob-sim run`` does it, then the app's
Run clicks through Streamlit's AppTest, each side in a fresh Python process of its own.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.measuring import peak_memory_mb, perf

__all__ = ["run_app"]


def _cli_timing(out_dir: str) -> dict:
    """In a fresh process: one run as ``emob-sim run`` does it (region, simulation, written
    folder), timed."""
    from emob_sim.runner import run

    t = perf()
    run(None, out_dir=out_dir, overwrite=True)
    return {"cli_s": perf() - t, "peak_mb": peak_memory_mb()}


def _app_timings() -> dict:
    """In a fresh process: the app through Streamlit's AppTest, three Run clicks timed (see
    :func:`run_app`)."""
    import os

    from streamlit.testing.v1 import AppTest

    os.environ["EMOB_SIM_BASEMAP"] = "off"
    app_file = Path(__file__).resolve().parents[1] / "apps" / "streamlit_app.py"
    at = AppTest.from_file(str(app_file), default_timeout=600)
    at.run()
    lever = "lever:zemgale/baseline.yaml:fleet.ev_share"  # shown in %

    def click() -> float:
        t = perf()
        at.button(key="run").click().run()
        if at.exception:
            raise RuntimeError(at.exception[0].value)
        return perf() - t

    cold_s = click()
    at.number_input(key=lever).set_value(1.13).run()
    warm_s = click()
    at.number_input(key=lever).set_value(1.12).run()  # the scenario's own value again
    repeat_s = click()
    return {
        "app_cold_s": cold_s,
        "app_warm_s": warm_s,
        "app_repeat_s": repeat_s,
        "peak_mb": peak_memory_mb(),
    }


def _in_fresh_python(function: str, *args: str, timeout_s: float = 1800.0) -> dict:
    """Call ``function`` of this module in a new Python process (nothing imported, nothing
    cached in memory) and return the dict it returns."""
    import json
    import os
    import subprocess
    import sys
    import tempfile

    root = Path(__file__).resolve().parents[1]
    code = (
        "import json, sys\n"
        f"from benchmarks.app_runs import {function} as measure\n"
        "json.dump(measure(*sys.argv[2:]), open(sys.argv[1], 'w', encoding='utf-8'))\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH")) if p),
    }
    with tempfile.TemporaryDirectory(prefix="emob-sim-bench-") as tmp:
        out = Path(tmp) / "result.json"
        done = subprocess.run(
            [sys.executable, "-c", code, str(out), *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{function} failed: {done.stderr[-2000:]}")
        return json.loads(out.read_text(encoding="utf-8"))


def run_app(work_dir: str | Path) -> dict:
    """The planners' app against the command, on the embedded default scenario.

    Each side starts in its own fresh Python process, so neither warms the other: a run as
    ``emob-sim run`` does it (region, simulation, written folder); then the app through
    Streamlit's AppTest: the first run from a fresh app (``cold``: builds the region), in the
    same process a run after one lever changed (``warm``: the region is kept) and the same
    values again (``repeat``: the run is kept). Times are of the run call and of the Run
    click (imports and the app's first page are not timed); ``peak_mb`` is the larger peak
    of the two processes.
    """
    work = Path(work_dir)
    cli = _in_fresh_python("_cli_timing", str(work / "cli-run"))
    app = _in_fresh_python("_app_timings")
    return {
        "cli_s": cli["cli_s"],
        "app_cold_s": app["app_cold_s"],
        "app_warm_s": app["app_warm_s"],
        "app_repeat_s": app["app_repeat_s"],
        "peak_mb": max(cli["peak_mb"], app["peak_mb"]),
    }
