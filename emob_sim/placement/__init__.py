"""Placement: candidate sites, heuristics that propose layouts, and the layout files.

>>> p = place("configs/zemgale/baseline.yaml", method="coverage", budget="1M")  # doctest: +SKIP
>>> write_placement(p, "out/coverage", scenario_path=None)  # doctest: +SKIP

Modules: :mod:`~emob_sim.placement.candidates` (where sites may go),
:mod:`~emob_sim.placement.costs` (CAPEX, OPEX), :mod:`~emob_sim.placement.coverage`,
:mod:`~emob_sim.placement.pmedian`, :mod:`~emob_sim.placement.frlm`,
:mod:`~emob_sim.placement.simgreedy`, :mod:`~emob_sim.placement.sizing` (heuristics),
:mod:`~emob_sim.placement.exact` (HiGHS baselines), :mod:`~emob_sim.placement.api`
(:func:`place`), :mod:`~emob_sim.placement.layout` (:func:`write_placement`).
"""

from __future__ import annotations

from emob_sim.placement.api import LAYOUT_COLUMNS, METHODS, Placement, place
from emob_sim.placement.budget import Budget, parse_budget
from emob_sim.placement.candidates import CANDIDATE_COLUMNS, build_candidates, candidate_sites
from emob_sim.placement.layout import PLACE_FILES, write_placement

__all__ = [
    "place",
    "write_placement",
    "Placement",
    "Budget",
    "parse_budget",
    "candidate_sites",
    "build_candidates",
    "METHODS",
    "LAYOUT_COLUMNS",
    "CANDIDATE_COLUMNS",
    "PLACE_FILES",
]
