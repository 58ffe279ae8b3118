"""``pvsize``: the rooftop PV and workplace plugs of one industrial area, checked by simulation.

For the area ``placement.pvsize_area`` (or the scenario's only area) the method tries PV sizes
from the area's own kWp upwards in steps of ``placement.pvsize_kwp_step``, the battery sizes of
``placement.pvsize_battery_kwh`` (kW: ``placement.pvsize_battery_kw_per_kwh`` per kWh; empty:
the area's own battery) and plug counts from its own plugs up to ``placement.pvsize_max_plugs``,
each within the budget (EUR): ``costs.pv_eur_per_kwp`` per added kWp,
``energy.money.battery_capex_eur_per_kwh`` per kWh of battery beyond the area's and, per added
plug, the plug's CAPEX of its cost class
(``costs.plug_classes``; the grid connection is the area's, kept as it is). The area keeps its
grid limit, battery and charging strategy.

Each pair is simulated on the same run: the car simulation (the evaluator's run of the
scenario) gives the commuters' arrivals, and the workplace plugs (SimPy, once per plug count)
and the power per step (the allocation kernel) are simulated for each pair
(:func:`~emob_sim.sim.workplace_visits`, :func:`~emob_sim.sim.simulate_site_energy`). Work
charging does not change the cars' trips, so this is what a whole run of each pair gives.

The objective (``placement.pvsize_objective``) is by default the NPV of the area's solar array
and battery (``npv_eur`` of the area scorecard, :mod:`emob_sim.analysis.money`: savings on the
energy bill against no solar and uncontrolled charging, over ``energy.money.horizon_years``,
under the area's grid limit) less the CAPEX of the plugs added; or (``own_share``) the share
of the commuters' charging need met by the area's own solar power (directly and through its
battery): ``(pv_to_cars + battery_out) / need`` over every car that arrived needing energy,
plugged in or not (so plugs count too). The best pair wins; ties go to the cheaper one. The
proposal is then run once more as a whole scenario through the evaluator, and its KPIs are
reported beside the search's (they agree).
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd

from emob_sim.analysis.energy import site_energy_kpis
from emob_sim.config.models import AreaSpec, Scenario
from emob_sim.errors import ConfigError
from emob_sim.placement.candidates import existing_sites
from emob_sim.placement.costs import plug_costs
from emob_sim.placement.registry import Placement, PlacementRequest, _placement, register
from emob_sim.region import area_specs, with_areas
from emob_sim.sim import assign_plugs, simulate_site_energy, workplace_visits

__all__ = ["place_pvsize", "pvsize_area", "renewable_share_of_need"]


def pvsize_area(scenario: Scenario) -> tuple[list[AreaSpec], int]:
    """The scenario's areas and the index of the one to size.

    Raises
    ------
    ConfigError
        The scenario has no industrial area, or several and ``placement.pvsize_area`` does
        not name one of them.
    """
    areas = area_specs(scenario.energy)
    ids = [a.area_id for a in areas]
    wanted = scenario.placement.pvsize_area
    if not areas:
        raise ConfigError(
            "--method pvsize: the scenario has no industrial area, expected one in "
            "energy.areas or energy.areas_file"
        )
    if wanted is None:
        if len(areas) > 1:
            raise ConfigError(
                f"--method pvsize: the scenario has {len(areas)} industrial areas "
                f"({', '.join(ids)}), expected placement.pvsize_area naming one"
            )
        return areas, 0
    if wanted not in ids:
        raise ConfigError(
            f"placement.pvsize_area: {wanted!r} is not an area of the scenario, expected one "
            f"of {', '.join(ids)}"
        )
    return areas, ids.index(wanted)


def renewable_share_of_need(site: dict) -> float:
    """Own solar energy (direct and through the battery) over the need of every car that
    arrived needing energy (0 when none did)."""
    need = site["need_kwh"]
    return (site["pv_to_cars_kwh"] + site["battery_out_kwh"]) / need if need > 0 else 0.0


def _with_area(scenario: Scenario, areas: list[AreaSpec], i: int, **changes) -> Scenario:
    """``scenario`` with its areas inline and area ``i`` changed."""
    new = list(areas)
    new[i] = areas[i].model_copy(update=changes)
    energy = scenario.energy.model_copy(update={"areas_file": None, "areas": new})
    return scenario.model_copy(update={"energy": energy})


def _battery(area: AreaSpec, kwh: float, kw_per_kwh: float) -> dict:
    """The battery fields of ``area`` with ``kwh`` (its own power when unchanged, else ``kwh``
    x ``kw_per_kwh``; no grid charging without a battery)."""
    kwh = float(kwh)
    if kwh == area.battery_kwh:
        return {}
    out = {"battery_kwh": kwh, "battery_kw": kwh * kw_per_kwh}
    return out if kwh > 0 else {**out, "battery_grid_charge_below_kw": None}


@register("pvsize", simulates=True, kinds=())  # an area's PV and workplace plugs: no kind
def place_pvsize(req: PlacementRequest) -> Placement:
    """Size the PV and plugs of one industrial area (see the module docstring)."""
    scenario, budget = req.scenario, req.budget
    if budget.unit != "eur":
        raise ConfigError(
            f"--budget {budget}: pvsize buys PV and plugs, expected a budget in EUR (e.g. 150k)"
        )
    areas, i = pvsize_area(scenario)
    area = areas[i]
    pl, costs = scenario.placement, scenario.costs
    plug_eur = float(plug_costs([area.plug_kw], costs)[0][0])
    pv_eur = costs.pv_eur_per_kwp
    step = pl.pvsize_kwp_step
    max_kwp = area.pv_kwp + (budget.amount / pv_eur if pv_eur > 0 else 20 * step)
    kwp_levels = area.pv_kwp + step * np.arange(int(np.floor((max_kwp - area.pv_kwp) / step)) + 1)
    plug_levels = np.arange(area.plugs, max(pl.pvsize_max_plugs, area.plugs) + 1)
    bat_levels = sorted(set(pl.pvsize_battery_kwh)) or [area.battery_kwh]
    bat_eur = scenario.energy.money.battery_capex_eur_per_kwh
    req.notify("simulation of the scenario")
    (base,) = req.evaluator.evaluate([scenario])
    # the arrivals are the same for every pair; the plugs they find depend on the count only
    arrivals = workplace_visits(scenario, base.region, base.demand, base.sim)
    plug_counts = base.region.industrial_areas["plugs"].to_numpy(np.int64)
    with_plugs: dict[int, pd.DataFrame] = {}
    rows = []
    for kwp, bat, plugs in itertools.product(kwp_levels, bat_levels, plug_levels):
        cost = (
            (kwp - area.pv_kwp) * pv_eur
            + max(bat - area.battery_kwh, 0.0) * bat_eur
            + (plugs - area.plugs) * plug_eur
        )
        if cost > budget.amount + 1e-6:
            continue
        variant = _with_area(
            scenario,
            areas,
            i,
            pv_kwp=float(kwp),
            plugs=int(plugs),
            **_battery(area, bat, pl.pvsize_battery_kw_per_kwh),
        )
        region = with_areas(base.region, variant)
        if plugs not in with_plugs:
            counts = plug_counts.copy()
            counts[i] = plugs
            with_plugs[plugs] = assign_plugs(arrivals, counts)
        visits = with_plugs[plugs]
        kpis = site_energy_kpis(variant, simulate_site_energy(variant, region, base.sim, visits))
        site = kpis["sites"][i]
        npv = kpis["scorecard"]["sites"][i]["npv_eur"] - (plugs - area.plugs) * plug_eur
        rows.append(
            {
                "pv_kwp": float(kwp),
                "battery_kwh": float(bat),
                "plugs": int(plugs),
                "cost_eur": float(cost),
                "renewable_share": renewable_share_of_need(site),
                "npv_eur": npv,
                **{
                    k: site[k]
                    for k in (
                        "self_sufficiency_share",
                        "charged_kwh",
                        "grid_kwh",
                        "peak_grid_kw",
                        "cars_no_plug",
                        "undelivered_kwh",
                    )
                },
            }
        )
        if plugs == plug_levels[-1]:
            req.notify(f"PV {kwp:g} kWp, battery {bat:g} kWh: {len(rows)} pairs simulated")
    history = pd.DataFrame(rows)
    goal = "npv_eur" if pl.pvsize_objective == "npv" else "renewable_share"
    order = history.sort_values([goal, "cost_eur"], ascending=[False, True], kind="stable")
    best = order.iloc[0]
    now = history[
        (history["pv_kwp"] == area.pv_kwp)
        & (history["plugs"] == area.plugs)
        & (history["battery_kwh"] == area.battery_kwh)
    ]
    first = now.iloc[0] if len(now) else history.iloc[0]  # the area as it is
    proposed = _with_area(
        scenario,
        areas,
        i,
        pv_kwp=float(best["pv_kwp"]),
        plugs=int(best["plugs"]),
        **_battery(area, best["battery_kwh"], pl.pvsize_battery_kw_per_kwh),
    )
    req.notify("simulation of the proposal")
    (check,) = req.evaluator.evaluate([proposed])
    checked = check.kpis["areas"]["sites"][i]
    summary = {
        "area_id": area.area_id,
        "pairs_simulated": len(history),
        "pv_kwp_before": float(area.pv_kwp),
        "pv_kwp_after": float(best["pv_kwp"]),
        "plugs_before": int(area.plugs),
        "plugs_after": int(best["plugs"]),
        "battery_kwh_before": float(area.battery_kwh),
        "battery_kwh_after": float(best["battery_kwh"]),
        "renewable_share_before": float(first["renewable_share"]),
        "renewable_share_after": float(best["renewable_share"]),
        "renewable_share_checked": renewable_share_of_need(checked),
        "self_sufficiency_share_checked": checked["self_sufficiency_share"],
        "grid_limit_kw": area.grid_limit_kw,
        "peak_grid_kw_checked": checked["peak_grid_kw"],
        "strategy": area.strategy,
        "capex_eur": float(best["cost_eur"]),
        "objective": pl.pvsize_objective,
        "npv_eur_before": float(first["npv_eur"]),
        "npv_eur_after": float(best["npv_eur"]),
    }
    layout = existing_sites(req.region).assign(origin="existing")
    history = history.assign(
        selected=(history["pv_kwp"] == best["pv_kwp"])
        & (history["plugs"] == best["plugs"])
        & (history["battery_kwh"] == best["battery_kwh"])
    )
    placement = _placement(
        req, "pvsize", layout, float(best["cost_eur"]), summary, history, history
    )
    return dataclasses.replace(placement, scenario=proposed)
