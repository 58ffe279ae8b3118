"""Side-by-side comparison of charging layouts on the same demand and seed.

:func:`compare_layouts` runs every layout scenario with one seed (``--seed`` or the first
layout's). The region (network, zones, travel matrices) is built once per distinct network
and zones and reused for every layout on it, with the layout's own sites
(:class:`emob_sim.runner.evaluate.RegionCache`); demand is drawn from the same seed stream for every
layout, so layouts that share network, zones, fleet and demand settings see the same trips.

:func:`write_comparison` writes (atomically)::

    comparison.csv      one row per layout (:data:`COMPARISON_COLUMNS`, then e-bike KPIs, then
                        the total of the sites with an energy set-up as ``areas_*``: workplace
                        sites of industrial areas, public sites of ``energy.sites``)
    municipalities.csv  one row per layout and municipality (:data:`MUNICIPALITY_COLUMNS`)
    layouts.gpkg        one point layer per layout: its sites with their KPIs (for QGIS)
    compare.json        the layouts, their files, the seed

Scopes: every KPI of :data:`SCOPED_COLUMNS` has two columns. ``_area`` is the planning
area's own: its sites (without ``placement.external_site_ids``, e.g. the aggregate Rīga site
that stands for the chargers of Rīga-bound and through traffic) and its residents' trips.
``_total`` is everything simulated, through traffic and external sites included (the run's
KPIs, :mod:`emob_sim.analysis.kpis`). Site counts, plugs and costs count car sites and e-bike
points; sessions, give-ups, energy, peak and waits are the cars' at those sites (waits over
every driver who arrived); stranded trips and CO2 are the vehicles' (residents for ``_area``;
CO2: :func:`emob_sim.analysis.co2.co2_balance`, the modal shift's part in both scopes, as the
shifted trips are residents').
CAPEX is what is still to spend (:func:`emob_sim.placement.costs.site_costs`).
``pop_fast_10min_share`` is the share of the resident zones' population whose zone
centre reaches a DC fast charger (kind ``car_dc``) within 10 minutes' drive. A site belongs to
the municipality whose territory holds it when the scenario has municipality boundaries
(``zones.boundaries_file``), else to the municipality of the resident zone it is reached from
fastest (e-bike points: the zone they serve), see
:func:`emob_sim.runner.territory.site_municipalities`; stranded trips count at the
municipality of their origin zone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from emob_sim.analysis import flat_kpis, scoped_kpis
from emob_sim.config.loading import input_files
from emob_sim.config.models import Scenario
from emob_sim.errors import EmobSimError, NetworkError
from emob_sim.io import atomic_output_dir, write_json, write_points
from emob_sim.placement import site_costs
from emob_sim.region import Region
from emob_sim.results import Evaluator, RunResult
from emob_sim.runner.evaluate import SequentialEvaluator
from emob_sim.runner.stages import resolve_scenario
from emob_sim.runner.territory import site_municipalities

__all__ = [
    "Comparison",
    "compare_layouts",
    "write_comparison",
    "COMPARISON_COLUMNS",
    "SCOPED_COLUMNS",
    "MUNICIPALITY_COLUMNS",
    "COMPARE_FILES",
    "best_values",
]

logger = logging.getLogger(__name__)


#: KPIs where more is better (for the others, except counts of sites and plugs, less is)
HIGHER_IS_BETTER = (
    "co2_avoided_kg",
    "pop_fast_10min_share",
    "charging_sessions",
    "energy_kwh",
    "trips_shifted",
    "car_km_avoided",
    "car_km_avoided_electric",
    # the energy sites' (``areas_`` columns)
    "cars_plugged",
    "charged_kwh",
    "pv_to_cars_kwh",
    "battery_out_kwh",
    "self_consumption_share",
    "self_sufficiency_share",
    "co2_saved_kg",
)
#: columns that describe a layout rather than score it (no best value)
DESCRIPTIVE = (
    "layout",
    "file",
    "sites",
    "plugs",
    "dc_plugs",
    "visits",
    "need_kwh",
    "pv_kwh",
    "battery_in_kwh",
)

#: sessions and energy of cars that plugged in where they parked (where, not how good)
PARKED_KPIS = (
    "destination_sessions",
    "destination_energy_kwh",
    "overnight_sessions",
    "overnight_energy_kwh",
)
DESCRIPTIVE = (*DESCRIPTIVE, *PARKED_KPIS)
#: the scoped KPIs of a comparison row: each has a ``_area`` and a ``_total`` column
SCOPED_COLUMNS = [
    "sites",
    "plugs",
    "dc_plugs",
    "capex_eur",
    "opex_eur_per_year",
    "charging_sessions",
    "sessions_abandoned",
    "energy_kwh",
    "peak_kw",
    "mean_wait_min",
    "p95_wait_min",
    "trips_stranded",
    "co2_avoided_kg",
    *PARKED_KPIS,
]
COMPARISON_COLUMNS = [
    "layout",
    "file",
    *(f"{key}_{scope}" for key in SCOPED_COLUMNS for scope in ("area", "total")),
    "pop_fast_10min_share",
]
MUNICIPALITY_COLUMNS = [
    "layout",
    "municipality",
    "population",
    "pop_fast_10min_share",
    "sites",
    "plugs",
    "capex_eur",
    "sessions",
    "sessions_abandoned",
    "energy_kwh",
    "mean_wait_min",
    "trips_stranded",
]
COMPARE_FILES = [
    "comparison.csv",
    "municipalities.csv",
    "layouts.gpkg",
    "compare.json",
    "manifest.json",
]


@dataclass(frozen=True, eq=False)
class Comparison:
    """Rows per layout, per layout and municipality, the site tables and the runs."""

    table: pd.DataFrame
    municipalities: pd.DataFrame
    sites: dict[str, pd.DataFrame]  # layout name -> site table with municipality and costs
    runs: dict[str, RunResult]
    files: dict[str, str]
    seed: int


def _unique_names(scenarios: list[Scenario], files: list[str]) -> list[str]:
    names: list[str] = []
    for sc, f in zip(scenarios, files):
        name = sc.name if sc.name not in names else f"{sc.name}-{Path(f).stem}"
        k = 2
        while name in names:
            name, k = f"{sc.name}-{k}", k + 1
        names.append(name)
    return names


def _fast_access(region: Region, *, within_min: float) -> np.ndarray:
    """Per zone: a car_dc site is within ``within_min`` minutes of its centre."""
    dc = np.flatnonzero(region.sites["kind"].to_numpy() == "car_dc")
    if not dc.size:
        return np.zeros(region.n_zones, dtype=bool)
    t = region.time_s[: region.n_zones, region.n_zones + dc]
    return (t <= within_min * 60.0).any(axis=1)


def _layout_rows(
    name: str, file: str, result: RunResult, *, municipalities: bool = True
) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """The comparison row, the municipality rows and the site table of one layout's run
    (without ``municipalities``: no municipality rows, and the sites' municipality empty)."""
    sc, region, k = result.scenario, result.region, result.kpis
    table = result.sites.reset_index(drop=True)
    costs = site_costs(table, sc)
    zones = region.zones
    external = table["site_id"].isin(sc.placement.external_site_ids).to_numpy()
    muni_of = site_municipalities(result, table) if municipalities else ""
    table = table.assign(municipality=muni_of, **costs)
    inside = table[~external]
    car_inside = ~region.sites["site_id"].isin(sc.placement.external_site_ids).to_numpy()
    residents = result.demand.vehicles["resident"].to_numpy(bool)
    scoped = {
        "area": scoped_kpis(
            sc, result.demand, result.sim, sites=car_inside, vehicles=residents, ebike=result.ebike
        ),
        "total": scoped_kpis(
            sc,
            result.demand,
            result.sim,
            sites=np.ones_like(car_inside),
            vehicles=np.ones_like(residents),
            ebike=result.ebike,
        ),
    }
    for scope, part in (("area", inside), ("total", table)):
        scoped[scope].update(
            sites=len(part),
            plugs=int(part["plugs"].sum()),
            dc_plugs=int(part.loc[part["kind"] == "car_dc", "plugs"].sum()),
            capex_eur=float(part["capex_eur"].sum()),
            opex_eur_per_year=float(part["opex_eur_per_year"].sum()),
        )
    resident = (zones["kind"] == "zone").to_numpy()
    pop = zones["population"].to_numpy(dtype=float) * resident
    fast = _fast_access(region, within_min=sc.placement.fast_access_min)
    row = {
        "layout": name,
        "file": file,
        **{
            f"{key}_{scope}": scoped[scope][key]
            for key in SCOPED_COLUMNS
            for scope in ("area", "total")
        },
        "pop_fast_10min_share": round(float(pop[fast].sum() / max(pop.sum(), 1e-12)), 4),
        **{key: v for key, v in flat_kpis(k).items() if key.startswith(("ebike_", "areas_"))},
    }
    if not municipalities:
        return row, pd.DataFrame(columns=MUNICIPALITY_COLUMNS), table
    # per municipality
    trips = result.demand.trips
    stranded = result.sim.trips["status"].to_numpy() == "stranded"
    origin = trips["origin"].to_numpy(np.int64)[stranded]
    origin_muni = zones["municipality"].to_numpy(dtype=object)[origin[origin < len(zones)]]
    rows = []
    for m in sorted(set(zones.loc[resident, "municipality"])):
        in_m = resident & (zones["municipality"] == m).to_numpy()
        s = inside[inside["municipality"] == m]
        arrivals = s["sessions"] + s["sessions_abandoned"]
        rows.append(
            {
                "layout": name,
                "municipality": m,
                "population": float(pop[in_m].sum()),
                "pop_fast_10min_share": round(
                    float(pop[in_m & fast].sum() / max(pop[in_m].sum(), 1e-12)), 4
                ),
                "sites": len(s),
                "plugs": int(s["plugs"].sum()),
                "capex_eur": float(s["capex_eur"].sum()),
                "sessions": int(s["sessions"].sum()),
                "sessions_abandoned": int(s["sessions_abandoned"].sum()),
                "energy_kwh": round(float(s["energy_kwh"].sum()), 4),
                "mean_wait_min": round(
                    float((s["mean_wait_min"] * arrivals).sum() / arrivals.sum()), 4
                )
                if arrivals.sum()
                else 0.0,
                "trips_stranded": int((origin_muni == m).sum()),
            }
        )
    return row, pd.DataFrame(rows, columns=MUNICIPALITY_COLUMNS), table


def compare_layouts(
    layouts: Sequence[str | Path | Scenario],
    *,
    seed: int | None = None,
    overrides: Iterable[str] = (),
    on_progress: Callable[[str], None] | None = None,
    evaluator: Evaluator | None = None,
) -> Comparison:
    """Simulate every layout with the same seed and tabulate them side by side.

    Parameters
    ----------
    layouts
        Scenario files (or scenarios) holding the layouts.
    seed
        Seed of every run (default: the first layout's).
    overrides
        ``--set`` overrides applied to every layout file.
    on_progress
        Called with a short message as each layout starts.
    evaluator
        Runs the layouts (default: a :class:`~emob_sim.runner.evaluate.SequentialEvaluator`,
        which builds each network's region once).

    Returns
    -------
    Comparison
        The comparison table (one row per layout), the KPIs per municipality, each layout's
        site table and each run.

    Raises
    ------
    ConfigError, InputFileNotFoundError
        A layout file is missing or invalid, or fewer than one layout is given.
    NetworkError
        A layout's site is off the network (the message names the file and the site).
    """
    if not layouts:
        raise EmobSimError("compare: expected at least one layout scenario file")
    overrides = list(overrides)
    scenarios = [resolve_scenario(s, overrides=overrides) for s in layouts]
    files = [str(s) if not isinstance(s, Scenario) else s.name for s in layouts]
    seed = scenarios[0].seed if seed is None else seed
    scenarios = [s.model_copy(update={"seed": seed}) for s in scenarios]
    names = _unique_names(scenarios, files)
    notify = on_progress or (lambda msg: None)
    evaluator = evaluator if evaluator is not None else SequentialEvaluator()
    rows, munis, sites, runs = [], [], {}, {}
    for sc, name, file in zip(scenarios, names, files):
        notify(name)
        try:
            (result,) = evaluator.evaluate([sc])
        except NetworkError as exc:
            raise NetworkError(f"{file}: {exc}") from None
        row, muni, table = _layout_rows(name, file, result)
        rows.append(row)
        munis.append(muni)
        sites[name] = table
        runs[name] = result
    logger.info("compared %d layouts", len(rows))
    table = pd.DataFrame(rows)
    extra = [c for c in table.columns if c not in COMPARISON_COLUMNS]
    return Comparison(
        table=table[COMPARISON_COLUMNS + extra],
        municipalities=pd.concat(munis, ignore_index=True),
        sites=sites,
        runs=runs,
        files=dict(zip(names, files)),
        seed=seed,
    )


def best_values(table: pd.DataFrame) -> pd.DataFrame:
    """Per KPI column of a comparison table: True at the layouts with the best value.

    Best is the largest value for :data:`HIGHER_IS_BETTER` (in either scope), the smallest for
    the other KPIs (costs, waits, give-ups, strandings, peak load); descriptive columns (sites,
    plugs) and KPIs equal in every layout have no best value.

    Parameters
    ----------
    table : pandas.DataFrame
        A comparison table: one row per layout, one column per KPI (comparison.csv).

    Returns
    -------
    pandas.DataFrame
        Booleans of the shape of ``table``.
    """
    out = pd.DataFrame(False, index=table.index, columns=table.columns)
    for col in table.columns:
        base = col.removesuffix("_area").removesuffix("_total")
        values = pd.to_numeric(table[col], errors="coerce")
        if base in DESCRIPTIVE or values.isna().all() or values.nunique() < 2:
            continue
        higher = base.removeprefix("ebike_").removeprefix("areas_") in HIGHER_IS_BETTER
        if base.removeprefix("areas_") in DESCRIPTIVE:
            continue
        best = values.max() if higher else values.min()
        out[col] = values == best
    return out


def _layer_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_") or "layout"
    out, k = base, 2
    while out in used:
        out, k = f"{base}_{k}", k + 1
    used.add(out)
    return out


def write_comparison(
    comparison: Comparison, out_dir: str | Path, *, overwrite: bool = False
) -> Path:
    """Write the comparison folder atomically (see the module docstring) and return its path.

    A folder holding a layout file or an input file of the layouts is never written.

    Parameters
    ----------
    comparison : Comparison
        What :func:`compare_layouts` returned.
    out_dir : str or pathlib.Path
        The comparison folder to create.
    overwrite : bool
        Replace an existing emob-sim output folder at ``out_dir``.

    Returns
    -------
    pathlib.Path
        The absolute path of the folder written.
    """
    protect = [Path(f) for f in comparison.files.values() if Path(f).is_file()]
    for result in comparison.runs.values():
        protect += input_files(result.scenario)
    with atomic_output_dir(out_dir, kind="compare", overwrite=overwrite, protect=protect) as tmp:
        comparison.table.to_csv(tmp / "comparison.csv", index=False, encoding="utf-8")
        comparison.municipalities.to_csv(tmp / "municipalities.csv", index=False, encoding="utf-8")
        used: set[str] = set()
        layers = {}
        for name, table in comparison.sites.items():
            layers[name] = _layer_name(name, used)
            write_points(table, tmp / "layouts.gpkg", layer=layers[name])
        write_json(
            tmp / "compare.json",
            {
                "seed": comparison.seed,
                "layouts": [
                    {"name": n, "file": f, "layer": layers[n]} for n, f in comparison.files.items()
                ],
                "files": COMPARE_FILES,
            },
        )
    return Path(out_dir).expanduser().resolve()
