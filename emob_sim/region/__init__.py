"""The region: road networks, zones, charging sites and the travel matrices between them.

:func:`build_region` is the stage's entry point. Modules: :mod:`~emob_sim.region.zones` (the
zones table), :mod:`~emob_sim.region.sites` (the sites table), :mod:`~emob_sim.region.car`
(car layer: drive-network matrices), :mod:`~emob_sim.region.bike` (e-bike layer: bike network,
public e-bike points), :mod:`~emob_sim.region.model` (:class:`Region`),
:mod:`~emob_sim.region.build` (:func:`build_region`, :func:`with_sites`),
:mod:`~emob_sim.region.areas` (industrial areas with workplace charging).
"""

from __future__ import annotations

from emob_sim.region.areas import AREA_COLUMNS, area_specs, load_areas, locate_areas
from emob_sim.region.bike import BikeLayer, build_bike_layer, load_bike_network
from emob_sim.region.build import build_region, with_areas, with_sites
from emob_sim.region.car import car_matrices, site_matrices
from emob_sim.region.model import Region
from emob_sim.region.sites import (
    CAR_SITE_KINDS,
    SITE_COLUMNS,
    SITE_FILE_COLUMNS,
    load_sites,
    read_sites_file,
    snap_sites,
    split_sites,
    with_inline_sites,
)
from emob_sim.region.zones import (
    ZONE_COLUMNS,
    ZONE_FILE_COLUMNS,
    ZONE_KINDS,
    intrazonal_distance_km,
    load_zones,
    snap_zones,
)

__all__ = [
    "Region",
    "build_region",
    "with_sites",
    "with_areas",
    "car_matrices",
    "site_matrices",
    "BikeLayer",
    "build_bike_layer",
    "load_bike_network",
    "ZONE_COLUMNS",
    "ZONE_FILE_COLUMNS",
    "ZONE_KINDS",
    "load_zones",
    "snap_zones",
    "intrazonal_distance_km",
    "SITE_COLUMNS",
    "SITE_FILE_COLUMNS",
    "CAR_SITE_KINDS",
    "load_sites",
    "read_sites_file",
    "snap_sites",
    "split_sites",
    "with_inline_sites",
    "AREA_COLUMNS",
    "area_specs",
    "load_areas",
    "locate_areas",
]
