"""The region record: road network, zones, car sites, travel matrices and the e-bike layer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.network.arrays import RoadNetwork
from emob_sim.region.areas import AREA_COLUMNS
from emob_sim.region.bike import BikeLayer
from emob_sim.region.sites import SITE_COLUMNS

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["Region"]


@dataclass(frozen=True, eq=False)
class Region:
    """Everything spatial a simulation needs.

    Points are the zones followed by the sites: point ``p < n_zones`` is zone ``p`` and point
    ``n_zones + s`` is site ``s``. ``time_s[p, q]`` and ``dist_km[p, q]`` are the shortest
    network travel time and its length between points; the diagonal of the zone block holds
    the intrazonal trip (a typical trip inside the zone), the site diagonal is 0.

    ``sites`` holds the car sites (kinds ``car_ac``/``car_dc``; :data:`SITE_COLUMNS`); ``bike``
    is the e-bike layer (bike network, public e-bike points of kind ``ebike``, bike matrices;
    see :class:`emob_sim.region.bike.BikeLayer`), None when e-bikes are off. ``areas`` holds the
    industrial areas (:data:`~emob_sim.region.areas.AREA_COLUMNS`), None when there are none.
    ``boundaries`` holds the municipality polygons of ``zones.boundaries_file``
    (:func:`~emob_sim.region.boundaries.load_boundaries`), None without one.
    Make a changed copy with :func:`dataclasses.replace` so that the layers are kept.
    """

    network: RoadNetwork
    zones: pd.DataFrame
    sites: pd.DataFrame
    time_s: NDArray[np.float64]
    dist_km: NDArray[np.float64]
    bike: BikeLayer | None = None
    areas: pd.DataFrame | None = None
    boundaries: gpd.GeoDataFrame | None = None

    @property
    def industrial_areas(self) -> pd.DataFrame:
        """The industrial areas (:data:`~emob_sim.region.areas.AREA_COLUMNS`), maybe empty."""
        if self.areas is None:
            return pd.DataFrame(columns=AREA_COLUMNS)
        return self.areas

    @property
    def ebike_sites(self) -> pd.DataFrame:
        """Public e-bike points (:data:`SITE_COLUMNS`, ``node`` on the bike network)."""
        if self.bike is None:
            return pd.DataFrame(columns=SITE_COLUMNS)
        return self.bike.sites

    @property
    def n_zones(self) -> int:
        """Number of zones, external ones included (rows of ``zones``)."""
        return len(self.zones)

    @property
    def n_sites(self) -> int:
        """Number of car charging sites (rows of ``sites``)."""
        return len(self.sites)

    def site_point(self, site_index: int | NDArray[np.int64]) -> int | NDArray[np.int64]:
        """Point index of a site index.

        Parameters
        ----------
        site_index : int or numpy.ndarray
            Row(s) of ``sites``.

        Returns
        -------
        int or numpy.ndarray
            Row(s) and column(s) of the travel matrices: the zones come first.
        """
        return self.n_zones + site_index
