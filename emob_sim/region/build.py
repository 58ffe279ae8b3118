"""Building a region from a scenario, and the same region with other charging sites.

The car layer (:mod:`~emob_sim.region.car`: zones and car sites on the drive network) and the
e-bike layer (:mod:`~emob_sim.region.bike`: zones and e-bike points on the bike network) are
built side by side from the same zones.
"""

from __future__ import annotations

import dataclasses
import logging

import pandas as pd

from emob_sim.config.models import Scenario
from emob_sim.errors import ConfigError
from emob_sim.network import RoadNetwork, load_network
from emob_sim.region.areas import load_areas, locate_areas
from emob_sim.region.autozones import auto_zones
from emob_sim.region.bike import build_bike_layer
from emob_sim.region.boundaries import check_boundaries, load_boundaries
from emob_sim.region.car import car_matrices, site_matrices
from emob_sim.region.model import Region
from emob_sim.region.sites import (
    SITE_COLUMNS,
    SITE_FILE_COLUMNS,
    load_sites,
    snap_sites,
    split_sites,
)
from emob_sim.region.zones import ZONE_COLUMNS, load_zones, snap_zones

__all__ = ["build_region", "with_sites", "with_areas"]

logger = logging.getLogger(__name__)


def build_region(scenario: Scenario) -> Region:
    """Load the road network, zones and sites of a scenario and the travel matrices between them.

    Parameters
    ----------
    scenario
        The validated scenario (``network``, ``zones``, ``charging`` sections are used;
        ``ebike`` for the e-bike layer, see :func:`emob_sim.region.bike.build_bike_layer`).

    Returns
    -------
    Region
        Zones then sites as points; ``time_s``/``dist_km`` hold the fastest network path and its
        length between the points' nodes (:func:`~emob_sim.region.car.car_matrices`).

    Raises
    ------
    ConfigError
        Automatic zones (``zones.file`` null) without a population source, see
        :func:`~emob_sim.region.autozones.auto_zones`.
    DataError
        A bad zones, sites or areas table (an area in an unknown zone), population layer or
        boundaries layer (a polygon of a municipality the zones do not have).
    NetworkError
        A zone or site farther than its ``max_snap_distance_m`` from the network, or two points
        without a path between them.
    """
    network = load_network(scenario.network)
    zones = snap_zones(
        _zones_table(scenario, network),
        network,
        max_snap_distance_m=scenario.zones.max_snap_distance_m,
    )[ZONE_COLUMNS]
    boundaries = None
    if (path := scenario.zones.boundaries_file) is not None:
        boundaries = load_boundaries(path)
        check_boundaries(boundaries, zones["municipality"], path=path)
    car_sites, ebike_sites = split_sites(load_sites(scenario.charging))
    sites = snap_sites(
        car_sites,
        network,
        max_snap_distance_m=scenario.charging.max_snap_distance_m,
    )[SITE_COLUMNS]
    time_s, dist_km = car_matrices(scenario, network, zones, sites)
    logger.info(
        "region: %d nodes, %d zones, %d sites (%s)",
        network.n_nodes,
        len(zones),
        len(sites),
        network.description,
    )
    bike = None
    if scenario.ebike.enabled:
        bike = build_bike_layer(scenario, zones, ebike_sites, drive=network)
    region = Region(
        network=network,
        zones=zones,
        sites=sites,
        time_s=time_s,
        dist_km=dist_km,
        bike=bike,
        boundaries=boundaries,
    )
    return with_areas(region, scenario)


def _zones_table(scenario: Scenario, network: RoadNetwork) -> pd.DataFrame:
    """The zones file, or without one automatic zones from ``network`` (``zones.auto``)."""
    if scenario.zones.file is not None:
        return load_zones(scenario.zones.file)
    net = scenario.network
    osm_file = net.file if net.source == "file" else None
    return auto_zones(network, scenario.zones.auto, osm_file=osm_file)


def with_areas(region: Region, scenario: Scenario) -> Region:
    """The region with the industrial areas of ``scenario`` (``energy.areas_file`` and
    ``energy.areas``; None when it has none), e.g. a region built for another variant.

    Parameters
    ----------
    region : Region
        A built region.
    scenario : Scenario
        The scenario whose ``energy`` section names the areas.

    Returns
    -------
    Region
        ``region`` itself when neither has areas, else a copy with ``areas`` replaced.

    Raises
    ------
    DataError
        A bad areas table, or an area in a zone the region does not have.
    """
    energy = scenario.energy
    areas = None
    if energy.areas or energy.areas_file is not None:
        areas = locate_areas(load_areas(energy), region.zones)
    if areas is None and region.areas is None:
        return region
    return dataclasses.replace(region, areas=areas)


def with_sites(
    region: Region,
    sites: pd.DataFrame,
    *,
    max_snap_distance_m: float,
    scenario: Scenario | None = None,
) -> Region:
    """The same region with another table of charging sites.

    Car sites replace ``region.sites`` (network, zones and zone matrices are reused, see
    :func:`~emob_sim.region.car.site_matrices`). Sites of kind ``ebike`` go to the e-bike
    layer, which is kept when it holds the same sites and else rebuilt for them with
    ``scenario`` on the bike network already loaded
    (:func:`~emob_sim.region.bike.build_bike_layer`). Without an e-bike layer (e-bikes off) e-bike
    sites are left out, as in :func:`build_region`.

    Parameters
    ----------
    region
        The region to start from.
    sites
        New sites with the columns of :data:`emob_sim.region.sites.SITE_FILE_COLUMNS` (as
        returned by :func:`~emob_sim.region.sites.load_sites`).
    max_snap_distance_m
        A site farther than this from every network node is an error.
    scenario
        Needed when the e-bike layer has to be rebuilt.

    Returns
    -------
    Region
        A copy of the region with the new sites and their travel matrices.

    Raises
    ------
    NetworkError
        A site is too far from the network (named in the message) or unreachable.
    ConfigError
        The e-bike layer must be rebuilt and no scenario is given.
    """
    car, ebike = split_sites(sites.reset_index(drop=True))
    car, time_s, dist_km = site_matrices(region, car, max_snap_distance_m=max_snap_distance_m)
    bike = region.bike
    if bike is not None and not _same_sites(bike.sites, ebike):
        if scenario is None:
            raise ConfigError("with_sites: e-bike sites changed, pass the scenario to rebuild them")
        bike = build_bike_layer(
            scenario, region.zones, ebike, drive=region.network, bike=bike.network
        )
    elif bike is None and len(ebike):  # e-bikes off: their sites are left out, as in build_region
        logger.info("e-bikes are off: %d e-bike sites left out", len(ebike))
    logger.debug("region with %d car and %d e-bike sites", len(car), len(ebike))
    return dataclasses.replace(region, sites=car, time_s=time_s, dist_km=dist_km, bike=bike)


def _same_sites(snapped: pd.DataFrame, sites: pd.DataFrame) -> bool:
    """``snapped`` (a layer's sites) holds the sites of ``sites``, in the same order."""
    if len(snapped) != len(sites):
        return False
    a = snapped[SITE_FILE_COLUMNS].reset_index(drop=True)
    b = sites[SITE_FILE_COLUMNS].reset_index(drop=True)
    return bool((a.astype(str) == b.astype(str)).all(axis=None))
