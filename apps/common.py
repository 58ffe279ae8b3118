"""What the pages share: the evaluator, runs kept by scenario, the session's runs and layouts.

Runs are kept in a ``st.cache_resource`` store (a run holds its region and graph, which are
not copied) under the key of the resolved scenario (its JSON, seed included); the evaluator
keeps the regions, one per network. So a lever changed and run again costs what the run
costs, and a run seen before is shown at once.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from emob_sim.config import Scenario, bundled_path, scenario_to_dict
from emob_sim.plan import PlanResult, load_plan, run_plan
from emob_sim.results import RunResult
from emob_sim.runner import (
    STAGES,
    Comparison,
    SequentialEvaluator,
    compare_layouts,
    write_comparison,
)

CONFIGS = bundled_path("configs")
#: basemap tiles need the internet: EMOB_SIM_BASEMAP=off draws the map without them
BASEMAP_DEFAULT = os.environ.get("EMOB_SIM_BASEMAP", "on").lower() not in ("off", "0", "no")


#: folders under configs/ that hold other files than scenarios
NOT_SCENARIOS = ("sweeps", "plans")


def scenario_files() -> dict[str, Path]:
    """The scenarios under configs/ by their path there (base.yaml holds defaults only; sweep
    and plan files are not scenarios)."""
    files = sorted(
        p
        for p in CONFIGS.rglob("*.yaml")
        if p.name != "base.yaml" and not set(NOT_SCENARIOS) & set(p.relative_to(CONFIGS).parts)
    )
    return {p.relative_to(CONFIGS).as_posix(): p for p in files}


def plan_files() -> dict[str, Path]:
    """The plan files under configs/ (configs/**/plans/*.yaml) by their path there."""
    files = sorted(p for p in CONFIGS.rglob("*.yaml") if "plans" in p.relative_to(CONFIGS).parts)
    return {p.relative_to(CONFIGS).as_posix(): p for p in files}


def plan(file: str, *, seeds: int) -> PlanResult:
    """Run a plan file (kept by file and seeds), with the app's evaluator."""
    key = json.dumps([file, seeds])
    kept = _kept()["plans"]
    if key in kept:
        return kept[key]
    bar = st.progress(0.0, text="starting")
    loaded = load_plan(file, seeds=seeds)
    total = len(loaded.config.adoption) * len(loaded.config.years) * len(loaded.seeds)
    done = []

    def on_progress(msg: str) -> None:
        bar.progress(min(len(done) / total, 1.0), text=msg)
        done.append(msg)

    result = run_plan(loaded, evaluator=evaluator(), on_progress=on_progress)
    bar.empty()
    return _keep("plans", key, result, limit=2)


def layout_files() -> dict[str, Path]:
    """Scenarios that hold a charger layout (configs/**/layout_*.yaml)."""
    return {k: p for k, p in scenario_files().items() if Path(k).name.startswith("layout_")}


def scenario_key(scenario: Scenario) -> str:
    """The key of a resolved scenario (its seed included)."""
    return json.dumps(scenario_to_dict(scenario), sort_keys=True, ensure_ascii=False)


@st.cache_resource(show_spinner=False)
def evaluator() -> SequentialEvaluator:
    """The app's evaluator: regions built once per network and kept."""
    return SequentialEvaluator(max_regions=4)


#: runs kept in memory (the oldest is dropped first)
KEEP_RUNS = 12


@st.cache_resource(show_spinner=False)
def _kept() -> dict[str, OrderedDict]:
    """Runs and comparisons kept across reruns and sessions, by the key of what ran."""
    return {"runs": OrderedDict(), "comparisons": OrderedDict(), "plans": OrderedDict()}


def _keep(kind: str, key: str, value, *, limit: int):
    kept = _kept()[kind]
    kept[key] = value
    while len(kept) > limit:
        kept.popitem(last=False)
    return value


def run(scenario: Scenario, *, progress: bool = True) -> RunResult:
    """Run a scenario (or return its kept run), with a progress bar per stage."""
    key = scenario_key(scenario)
    kept = _kept()["runs"]
    if key in kept:
        kept.move_to_end(key)
        return kept[key]
    bar = st.progress(0.0, text="starting") if progress else None
    stages = [s for s in STAGES if s != "write"]

    def on_stage(stage: str) -> None:
        if bar is not None and stage in stages:
            i = stages.index(stage)
            bar.progress(i / len(stages), text=f"{stage} ({i + 1} of {len(stages)})")

    try:
        result = evaluator().run(scenario, on_stage=on_stage)
    finally:  # a failed run leaves no progress bar behind
        if bar is not None:
            bar.empty()
    return _keep("runs", key, result, limit=KEEP_RUNS)


def compare(files: list[str], *, seed: int) -> Comparison:
    """Compare layout scenario files (kept by files and seed)."""
    key = json.dumps([files, seed])
    kept = _kept()["comparisons"]
    if key in kept:
        return kept[key]
    return _keep(
        "comparisons", key, compare_layouts(files, seed=seed, evaluator=evaluator()), limit=4
    )


@st.cache_resource(show_spinner=False, max_entries=4)
def comparison_folder(key: str, _comparison: Comparison) -> Path:
    """The comparison's files (comparison.csv, layouts.gpkg, ...), written once."""
    return write_comparison(_comparison, Path(tempfile.mkdtemp(prefix="emob-sim-app-")) / "c")


def runs() -> dict[str, Scenario]:
    """The runs of this session, by label (the first is the oldest)."""
    return st.session_state.setdefault("runs", {})


def remember(label: str, scenario: Scenario) -> None:
    """Keep a run of this session under ``label`` and make it the current one."""
    runs()[label] = scenario
    st.session_state["current"] = label


def current() -> tuple[str, Scenario] | None:
    """The label and scenario of the run shown on the Map and Results pages, if any."""
    label = st.session_state.get("current")
    if label is None or label not in runs():
        return None
    return label, runs()[label]


def proposals() -> dict[str, Path]:
    """Layouts proposed by `place` in this session: label -> its scenario.yaml."""
    return st.session_state.setdefault("proposals", {})


def waits_in_words(waits: pd.DataFrame) -> pd.DataFrame:
    """:func:`emob_sim.analysis.site_waits_min` with an ``outcome`` in words for a legend."""
    out = waits.copy()
    out["outcome"] = np.where(out["gave_up"].to_numpy(bool), "gave up", "charged")
    return out


def need_run() -> tuple[str, RunResult] | None:
    """The current run, or a note that there is none yet."""
    cur = current()
    if cur is None:
        st.info("No run yet: choose a scenario on the **Scenario** page and press **Run**.")
        st.page_link("pages/scenario.py", label="Go to the Scenario page", icon=":material/tune:")
        return None
    label, scenario = cur
    return label, run(scenario, progress=False)
