"""The Sweeps page reads a real sweep folder back (AppTest, the real app run headless)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from emob_sim.batch import read_sweep, sweep
from emob_sim.config import bundled_path
from emob_sim.display import rounded_for

APP = str(Path(__file__).parents[2] / "apps" / "streamlit_app.py")


@pytest.fixture(scope="module")
def sweeps_root(tmp_path_factory):
    """A folder with one sweep in it: 2 x 2 variants x 2 seeds, the variants with sites 1 m
    from the road failing at run time (so the page has failed runs to show)."""
    root = tmp_path_factory.mktemp("sweeps")
    spec = {
        "name": "page",
        "base": str(bundled_path("configs/zemgale/baseline.yaml")),
        "seeds": 2,
        "grid": {
            "fleet.ev_share": [0.0112, 0.02],
            "charging.max_snap_distance_m": [5000, 1],
            "time.days": [1],
        },
    }
    (root / "sweep.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    sweep(root / "sweep.yaml", root / "studies" / "page", workers=2)
    return root


@pytest.fixture
def page(monkeypatch, sweeps_root):
    monkeypatch.setenv("EMOB_SIM_SWEEPS", str(sweeps_root))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/sweeps.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_page_finds_the_sweep_and_counts_its_runs(page):
    assert page.selectbox(key="sweeps_folder").value == "studies/page"
    cards = {m.label: m.value for m in page.metric}
    assert cards["Runs completed"] == "4" and cards["Runs failed"] == "4"
    assert any("did not finish" in w.value for w in page.warning)


def test_the_curve_is_the_mean_over_the_seeds_of_each_variant(page, sweeps_root):
    page.selectbox(key="sweeps_kpi").select("trips_generated").run()
    page.selectbox(key="sweeps_param").select("fleet.ev_share").run()
    assert not page.exception
    shown = page.dataframe[-1].value  # the table under "Per variant"
    runs = read_sweep(sweeps_root / "studies" / "page").runs
    done = runs[runs["status"] == "completed"]
    expected = done.groupby("fleet.ev_share")["trips_generated"].mean()
    # in the Scenario page's words and units: the share in %, the means rounded as printed
    per_variant = shown.set_index("Electric share of cars (%)")["Trips, mean"]
    assert per_variant.to_dict() == pytest.approx(
        {round(100 * share, 2): rounded_for("trips_generated", v) for share, v in expected.items()}
    )
    low, mean, high = (shown[f"Trips, {s}"] for s in ("5th percentile", "mean", "95th percentile"))
    assert (low <= mean).all() and (mean <= high).all()
    assert set(shown["Other parameters"]) == {"charging.max_snap_distance_m 5000, Simulated days 1"}


def test_a_folder_without_sweeps_says_how_to_make_one(monkeypatch, tmp_path):
    monkeypatch.setenv("EMOB_SIM_SWEEPS", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/sweeps.py").run()
    assert not at.exception
    assert any("emob-sim sweep" in i.value for i in at.info)


def test_the_chart_draws_every_variant_of_the_curve(sweeps_root):
    """Every field the chart encodes is a column of its data, without a dot (Vega-Lite reads
    a dotted name as a path into nested data and would draw nothing)."""
    import sys

    sys.path.insert(0, str(Path(APP).parent))
    from charts import kpi_curve

    from emob_sim.batch import curves

    folder = read_sweep(sweeps_root / "studies" / "page")
    table, as_lines = curves(folder.summary, "trips_generated", "fleet.ev_share", folder.parameters)
    for lines in (as_lines, False):
        spec = kpi_curve(
            table, "fleet.ev_share", kpi_title="Trips", param_title="EV share (%)", as_lines=lines
        ).to_dict()
        rows = next(iter(spec["datasets"].values()))
        assert len(rows) == len(table)
        fields = {
            enc["field"]
            for layer in spec["layer"]
            for enc in layer["encoding"].values()
            if isinstance(enc, dict) and "field" in enc
        }
        assert fields and all("." not in f and f in rows[0] for f in fields), fields
        assert sorted(r["value"] for r in rows) == sorted(table["fleet.ev_share"])
