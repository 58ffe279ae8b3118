"""Candidate sites: existing chargers, zone centres, corridor points, OSM amenities, extras."""

from __future__ import annotations

import numpy as np
import pytest

from emob_sim.config import bundled_path, load_scenario
from emob_sim.placement.candidates import (
    CANDIDATE_COLUMNS,
    build_candidates,
    candidate_sites,
    existing_sites,
    slug,
)
from emob_sim.placement.costs import new_site_capex_eur
from emob_sim.region import build_region


def test_slug():
    assert slug("Jēkabpils novads") == "jekabpils-novads"
    assert slug("Pļaviņas") == "plavinas"


def test_zemgale_candidates(zemgale, zemgale_region, zemgale_candidates):
    tab = zemgale_candidates.table
    assert list(tab.columns[: len(CANDIDATE_COLUMNS)]) == CANDIDATE_COLUMNS
    existing = existing_sites(zemgale_region)
    n = len(existing)
    # existing sites first, unchanged and fixed (keep_existing)
    assert tab["site_id"].iloc[:n].tolist() == existing["site_id"].tolist()
    assert (tab["origin"].iloc[:n] == "existing").all() and tab["fixed"].iloc[:n].all()
    assert (tab["capex_eur"].iloc[:n] == 0).all()
    new = tab.iloc[n:]
    assert not new["fixed"].any()
    assert tab["site_id"].is_unique
    assert not new.duplicated(["node", "kind"]).any()
    np.testing.assert_allclose(
        new["capex_eur"], new_site_capex_eur(new["plugs"], new["power_kw"], zemgale.costs)
    )
    ids = set(new["site_id"])
    # a DC candidate at every resident zone centre without a DC charger (Jēkabpils has one),
    # AC where no AC charger is (Jelgava has one)
    residents = zemgale_region.zones.loc[zemgale_region.zones["kind"] == "zone", "zone_id"]
    assert {f"zc-car_dc-{slug(z)}" for z in residents} - ids == {"zc-car_dc-jekabpils"}
    assert "zc-car_ac-jelgava" not in ids and "zc-car_ac-bauska" in ids
    assert "zc-ebike-jelgava" in ids
    # corridor: Eleja (A8 waypoint) is a candidate; nodes outside Zemgale are not
    assert "cor-car_dc-eleja" in ids
    names = set(tab["name"])
    assert not names & {"Rīga", "Olaine", "Ogre", "Lielvārde", "Līvāni"}
    # every candidate knows its municipality
    assert (tab.loc[~tab["site_id"].isin(["ext-riga"]), "municipality"] != "").all()


def test_candidate_region_matrices(zemgale_region, zemgale_candidates):
    c = zemgale_candidates
    assert c.region.n_sites == len(c.table)
    assert np.array_equal(
        c.region.time_s[: zemgale_region.n_zones, : zemgale_region.n_zones],
        zemgale_region.time_s[: zemgale_region.n_zones, : zemgale_region.n_zones],
    )
    # a zone centre candidate is at its zone's node: zero travel time from the zone
    row = c.table.index[c.table["site_id"] == "zc-car_dc-bauska"][0]
    z = int(np.flatnonzero(zemgale_region.zones["zone_id"] == "Bauska")[0])
    assert c.region.time_s[z, c.points()[row]] == 0.0


def test_corridor_spacing_thins_the_points(zemgale_region):
    def corridor(spacing):
        sc = load_scenario(
            overrides=[
                "placement.candidates.zone_centre_kinds=[]",
                f"placement.candidates.corridor_spacing_km={spacing}",
            ]
        )
        tab = candidate_sites(sc, zemgale_region)
        return tab[tab["origin"] == "cor"]

    dense, sparse = corridor(5), corridor(60)
    assert len(dense) > len(sparse) >= 1
    assert {"Ozolnieki", "Iecava", "Bauska", "Eleja", "Koknese"} <= set(dense["name"])
    lon, lat = np.radians(sparse["lon"].to_numpy()), np.radians(sparse["lat"].to_numpy())
    for i in range(len(sparse)):
        for j in range(i):
            d = 6371.0 * np.arccos(
                min(
                    1.0,
                    np.sin(lat[i]) * np.sin(lat[j])
                    + np.cos(lat[i]) * np.cos(lat[j]) * np.cos(lon[i] - lon[j]),
                )
            )
            assert d >= 60.0


def test_extra_candidates_and_keep_existing(zemgale_region):
    sc = load_scenario(
        overrides=[
            "placement.candidates.zone_centre_kinds=[]",
            "placement.candidates.corridor_kinds=[]",
            "placement.candidates.keep_existing=false",
            "placement.candidates.extra=[{name: Dobele industrial area, category: industrial, "
            "lon: 23.30, lat: 56.62, kinds: [car_ac, car_dc]}, {name: Far away, lon: 21.0, "
            "lat: 56.5, kinds: [ebike]}]",
        ]
    )
    tab = candidate_sites(sc, zemgale_region)
    new = tab[tab["origin"] != "existing"]
    # the Dobele area snaps to the Dobele node, where an AC charger exists: only the DC is new
    assert new["site_id"].tolist() == ["industrial-car_dc-dobele-industrial-area"]
    assert "scenario" in new["source"].iloc[0]
    existing = tab[tab["origin"] == "existing"]
    assert existing.set_index("site_id")["fixed"].to_dict() == {
        s: s == "ext-riga" for s in existing["site_id"]
    }


@pytest.fixture(scope="module")
def kouvola():
    sc = load_scenario(bundled_path("configs/demo/kouvola.yaml"), overrides=["ebike.enabled=false"])
    return sc, build_region(sc)


def test_osm_fuel_and_parking_candidates(kouvola):
    sc, region = kouvola
    tab = build_candidates(sc, region).table
    fuel = tab[tab["origin"] == "osm-fuel"]
    parking = tab[tab["origin"] == "osm-parking"]
    assert (fuel["kind"] == "car_dc").all() and (parking["kind"] == "car_ac").all()
    assert len(parking) >= 2  # 12 parking areas in the extract, several on one node each
    assert all("OpenStreetMap" in s for s in parking["source"])
    # both fuel stations already hold a car_dc site in the demo: merged, not candidates again
    assert fuel.empty
    none = load_scenario(
        bundled_path("configs/demo/kouvola.yaml"),
        overrides=["ebike.enabled=false", "placement.candidates.osm_amenities={}"],
    )
    assert not candidate_sites(none, region)["origin"].str.startswith("osm").any()
