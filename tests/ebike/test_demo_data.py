"""data/demo's Kouvola sites are what scripts/build_demo_sites.py makes of pyrosm's test extract;
the demo's zones are automatic (zones.auto), not a table."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd

from emob_sim.config import load_scenario

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"


def _script():
    spec = importlib.util.spec_from_file_location(
        "build_demo_sites", ROOT / "scripts" / "build_demo_sites.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_demo_sites_are_reproduced_by_the_script(tmp_path):
    script = _script()
    [(extract, name, sites)] = [d for d in script.DEMOS if d[1] == "kouvola_sites.csv"]
    assert extract == "test_pbf"
    script.build_sites(extract, sites).to_csv(tmp_path / name, index=False, encoding="utf-8")
    assert (tmp_path / name).read_bytes() == (DEMO / name).read_bytes()


def test_demo_sites_are_valid_and_attributed_and_zones_automatic(kouvola_region):
    sites = pd.read_csv(DEMO / "kouvola_sites.csv")
    assert sites["source"].str.contains("OpenStreetMap contributors, ODbL 1.0").all()
    assert sorted(sites["kind"].unique()) == ["car_ac", "car_dc", "ebike"]
    assert sites["source"].str.contains("ASSUMPTION").all()
    assert load_scenario(ROOT / "configs" / "demo" / "kouvola.yaml").zones.file is None
    zones = kouvola_region.zones
    assert (zones["population"] > 0).all() and zones["population"].sum() == 3000
    readme = (DEMO / "README.md").read_text(encoding="utf-8")
    assert "python scripts/build_demo_sites.py data/demo" in readme
    assert "© OpenStreetMap contributors, ODbL 1.0" in readme
