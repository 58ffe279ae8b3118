"""The one place that chains the stages of a run: region -> demand -> simulation -> KPIs -> files.

Everything that runs a scenario (``emob-sim run``, ``compare``, the simulation-driven placement
methods, the evaluators, the benchmarks) goes through :func:`run` or :func:`run_stages`.

E-bikes run beside the cars: their demand (owners, plus the car chains the modal shift moves
off the car demand) is drawn from the ``ebike`` seed stream after the car demand and simulated
after the cars; ``RunResult.demand`` is the car demand after the shift.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from emob_sim.analysis import compute_kpis, site_table
from emob_sim.config.loading import check_input_files, input_files, load_scenario
from emob_sim.config.models import Scenario
from emob_sim.demand import Demand, EbikeDemand, generate_demand, generate_ebike_demand
from emob_sim.io import check_out_dir
from emob_sim.placement.costs import built_plugs
from emob_sim.region import Region, build_region, with_areas
from emob_sim.results import EbikeRun, RunResult
from emob_sim.runner.write import write_run
from emob_sim.seeds import seed_streams
from emob_sim.sim import (
    check_site_energy,
    simulate,
    simulate_ebikes,
    simulate_site_energy,
    workplace_visits,
)

__all__ = ["run", "run_stages", "check_scenario", "draw_demand", "resolve_scenario", "STAGES"]

log = logging.getLogger(__name__)

#: the stages of a run, in order, as reported to a progress callback (``write`` only when the
#: run writes a folder); the e-bikes run within demand and simulation
STAGES = ["region", "demand", "simulation", "kpis", "write"]


def resolve_scenario(
    scenario: Scenario | str | Path | None,
    *,
    seed: int | None = None,
    overrides: Iterable[str] = (),
) -> Scenario:
    """A validated scenario from a scenario, a YAML path or None (the embedded default).

    ``overrides`` (``key.path=value``) apply to a path or None; ``seed`` replaces the seed.

    Parameters
    ----------
    scenario : Scenario, str, pathlib.Path or None
        A validated scenario, a path to a YAML scenario, or None for the embedded default.
    seed : int or None
        Replaces the scenario's seed.
    overrides : Iterable[str]
        ``key.path=value`` overrides (only when ``scenario`` is a path or None).

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    EmobSimError
        The YAML file, an override or a value is not valid.
    """
    if not isinstance(scenario, Scenario):
        return load_scenario(scenario, overrides=overrides, seed=seed)
    if seed is not None:
        return scenario.model_copy(update={"seed": seed})
    return scenario


def check_inputs(scenario: Scenario) -> None:
    """Check the files a scenario names as ``validate`` and ``run`` both do, before anything
    is simulated or written: each as :func:`~emob_sim.config.loading.check_input_files` checks
    it (also for a scenario given as an object, not loaded from a file), and the existing
    sites of the cost model (``costs.existing_sites_file``, which a run only hashes) read.

    Raises
    ------
    InputFileNotFoundError, ConfigError, DataError
        A file is missing, not a regular file, over its cap or not what its key expects.
    """
    check_input_files(scenario)
    built_plugs(scenario)


def draw_demand(scenario: Scenario, region: Region) -> tuple[Demand, EbikeDemand]:
    """The car demand (after the modal shift) and the e-bike demand of a run of ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        A resolved scenario; its seed gives the ``demand`` and ``ebike`` streams.
    region : Region
        The scenario's region, built.

    Returns
    -------
    tuple[Demand, EbikeDemand]
        The electric cars and their trips (without the trips shifted to e-bikes), and the
        e-bikes and their trips.
    """
    streams = seed_streams(scenario.seed)
    demand = generate_demand(scenario, region, streams["demand"])
    ebike_demand, demand = generate_ebike_demand(scenario, region, demand, streams["ebike"])
    log.info("demand: %d vehicles, %d trips", demand.n_vehicles, demand.n_trips)
    return demand, ebike_demand


def run_stages(
    scenario: Scenario,
    region: Region,
    *,
    on_stage: Callable[[str], None] | None = None,
) -> RunResult:
    """Demand, simulation and KPIs of a resolved scenario on its region (already built; its
    industrial areas are taken from ``scenario``, so a region built for another variant
    serves).

    Parameters
    ----------
    scenario : Scenario
        A resolved scenario.
    region : Region
        A region built for the scenario's network, zones and sites.
    on_stage : callable or None
        Called with ``"demand"``, ``"simulation"`` and ``"kpis"`` as each stage starts.

    Returns
    -------
    RunResult
        The run's record of every stage (nothing written).
    """
    notify = on_stage or (lambda stage: None)
    region = with_areas(region, scenario)
    check_site_energy(scenario, region)
    notify("demand")
    demand, ebike_demand = draw_demand(scenario, region)
    notify("simulation")
    sim = simulate(scenario, region, demand, seed_streams(scenario.seed)["sim"])
    ebike = EbikeRun(ebike_demand, simulate_ebikes(scenario, region, ebike_demand))
    visits = workplace_visits(scenario, region, demand, sim)
    energy = simulate_site_energy(scenario, region, sim, visits)
    notify("kpis")
    kpis = compute_kpis(scenario, demand, sim, ebike=ebike, energy=energy)
    sites = site_table(scenario, region, sim, ebike=ebike)
    return RunResult(
        scenario=scenario,
        region=region,
        demand=demand,
        sim=sim,
        kpis=kpis,
        sites=sites,
        ebike=ebike,
        energy=energy,
    )


def check_scenario(
    scenario: Scenario | str | Path | None = None,
    *,
    seed: int | None = None,
    overrides: Iterable[str] = (),
    on_stage: Callable[[str], None] | None = None,
) -> Scenario:
    """Check a scenario as :func:`run` does before simulating; return it resolved.

    The scenario is validated, its region is built (every file read, zones and sites snapped,
    the travel times routed, the industrial areas' zones and the energy sites found, measured
    solar profiles read) and its demand drawn (corridors and zones checked), so that what
    ``run`` would refuse before simulating is refused here too.

    Parameters
    ----------
    scenario : Scenario, str, pathlib.Path or None
        A validated scenario, a path to a YAML scenario, or None for the embedded default.
    seed : int or None
        Replaces the scenario's seed.
    overrides : Iterable[str]
        ``key.path=value`` overrides (only when ``scenario`` is a path or None).
    on_stage : callable or None
        Called with ``"region"`` and ``"demand"`` as each check starts.

    Returns
    -------
    Scenario
        The validated scenario, as :func:`run` would run it.

    Raises
    ------
    EmobSimError
        As :func:`run`, for the scenario and its input files.
    """
    scenario = resolve_scenario(scenario, seed=seed, overrides=overrides)
    check_inputs(scenario)
    notify = on_stage or (lambda stage: None)
    notify("region")
    region = build_region(scenario)
    check_site_energy(scenario, region)
    notify("demand")
    draw_demand(scenario, region)
    return scenario


def run(
    scenario: Scenario | str | Path | None = None,
    *,
    seed: int | None = None,
    overrides: Iterable[str] = (),
    region: Region | None = None,
    on_stage: Callable[[str], None] | None = None,
    out_dir: str | Path | None = None,
    overwrite: bool = False,
) -> RunResult:
    """Simulate a scenario and return everything it produced; write its folder if asked.

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
    out_dir
        Write the run folder there (:func:`~emob_sim.runner.write.write_run`); the folder is
        checked before anything runs, so a bad ``out_dir`` fails at once.
    overwrite
        Replace an existing emob-sim output folder at ``out_dir``.

    Returns
    -------
    RunResult
        Everything the run produced: the scenario, region, demand, simulation, KPIs, site
        table, e-bike run and site energy.

    Raises
    ------
    EmobSimError
        Bad input: the scenario, its files or the output folder (the message names the value
        and what was expected).
    """
    sources = [scenario] if isinstance(scenario, str | Path) else []
    if out_dir is not None:
        check_out_dir(out_dir, kind="run", overwrite=overwrite, protect=sources)
    scenario = resolve_scenario(scenario, seed=seed, overrides=overrides)
    if out_dir is not None:  # now that its input files are known
        check_out_dir(
            out_dir, kind="run", overwrite=overwrite, protect=[*sources, *input_files(scenario)]
        )
    check_inputs(scenario)
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
    result = run_stages(scenario, region, on_stage=notify)
    if out_dir is not None:
        notify("write")
        write_run(result, out_dir, overwrite=overwrite, protect=sources)
    return result
