"""Placement: candidate sites, heuristics that propose layouts, and the layout files.

>>> p = emob_sim.place(None, method="coverage", budget="1M")  # doctest: +SKIP
>>> write_placement(p, "out/coverage", scenario_path=None)  # doctest: +SKIP

Modules: :mod:`~emob_sim.placement.candidates` (where sites may go),
:mod:`~emob_sim.placement.costs` (CAPEX, OPEX), :mod:`~emob_sim.placement.coverage`,
:mod:`~emob_sim.placement.pmedian`, :mod:`~emob_sim.placement.frlm`,
:mod:`~emob_sim.placement.simgreedy`, :mod:`~emob_sim.placement.sizing` (heuristics),
:mod:`~emob_sim.placement.exact` (HiGHS baselines), :mod:`~emob_sim.placement.simulated`
(layouts simulated through an evaluator), :mod:`~emob_sim.placement.registry` (the records
and the method registry), :mod:`~emob_sim.placement.methods` (the built-in methods),
:mod:`~emob_sim.placement.propose` (:func:`propose`), :mod:`~emob_sim.placement.layout`
(:func:`write_placement`). The runner's :func:`emob_sim.runner.place` builds the region and
demand and calls :func:`propose`.
"""

from __future__ import annotations

from emob_sim.placement.budget import Budget, parse_budget
from emob_sim.placement.candidates import (
    CANDIDATE_COLUMNS,
    build_candidates,
    candidate_sites,
    nearest_resident_zone,
)
from emob_sim.placement.costs import site_costs
from emob_sim.placement.layout import PLACE_FILES, write_placement
from emob_sim.placement.propose import check_request, propose
from emob_sim.placement.registry import (
    KINDS,
    LAYOUT_COLUMNS,
    METHOD_KINDS,
    METHODS,
    SIMULATING,
    Placement,
    PlacementRequest,
    method_kind,
    register,
)

__all__ = [
    "propose",
    "check_request",
    "register",
    "method_kind",
    "METHOD_KINDS",
    "write_placement",
    "Placement",
    "PlacementRequest",
    "Budget",
    "parse_budget",
    "candidate_sites",
    "build_candidates",
    "nearest_resident_zone",
    "site_costs",
    "METHODS",
    "SIMULATING",
    "KINDS",
    "LAYOUT_COLUMNS",
    "CANDIDATE_COLUMNS",
    "PLACE_FILES",
]
