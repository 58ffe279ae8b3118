"""Hand-measured results (benchmarks/manual.json) survive every report, and the sections the
suite measures (the site's year, charging where cars park) are written from results.json."""

from __future__ import annotations

import json

import pytest

from benchmarks import RESULTS_DIR, markdown
from benchmarks.manual import MANUAL_FILE, load_manual
from benchmarks.report import write_results
from benchmarks.sections import run_section
from benchmarks.suite import _scenario, _sim_row, evaluate_targets
from benchmarks.workloads import DESTINATION_PAIR, WORKLOADS, SimWorkload
from emob_sim.errors import ConfigError

RECORDED = json.loads((RESULTS_DIR / "results.json").read_text(encoding="utf-8"))


def _rows(entry: dict) -> list[str]:
    return ["| " + " | ".join(row) + " |" for row in entry["rows"]]


def test_the_hand_measured_results_are_kept_in_manual_json():
    entries = {e["id"]: e for e in load_manual()}
    assert {"destination-charging-1M", "plan-simulated-year"} <= set(entries)
    plan = entries["plan-simulated-year"]
    assert ["zemgale_2030 (quiet machine)", "105.5", "157.3", "457"] == plan["rows"][0][:4]
    assert "emob-sim plan configs/zemgale/plans/zemgale_2030.yaml --seeds 5" in plan["command"]
    ratio = entries["destination-charging-1M"]["rows"][-1]
    assert ratio[1:3] == ["1.26x", "1.38x"]


def test_a_suite_run_that_rewrites_the_results_keeps_every_hand_measured_row(tmp_path):
    fresh = {k: v for k, v in RECORDED.items() if k != "manual"}  # as a suite run returns it
    md, js = write_results(fresh, tmp_path / "bench")
    text = md.read_text(encoding="utf-8")
    for entry in load_manual():
        assert f"## Measured by hand: {entry['title']}" in text
        assert entry["command"] in text and entry["measured"] in text
        for row in _rows(entry):
            assert row in text, row
    assert json.loads(js.read_text(encoding="utf-8"))["manual"] == load_manual()
    assert text.index("## Measured by hand") < text.index("## Notes")


def test_the_recorded_report_is_rendered_from_results_json_and_manual_json():
    """results.md is never edited by hand: a row added there alone would be lost."""
    assert RECORDED["manual"] == load_manual(MANUAL_FILE)
    recorded = (RESULTS_DIR / "results.md").read_text(encoding="utf-8")
    assert recorded == markdown(RECORDED)


def test_the_site_year_is_a_section_of_the_recorded_results():
    site_year = RECORDED["site_year"]
    assert site_year["steps"] == 35_040 and site_year["plugs"] == 500
    text = markdown(RECORDED)
    section = text.split("## A site's year")[1].split("\n## ")[0]
    assert "not measured" not in section
    for s in site_year["strategies"]:
        assert f"| {s['strategy']} | " in section
    assert {s["strategy"] for s in site_year["strategies"]} >= {"uncontrolled", "least-laxity"}


def test_a_bad_manual_file_is_one_line_naming_the_field_and_nothing_is_written(tmp_path):
    good = json.loads(MANUAL_FILE.read_text(encoding="utf-8"))
    entry = good["measurements"][0]
    cases = {
        "command": {k: v for k, v in entry.items() if k != "command"},
        "rows[0]": {**entry, "rows": [entry["rows"][0][:-1]]},
    }
    for field, bad in cases.items():
        path = tmp_path / f"bad-{field}.json"
        path.write_text(json.dumps({"measurements": [bad]}), encoding="utf-8")
        with pytest.raises(ConfigError, match=r"measurements\[0\]") as err:
            load_manual(path)
        assert field in str(err.value) and "\n" not in str(err.value)
        with pytest.raises(ConfigError):
            write_results(dict(RECORDED), tmp_path / "out", manual=path)
        assert not (tmp_path / "out").exists()
    twice = tmp_path / "twice.json"
    twice.write_text(json.dumps({"measurements": [entry, entry]}), encoding="utf-8")
    with pytest.raises(ConfigError, match="appears twice"):
        load_manual(twice)


def test_one_section_measured_alone_replaces_only_that_section(tmp_path):
    out = tmp_path / "bench"
    write_results(dict(RECORDED), out)
    results = run_section("site_year", out_dir=out, isolate=False)
    saved = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert saved == json.loads(json.dumps(results, default=str))
    assert saved["site_year"]["alone"]["command"] == "python -m benchmarks --only site_year"
    assert [s["strategy"] for s in saved["site_year"]["strategies"]] == [
        s["strategy"] for s in RECORDED["site_year"]["strategies"]
    ]
    for key in set(RECORDED) - {"site_year"}:
        assert saved[key] == RECORDED[key], key
    text = (out / "results.md").read_text(encoding="utf-8")
    assert "It ran alone (`python -m benchmarks --only site_year`)" in text
    with pytest.raises(ConfigError, match="--only: expected one of"):
        run_section("routing", out_dir=out)
    with pytest.raises(ConfigError, match="results.json of a suite run"):
        run_section("site_year", out_dir=tmp_path / "empty")


def test_only_on_a_folder_without_results_is_one_line_and_exit_2(tmp_path, capsys):
    from benchmarks.__main__ import main

    assert main(["--only", "site_year", "--out", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "results.json of a suite run" in err
    assert err.count("\n") == 1 and not (tmp_path / "none").exists()


def test_the_full_suite_measures_charging_where_cars_park_against_none():
    names = {wl.name: wl for wl in WORKLOADS["full"]["sim"]}
    with_, without = (names[n] for n in DESTINATION_PAIR)
    assert without.overrides == ("charging.destination.enabled=false",)
    assert (with_.trips, with_.days, with_.region) == (without.trips, without.days, "zemgale")
    run = {"trips": 10**6, "events": 10**6, "peak_mb": 1e3, "kpis": {"destination_sessions": 38}}
    rows = [
        {"name": DESTINATION_PAIR[0], "project": {**run, "wall_s": 30.0}},
        {"name": DESTINATION_PAIR[1], "project": {**run, "wall_s": 20.0}},
    ]

    def target() -> dict:
        targets = evaluate_targets({"workloads": rows, "routing": []})
        (found,) = [t for t in targets if t["target"].startswith("charging where cars park")]
        return found

    assert target()["met"] and target()["value"].startswith("1.50x (30.0 s / 20.0 s; 38 ")
    rows[0]["project"]["wall_s"] = 41.0
    assert not target()["met"]


def test_a_workloads_overrides_reach_the_simulation(tmp_path):
    off = SimWorkload(
        "zemgale-2k-off",
        "zemgale",
        2_000,
        1,
        reference=False,
        overrides=("charging.destination.enabled=false",),
    )
    _, overrides, _ = _scenario(off, tmp_path)
    assert "charging.destination.enabled=false" in overrides
    on = SimWorkload("zemgale-2k-on", "zemgale", 2_000, 1, reference=False)
    say = lambda msg: None  # noqa: E731
    row_off = _sim_row(off, tmp_path, reference=False, isolate=False, say=say)
    row_on = _sim_row(on, tmp_path, reference=False, isolate=False, say=say)
    kpis_off, kpis_on = row_off["project"]["kpis"], row_on["project"]["kpis"]
    assert kpis_off["trips_generated"] == kpis_on["trips_generated"] > 0
    assert kpis_off["destination_sessions"] == kpis_off["overnight_sessions"] == 0
