"""Bad input: one line naming the problem, exit code 2, no output folder left behind."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emob_sim.cli import app
from emob_sim.config import bundled_path
from emob_sim.runner import RUN_FILES
from emob_sim.runner.compare import COMPARE_FILES

runner = CliRunner()
BASE = bundled_path("configs/base.yaml")


def run_cli(*args: str):
    return runner.invoke(app, list(args))


def test_malformed_yaml(tmp_path, clean_failure):
    bad = tmp_path / "bad.yaml"
    bad.write_text("fleet: {ev_share: [\n")
    clean_failure(
        run_cli("run", str(bad), "--out", str(tmp_path / "o")), tmp_path / "o", "malformed YAML"
    )


def test_invalid_value(tmp_path, clean_failure):
    out = tmp_path / "o"
    r = run_cli("run", "--out", str(out), "--set", "fleet.ev_share=1.4")
    clean_failure(r, out, "fleet.ev_share", "1.4")


def test_unknown_key(tmp_path, clean_failure):
    out = tmp_path / "o"
    clean_failure(
        run_cli("run", "--out", str(out), "--set", "fleet.evshare=1"), out, "fleet.evshare"
    )


def test_missing_scenario_file(tmp_path, clean_failure):
    out = tmp_path / "o"
    clean_failure(run_cli("run", str(tmp_path / "nope.yaml"), "--out", str(out)), out, "nope.yaml")


def test_unreadable_graph(tmp_path, clean_failure):
    graph = tmp_path / "broken.graphml"
    graph.write_text("this is not graphml")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"extends: {BASE}\nnetwork:\n  source: file\n  file: broken.graphml\n")
    out = tmp_path / "o"
    clean_failure(run_cli("run", str(scenario), "--out", str(out)), out, "broken.graphml")


def test_zone_that_cannot_reach_the_network(tmp_path, clean_failure):
    zones = Path(bundled_path("data/zemgale/zones.csv")).read_text(encoding="utf-8").splitlines()
    header = zones[0].split(",")
    far = dict.fromkeys(header, "")
    # a zone in the Baltic Sea, 150 km west of the network
    far.update(
        zone_id="Sea",
        name="Sea",
        kind="zone",
        lon="20.9",
        lat="56.9",
        population="1000",
        area_km2="10",
        municipality="none",
        source="test",
    )
    (tmp_path / "zones.csv").write_text(
        "\n".join(zones + [",".join(far[h] for h in header)]) + "\n", encoding="utf-8"
    )
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"extends: {BASE}\nzones:\n  file: zones.csv\n")
    out = tmp_path / "o"
    clean_failure(run_cli("run", str(scenario), "--out", str(out)), out, "Sea")


def test_existing_output_folder_is_kept(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    r = run_cli("run", "--out", str(out))
    assert r.exit_code == 2
    assert "--overwrite" in r.output
    assert (out / "precious.txt").read_text() == "keep me"


def test_validate_prints_resolved_scenario():
    r = run_cli("validate", "--set", "fleet.ev_share=0.2")
    assert r.exit_code == 0, r.output
    assert '"ev_share": 0.2' in r.output


@pytest.mark.parametrize("args", [["run"], ["run", "--out"]])
def test_usage_errors_exit_2(args):
    assert run_cli(*args).exit_code == 2


def test_out_in_a_new_nested_folder_is_created(tmp_path):
    out = tmp_path / "runs" / "nested" / "baseline"
    r = run_cli("run", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert (out / "kpis.json").is_file()


def test_out_below_a_file_is_refused(tmp_path):
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "afile" / "run"
    r = run_cli("run", "--out", str(out))
    assert r.exit_code == 2
    assert "is a file" in r.output
    assert (tmp_path / "afile").read_text() == "x"


def test_overwrite_replaces_an_earlier_run(tmp_path):
    out = tmp_path / "o"
    assert run_cli("run", "--out", str(out)).exit_code == 0
    r = run_cli("run", "--out", str(out), "--overwrite", "--seed", "3")
    assert r.exit_code == 0, r.output
    assert '"seed": 3' in (out / "manifest.json").read_text()


def test_overwrite_keeps_a_run_folder_holding_a_users_file(tmp_path):
    out = tmp_path / "o"
    assert run_cli("run", "--out", str(out)).exit_code == 0
    (out / "plan.txt").write_text("my notes")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    r = run_cli("run", "--out", str(out), "--overwrite", "--seed", "3")
    assert r.exit_code == 2
    assert "plan.txt" in r.output and "did not write" in r.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_overwrite_never_replaces_a_folder_that_is_not_emob_sim_output(tmp_path):
    out = tmp_path / "data"
    out.mkdir()
    (out / "zones.csv").write_text("precious")
    r = run_cli("run", "--out", str(out), "--overwrite")
    assert r.exit_code == 2
    assert "only folders written by emob-sim" in r.output and "zones.csv" in r.output
    assert (out / "zones.csv").read_text() == "precious"


def test_overwrite_never_replaces_the_current_folder(tmp_path, monkeypatch):
    (tmp_path / "manifest.json").write_text("{}")  # even one that looks like a run
    monkeypatch.chdir(tmp_path)
    r = run_cli("run", "--out", ".", "--overwrite")
    assert r.exit_code == 2
    assert "current folder" in r.output
    assert (tmp_path / "manifest.json").read_text() == "{}"


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc")
def test_out_on_a_filesystem_that_takes_no_folders_is_refused():
    r = run_cli("run", "--out", "/proc/emob-sim-test")
    assert r.exit_code == 2
    assert "cannot write in /proc" in r.output


# --- user text is printed literally (issue 25, item 1): rich markup in it never crashes ---


def emob_sim_command(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The installed console command (falls back to ``python -m emob_sim``)."""
    exe = shutil.which("emob-sim", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-m", "emob_sim"]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=300, env=env)


@pytest.mark.parametrize("command", ["run", "validate"])
def test_markup_in_a_set_value_is_printed_literally(tmp_path, clean_failure, command):
    out = tmp_path / "o"
    args = ["--set", "time.days=x[/y]"] + (["--out", str(out)] if command == "run" else [])
    clean_failure(run_cli(command, *args), out, "time.days", "'x[/y]'")


def test_markup_in_a_set_value_with_the_console_command(tmp_path):
    proc = emob_sim_command("validate", "--set", "time.days=x[/y]")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "MarkupError" not in proc.stderr
    (line,) = proc.stderr.strip().splitlines()[-1:]
    assert line.startswith("error: ") and "time.days" in line and "'x[/y]'" in line
    assert proc.stdout == ""


def test_markup_in_a_site_name_and_the_out_folder_is_printed_literally(tmp_path):
    sites = Path(bundled_path("data/zemgale/sites_known.csv")).read_text(encoding="utf-8")
    assert ",Jelgava," in sites
    (tmp_path / "sites.csv").write_text(
        sites.replace(",Jelgava,", ",[/b]Jelgava,", 1), encoding="utf-8"
    )
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"extends: {BASE}\ncharging:\n  sites_file: sites.csv\n")
    out = tmp_path / "r[/x]"
    r = run_cli("run", str(scenario), "--out", str(out))
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == sorted(RUN_FILES)
    assert "[/b]Jelgava" in r.output
    assert f"Results written to {out.resolve()}" in r.output


def test_markup_in_a_layout_name_in_the_live_progress_line(tmp_path):
    """On a terminal the progress is a live status line: a layout's name is shown in it."""
    layout = tmp_path / "lay.yaml"
    layout.write_text(f"extends: {BASE}\nname: '[/b]mine[bold'\n")
    out = tmp_path / "cmp[/i]"
    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "200"}
    proc = emob_sim_command("compare", str(layout), "--out", str(out), env=env)
    assert proc.returncode == 0, proc.stderr
    assert "MarkupError" not in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(COMPARE_FILES)
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", proc.stdout)
    assert "[/b]mine[bold" in plain
    assert "simulating layout [/b]mine[bold" in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", proc.stderr)


def test_plan_help_shows_the_pdf_extra():
    r = run_cli("plan", "--help")
    assert r.exit_code == 0
    assert "emob-sim[pdf]" in " ".join(r.output.replace("│", " ").split())


# --- a placement method that cannot honour --kind refuses it (issue 25, item 13) ---


@pytest.mark.parametrize(
    ("method", "kind", "needles"),
    [
        ("pvsize", "car_ac", ["--kind 'car_ac'", "method pvsize", "supports no --kind"]),
        ("pvsize", "car_dc", ["--kind 'car_dc'", "method pvsize"]),
        ("sizing", "ebike", ["--kind 'ebike'", "method sizing", "car_ac, car_dc"]),
    ],
)
def test_place_refuses_a_kind_the_method_cannot_honour(
    tmp_path, clean_failure, method, kind, needles
):
    out = tmp_path / "o"
    r = run_cli("place", "--method", method, "--kind", kind, "--budget", "100k", "--out", str(out))
    clean_failure(r, out, *needles)


# --- absurd sizes are refused before anything is allocated (issue 25, item 6) ---


def _zones_with_population(tmp_path: Path, population: str) -> Path:
    rows = Path(bundled_path("data/zemgale/zones.csv")).read_text(encoding="utf-8").splitlines()
    assert rows[1].startswith("Jelgava,Jelgava,zone,23.7339,56.6514,54694,")
    rows[1] = rows[1].replace(",54694,", f",{population},", 1)
    (tmp_path / "zones.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"extends: {BASE}\nzones:\n  file: zones.csv\n")
    return scenario


@pytest.mark.parametrize(("population", "shown"), [("1e19", "1e+19"), ("1e300", "1e+300")])
@pytest.mark.parametrize("command", ["run", "validate"])
def test_an_absurd_zone_population_is_refused(tmp_path, clean_failure, population, shown, command):
    scenario = _zones_with_population(tmp_path, population)
    out = tmp_path / "o"
    args = [command, str(scenario)] + (["--out", str(out)] if command == "run" else [])
    clean_failure(run_cli(*args), out, "zones.csv", "zone 'Jelgava'", shown, "at most 1e+09")


@pytest.mark.parametrize("command", ["run", "validate"])
def test_corridors_of_500000_vehicles_a_day_over_28_days_are_refused(
    tmp_path, clean_failure, command
):
    out = tmp_path / "o"
    sets = [
        "time.days=28",
        "demand.through_ev_share=1",
        "demand.corridors=[{a: Rīga, b: Meitene LT border, vehicles_per_day: 500000}]",
    ]
    args = [command, *(a for s in sets for a in ("--set", s))]
    args += ["--out", str(out)] if command == "run" else []
    clean_failure(
        run_cli(*args), out, "demand.corridors", "14,000,000 through trips", "at most 10,000,000"
    )


def test_kouvola_with_one_metre_cells_is_refused_before_the_grid_is_made(tmp_path):
    kouvola = str(bundled_path("configs/demo/kouvola.yaml"))
    proc = emob_sim_command("validate", kouvola, "--set", "zones.auto.cell_km=0.001")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    line = proc.stderr.strip().splitlines()[-1]
    assert line.startswith("error: zones.auto.cell_km: 0.001 km cells"), line
    assert "grid cells, expected at most 1,000,000" in line


def test_a_population_total_above_a_billion_is_refused(tmp_path, clean_failure):
    out = tmp_path / "o"
    kouvola = str(bundled_path("configs/demo/kouvola.yaml"))
    r = run_cli("run", kouvola, "--set", "zones.auto.population_total=1e300", "--out", str(out))
    clean_failure(r, out, "zones.auto.population_total", "1e300")
