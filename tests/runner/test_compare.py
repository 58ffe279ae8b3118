"""compare_layouts on the three Zemgale layouts: same demand, rows, breakdown, GeoPackage."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyogrio
import pytest

from emob_sim.analysis.kpis import KPI_KEYS
from emob_sim.config import bundled_path
from emob_sim.errors import NetworkError
from emob_sim.runner import run
from emob_sim.runner.compare import (
    COMPARE_FILES,
    COMPARISON_COLUMNS,
    MUNICIPALITY_COLUMNS,
    SCOPED_COLUMNS,
    compare_layouts,
    write_comparison,
)

LAYOUTS = [
    bundled_path(f"configs/zemgale/layout_{n}.yaml") for n in ("existing", "corridor", "centres")
]


@pytest.fixture(scope="module")
def comparison():
    return compare_layouts(LAYOUTS)


def test_one_row_per_layout(comparison):
    t = comparison.table
    assert t["layout"].tolist() == ["existing", "corridor", "centres"]
    assert list(t.columns[: len(COMPARISON_COLUMNS)]) == COMPARISON_COLUMNS
    assert t["file"].tolist() == [str(p) for p in LAYOUTS]
    existing, corridor, centres = (t.iloc[i] for i in range(3))
    assert existing["capex_eur_area"] == 0.0  # today's chargers are built
    assert corridor["capex_eur_area"] > 0 and centres["capex_eur_area"] > 0
    assert corridor["dc_plugs_area"] > existing["dc_plugs_area"]
    assert centres["pop_fast_10min_share"] > existing["pop_fast_10min_share"]
    assert corridor["mean_wait_min_total"] < existing["mean_wait_min_total"]
    assert (t["sites_area"] == [5, 12, 61]).all()
    assert (t["sites_total"] == t["sites_area"] + 1).all()  # + the aggregate Rīga site


def test_every_kpi_states_its_scope_and_the_totals_are_the_runs(comparison):
    """The planning area's own (its sites, its residents) and everything simulated, side by
    side for every KPI; the totals are the run's KPIs, the area never exceeds them."""
    t = comparison.table
    for key in SCOPED_COLUMNS:
        assert f"{key}_area" in t.columns and f"{key}_total" in t.columns
        assert key not in t.columns
    for name, run_ in comparison.runs.items():
        row = t.set_index("layout").loc[name]
        k = run_.kpis
        assert row["charging_sessions_total"] == k["charging_sessions"]
        assert row["sessions_abandoned_total"] == k["sessions_abandoned"]
        assert row["energy_kwh_total"] == pytest.approx(k["energy_delivered_kwh"], abs=1e-3)
        assert row["peak_kw_total"] == pytest.approx(k["peak_load_kw"], abs=1e-3)
        assert row["mean_wait_min_total"] == pytest.approx(k["mean_wait_min"], abs=1e-3)
        assert row["trips_stranded_total"] == k["trips_stranded"]
        assert row["co2_avoided_kg_total"] == pytest.approx(k["co2_avoided_kg"], abs=1e-2)
        for key in ("sites", "plugs", "charging_sessions", "energy_kwh", "trips_stranded"):
            assert row[f"{key}_area"] <= row[f"{key}_total"]
        # the Rīga aggregate serves Rīga-bound and through traffic: outside the area
        assert row["charging_sessions_area"] < row["charging_sessions_total"]


def test_same_demand_for_every_layout(comparison):
    trips = [r.demand.trips for r in comparison.runs.values()]
    for other in trips[1:]:
        pd.testing.assert_frame_equal(trips[0], other)
    assert len({r.kpis["trips_generated"] for r in comparison.runs.values()}) == 1


def test_rows_equal_a_plain_run(comparison):
    """Reusing one region changes nothing: the row of a layout is the run of its file."""
    alone = run(LAYOUTS[1])
    got = comparison.runs["corridor"].kpis
    assert {k: got[k] for k in KPI_KEYS} == {k: alone.kpis[k] for k in KPI_KEYS}
    assert comparison.table.iloc[1]["energy_kwh_total"] == alone.kpis["energy_delivered_kwh"]


def test_ebike_kpis_are_read_when_present(comparison):
    runs = comparison.runs
    ebike = runs["centres"].kpis.get("ebike")
    if ebike is None:
        pytest.skip("the run reports no e-bike section")
    row = comparison.table.set_index("layout").loc["centres"]
    for key, value in ebike.items():
        assert row[f"ebike_{key}"] == value


def test_municipality_breakdown_adds_up(comparison):
    m = comparison.municipalities
    assert list(m.columns) == MUNICIPALITY_COLUMNS
    assert m["municipality"].nunique() == 6  # the post-2021 units of Zemgale
    by_layout = m.groupby("layout", sort=False)[["sites", "plugs", "capex_eur"]].sum()
    t = comparison.table.set_index("layout")
    np.testing.assert_allclose(by_layout["sites"], t.loc[by_layout.index, "sites_area"])
    np.testing.assert_allclose(by_layout["capex_eur"], t.loc[by_layout.index, "capex_eur_area"])
    assert m.groupby("layout")["population"].sum().nunique() == 1
    pop = m[m["layout"] == "centres"]
    share = (pop["pop_fast_10min_share"] * pop["population"]).sum() / pop["population"].sum()
    assert share == pytest.approx(t.loc["centres", "pop_fast_10min_share"], abs=1e-3)


def test_a_site_belongs_to_the_municipality_whose_territory_holds_it(comparison):
    """Issue 24: the A8 hubs at Ozolnieki and Eleja lie in Jelgavas novads (zones.boundaries_file);
    a scenario without boundaries keeps the fastest-zone rule, which gives Eleja, reached
    fastest from Jelgava city, to the city."""
    sites = comparison.sites["corridor"].set_index("site_id")["municipality"]
    assert sites["hub-a8-ozolnieki"] == sites["hub-a8-eleja"] == "Jelgavas novads"
    assert sites["ext-riga"] == "outside"
    m = comparison.municipalities.set_index(["layout", "municipality"])
    hubs_capex = comparison.sites["corridor"].set_index("site_id")["capex_eur"]
    assert m.loc[("corridor", "Jelgava (state city)"), "capex_eur"] == 0.0  # no hub in the city
    assert m.loc[("corridor", "Jelgavas novads"), "capex_eur"] == pytest.approx(
        hubs_capex[["hub-a8-ozolnieki", "hub-a8-eleja"]].sum()
    )
    fastest = compare_layouts([LAYOUTS[1]], overrides=["zones.boundaries_file=null"])
    old = fastest.sites["corridor"].set_index("site_id")["municipality"]
    assert old["hub-a8-eleja"] == "Jelgava (state city)"  # what issue 24 saw


def test_written_files(comparison, tmp_path):
    out = write_comparison(comparison, tmp_path / "cmp")
    assert sorted(p.name for p in out.iterdir()) == sorted(COMPARE_FILES)
    csv = pd.read_csv(out / "comparison.csv")
    assert csv["layout"].tolist() == ["existing", "corridor", "centres"]
    layers = pyogrio.list_layers(out / "layouts.gpkg")
    assert layers[:, 0].tolist() == ["existing", "corridor", "centres"]
    centres = pyogrio.read_dataframe(out / "layouts.gpkg", layer="centres")
    assert len(centres) == 61 + 1  # 61 sites in the area plus the Rīga aggregate
    assert {"car_ac", "car_dc", "ebike"} <= set(centres["kind"])
    assert centres.crs.to_epsg() == 4326
    info = json.loads((out / "compare.json").read_text())
    assert info["seed"] == comparison.seed


def test_off_network_layout_names_the_file_and_site(tmp_path):
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
    with pytest.raises(NetworkError, match=r"bad\.yaml: charging: site 'sea' is .* from the"):
        compare_layouts([LAYOUTS[0], bad])
