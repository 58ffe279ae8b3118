"""Demand checks: the default demand's trips against the travel facts, the network's road
distances between towns (fitted and held out) and the resident electric cars against the
registration statistics."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

from emob_sim.config.models import Scenario
from emob_sim.region import Region
from emob_sim.runner import draw_demand

from .check import ROOT, Check

#: published road distances between towns, none of them used to fit the detour factor
#: (calibration.csv holds distances from Rīga to five centres)
HELD_OUT_KM = [
    ("Iecava", "Bauska", 21, "iecava.lv 'Novads' (21 km from Bauska)"),
    ("Iecava", "Jelgava", 30, "iecava.lv 'Novads' (30 km from Jelgava)"),
    ("Iecava", "Rīga", 45, "iecava.lv 'Novads' (45 km from Rīga)"),
    ("Auce", "Dobele", 40, "auce.lv (40 km from Dobele)"),
]
#: known limitations of the held-out distances: the largest gap |model - published| (km)
#: accepted as known and why, written to docs/validation.md ("Known limitations"); a larger
#: gap fails. Auce - Dobele: the network has 33.4 km (6.6 km, 17 % short; the tolerance is 15 %).
KNOWN_GAP_KM = {
    ("Auce", "Dobele"): (
        7.0,
        "The strategic network's edges are straight lines times one detour factor, fitted to "
        "the trunk roads out of Rīga (calibration.csv); the regional road between Auce and "
        "Dobele winds more than they do. What would close it: a detour factor per road "
        "class, or the OSM road network instead of the strategic one.",
    )
}
#: battery-electric cars registered in Latvia, 1 Oct 2024 (CSDD, via uzladets.lv and the press)
BEV_LATVIA = 8_374
#: Latvia's population at the start of 2025 (CSB estimate)
POPULATION_LATVIA = 1_860_565


def calibrate_module():
    """scripts/calibrate_demand.py, loaded from its path (its ``FITTED`` facts, its fit)."""
    spec = importlib.util.spec_from_file_location(
        "calibrate_demand", ROOT / "scripts" / "calibrate_demand.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _facts(scenario: Scenario) -> pd.DataFrame:
    return pd.read_csv(scenario.demand.facts_file).set_index("fact")


#: how each demand fact entered the model (travel_facts.csv, column use); the gravity
#: model's fitted targets are scripts/calibrate_demand.py FITTED
FACT_CALIBRATION = {
    "car_driver_trips_per_day": "yes: demand.chain_shares were set to give it "
    "(consistency check, not validation)",
    "car_km_per_driver_day": "yes: implied by the fitted mean trip length x trips per day "
    "(consistency check, not validation)",
}


def demand_checks(scenario: Scenario, region: Region, *, ev_share: float) -> tuple[list, dict]:
    """Trip statistics of one day of the default demand with ``ev_share`` of the cars
    electric (a larger sample than today's 1.12 %; the model is per car)."""
    facts = _facts(scenario)
    fitted = set(calibrate_module().FITTED)
    fleet = scenario.fleet.model_copy(update={"ev_share": ev_share})
    sc = scenario.model_copy(update={"fleet": fleet})
    demand, _ = draw_demand(sc, region)
    trips = demand.trips[demand.trips["purpose"] != "through"]
    km = trips["distance_km"]
    per_car_day = len(trips) / len(trips.groupby(["vehicle_id", "day"]))
    zone_id = region.zones["zone_id"].to_numpy()
    home = demand.vehicles["home_zone"].to_numpy()[trips["vehicle_id"]]
    work = trips[(trips["purpose"] == "work") & (zone_id[home] == "Jelgava")]
    to = pd.Series(zone_id[work["dest"]]).value_counts(normalize=True)
    used_km = km.groupby([trips["vehicle_id"], trips["day"]]).sum().mean()

    def fact(name: str, value: float, unit: str) -> Check:
        row = facts.loc[name]
        tol = row["tolerance"] if pd.notna(row["tolerance"]) else None
        how = FACT_CALIBRATION.get(name, "no")
        if name in fitted:
            how = "yes: a fitted target of scripts/calibrate_demand.py"
        return Check("demand", name, value, float(row["value"]), tol, row["source"], unit, how)

    checks = [
        fact("mean_car_trip_km", float(km.mean()), "km"),
        fact("car_driver_trips_per_day", per_car_day, "trips"),
        fact("car_km_per_driver_day", float(used_km), "km"),
        fact("jelgava_work_in_riga_share", float(to.get("Rīga", 0.0)), ""),
        fact("jelgava_work_in_jelgava_share", float(to.get("Jelgava", 0.0)), ""),
        Check(
            "demand",
            "median car trip",
            float(km.median()),
            None,
            None,
            "no Latvian figure found; Germany 2002: half of car trips under 6 km (bpb.de)",
            "km",
        ),
        Check(
            "demand",
            "share of trips inside their zone",
            float((trips["origin"] == trips["dest"]).mean()),
            None,
            None,
            "no Latvian figure found",
            "",
        ),
    ]
    bins = [0, 5, 10, 20, 50, np.inf]
    labels = ["under 5 km", "5-10 km", "10-20 km", "20-50 km", "50 km and more"]
    dist = pd.cut(km, bins, labels=labels, right=False).value_counts(normalize=True)
    extra = {"distribution": dist.reindex(labels), "trips": len(trips)}
    return checks, extra


def distance_checks(scenario: Scenario, region: Region) -> list[Check]:
    """Network distances against the published ones the detour factor was fitted to
    (calibration.csv: their residuals) and against held-out ones."""
    ids = list(region.zones["zone_id"])
    out = []
    fitted = pd.read_csv(Path(scenario.network.strategic_dir) / "calibration.csv")
    for row in fitted.itertuples(index=False):
        model = float(region.dist_km[ids.index(row[0]), ids.index(row[1])])
        km = float(row.road_km)
        out.append(
            Check(
                "distances",
                f"{row[0]} - {row[1]}",
                model,
                km,
                0.15 * km,
                row.source,
                "km",
                "yes: the detour factor is fitted to calibration.csv",
            )
        )
    for a, b, km, source in HELD_OUT_KM:
        model = float(region.dist_km[ids.index(a), ids.index(b)])
        gap, why = KNOWN_GAP_KM.get((a, b), (None, ""))
        out.append(
            Check("distances", f"{a} - {b}", model, km, 0.15 * km, source, "km", "no", gap, why)
        )
    return out


def fleet_checks(scenario: Scenario, region: Region) -> list[Check]:
    zones = region.zones
    residents = zones.loc[zones["kind"] == "zone", "population"].sum()
    f = scenario.fleet
    model = residents * f.cars_per_1000 / 1000 * f.ev_share
    expected = BEV_LATVIA * residents / POPULATION_LATVIA
    return [
        Check(
            "fleet",
            "electric cars resident in the region",
            float(model),
            expected,
            0.1 * expected,
            f"{BEV_LATVIA:,} BEV registered in Latvia on 1 Oct 2024 (CSDD) x the region's "
            f"share of Latvia's {POPULATION_LATVIA:,} inhabitants (CSB 2025)",
            "",
            "yes: fleet.ev_share was set from the same registration figure (consistency "
            "check, not validation)",
        ),
    ]
