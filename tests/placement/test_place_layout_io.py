"""The folder `place` writes, and that its scenario simulates the layout as proposed."""

from __future__ import annotations

import json

import pytest

from emob_sim.analysis.kpis import KPI_KEYS
from emob_sim.config import default_scenario_path, load_scenario
from emob_sim.errors import EmobSimError
from emob_sim.io import atomic_output_dir
from emob_sim.placement import PLACE_FILES, write_placement
from emob_sim.placement.simulated import simulate_layout
from emob_sim.region.sites import read_sites_file
from emob_sim.runner import SequentialEvaluator, place, run


@pytest.fixture(scope="module")
def placement(zemgale, zemgale_region):
    return place(zemgale, method="coverage", budget="700k", region=zemgale_region)


def test_written_folder(placement, tmp_path):
    out = write_placement(
        placement, tmp_path / "lay", scenario_path=None, overrides=["fleet.ev_share=0.02"]
    )
    assert sorted(p.name for p in out.iterdir()) == sorted(PLACE_FILES)
    specs = read_sites_file(out / "layout.csv")
    assert [s.site_id for s in specs] == placement.layout["site_id"].tolist()
    geo = json.loads((out / "layout.geojson").read_text(encoding="utf-8"))
    assert len(geo["features"]) == len(placement.layout)
    assert geo["features"][0]["properties"]["status"] in ("existing", "new")
    summary = json.loads((out / "placement.json").read_text())
    assert summary["method"] == "coverage" and summary["spent"] <= 700_000
    sc = load_scenario(out / "scenario.yaml")
    assert sc.charging.sites_file == out / "layout.csv" and sc.charging.sites == []
    assert sc.fleet.ev_share == 0.02 and sc.seed == placement.scenario.seed
    text = (out / "scenario.yaml").read_text(encoding="utf-8")
    assert f"extends: {default_scenario_path()}" in text


def test_written_scenario_runs_the_layout(
    placement, zemgale, zemgale_region, zemgale_demand, tmp_path
):
    out = write_placement(placement, tmp_path / "lay", scenario_path=default_scenario_path())
    result = run(out / "scenario.yaml")
    assert sorted(result.region.sites["site_id"]) == sorted(
        placement.layout.loc[placement.layout["kind"] != "ebike", "site_id"]
    )
    direct = simulate_layout(SequentialEvaluator(), zemgale, placement.layout)
    assert {k: result.kpis[k] for k in KPI_KEYS} == {k: direct.kpis[k] for k in KPI_KEYS}


def test_existing_folder_is_not_touched(placement, tmp_path):
    out = tmp_path / "lay"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    with pytest.raises(EmobSimError, match="not empty"):
        write_placement(placement, out, scenario_path=None)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    with pytest.raises(EmobSimError, match="only emob-sim output folders"):
        write_placement(placement, out, scenario_path=None, overwrite=True)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_overwrite_replaces_an_earlier_placement(placement, tmp_path):
    out = tmp_path / "lay"
    write_placement(placement, out, scenario_path=None)
    (out / "stale.txt").write_text("x")
    write_placement(placement, out, scenario_path=None, overwrite=True)
    assert not (out / "stale.txt").exists() and (out / "layout.csv").exists()


def test_atomic_output_dir_leaves_nothing_on_failure(tmp_path):
    out = tmp_path / "o"
    with pytest.raises(RuntimeError):
        with atomic_output_dir(out) as tmp:
            (tmp / "half.csv").write_text("a")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
