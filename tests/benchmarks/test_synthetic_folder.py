"""A synthetic region's folder: portable (extends the shipped base scenario by its emob-sim:
name), written like every output folder (a user's file in it is never replaced)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from benchmarks.synthetic import synthetic_tables, write_synthetic
from emob_sim.config import load_scenario
from emob_sim.errors import EmobSimError
from emob_sim.io import read_manifest


@pytest.fixture(scope="module")
def tiny():
    return synthetic_tables(n_nodes=100, n_zones=5, n_sites=2, seed=1)


def test_the_folder_extends_the_shipped_base_and_can_be_moved(tiny, tmp_path):
    path = write_synthetic(tiny, tmp_path / "grid", name="grid")
    assert yaml.safe_load(path.read_text())["extends"] == "emob-sim:configs/base.yaml"
    assert read_manifest(path.parent)["kind"] == "synthetic"
    moved = Path(shutil.move(path.parent, tmp_path / "elsewhere"))
    sc = load_scenario(f"{moved}/scenario.yaml")
    assert sc.name == "grid" and sc.zones.file == moved / "zones.csv"


def test_a_folder_holding_a_users_file_is_refused_and_its_own_replaced(tiny, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "nodes.csv").write_text("my network")
    for overwrite in (False, True):
        with pytest.raises(EmobSimError, match="not empty" if not overwrite else "nodes.csv"):
            write_synthetic(tiny, out, overwrite=overwrite)
    assert sorted(p.name for p in out.iterdir()) == ["nodes.csv"]
    assert (out / "nodes.csv").read_text() == "my network"

    own = tmp_path / "own"
    write_synthetic(tiny, own, name="one")
    with pytest.raises(EmobSimError, match="not empty"):
        write_synthetic(tiny, own, name="two")
    path = write_synthetic(tiny, own, name="two", overwrite=True)
    assert yaml.safe_load(path.read_text())["name"] == "two"
