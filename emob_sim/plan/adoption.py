"""Adoption that answers chargers: an optional response of the EV share to public charging.

Every option of a plan runs on its adoption path's EV share (``fleet.ev_share``). With an
``adoption_response`` in the plan file, the share each option would have with its own
chargers is::

    factor   = 1 + elasticity x (measure / measure of the baseline option - 1)
    ev_share = path's ev_share x min(max(factor, 0), 1 + max_uplift)

on the same path and in the same year, where ``measure`` is

``car_plugs_per_1000``
    public car charge points (plugs of car sites inside the planning area: the external sites
    of ``placement.external_site_ids`` and e-bike points left out) per 1,000 residents;
``pop_fast_10min_share``
    the share of residents whose zone centre reaches a DC fast charger within 10 minutes
    (compare's column).

A baseline measure of 0 with a positive measure for the option counts as the largest change
(the cap). The baseline option itself, and every option with an elasticity of 0, keep the
path's share exactly.

The response is applied to the CO2 figures, not simulated again: the residents' electric
cars' part of the CO2 avoided (``co2_avoided_kg_area`` minus the e-bikes' modal shift part,
``ebike_co2_avoided_kg``) is scaled by ``ev_share / path's ev_share`` (ASSUMPTION: the added
cars drive and charge as the simulated ones do; their extra queues are not simulated), in
both scopes (through traffic does not respond). The columns ``*_response`` of the plan's
runs hold these figures beside the ones without the response.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from emob_sim.plan.config import AdoptionResponse, Plan

__all__ = ["charging_measure", "ev_share_factor", "with_response", "RESPONSE_COLUMNS"]

#: columns :func:`with_response` adds to a plan's runs
RESPONSE_COLUMNS = [
    "charging_measure",
    "ev_share",
    "ev_share_response",
    "co2_avoided_kg_area_response",
    "co2_avoided_kg_total_response",
]


def charging_measure(
    sites: pd.DataFrame,
    *,
    measure: str,
    population: float,
    external_site_ids: list[str],
    pop_fast_10min_share: float = float("nan"),
) -> float:
    """The option's public charging on the response's ``measure`` (module docstring).

    Parameters
    ----------
    sites
        The layout's site table (``site_id``, ``kind``, ``plugs``).
    measure
        ``car_plugs_per_1000`` or ``pop_fast_10min_share``.
    population
        Residents of the planning area.
    external_site_ids
        Sites outside the planning area (not counted).
    pop_fast_10min_share
        The layout's share of residents near a fast charger (for that measure).
    """
    if measure == "pop_fast_10min_share":
        return float(pop_fast_10min_share)
    own = ~sites["site_id"].astype(str).isin(external_site_ids) & (sites["kind"] != "ebike")
    plugs = float(sites.loc[own, "plugs"].sum())
    return plugs / population * 1000.0 if population > 0 else 0.0


def ev_share_factor(
    measure_value: float, baseline_value: float, *, elasticity: float, max_uplift: float
) -> float:
    """EV share with the response relative to the path's share: ``1 + elasticity x
    relative change of the measure``, within ``[0, 1 + max_uplift]``; exactly 1 for an
    elasticity of 0 or an unchanged measure."""
    if elasticity == 0 or measure_value == baseline_value:
        return 1.0
    if baseline_value <= 0:
        change = np.inf if measure_value > 0 else 0.0
    else:
        change = measure_value / baseline_value - 1.0
    factor = 1.0 + elasticity * change if np.isfinite(change) else 1.0 + max_uplift
    return float(min(max(factor, 0.0), 1.0 + max_uplift))


def with_response(
    runs: pd.DataFrame,
    plan: Plan,
    *,
    sites: Mapping[tuple[str, int, str], pd.DataFrame],
    population: float,
) -> pd.DataFrame:
    """The plan's runs with :data:`RESPONSE_COLUMNS` (without a response in the plan file:
    the path's share and the CO2 as simulated).

    Parameters
    ----------
    runs
        One row per path, year, seed and option (``co2_avoided_kg_area``, ...).
    plan
        The plan (its ``adoption_response`` and the cases' scenarios).
    sites
        (path, year, option) -> that layout's site table.
    population
        Residents of the planning area.
    """
    response = plan.config.adoption_response or AdoptionResponse.none()
    elasticity = float(response.elasticity.value)
    uplift = float(response.max_uplift.value)
    scenario = {(c.path, c.year, c.option): c.scenario for c in plan.cases}
    out = runs.copy()
    measure, share, factor = (np.zeros(len(out)) for _ in range(3))
    for i, (path, year, option) in enumerate(zip(out["path"], out["year"], out["option"])):
        sc = scenario[(path, year, option)]

        def value(name: str, sc=sc, path=path, year=year) -> float:
            fast = runs.loc[
                (runs["path"] == path) & (runs["year"] == year) & (runs["option"] == name),
                "pop_fast_10min_share",
            ]
            return charging_measure(
                sites[(path, year, name)],
                measure=response.measure,
                population=population,
                external_site_ids=list(sc.placement.external_site_ids),
                pop_fast_10min_share=float(fast.iloc[0]) if len(fast) else float("nan"),
            )

        measure[i] = value(option)
        share[i] = sc.fleet.ev_share
        factor[i] = ev_share_factor(
            measure[i], value(plan.baseline), elasticity=elasticity, max_uplift=uplift
        )
    bikes = out["ebike_co2_avoided_kg"] if "ebike_co2_avoided_kg" in out else 0.0
    extra = (out["co2_avoided_kg_area"] - bikes) * (factor - 1.0)
    out["charging_measure"] = measure
    out["ev_share"] = share
    out["ev_share_response"] = share * factor
    for scope in ("area", "total"):
        out[f"co2_avoided_kg_{scope}_response"] = np.where(
            factor == 1.0, out[f"co2_avoided_kg_{scope}"], out[f"co2_avoided_kg_{scope}"] + extra
        )
    return out
