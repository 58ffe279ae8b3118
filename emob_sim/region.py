"""The region: road network, zones, charging sites and the travel matrices between them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.network.arrays import RoadNetwork

__all__ = ["Region", "ZONE_COLUMNS", "SITE_COLUMNS"]

#: columns of Region.zones (one row per zone, index 0..n_zones-1 = zone index)
ZONE_COLUMNS = [
    "zone_id",  # str, unique
    "name",  # str
    "kind",  # "zone" (residents), "external" (attractor, e.g. Rīga), "gateway" (through traffic)
    "lon",
    "lat",  # float, WGS84
    "population",  # float, residents (0 for gateways)
    "area_km2",  # float (0 where unknown)
    "municipality",  # str (post-2021 municipality for Zemgale; "" where not applicable)
    "node",  # int, index into network arrays of the nearest network node
    "snap_distance_m",  # float, distance from the zone centre to that node
]

#: columns of Region.sites (one row per public charging site, index 0..n_sites-1 = site index)
SITE_COLUMNS = [
    "site_id",  # str, unique
    "name",
    "kind",  # "car_ac" | "car_dc"
    "lon",
    "lat",
    "plugs",  # int >= 1
    "power_kw",  # float, per plug
    "node",  # int, index into network arrays
    "snap_distance_m",
    "source",  # str
]


@dataclass(frozen=True, eq=False)
class Region:
    """Everything spatial a simulation needs.

    Points are the zones followed by the sites: point ``p < n_zones`` is zone ``p`` and point
    ``n_zones + s`` is site ``s``. ``time_s[p, q]`` and ``dist_km[p, q]`` are the shortest
    network travel time and its length between points; the diagonal of the zone block holds
    the intrazonal trip (a typical trip inside the zone), the site diagonal is 0.
    """

    network: RoadNetwork
    zones: pd.DataFrame
    sites: pd.DataFrame
    time_s: NDArray[np.float64]
    dist_km: NDArray[np.float64]

    @property
    def n_zones(self) -> int:
        return len(self.zones)

    @property
    def n_sites(self) -> int:
        return len(self.sites)

    def site_point(self, site_index: int | NDArray[np.int64]) -> int | NDArray[np.int64]:
        """Point index of a site index."""
        return self.n_zones + site_index
