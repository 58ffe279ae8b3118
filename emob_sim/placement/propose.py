"""Proposing a layout of charging sites with one of the methods of the registry.

:func:`propose` takes a scenario, its region and its car demand (built by the runner, see
:func:`emob_sim.runner.place`) and dispatches to the method registered under the name
(:data:`~emob_sim.placement.registry.METHODS`; the built-in methods are in
:mod:`~emob_sim.placement.methods`).
"""

from __future__ import annotations

from collections.abc import Callable

from emob_sim.config.models import Scenario
from emob_sim.demand.tables import Demand
from emob_sim.errors import ConfigError
from emob_sim.placement import methods as _methods  # noqa: F401 - registers the methods
from emob_sim.placement import pvsize as _pvsize  # noqa: F401 - registers pvsize
from emob_sim.placement.budget import Budget, parse_budget
from emob_sim.placement.registry import (
    METHODS,
    SIMULATING,
    Placement,
    PlacementRequest,
    _check_budget,
    method_kind,
)
from emob_sim.region import Region
from emob_sim.results import Evaluator

__all__ = ["check_request", "propose"]


def check_request(
    scenario: Scenario, *, method: str, kind: str | None, budget: Budget | str | float
) -> Budget:
    """Check a placement request before anything is built; return the parsed budget.

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario (its plug classes' costs).
    method : str
        The placement method (one of :data:`METHODS`).
    kind : str or None
        The site kind asked for (None: the method's default).
    budget : Budget, str or float
        CAPEX in EUR or a number of plugs (:func:`~emob_sim.placement.budget.parse_budget`).

    Returns
    -------
    Budget
        The budget parsed.

    Raises
    ------
    ConfigError
        Unknown method or kind, a kind the method cannot honour (a car-only method asked for
        e-bike sites, any kind for ``pvsize``), a budget that cannot buy one plug of the kind.
    """
    if method not in METHODS:
        raise ConfigError(f"--method {method!r}: expected one of {', '.join(METHODS)}")
    kind = method_kind(method, kind)
    budget = parse_budget(budget)
    if method not in ("sizing", "pvsize"):  # they size what exists (pvsize: PV and plugs)
        _check_budget(scenario, budget, kind)
    return budget


def propose(
    scenario: Scenario,
    region: Region,
    demand: Demand,
    *,
    method: str,
    budget: Budget | str | float,
    kind: str | None = None,
    evaluator: Evaluator | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> Placement:
    """Propose a layout with the method registered as ``method``.

    Parameters
    ----------
    scenario, region, demand
        The resolved scenario, its region and its car demand.
    method
        One of :data:`METHODS`.
    budget
        CAPEX in EUR or a number of plugs (:func:`~emob_sim.placement.budget.parse_budget`).
    kind
        Site kind to place (``car_dc``, ``car_ac`` or ``ebike``; ``sizing``: the kind of the
        sites it enlarges; refused by ``pvsize``). None: the method's default (``car_dc``;
        every car site for ``sizing``).
    evaluator
        Simulates layouts; needed by the methods of :data:`SIMULATING`.
    on_progress
        Called with short progress messages.

    Returns
    -------
    Placement
        The proposed layout, the candidates, the scenario with the layout and a summary.

    Raises
    ------
    ConfigError
        Unknown method or kind, an empty candidate set, a budget that buys nothing.
    """
    budget = check_request(scenario, method=method, kind=kind, budget=budget)
    if method in SIMULATING and evaluator is None:
        raise ValueError(f"placement method {method} simulates: pass an evaluator")
    request = PlacementRequest(
        scenario=scenario,
        region=region,
        demand=demand,
        kind=method_kind(method, kind),
        budget=budget,
        evaluator=evaluator,
        notify=on_progress or (lambda msg: None),
    )
    return METHODS[method](request)
