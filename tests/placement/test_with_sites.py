"""region.with_sites: another site table on the same network and zones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from emob_sim.config import load_scenario
from emob_sim.errors import ConfigError, NetworkError
from emob_sim.region import build_region, with_sites
from emob_sim.region.sites import SITE_FILE_COLUMNS, load_sites

ELEJA = {
    "site_id": "eleja",
    "name": "Eleja",
    "kind": "car_dc",
    "lon": 23.6843,
    "lat": 56.4148,
    "plugs": 2,
    "power_kw": 150.0,
    "source": "test",
}


def _sites(rows):
    return pd.DataFrame(rows, columns=SITE_FILE_COLUMNS)


def _assert_same_region(a, b):
    assert a.sites["site_id"].tolist() == b.sites["site_id"].tolist()
    np.testing.assert_allclose(a.time_s, b.time_s)
    np.testing.assert_allclose(a.dist_km, b.dist_km)


def test_same_sites_reordered_copy_the_matrices(zemgale, zemgale_region):
    sites = load_sites(zemgale.charging)
    car = sites[sites["kind"] != "ebike"].iloc[::-1]
    region = with_sites(zemgale_region, car, max_snap_distance_m=5000)
    assert region.network is zemgale_region.network and region.zones is zemgale_region.zones
    order = [zemgale_region.sites["site_id"].tolist().index(s) for s in car["site_id"]]
    n_zones = zemgale_region.n_zones
    pts = np.concatenate([np.arange(n_zones), n_zones + np.array(order)])
    np.testing.assert_allclose(region.time_s, zemgale_region.time_s[np.ix_(pts, pts)])


def test_new_nodes_are_routed_like_build_region(zemgale, zemgale_region):
    sc = load_scenario(
        overrides=[
            "charging.sites_file=null",
            "charging.sites=[{site_id: eleja, kind: car_dc, lon: 23.6843, lat: 56.4148, plugs: 2, "
            "power_kw: 150}, {site_id: sece, kind: car_ac, lon: 25.3955, lat: 56.5591, plugs: 2, "
            "power_kw: 22}]",
        ]
    )
    expected = build_region(sc)
    got = with_sites(zemgale_region, load_sites(sc.charging), max_snap_distance_m=5000)
    _assert_same_region(got, expected)


def test_site_off_the_network_is_named(zemgale_region):
    far = dict(ELEJA, site_id="baltic-sea", lon=20.5, lat=57.5)
    with pytest.raises(NetworkError, match=r"site 'baltic-sea' is \d+\.\d km from the network"):
        with_sites(zemgale_region, _sites([ELEJA, far]), max_snap_distance_m=5000)


def test_ebike_sites_go_to_the_bike_layer(zemgale, zemgale_region):
    bike = dict(
        ELEJA, site_id="ebike-bauska", kind="ebike", lon=24.1877, lat=56.4083, plugs=6, power_kw=0.5
    )
    if zemgale_region.bike is None:
        pytest.skip("e-bikes are off in the default scenario")
    region = with_sites(
        zemgale_region, _sites([ELEJA, bike]), max_snap_distance_m=5000, scenario=zemgale
    )
    assert region.sites["site_id"].tolist() == ["eleja"]
    assert region.bike.sites["site_id"].tolist() == ["ebike-bauska"]
    assert region.n_zones + 1 == region.time_s.shape[0]
    with pytest.raises(ConfigError, match="pass the scenario"):
        with_sites(zemgale_region, _sites([bike]), max_snap_distance_m=5000)
