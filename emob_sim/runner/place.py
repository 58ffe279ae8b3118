"""``place``: build a scenario's region and demand, then propose a layout with a method."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from emob_sim.config.models import Scenario
from emob_sim.placement import Budget, Placement, check_request, propose
from emob_sim.region import Region, build_region
from emob_sim.results import Evaluator
from emob_sim.runner.evaluate import SequentialEvaluator
from emob_sim.runner.stages import draw_demand, resolve_scenario

__all__ = ["place"]


def place(
    scenario: Scenario | str | Path | None,
    *,
    method: str,
    budget: Budget | str | float,
    kind: str | None = None,
    overrides: Iterable[str] = (),
    seed: int | None = None,
    region: Region | None = None,
    evaluator: Evaluator | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> Placement:
    """Propose a layout of charging sites.

    Parameters
    ----------
    scenario
        A scenario, a YAML path or None (the embedded Zemgale baseline).
    method
        One of :data:`emob_sim.placement.METHODS`.
    budget
        CAPEX in EUR or a number of plugs (:func:`~emob_sim.placement.parse_budget`).
    kind
        Site kind to place (``car_dc``, ``car_ac`` or ``ebike``; ``sizing``: the kind of the
        sites it enlarges; refused by ``pvsize``). None: the method's default (``car_dc``;
        every car site for ``sizing``).
    overrides, seed
        As :func:`emob_sim.config.load_scenario` (when ``scenario`` is a path or None).
    region
        The scenario's region if already built.
    evaluator
        Simulates layouts for ``simgreedy`` and ``sizing`` (default: a
        :class:`~emob_sim.runner.evaluate.SequentialEvaluator`).
    on_progress
        Called with short progress messages.

    Returns
    -------
    Placement
        The proposed layout, the candidates, the scenario with the layout and a summary
        (and the search's history for the methods that keep one).

    Raises
    ------
    ConfigError
        Unknown method or kind, an empty candidate set, a budget that buys nothing.
    """
    scenario = resolve_scenario(scenario, seed=seed, overrides=overrides)
    budget = check_request(scenario, method=method, kind=kind, budget=budget)
    notify = on_progress or (lambda msg: None)
    notify("region")
    region = region if region is not None else build_region(scenario)
    notify("demand")
    demand, _ = draw_demand(scenario, region)
    return propose(
        scenario,
        region,
        demand,
        method=method,
        budget=budget,
        kind=kind,
        evaluator=evaluator if evaluator is not None else SequentialEvaluator(),
        on_progress=notify,
    )
