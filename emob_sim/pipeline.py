"""One run: scenario -> region -> demand -> simulation -> KPIs.

E-bikes run beside the cars: their demand (owners, plus the car chains the modal shift
moves off the car demand) is drawn from the ``ebike`` seed stream after the car demand and
simulated after the cars (see :mod:`emob_sim.ebike`); ``RunResult.demand`` is the car demand
after the shift.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from emob_sim.analysis.kpis import compute_kpis
from emob_sim.config.loading import load_scenario
from emob_sim.config.models import Scenario
from emob_sim.demand import generate_demand
from emob_sim.ebike import EbikeRun, generate_ebike_demand, simulate_ebikes
from emob_sim.region import Region, build_region
from emob_sim.results import RunResult
from emob_sim.sim import simulate

__all__ = ["run", "seed_streams", "STAGES"]

log = logging.getLogger(__name__)

#: the stages of a run, in order, as reported to a progress callback
STAGES = ["region", "demand", "simulation", "kpis"]  # the e-bikes run within demand/simulation


def seed_streams(seed: int) -> dict[str, np.random.SeedSequence]:
    """One independent SeedSequence per stochastic stage, all derived from the scenario seed.

    New stages get new keys appended at the end, so existing streams never change.
    """
    demand, sim, ebike = np.random.SeedSequence(seed).spawn(3)
    return {"demand": demand, "sim": sim, "ebike": ebike}


def run(
    scenario: Scenario | str | Path | None = None,
    *,
    seed: int | None = None,
    overrides: Iterable[str] = (),
    region: Region | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> RunResult:
    """Simulate a scenario and return everything it produced.

    Parameters
    ----------
    scenario
        A validated :class:`Scenario`, a path to a YAML scenario, or None for the embedded
        default (Zemgale baseline).
    seed
        Replaces the scenario's seed.
    overrides
        ``key.path=value`` overrides (only when ``scenario`` is a path or None).
    region
        A region already built for this scenario (skips rebuilding the network and matrices,
        e.g. when comparing layouts on the same network).
    on_stage
        Called with each stage name of :data:`STAGES` as it starts (for progress displays).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides=overrides, seed=seed)
    elif seed is not None:
        scenario = scenario.model_copy(update={"seed": seed})
    streams = seed_streams(scenario.seed)
    notify = on_stage or (lambda stage: None)

    notify("region")
    if region is None:
        region = build_region(scenario)
    log.info(
        "region: %d network nodes, %d zones, %d sites",
        region.network.n_nodes,
        region.n_zones,
        region.n_sites,
    )
    notify("demand")
    demand = generate_demand(scenario, region, streams["demand"])
    ebike_demand, demand = generate_ebike_demand(scenario, region, demand, streams["ebike"])
    log.info("demand: %d vehicles, %d trips", demand.n_vehicles, demand.n_trips)
    notify("simulation")
    sim = simulate(scenario, region, demand, streams["sim"])
    ebike = EbikeRun(ebike_demand, simulate_ebikes(scenario, region, ebike_demand))
    notify("kpis")
    kpis = compute_kpis(scenario, demand, sim, ebike=ebike)
    return RunResult(
        scenario=scenario, region=region, demand=demand, sim=sim, kpis=kpis, ebike=ebike
    )
