"""The records of a placement and the method registry.

A placement method is a function ``(PlacementRequest) -> Placement`` registered under its
name with :func:`register` (the built-in ones: :mod:`~emob_sim.placement.methods`);
:func:`emob_sim.placement.propose` dispatches to it. The helpers here are shared by the
methods: candidate costs in the budget's unit, the layout table with status and costs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from emob_sim.config.models import Scenario
from emob_sim.demand.tables import Demand
from emob_sim.errors import ConfigError
from emob_sim.placement.budget import Budget
from emob_sim.placement.candidates import (
    Candidates,
    build_candidates,
    existing_sites,
)
from emob_sim.placement.costs import added_plugs_capex_eur, plug_costs, site_costs
from emob_sim.region import CAR_SITE_KINDS, SITE_FILE_COLUMNS, Region
from emob_sim.results import Evaluator

__all__ = [
    "METHODS",
    "METHOD_KINDS",
    "SIMULATING",
    "method_kind",
    "register",
    "KINDS",
    "LAYOUT_COLUMNS",
    "Placement",
    "PlacementRequest",
]

logger = logging.getLogger(__name__)

KINDS = ("car_ac", "car_dc", "ebike")

#: columns of a layout table (layout.csv): the SiteSpec fields, then what changed and its cost
LAYOUT_COLUMNS = [*SITE_FILE_COLUMNS, "status", "origin", "capex_eur", "opex_eur_per_year"]


@dataclass(frozen=True, eq=False)
class PlacementRequest:
    """What a placement method works with.

    ``region`` and ``demand`` are the scenario's (the car demand after the modal shift);
    ``kind`` is the site kind asked for (resolved by :func:`method_kind`: None for a method
    that places no kind or, as ``sizing``, works on every car site when none is asked for);
    ``evaluator`` simulates layouts for the simulation-driven methods; ``notify`` takes short
    progress messages.
    """

    scenario: Scenario
    region: Region
    demand: Demand
    kind: str | None
    budget: Budget
    evaluator: Evaluator | None
    notify: Callable[[str], None]


@dataclass(frozen=True, eq=False)
class Placement:
    """A proposed layout and how it was found.

    ``layout`` has :data:`LAYOUT_COLUMNS` (``status``: existing, upsized or new against the
    scenario's sites; ``capex_eur``: what the proposal adds there, by the ``costs`` model;
    ``opex_eur_per_year``: of all the site's plugs); ``candidates`` the candidate table with
    ``selected``; ``summary`` the method's objective before and after and the budget spent;
    ``history`` the simulations of ``simgreedy`` or the site table of ``sizing`` (else None).
    """

    scenario: Scenario
    method: str
    kind: str | None
    budget: Budget
    layout: pd.DataFrame
    candidates: pd.DataFrame
    summary: dict = field(default_factory=dict)
    history: pd.DataFrame | None = None


def _unit_costs(table: pd.DataFrame, budget: Budget) -> np.ndarray:
    """Cost of adding each candidate in the budget's unit (0 for existing sites)."""
    new = (table["origin"] != "existing").to_numpy()
    if budget.unit == "plugs":
        return np.where(new, table["plugs"].to_numpy(dtype=float), 0.0)
    return np.where(new, table["capex_eur"].to_numpy(dtype=float), 0.0)


def _check_budget(scenario: Scenario, budget: Budget, kind: str) -> None:
    """A budget in EUR must buy at least one plug of ``kind`` (design power, with grid kW)."""
    if budget.unit != "eur":
        return
    power = scenario.placement.designs[kind].power_kw
    capex, _, _ = plug_costs([power], scenario.costs)
    one = float(capex[0] + scenario.costs.grid_eur_per_kw * power)
    if budget.amount < one:
        raise ConfigError(
            f"--budget {budget}: below the cost of one {kind} plug ({one:,.0f} EUR for "
            f"{power:g} kW incl. grid connection per kW), expected at least that"
        )


def _buys_nothing(budget: Budget, cheapest: float, what: str) -> None:
    if budget.amount + 1e-9 < cheapest:
        unit = "plugs" if budget.unit == "plugs" else "EUR"
        raise ConfigError(
            f"--budget {budget}: buys nothing, the cheapest {what} costs {cheapest:,.0f} {unit}"
        )


def _status(layout: pd.DataFrame, before: pd.DataFrame) -> np.ndarray:
    """existing, upsized or new, by site_id and plugs against the input sites."""
    old = dict(zip(before["site_id"], before["plugs"]))
    return np.array(
        [
            "new" if s not in old else ("upsized" if p > old[s] else "existing")
            for s, p in zip(layout["site_id"], layout["plugs"])
        ],
        dtype=object,
    )


def _finish(scenario: Scenario, layout: pd.DataFrame, region: Region) -> pd.DataFrame:
    """The layout table: status against the input sites and the CAPEX this proposal adds."""
    out = layout.reset_index(drop=True).copy()
    before = existing_sites(region)
    out["status"] = _status(out, before)
    built = dict(zip(before["site_id"], before["plugs"]))
    out[["capex_eur", "opex_eur_per_year"]] = site_costs(out, scenario, built=built).to_numpy()
    return out[LAYOUT_COLUMNS]


#: the placement methods by name (``--method``), filled by :func:`register`
METHODS: dict[str, Callable[[PlacementRequest], Placement]] = {}
#: the methods that simulate (they need an evaluator and a car site kind)
SIMULATING: set[str] = set()
#: per method: the site kinds it honours (``--kind``; empty: it takes none) and its default
METHOD_KINDS: dict[str, tuple[tuple[str, ...], str | None]] = {}


def register(
    name: str,
    *,
    simulates: bool = False,
    kinds: tuple[str, ...] | None = None,
    default_kind: str | None = "car_dc",
):
    """Register a placement method under ``name`` (a decorator).

    Parameters
    ----------
    name
        The method's name (``--method``).
    simulates
        The method simulates cars: it needs an evaluator, and takes car site kinds only.
    kinds
        The site kinds it honours (default: every kind, or the car kinds when it simulates);
        ``()`` when it places no site of a kind (then a ``--kind`` is refused).
    default_kind
        The kind it places when none is asked for (None: the method's own choice).

    Returns
    -------
    callable
        The decorator: it records the function ``fn(request) -> Placement`` in
        :data:`METHODS` and returns it unchanged.
    """
    if kinds is None:
        kinds = CAR_SITE_KINDS if simulates else KINDS

    def add(fn: Callable[[PlacementRequest], Placement]) -> Callable[[PlacementRequest], Placement]:
        METHODS[name] = fn
        METHOD_KINDS[name] = (tuple(kinds), default_kind if kinds else None)
        if simulates:
            SIMULATING.add(name)
        return fn

    return add


def method_kind(method: str, kind: str | None) -> str | None:
    """The site kind ``method`` places: ``kind``, or the method's default when it is None.

    Parameters
    ----------
    method : str
        A placement method's name (an unknown name takes every kind, default ``car_dc``).
    kind : str or None
        The site kind asked for (``--kind``).

    Returns
    -------
    str or None
        The kind placed (None: the method places no site of a kind, or chooses its own).

    Raises
    ------
    ConfigError
        ``kind`` is not a site kind, or one the method cannot honour (the message names the
        method, the kind and the kinds it supports).
    """
    kinds, default = METHOD_KINDS.get(method, (KINDS, "car_dc"))
    if kind is None:
        return default
    if kind not in KINDS:
        raise ConfigError(f"--kind {kind!r}: expected one of {', '.join(KINDS)}")
    if not kinds:
        raise ConfigError(
            f"--kind {kind!r}: method {method} places no site of a kind (it supports no "
            "--kind), expected no --kind"
        )
    if kind not in kinds:
        does = "simulates cars" if method in SIMULATING else "places other kinds"
        raise ConfigError(
            f"--kind {kind!r}: method {method} {does}, expected one of {', '.join(kinds)}"
        )
    return kind


def _candidates(req: PlacementRequest) -> tuple[Candidates, np.ndarray, np.ndarray, np.ndarray]:
    """The candidate set, which rows are new, which may be added, and their unit costs."""
    req.notify("candidates")
    cands = build_candidates(req.scenario, req.region)
    tab = cands.table
    is_new = (tab["origin"] != "existing").to_numpy()
    allowed = is_new & (tab["kind"] == req.kind).to_numpy()
    if not allowed.any():
        raise ConfigError(
            f"placement: the candidate set of kind {req.kind!r} is empty (no zone centres, "
            "corridor points, OSM amenities or placement.candidates.extra of that kind in the area)"
        )
    return cands, is_new, allowed, _unit_costs(tab, req.budget)


def _placement(
    req: PlacementRequest,
    method: str,
    layout: pd.DataFrame,
    spent: float,
    summary: dict,
    candidates: pd.DataFrame,
    history: pd.DataFrame | None = None,
) -> Placement:
    """The Placement of a method that added candidates: layout table and summary."""
    out = _finish(req.scenario, layout, req.region)
    summary = {k: (float(v) if isinstance(v, np.floating) else v) for k, v in summary.items()}
    summary = {
        "method": method,
        **({"kind": req.kind} if req.kind is not None else {}),
        "budget": str(req.budget),
        "spent": spent,
        "new_sites": int((out["status"] == "new").sum()),
        "capex_eur": float(out["capex_eur"].sum()),
        "opex_eur_per_year": float(out["opex_eur_per_year"].sum()),
        **summary,
    }
    logger.info("placement %s: %s", method, summary)
    return Placement(
        scenario=req.scenario,
        method=method,
        kind=req.kind,
        budget=req.budget,
        layout=out,
        candidates=candidates,
        summary=summary,
        history=history,
    )


def _plug_cost_fn(scenario: Scenario, budget: Budget) -> Callable[[pd.DataFrame], np.ndarray]:
    def plug_cost(layout: pd.DataFrame) -> np.ndarray:
        if budget.unit == "plugs":
            return np.ones(len(layout))
        return added_plugs_capex_eur(
            np.ones(len(layout)), layout["power_kw"].to_numpy(float), scenario.costs
        )

    return plug_cost
