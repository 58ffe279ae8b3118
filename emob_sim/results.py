"""What a run returns: a plain record of every stage's value, and what produces such records.

:class:`RunResult` holds the scenario, the region, the demand, the simulation (cars and
e-bikes) and the tables the analysis derived from them (KPIs, the per-site table); it computes
nothing itself. Derived tables are built by :mod:`emob_sim.analysis`; a run is produced, and
written, by :mod:`emob_sim.runner`.

:class:`Evaluator` is the interface of everything that runs scenarios (sequentially, in local
processes, on a Dask cluster; see :mod:`emob_sim.runner.evaluate`): the layers above the
runner, and the simulation-driven placement methods, which are handed one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from emob_sim.config.models import Scenario
from emob_sim.demand.ebike import EbikeDemand
from emob_sim.demand.tables import Demand
from emob_sim.region import Region
from emob_sim.sim.ebike import EbikeSimResult
from emob_sim.sim.outputs import SimResult
from emob_sim.sim.site_energy import SiteEnergyResult

__all__ = ["EbikeRun", "RunResult", "Evaluator"]


@dataclass(frozen=True, eq=False)
class EbikeRun:
    """The e-bike demand of a run and its simulation."""

    demand: EbikeDemand
    sim: EbikeSimResult


@dataclass(frozen=True, eq=False)
class RunResult:
    """Everything one run produced.

    Attributes
    ----------
    scenario
        The resolved scenario that ran (its ``seed`` is the run's).
    region
        The region with the run's sites.
    demand
        The electric-car demand (after the modal shift moved chains to e-bikes).
    sim
        The car simulation: trips, sessions, give-ups, events, load per site.
    kpis
        Region-wide KPIs (:func:`emob_sim.analysis.kpis.compute_kpis`).
    sites
        One row per public site with its KPIs (:func:`emob_sim.analysis.kpis.site_table`).
    ebike
        The e-bike demand and simulation (None when e-bikes are off).
    energy
        The power at the sites with an energy set-up: workplace sites of the industrial
        areas and public sites of ``energy.sites`` (None for runs made without it).
    """

    scenario: Scenario
    region: Region
    demand: Demand
    sim: SimResult
    kpis: dict[str, Any]
    sites: pd.DataFrame
    ebike: EbikeRun | None = None
    energy: SiteEnergyResult | None = None


class Evaluator(Protocol):
    """Runs resolved scenarios, each with its own seed, and returns what ``collect`` makes of
    each run, in the order given.

    ``collect`` is called on each :class:`RunResult` where the run happened (in a worker
    process for a process or Dask evaluator): there it keeps what the caller needs (e.g. the
    KPIs), so that whole runs need not travel between processes. None returns the runs.
    """

    def evaluate(
        self,
        scenarios: Sequence[Scenario],
        *,
        collect: Callable[[RunResult], Any] | None = None,
    ) -> list[Any]:
        """Run each scenario (with its own seed) and collect what is kept of each run.

        Parameters
        ----------
        scenarios : Sequence[Scenario]
            Resolved scenarios.
        collect : callable or None
            ``collect(run)`` is what is kept of each :class:`RunResult`, where the run
            happened; None keeps the runs themselves.

        Returns
        -------
        list
            One collected value per scenario, in the order of ``scenarios``.
        """
