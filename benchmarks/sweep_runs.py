"""Sweep throughput: a Zemgale sweep as a plain loop of runs, with local workers and on a Dask
LocalCluster.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.measuring import perf

__all__ = ["run_sweeps"]


def _import_emob_sim() -> int:
    """A warm-up task for a worker: import what a run needs."""
    import os

    import emob_sim.runner  # noqa: F401

    return os.getpid()


def run_sweeps(work_dir: str | Path, days: int = 7, seeds: int = 3, rounds: int = 3) -> dict:
    """Sweep throughput: a 24-run Zemgale sweep (4 EV shares x 2 waits x ``seeds`` seeds) run
    as a plain ``emob_sim.run`` loop, then ``rounds`` times in turn as a sweep with 1 and 2
    local workers and on a Dask LocalCluster of 2 workers, each into a fresh folder.

    Each figure is the median over the rounds, and the ratios are the medians of the ratios
    within a round (this shared machine's speed drifts by 10-25 % between minutes)."""
    import statistics

    import yaml

    from emob_sim.batch import executor_for, load_sweep, sweep
    from emob_sim.config import bundled_path
    from emob_sim.runner import run

    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    spec = {
        "name": "bench",
        "base": str(bundled_path("configs/zemgale/baseline.yaml")),
        "seeds": seeds,
        "grid": {
            "fleet.ev_share": [0.03, 0.04, 0.05, 0.06],
            "charging.max_wait_min": [15, 30],
            "time.days": [days],
        },
    }
    path = work / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec))
    tasks = load_sweep(path).tasks
    t = perf()
    for i, task in enumerate(tasks):
        run(task.scenario, out_dir=work / "loop" / str(i))
    loop_s = perf() - t
    rows: dict = {"runs": len(tasks), "loop_s": loop_s, "rounds": rounds}
    configs = (
        ("local_1", {"workers": 1}),
        ("local_2", {"workers": 2}),
        ("dask_2", {"workers": 2, "scheduler": "local"}),
    )
    times: dict[str, list[float]] = {name: [] for name, _ in configs}
    failed = 0
    for r in range(rounds):
        for name, kwargs in configs:
            # the executor is started and its workers have imported emob-sim before the clock
            # starts: the rows compare running the runs, not starting the workers
            with executor_for(**kwargs) as pool:
                n = kwargs["workers"]
                for f in [pool.submit(_import_emob_sim) for _ in range(4 * n)]:
                    f.result()
                t = perf()
                result = sweep(path, work / f"{name}-{r}", executor=pool)
                times[name].append(perf() - t)
            failed += result.failed
    for name, values in times.items():
        rows[f"{name}_s"] = statistics.median(values)
        rows[f"{name}_s_rounds"] = values
    rows["speedup_2"] = statistics.median(a / b for a, b in zip(times["local_1"], times["local_2"]))
    rows["dask_over_local"] = statistics.median(
        a / b for a, b in zip(times["dask_2"], times["local_2"])
    )
    rows["failed"] = failed
    return rows
