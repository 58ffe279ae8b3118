"""OSMnx downloads (loopback Overpass/Nominatim server) give a region with both networks."""

from __future__ import annotations

from pathlib import Path

import pytest

import emob_sim
from emob_sim.config import load_scenario
from emob_sim.region import build_region
from emob_sim.region.zones import ZONE_FILE_COLUMNS

KOUVOLA = Path(__file__).resolve().parents[2] / "configs" / "demo" / "kouvola.yaml"
EXTRACT_BBOX = "[26.93, 60.52, 26.97, 60.54]"  # west, south, east, north of the extract


@pytest.mark.parametrize(
    "source",
    [
        ["network.source=bbox", f"network.bbox={EXTRACT_BBOX}"],
        ["network.source=place", "network.place=Kouvola test area, Finland"],
    ],
    ids=["bbox", "place"],
)
def test_downloaded_region_has_drive_and_bike_networks(
    source, offline_osmnx, kouvola_region, tmp_path
):
    # the demo's automatic zones count the buildings of its OSM file; a download has none:
    # the zones of the extract as a zones table
    zones = tmp_path / "zones.csv"
    kouvola_region.zones[ZONE_FILE_COLUMNS].to_csv(zones, index=False)
    overrides = [
        "network.pyrosm_extract=null",
        "network.file=null",
        *source,
        f"network.cache_dir={tmp_path / 'cache'}",
        f"zones.file={zones}",
        # the place polygon is smaller than the extract: allow longer snaps
        "zones.max_snap_distance_m=2000",
        "charging.max_snap_distance_m=2000",
    ]
    sc = load_scenario(KOUVOLA, overrides=overrides)
    region = build_region(sc)

    assert offline_osmnx.requests.count("/api/interpreter") == 2  # drive, then bike
    drive, bike = region.network, region.bike.network
    assert "drive network" in drive.description and "bike network" in bike.description
    assert source[0].split("=")[1] in bike.description
    assert bike.n_nodes > drive.n_nodes > 50
    assert region.bike.zone_ok.sum() >= 5
    assert len(region.ebike_sites) == 3 and len(region.sites) == 3

    result = emob_sim.run(sc, region=region)
    assert result.kpis["ebike"]["trips"] > 0 and result.kpis["trips_generated"] > 0
    # the second build is answered from OSMnx's cache
    n = len(offline_osmnx.requests)
    build_region(sc)
    assert len(offline_osmnx.requests) == n
