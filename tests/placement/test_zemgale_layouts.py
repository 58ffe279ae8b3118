"""The three Zemgale layout options: built from the facts, and loadable."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from emob_sim.config import bundled_path, load_scenario

DATA = bundled_path("data/zemgale")
CONFIGS = bundled_path("configs/zemgale")
SPEC = ["site_id", "name", "kind", "lon", "lat", "plugs", "power_kw"]
TOWNS_WITHOUT_SITES = {"Jelgavas novads", "Jēkabpils novads"}  # approximate centroids


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False)


@pytest.fixture(scope="module")
def base_sites():
    """Today's sites: the known chargers plus the Rīga aggregate of configs/base.yaml."""
    sc = load_scenario(CONFIGS / "layout_existing.yaml")
    riga = pd.DataFrame([s.model_dump() for s in sc.charging.sites])
    return pd.concat([_read(DATA / "sites_known.csv"), riga], ignore_index=True)[SPEC]


def test_three_layouts_load():
    names = {
        f: load_scenario(CONFIGS / f).name
        for f in ("layout_existing.yaml", "layout_corridor.yaml", "layout_centres.yaml")
    }
    assert names == {
        "layout_existing.yaml": "existing",
        "layout_corridor.yaml": "corridor",
        "layout_centres.yaml": "centres",
    }
    for f in ("layout_corridor.yaml", "layout_centres.yaml"):
        assert load_scenario(CONFIGS / f).charging.sites == []  # the file holds every site


@pytest.mark.parametrize("name", ["corridor", "centres"])
def test_layouts_start_with_todays_sites(base_sites, name):
    layout = _read(DATA / "layouts" / f"{name}.csv")
    assert layout["site_id"].is_unique
    pd.testing.assert_frame_equal(
        layout[SPEC].iloc[: len(base_sites)], base_sites, check_dtype=False
    )


def test_corridor_hubs_lie_on_the_trunk_roads(base_sites):
    layout = _read(DATA / "layouts" / "corridor.csv").iloc[len(base_sites) :]
    nodes = _read(DATA / "nodes.csv").set_index("name")
    links = _read(DATA / "links.csv")
    roads = set()
    for hub in layout.itertuples():
        assert hub.kind == "car_dc" and hub.plugs == 4 and hub.power_kw == 150
        road = hub.site_id.split("-")[1].upper()
        town = hub.name.removeprefix(f"{road} hub ")
        assert (hub.lon, hub.lat) == (nodes.loc[town, "lon"], nodes.loc[town, "lat"])
        on_road = links[(links["ref"] == road) & ((links["a"] == town) | (links["b"] == town))]
        assert len(on_road) >= 1, f"{town} is not on the {road}"
        roads.add(road)
    assert roads == {"A8", "A7", "A6"}


def test_centres_have_ac_dc_and_ebike_in_every_town(base_sites):
    layout = _read(DATA / "layouts" / "centres.csv")
    zones = _read(DATA / "zones.csv")
    towns = zones[(zones["kind"] == "zone") & ~zones["zone_id"].isin(TOWNS_WITHOUT_SITES)]
    assert len(towns) == 20
    known = _read(DATA / "sites_known.csv")
    for town in towns.itertuples():
        here = layout[(layout["lon"] == town.lon) & (layout["lat"] == town.lat)]
        known_here = known[known["name"].str.startswith(town.name)]
        kinds = set(here["kind"]) | set(known_here["kind"])
        assert kinds == {"car_ac", "car_dc", "ebike"}, town.name
    new = layout.iloc[len(base_sites) :]
    assert new["source"].str.contains("ASSUMPTION").all()
    assert (new.loc[new["kind"] == "ebike", ["plugs", "power_kw"]] == [6, 0.5]).all().all()
