"""The shipped sweep of the industrial-area case varies the strategy and the PV of the area."""

from __future__ import annotations

from emob_sim.batch import load_sweep
from emob_sim.config import bundled_path


def test_the_industrial_area_sweep_holds_each_strategy_with_and_without_pv():
    sweep = load_sweep(bundled_path("configs/sweeps/industrial_area.yaml"))
    areas = [t.scenario.energy.areas[0] for t in sweep.tasks]
    pairs = {(a.strategy, a.pv_kwp) for a in areas}
    strategies = {"uncontrolled", "capped-equal", "capped-earliest", "pv-following"}
    assert pairs == {(s, kwp) for s in strategies for kwp in (0.0, 100.0)}
    assert len(sweep.variants) == 8 and len(sweep.tasks) == 8 * 3  # three seeds each
