"""What charging sites cost: CAPEX per plug by power class, grid connection, OPEX per year.

The cost model is the scenario's ``costs`` section (documented in ``configs/base.yaml``):

- a plug of power ``P`` costs the first ``costs.plug_classes`` entry with ``max_kw >= P``
  (``capex_eur`` once, ``opex_eur_per_year`` every year);
- a new site also pays a grid connection: its class's ``grid_fixed_eur`` plus
  ``costs.grid_eur_per_kw * plugs * P``;
- plugs added to a built site pay the plugs and ``grid_eur_per_kw`` for the added kW only;
- a site of ``costs.existing_sites_file`` is built with the plugs listed there (its CAPEX is
  spent); a site of ``placement.external_site_ids`` costs nothing at all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from emob_sim.config.models import CostsConfig, Scenario
from emob_sim.errors import DataError
from emob_sim.region.sites import read_sites_file

__all__ = [
    "plug_costs",
    "new_site_capex_eur",
    "added_plugs_capex_eur",
    "built_plugs",
    "site_costs",
    "COST_COLUMNS",
]

#: columns added by :func:`site_costs`
COST_COLUMNS = ["capex_eur", "opex_eur_per_year"]


def plug_costs(
    power_kw: ArrayLike, costs: CostsConfig, *, labels: list[str] | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """CAPEX and OPEX per year of one plug of each power, and the fixed grid part of a new site.

    Parameters
    ----------
    power_kw : array_like
        Plug powers, kW.
    costs : CostsConfig
        The scenario's ``costs:`` section: the plug classes by largest power.
    labels : list[str] or None
        The site of each power, named in the message of a power above every class.

    Returns
    -------
    tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]
        Per power: CAPEX of one plug (EUR), its OPEX (EUR a year) and the fixed grid
        connection part of a new site (EUR), from the power's class.

    Raises
    ------
    DataError
        A power above the largest class (the site is named when ``labels`` are given).
    """
    power = np.atleast_1d(np.asarray(power_kw, dtype=np.float64))
    max_kw = np.array([c.max_kw for c in costs.plug_classes])
    cls = np.searchsorted(max_kw, power, side="left")
    too_big = np.flatnonzero(cls >= max_kw.size)
    if too_big.size:
        i = int(too_big[0])
        who = f"site {labels[i]!r}: " if labels is not None else ""
        raise DataError(
            f"{who}power_kw {power[i]:g} is above the largest cost class in costs.plug_classes "
            f"({max_kw[-1]:g} kW); add a class"
        )
    capex = np.array([c.capex_eur for c in costs.plug_classes])[cls]
    opex = np.array([c.opex_eur_per_year for c in costs.plug_classes])[cls]
    grid = np.array([c.grid_fixed_eur for c in costs.plug_classes])[cls]
    return capex, opex, grid


def new_site_capex_eur(plugs: ArrayLike, power_kw: ArrayLike, costs: CostsConfig) -> NDArray:
    """CAPEX of new sites: plugs plus grid connection.

    Parameters
    ----------
    plugs : array_like
        Per site: its number of plugs.
    power_kw : array_like
        Per site: power per plug, kW.
    costs : CostsConfig
        The scenario's ``costs:`` section (plug classes, grid cost per kW).

    Returns
    -------
    numpy.ndarray
        Per site: the CAPEX, EUR.
    """
    plugs = np.asarray(plugs, dtype=np.float64)
    power = np.asarray(power_kw, dtype=np.float64)
    capex, _, grid = plug_costs(power, costs)
    return plugs * (capex + costs.grid_eur_per_kw * power) + grid


def added_plugs_capex_eur(added: ArrayLike, power_kw: ArrayLike, costs: CostsConfig) -> NDArray:
    """CAPEX of plugs added to built sites (no fixed grid part).

    Parameters
    ----------
    added : array_like
        Per site: the number of plugs added.
    power_kw : array_like
        Per site: power per plug, kW.
    costs : CostsConfig
        The scenario's ``costs:`` section (plug classes, grid cost per kW).

    Returns
    -------
    numpy.ndarray
        Per site: the CAPEX, EUR.
    """
    added = np.asarray(added, dtype=np.float64)
    power = np.asarray(power_kw, dtype=np.float64)
    capex, _, _ = plug_costs(power, costs)
    return added * (capex + costs.grid_eur_per_kw * power)


def built_plugs(scenario: Scenario) -> dict[str, int]:
    """Plugs of the sites already built (``costs.existing_sites_file``), by ``site_id``.

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario.

    Returns
    -------
    dict[str, int]
        Site id -> plugs built (empty without an existing sites file).

    Raises
    ------
    InputFileNotFoundError, DataError
        As :func:`emob_sim.region.sites.read_sites_file`.
    """
    path = scenario.costs.existing_sites_file
    if path is None:
        return {}
    return {s.site_id: s.plugs for s in read_sites_file(path, key="costs.existing_sites_file")}


def site_costs(
    sites: pd.DataFrame, scenario: Scenario, *, built: dict[str, int] | None = None
) -> pd.DataFrame:
    """CAPEX still to spend and OPEX per year of each site of a layout.

    Parameters
    ----------
    sites
        Sites with ``site_id``, ``plugs``, ``power_kw``.
    scenario
        Its ``costs`` section and ``placement.external_site_ids`` are used.
    built
        Plugs of the sites already built, by ``site_id``; None = :func:`built_plugs`.

    Returns
    -------
    pandas.DataFrame
        ``capex_eur`` (0 for built and external sites, the added plugs for enlarged built
        sites) and ``opex_eur_per_year`` (every plug of the site; 0 for external sites), with
        the index of ``sites``.
    """
    ids = sites["site_id"].astype(str).to_numpy()
    plugs = sites["plugs"].to_numpy(dtype=np.float64)
    power = sites["power_kw"].to_numpy(dtype=np.float64)
    external = np.isin(ids, scenario.placement.external_site_ids)
    out = pd.DataFrame(index=sites.index, columns=COST_COLUMNS, dtype=np.float64)
    out[:] = 0.0
    if not len(sites) or external.all():
        return out
    inside = ~external
    _, opex, _ = plug_costs(power[inside], scenario.costs, labels=list(ids[inside]))
    built = built_plugs(scenario) if built is None else built
    had = np.array([built.get(i, 0) for i in ids[inside]], dtype=np.float64)
    is_built = np.array([i in built for i in ids[inside]])
    capex = np.where(
        is_built,
        added_plugs_capex_eur(np.maximum(plugs[inside] - had, 0.0), power[inside], scenario.costs),
        new_site_capex_eur(plugs[inside], power[inside], scenario.costs),
    )
    out.loc[inside, "capex_eur"] = np.round(capex, 2)
    out.loc[inside, "opex_eur_per_year"] = np.round(plugs[inside] * opex, 2)
    return out
