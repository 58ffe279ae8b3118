"""Simulate a layout on a region and a demand that are built once."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from emob_sim.analysis.kpis import compute_kpis
from emob_sim.config.models import Scenario
from emob_sim.demand import generate_demand
from emob_sim.demand.tables import Demand
from emob_sim.ebike import generate_ebike_demand
from emob_sim.pipeline import seed_streams
from emob_sim.region import Region, site_matrices
from emob_sim.sim import SimResult, simulate
from emob_sim.sites import SITE_FILE_COLUMNS, split_sites

__all__ = ["LayoutRun", "car_demand", "simulate_layout", "site_pressure"]


@dataclass(frozen=True, eq=False)
class LayoutRun:
    """One simulation of a layout: its region (sites = the layout), the result and KPIs."""

    region: Region
    sim: SimResult
    kpis: dict[str, float | int]


def car_demand(scenario: Scenario, region: Region) -> Demand:
    """The car demand of a run of ``scenario`` (after the modal shift).

    Drawn as :func:`emob_sim.pipeline.run` draws it, from the same seed streams.
    """
    streams = seed_streams(scenario.seed)
    demand = generate_demand(scenario, region, streams["demand"])
    _, demand = generate_ebike_demand(scenario, region, demand, streams["ebike"])
    return demand


def simulate_layout(
    scenario: Scenario, region: Region, demand: Demand, sites: pd.DataFrame
) -> LayoutRun:
    """Simulate the car sites of ``sites`` (SiteSpec columns) with the scenario's seed.

    Only the car simulation runs (e-bike sites are left out; the region's e-bike layer is
    kept as it is); ``run.region.sites`` are the car sites in the order of ``sites``.

    The simulation stream is the one :func:`emob_sim.pipeline.run` uses, so a layout
    simulated here gives the same result as a run of a scenario holding the same sites.
    """
    car, _ = split_sites(sites[SITE_FILE_COLUMNS])
    car, time_s, dist_km = site_matrices(
        region, car, max_snap_distance_m=scenario.charging.max_snap_distance_m
    )
    layout_region = dataclasses.replace(region, sites=car, time_s=time_s, dist_km=dist_km)
    sim = simulate(scenario, layout_region, demand, seed_streams(scenario.seed)["sim"])
    return LayoutRun(region=layout_region, sim=sim, kpis=compute_kpis(scenario, demand, sim))


def site_pressure(run: LayoutRun, *, max_wait_min: float) -> np.ndarray:
    """Minutes of waiting per site: waits of served drivers, plus ``max_wait_min`` for each
    driver who gave up (they waited that long and were not served)."""
    n = run.region.n_sites
    s, a = run.sim.sessions, run.sim.abandoned
    wait = np.bincount(s["site_idx"].to_numpy(np.int64), weights=s["wait_s"].to_numpy() / 60.0,
                       minlength=n)
    gave_up = np.bincount(a["site_idx"].to_numpy(np.int64), minlength=n) * max_wait_min
    return wait[:n] + gave_up[:n]
