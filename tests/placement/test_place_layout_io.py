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
    out = write_placement(placement, tmp_path / "lay", scenario_path=None)
    assert sorted(p.name for p in out.iterdir()) == sorted(PLACE_FILES)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "place" and sorted(manifest["files"]) == sorted(PLACE_FILES)
    specs = read_sites_file(out / "layout.csv")
    assert [s.site_id for s in specs] == placement.layout["site_id"].tolist()
    geo = json.loads((out / "layout.geojson").read_text(encoding="utf-8"))
    assert len(geo["features"]) == len(placement.layout)
    assert geo["features"][0]["properties"]["status"] in ("existing", "new")
    summary = json.loads((out / "placement.json").read_text())
    assert summary["method"] == "coverage" and summary["spent"] <= 700_000
    sc = load_scenario(out / "scenario.yaml")
    assert sc.charging.sites_file == out / "layout.csv" and sc.charging.sites == []
    assert sc.seed == placement.scenario.seed
    # the scenario stands on its own: resolved, no extends:, shipped files as emob-sim:...
    text = (out / "scenario.yaml").read_text(encoding="utf-8")
    assert "extends:" not in text and "emob-sim:data/zemgale/zones.csv" in text
    same = ("name", "description", "charging")
    assert sc.model_copy(update=dict.fromkeys(same)) == placement.scenario.model_copy(
        update=dict.fromkeys(same)
    )


def test_written_scenario_still_runs_after_the_folder_moved(placement, tmp_path):
    out = write_placement(placement, tmp_path / "lay", scenario_path=None)
    moved = tmp_path / "elsewhere" / "shared-layout"
    moved.parent.mkdir()
    out.rename(moved)
    sc = load_scenario(moved / "scenario.yaml")
    assert sc.charging.sites_file == moved / "layout.csv"
    assert sc.zones.file == placement.scenario.zones.file


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
    with pytest.raises(EmobSimError, match="only folders written by emob-sim"):
        write_placement(placement, out, scenario_path=None, overwrite=True)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_overwrite_replaces_an_earlier_placement(placement, tmp_path):
    out = tmp_path / "lay"
    write_placement(placement, out, scenario_path=None)
    (out / "layout.csv").write_text("edited by hand")  # a file emob-sim wrote: replaced
    write_placement(placement, out, scenario_path=None, overwrite=True)
    assert (out / "layout.csv").read_text() != "edited by hand"
    (out / "stale.txt").write_text("x")  # a user's file: the folder is kept as it is
    with pytest.raises(EmobSimError, match="stale.txt"):
        write_placement(placement, out, scenario_path=None, overwrite=True)
    assert (out / "stale.txt").exists()


def test_atomic_output_dir_leaves_nothing_on_failure(tmp_path):
    out = tmp_path / "o"
    with pytest.raises(RuntimeError):
        with atomic_output_dir(out) as tmp:
            (tmp / "half.csv").write_text("a")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
