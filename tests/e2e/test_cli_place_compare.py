"""`emob-sim place` and `emob-sim compare` end to end, and their bad input."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from emob_sim.cli import app
from emob_sim.config import bundled_path
from emob_sim.placement import PLACE_FILES
from emob_sim.runner.compare import COMPARE_FILES

runner = CliRunner()
LAYOUTS = [
    str(bundled_path(f"configs/zemgale/layout_{n}.yaml"))
    for n in ("existing", "corridor", "centres")
]


def cli(*args: str):
    return runner.invoke(app, list(args))


def test_place_then_run_and_compare(tmp_path):
    lay = tmp_path / "lay"
    r = cli("place", "--method", "coverage", "--budget", "700k", "--out", str(lay))
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in lay.iterdir()) == sorted(PLACE_FILES)
    assert "Placement (coverage" in r.output and "covered_share_after" in r.output
    new = pd.read_csv(lay / "layout.csv").query("status == 'new'")
    assert len(new) >= 1 and new["capex_eur"].sum() <= 700_000

    cmp_dir = tmp_path / "cmp"
    r = cli("compare", LAYOUTS[0], str(lay / "scenario.yaml"), "--out", str(cmp_dir))
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in cmp_dir.iterdir()) == sorted(COMPARE_FILES)
    table = pd.read_csv(cmp_dir / "comparison.csv")
    assert table["layout"].tolist() == ["existing", "zemgale-baseline-coverage"]
    assert table["capex_eur_area"].iloc[1] == pytest.approx(new["capex_eur"].sum())
    assert "Layout comparison" in r.output


def test_compare_three_zemgale_layouts_with_the_console_command(tmp_path):
    exe = shutil.which("emob-sim", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-m", "emob_sim"]
    out = tmp_path / "cmp"
    proc = subprocess.run(
        cmd + ["compare", *LAYOUTS, "--out", str(out)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    for name in ("existing", "corridor", "centres", "pop_fast_10min_share", "capex_eur_area"):
        assert name in proc.stdout
    muni = pd.read_csv(out / "municipalities.csv")
    assert len(muni) == 3 * 6


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (
            ["--method", "coverage", "--budget", "1000"],
            ["--budget 1,000 EUR", "below the cost of one car_dc plug"],
        ),
        (["--method", "coverage", "--budget", "0plugs"], ["--budget 0 plugs", "below one plug"]),
        (["--method", "coverage", "--budget", "lots"], ["--budget 'lots'"]),
        (["--method", "magic", "--budget", "1M"], ["--method 'magic'"]),
        (
            [
                "--method",
                "coverage",
                "--budget",
                "1M",
                "--set",
                "placement.candidates.zone_centre_kinds=[]",
                "--set",
                "placement.candidates.corridor_kinds=[]",
            ],
            ["candidate set of kind 'car_dc' is empty"],
        ),
    ],
)
def test_place_bad_input(tmp_path, args, needles, clean_failure):
    out = tmp_path / "o"
    clean_failure(cli("place", *args, "--out", str(out)), out, *needles)


def test_compare_layout_off_the_network(tmp_path, clean_failure):
    sites = tmp_path / "sites.csv"
    sites.write_text(
        "site_id,name,kind,lon,lat,plugs,power_kw,source\nsea,At sea,car_dc,20.5,57.5,2,150,test\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        f"extends: {LAYOUTS[0]}\nname: bad\ncharging: {{sites_file: {sites}, sites: []}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "o"
    clean_failure(
        cli("compare", LAYOUTS[0], str(bad), "--out", str(out)),
        out,
        "bad.yaml",
        "site 'sea'",
        "from the network",
    )


def test_compare_missing_layout_file(tmp_path, clean_failure):
    out = tmp_path / "o"
    clean_failure(cli("compare", str(tmp_path / "nope.yaml"), "--out", str(out)), out, "nope.yaml")
