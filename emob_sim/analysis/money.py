"""Money and the area scorecard of the energy sites: what the site's electricity costs in a
year, what its solar array and battery save against a reference, their payback and NPV, and
the GreenIndustrialAreas criteria (renewable share, CO2 per employee, peak reduction, cost).

Prices are those of ``energy.money`` (EUR, without VAT). Per site, from its **year** of
steps (:mod:`emob_sim.sim.site_year`: twelve representative months, each the simulated days'
cars under the month's own solar power and site load, weighted by the month's days; a run of
four weeks or more, or measured profiles that do not cover the months: the simulated steps x
365 / days; ``money_basis`` says which):

- energy bill = imported kWh x (energy price of the step: ``peak_price_eur_per_kwh`` within
  ``peak_hours`` of a working day's wall clock, else ``price_eur_per_kwh``; + the network fee
  ``network_eur_per_kwh``) - exported kWh x ``export_eur_per_kwh``, each step's energy x the
  days it stands for, + the capacity charge ``capacity_eur_per_kw_month`` x each month's
  peak import (a mean over one step; with the simulated steps: their months' mean peak x 12);
- **reference**: the same site without solar or battery, its cars charging uncontrolled (as
  soon as plugged, at full power, no limit), simulated by the same allocation kernel on the
  same visits and site load. ``savings_eur_per_year`` = reference bill - bill;
  ``peak_reduction_kw`` = the reference's peak of the year - the site's. Under a binding grid
  limit the cars may get less than in the reference: ``undelivered_kwh`` of the KPIs says how
  much.
- investment = kWp x ``costs.pv_eur_per_kwp`` + battery kWh x ``battery_capex_eur_per_kwh``;
  OPEX a share of each a year; ``simple_payback_years`` = investment / (savings - OPEX)
  (None when that is not positive); ``npv_eur`` over ``horizon_years`` at ``discount_rate``:
  - investment + sum of (savings - OPEX) / (1 + r)^t for t = 1..H - each replacement (PV or
  battery re-bought at the end of its lifetime, within the horizon), discounted; no residual
  value. ``annual_cost_eur_per_year`` = bill + OPEX + the investment as an annuity over the horizon.
- scorecard, over the year: ``renewable_share`` = (solar to load and cars + battery to load
  and cars x the battery's solar share of its input) / (site load + cars);
  ``co2_kg_per_year`` = grid import x ``emissions.grid_kg_per_kwh``, and per employee for an
  industrial area; ``limit_kept_year`` whether the year's grid import stayed within the
  site's ``grid_limit_kw`` (a site load above the limit breaks it whatever the strategy; None
  without a limit). Per site only (not in the total).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emob_sim.config.energy import MoneyConfig
from emob_sim.config.models import Scenario
from emob_sim.sim.site_energy import SiteEnergyResult
from emob_sim.sim.site_year import SiteYear

__all__ = ["site_money", "scorecard", "npv_eur", "annuity_factor", "SCORECARD_KEYS", "MONEY_KEYS"]

#: per-site money keys of ``kpis.json`` ``areas.scorecard``
MONEY_KEYS = [
    "money_basis",
    "energy_bill_eur_per_year",
    "reference_bill_eur_per_year",
    "savings_eur_per_year",
    "investment_eur",
    "opex_eur_per_year",
    "simple_payback_years",
    "npv_eur",
    "annual_cost_eur_per_year",
]
#: the GreenIndustrialAreas scorecard keys
SCORECARD_KEYS = [
    "renewable_share",
    "renewable_kwh_per_year",
    "consumed_kwh_per_year",
    "co2_kg_per_year",
    "co2_kg_per_employee_year",
    "peak_grid_kw",
    "limit_kept_year",
    "reference_peak_kw",
    "peak_reduction_kw",
    "peak_reduction_share",
    "annual_cost_eur_per_year",
]


def annuity_factor(rate: float, years: int) -> float:
    """Present value of 1 EUR a year for ``years`` years at ``rate``."""
    return float(years) if rate == 0 else (1.0 - (1.0 + rate) ** -years) / rate


def npv_eur(
    *,
    investment_eur: float,
    net_eur_per_year: float,
    replacements: list[tuple[float, int]],
    rate: float,
    years: int,
) -> float:
    """- investment + discounted yearly net benefit - discounted replacements ((EUR, lifetime
    years) each, re-bought at every multiple of its lifetime before the horizon)."""
    value = -investment_eur + net_eur_per_year * annuity_factor(rate, years)
    for cost, life in replacements:
        for t in range(life, years, life):
            value -= cost / (1.0 + rate) ** t
    return value


def _bill(money: MoneyConfig, year: SiteYear, import_kw, export_kw, step_h: float) -> float:
    """A year's energy bill (EUR) of one site's year of steps (module docstring)."""
    wall, w = year.time, year.weight
    price = np.full(len(wall), money.price_eur_per_kwh)
    if money.peak_price_eur_per_kwh is not None:
        lo, hi = money.peak_hours
        peak = (wall.day_of_week < 5) & (wall.hour >= lo) & (wall.hour < hi)
        price = np.where(peak, money.peak_price_eur_per_kwh, price)
    energy = float((w * (price + money.network_eur_per_kwh) * import_kw).sum() * step_h)
    energy -= float((w * export_kw).sum() * step_h * money.export_eur_per_kwh)
    peaks = pd.Series(np.asarray(import_kw, float)).groupby(year.block).max()
    capacity = float(peaks.mean()) * 12.0 * money.capacity_eur_per_kw_month if len(peaks) else 0
    return energy + capacity


def site_money(
    scenario: Scenario, energy: SiteEnergyResult, site: dict, *, employees: int | None = None
) -> dict:
    """Money and scorecard values (:data:`MONEY_KEYS`, :data:`SCORECARD_KEYS`) of one energy
    site (a row of ``energy.sites``); ``employees``: the area's (None: a public site)."""
    money = scenario.energy.money
    year = energy.years[site["site_id"]]
    step_h = energy.step_s / 3600.0
    imp = year.flows["grid_import_kw"].to_numpy(float)
    ref = year.reference_import_kw
    bill = _bill(money, year, imp, year.flows["export_kw"].to_numpy(float), step_h)
    ref_bill = _bill(money, year, ref, np.zeros(len(ref)), step_h)
    pv_capex = site["pv_kwp"] * scenario.costs.pv_eur_per_kwp
    bat_capex = site["battery_kwh"] * money.battery_capex_eur_per_kwh
    investment = pv_capex + bat_capex
    opex = pv_capex * money.pv_opex_share_per_year + bat_capex * money.battery_opex_share_per_year
    savings = ref_bill - bill
    net = savings - opex
    rate, years = money.discount_rate, money.horizon_years
    npv = npv_eur(
        investment_eur=investment,
        net_eur_per_year=net,
        rate=rate,
        years=years,
        replacements=[
            (pv_capex, money.pv_lifetime_years),
            (bat_capex, money.battery_lifetime_years),
        ],
    )
    flows = year.flows
    kwh = {c: float((flows[c] * year.weight).sum()) * step_h for c in flows.columns}
    into_bat = kwh["pv_to_battery_kw"] + kwh["grid_to_battery_kw"]
    solar_in_bat = kwh["pv_to_battery_kw"] / into_bat if into_bat > 0 else 0.0
    own = (
        kwh["pv_to_load_kw"]
        + kwh["pv_to_cars_kw"]
        + (kwh["battery_to_load_kw"] + kwh["battery_to_cars_kw"]) * solar_in_bat
    )
    used = kwh["site_load_kw"] + kwh["cars_kw"]
    co2 = kwh["grid_import_kw"] * scenario.emissions.grid_kg_per_kwh
    peak, ref_peak = float(imp.max(initial=0.0)), float(ref.max(initial=0.0))
    limit = float(site["grid_limit_kw"])
    kept = bool(peak <= limit + 1e-6) if np.isfinite(limit) else None
    annual = bill + opex + (investment / annuity_factor(rate, years) if investment else 0.0)
    return {
        "money_basis": year.basis,
        "energy_bill_eur_per_year": bill,
        "reference_bill_eur_per_year": ref_bill,
        "savings_eur_per_year": savings,
        "investment_eur": investment,
        "opex_eur_per_year": opex,
        "simple_payback_years": investment / net if investment > 0 and net > 0 else None,
        "npv_eur": npv,
        "annual_cost_eur_per_year": annual,
        "renewable_share": own / used if used > 0 else None,
        "renewable_kwh_per_year": own,
        "consumed_kwh_per_year": used,
        "co2_kg_per_year": co2,
        "co2_kg_per_employee_year": co2 / employees if employees else None,
        "peak_grid_kw": peak,
        "limit_kept_year": kept,
        "reference_peak_kw": ref_peak,
        "peak_reduction_kw": ref_peak - peak,
        "peak_reduction_share": (ref_peak - peak) / ref_peak if ref_peak > 0 else None,
    }


def scorecard(scenario: Scenario, energy: SiteEnergyResult) -> dict:
    """The ``scorecard`` of the ``areas`` section of ``kpis.json``: :func:`site_money` of each
    energy site (with ``site_id``, ``name``, ``kind``, ``employees``) and their ``total``
    (sums; shares over the sums; CO2 per employee over the areas' employees)."""
    from emob_sim.region import area_specs

    staff = {a.area_id: a.employees for a in area_specs(scenario.energy)}
    rows = []
    for site in energy.sites.to_dict(orient="records"):
        employees = staff.get(site["site_id"]) if site["kind"] == "workplace" else None
        values = site_money(scenario, energy, site, employees=employees)
        rows.append(
            {
                "site_id": site["site_id"],
                "name": site["name"],
                "kind": site["kind"],
                "employees": employees,
                **values,
            }
        )
    add = [
        "energy_bill_eur_per_year",
        "reference_bill_eur_per_year",
        "savings_eur_per_year",
        "investment_eur",
        "opex_eur_per_year",
        "npv_eur",
        "annual_cost_eur_per_year",
        "renewable_kwh_per_year",
        "consumed_kwh_per_year",
        "co2_kg_per_year",
        "peak_grid_kw",
        "reference_peak_kw",
        "peak_reduction_kw",
    ]
    total = {k: float(sum(r[k] for r in rows)) for k in add}
    employees = sum(r["employees"] or 0 for r in rows)
    area_co2 = sum(r["co2_kg_per_year"] for r in rows if r["employees"])
    net = total["savings_eur_per_year"] - total["opex_eur_per_year"]
    total.update(
        {
            "employees": employees,
            "renewable_share": (
                total["renewable_kwh_per_year"] / total["consumed_kwh_per_year"]
                if total["consumed_kwh_per_year"] > 0
                else None
            ),
            "co2_kg_per_employee_year": area_co2 / employees if employees else None,
            "peak_reduction_share": (
                total["peak_reduction_kw"] / total["reference_peak_kw"]
                if total["reference_peak_kw"] > 0
                else None
            ),
            "simple_payback_years": (
                total["investment_eur"] / net if total["investment_eur"] > 0 and net > 0 else None
            ),
        }
    )
    return {"sites": [_rounded(r) for r in rows], "total": _rounded(total)}


def _rounded(values: dict) -> dict:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in values.items()}
