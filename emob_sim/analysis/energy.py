"""KPIs of the sites with an energy set-up (workplace sites of the industrial areas, public
sites of ``energy.sites``): where their charging energy came from, their peak at the grid
connection, the energy not delivered by departure, and its CO2.

Per site:

- ``charged_kwh`` = ``pv_to_cars_kwh`` + ``battery_out_kwh`` + ``grid_kwh`` (into the cars;
  equals the sum of ``delivered_kwh`` over the site's visits);
- the site's own load ``site_load_kwh`` = ``pv_to_load_kwh`` + ``battery_to_load_kwh`` + its
  grid share; ``grid_import_kwh`` all energy from the grid (load, cars, the battery's
  ``grid_to_battery_kwh``); ``export_kwh`` and ``curtailed_kwh`` the solar surplus;
- ``self_consumption_share`` = (solar used on site: load, cars, battery) / solar generated;
- ``self_sufficiency_share`` = (solar + battery into the cars) / charged: the renewable share;
- ``peak_grid_kw``: the largest grid import, a mean over one step (``peak_averaging_min``
  minutes, ``energy.step_min``), against ``grid_limit_kw`` (``limit_kept``);
- ``undelivered_kwh`` and ``cars_short``: the need of plugged cars not met by their departure;
  ``cars_no_plug`` and ``no_plug_kwh``: cars that needed energy and found every plug taken;
- ``co2_kg`` = ``grid_kwh`` x ``emissions.grid_kg_per_kwh`` (the grid share only);
  ``co2_saved_kg`` = own energy into the cars x the same factor (what the grid would have
  emitted for it).

Money (annual bill, savings against no solar and uncontrolled charging, payback, NPV) and the
area scorecard: :mod:`emob_sim.analysis.money`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emob_sim.analysis.money import scorecard
from emob_sim.config.models import Scenario
from emob_sim.sim.site_energy import SiteEnergyResult

__all__ = ["site_energy_kpis", "sites_with_energy", "site_power", "ENERGY_KPI_KEYS"]

#: per-site energy KPIs (and the keys of the total)
ENERGY_KPI_KEYS = [
    "visits",
    "cars_plugged",
    "cars_no_plug",
    "need_kwh",
    "charged_kwh",
    "pv_kwh",
    "pv_to_cars_kwh",
    "battery_in_kwh",
    "battery_out_kwh",
    "grid_kwh",
    "site_load_kwh",
    "pv_to_load_kwh",
    "battery_to_load_kwh",
    "grid_to_battery_kwh",
    "grid_import_kwh",
    "export_kwh",
    "curtailed_kwh",
    "self_consumption_share",
    "self_sufficiency_share",
    "peak_grid_kw",
    "undelivered_kwh",
    "cars_short",
    "no_plug_kwh",
    "co2_kg",
    "co2_saved_kg",
]
#: a car short of its need by less than this (kWh) counts as served (rounding)
_SHORT_KWH = 0.01
_DECIMALS = 4


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole > 0 else None


def _site_kpis(scenario: Scenario, steps: pd.DataFrame, visits: pd.DataFrame, step_h: float):
    factor = scenario.emissions.grid_kg_per_kwh
    flows = (
        "cars_kw",
        "pv_kw",
        "pv_to_cars_kw",
        "pv_to_battery_kw",
        "grid_to_battery_kw",
        "battery_to_cars_kw",
        "grid_to_cars_kw",
        "site_load_kw",
        "pv_to_load_kw",
        "battery_to_load_kw",
        "grid_import_kw",
        "export_kw",
        "curtailed_kw",
    )
    kwh = {c: float(steps[c].sum()) * step_h for c in flows}
    plugged = visits["plugged"].to_numpy(bool)
    need = visits["need_kwh"].to_numpy(float)
    short = np.where(plugged, need - visits["delivered_kwh"].to_numpy(float), 0.0)
    waiting = ~plugged & (need > 0)
    own = kwh["pv_to_cars_kw"] + kwh["battery_to_cars_kw"]
    used_pv = kwh["pv_kw"] - kwh["export_kw"] - kwh["curtailed_kw"]
    return {
        "visits": int(len(visits)),
        "cars_plugged": int(plugged.sum()),
        "cars_no_plug": int(waiting.sum()),
        "need_kwh": float(need.sum()),
        "charged_kwh": kwh["cars_kw"],
        "pv_kwh": kwh["pv_kw"],
        "pv_to_cars_kwh": kwh["pv_to_cars_kw"],
        "battery_in_kwh": kwh["pv_to_battery_kw"] + kwh["grid_to_battery_kw"],
        "battery_out_kwh": kwh["battery_to_cars_kw"],
        "grid_kwh": kwh["grid_to_cars_kw"],
        "site_load_kwh": kwh["site_load_kw"],
        "pv_to_load_kwh": kwh["pv_to_load_kw"],
        "battery_to_load_kwh": kwh["battery_to_load_kw"],
        "grid_to_battery_kwh": kwh["grid_to_battery_kw"],
        "grid_import_kwh": kwh["grid_import_kw"],
        "export_kwh": kwh["export_kw"],
        "curtailed_kwh": kwh["curtailed_kw"],
        "self_consumption_share": _share(used_pv, kwh["pv_kw"]),
        "self_sufficiency_share": _share(own, kwh["cars_kw"]),
        "peak_grid_kw": float(steps["grid_import_kw"].max()) if len(steps) else 0.0,
        "undelivered_kwh": float(np.clip(short, 0.0, None).sum()),
        "cars_short": int((short > _SHORT_KWH).sum()),
        "no_plug_kwh": float(need[waiting].sum()),
        "co2_kg": kwh["grid_to_cars_kw"] * factor,
        "co2_saved_kg": own * factor,
    }


def _rounded(values: dict) -> dict:
    return {k: round(v, _DECIMALS) if isinstance(v, float) else v for k, v in values.items()}


def site_energy_kpis(scenario: Scenario, energy: SiteEnergyResult) -> dict:
    """The ``areas`` section of ``kpis.json``: one entry per energy site, the total and the
    ``scorecard`` of money and GreenIndustrialAreas criteria
    (:func:`emob_sim.analysis.money.scorecard`).

    Each site entry holds its set-up (kind, strategy, plugs, grid limit, kWp, battery) and
    :data:`ENERGY_KPI_KEYS`; ``limit_kept`` says whether the grid draw stayed within the
    limit (None without one). The total sums the sites (its shares over the sums).

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario (the energy sites' set-up, tariffs and CO2 factors).
    energy : SiteEnergyResult
        The energy sites' simulation: per step flows, car visits and the sites.

    Returns
    -------
    dict
        ``{"sites": [...], "total": {...}, "scorecard": {...}}``.
    """
    step_h = energy.step_s / 3600.0
    out, totals = [], []
    for site in energy.sites.to_dict(orient="records"):
        sid = site["site_id"]
        values = _site_kpis(
            scenario,
            energy.steps[energy.steps["site_id"] == sid],
            energy.visits[energy.visits["site_id"] == sid],
            step_h,
        )
        totals.append(values)
        limit = site["grid_limit_kw"]
        finite = bool(np.isfinite(limit))
        out.append(
            _rounded(
                {
                    **{
                        k: site[k]
                        for k in (
                            "site_id",
                            "name",
                            "kind",
                            "lon",
                            "lat",
                            "strategy",
                            "plugs",
                            "plug_kw",
                            "pv_kwp",
                            "battery_kwh",
                            "battery_kw",
                        )
                    },
                    "grid_limit_kw": float(limit) if finite else None,
                    "limit_kept": bool(values["peak_grid_kw"] <= limit + 1e-6) if finite else None,
                    "peak_averaging_min": energy.step_s / 60.0,
                    **values,
                }
            )
        )
    total = {k: sum(v[k] for v in totals) for k in ENERGY_KPI_KEYS if k not in _SHARES}
    if totals:
        total["peak_grid_kw"] = max(v["peak_grid_kw"] for v in totals)  # the largest site's
    total["self_consumption_share"] = _share(
        total["pv_kwh"] - total["export_kwh"] - total["curtailed_kwh"], total["pv_kwh"]
    )
    total["self_sufficiency_share"] = _share(
        total["pv_to_cars_kwh"] + total["battery_out_kwh"], total["charged_kwh"]
    )
    steps = {"peak_averaging_min": energy.step_s / 60.0}
    return {
        "sites": out,
        "total": _rounded({**{k: total[k] for k in ENERGY_KPI_KEYS}, **steps}),
        "scorecard": scorecard(scenario, energy),
    }


_SHARES = ("self_consumption_share", "self_sufficiency_share")


#: the set-up columns of an energy site in sites.geojson (besides the site table's)
_SETUP = ["strategy", "grid_limit_kw", "limit_kept", "pv_kwp", "battery_kwh", "battery_kw"]


def sites_with_energy(sites: pd.DataFrame, kpis: dict | None) -> pd.DataFrame:
    """The site table (:data:`~emob_sim.analysis.kpis.SITE_TABLE_COLUMNS`) with the energy
    set-up and KPIs of the public energy sites added to their rows, and one row of kind
    ``workplace`` per workplace site (``plugs``, ``power_kw`` its plugs; ``sessions`` the cars
    plugged in, ``energy_kwh`` what they got, ``peak_kw`` the peak at the grid connection);
    ``kpis`` is the ``areas`` section of the KPIs (None: ``sites`` itself).

    Parameters
    ----------
    sites : pandas.DataFrame
        The run's site table.
    kpis : dict or None
        The ``areas`` section of the run's KPIs (:func:`site_energy_kpis`).

    Returns
    -------
    pandas.DataFrame
        The site table with the energy columns (NaN for sites without energy), plus the
        workplace rows.
    """
    if not kpis or not kpis["sites"]:
        return sites
    energy = pd.DataFrame(kpis["sites"])
    extra = energy[["site_id", *_SETUP, *ENERGY_KPI_KEYS]]
    out = sites.merge(extra, on="site_id", how="left")
    work = energy[energy["kind"] == "workplace"]
    if len(work):
        rows = pd.DataFrame(
            {
                "site_id": work["site_id"],
                "name": work["name"],
                "kind": "workplace",
                "lon": work["lon"],
                "lat": work["lat"],
                "plugs": work["plugs"],
                "power_kw": work["plug_kw"],
                "sessions": work["cars_plugged"],
                "energy_kwh": work["charged_kwh"],
                "peak_kw": work["peak_grid_kw"],
            }
        ).merge(extra, on="site_id")
        out = pd.concat([out, rows], ignore_index=True)
    return out


def site_power(energy: SiteEnergyResult, site_id: str) -> pd.DataFrame:
    """The power of one energy site over time, for a chart: ``hour`` (from day 0's midnight),
    the power into the cars by source (``solar``, ``battery``, ``grid``), the ``solar
    generated`` and the ``grid limit`` (NaN without one), in kW.

    Parameters
    ----------
    energy : SiteEnergyResult
        The energy sites' simulation.
    site_id : str
        The energy site.

    Returns
    -------
    pandas.DataFrame
        One row per energy step: ``hour`` (h) and the powers (kW).
    """
    steps = energy.steps[energy.steps["site_id"] == site_id]
    limit = steps["limit_kw"].to_numpy(float)
    return pd.DataFrame(
        {
            "hour": steps["step"].to_numpy() * energy.step_s / 3600.0,
            "solar": steps["pv_to_cars_kw"].to_numpy(),
            "battery": steps["battery_to_cars_kw"].to_numpy(),
            "grid": steps["grid_to_cars_kw"].to_numpy(),
            "solar generated": steps["pv_kw"].to_numpy(),
            "grid limit": np.where(np.isfinite(limit), limit, np.nan),
        }
    )
