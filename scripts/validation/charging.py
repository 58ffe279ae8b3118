"""Charging checks: one charging site in isolation against queueing theory (M/G/1,
Pollaczek-Khinchine) and the split of public charging energy by location against a European
survey of where drivers charge."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from emob_sim.config import load_scenario
from emob_sim.demand.tables import TRIP_COLUMNS, VEHICLE_COLUMNS, Demand
from emob_sim.network.arrays import RoadNetwork
from emob_sim.region import SITE_COLUMNS, ZONE_COLUMNS, Region
from emob_sim.sim import simulate_detailed

from .check import Check

#: where European EV drivers regularly charge in public (EVBox Mobility Monitor, a survey of EV
#: drivers and prospective buyers across Europe, several answers allowed; as quoted by
#: konrungroup.com/article-10113.html, 2022, and championevcharger.com): public parking 31 %,
#: supermarkets 26 % (places where the car is parked: destination or overnight), fuel
#: stations 29 % (stops on the way: en route). Shares of drivers, not of energy.
PUBLIC_PARKED_MENTIONS = (31 + 26, 29)
#: the tolerance of the parked share: 0.2 (ASSUMPTION: the survey counts drivers who use a
#: kind of place regularly, not the energy they take there; a fast stop delivers more energy
#: than a parked session of the same driver, so the energy share of parked charging may be
#: well below the share of mentions; 0.2 allows for that without making the check empty)
PARKED_SHARE_TOLERANCE = 0.2


# ---- one site in isolation -------------------------------------------------------------------


def _line_region(site_km: float, far_km: float) -> Region:
    """Two zones (0 and ``far_km``) and one DC site of one plug at ``site_km``, 60 s per km."""
    zones = pd.DataFrame(
        {
            "zone_id": ["a", "b"],
            "name": ["a", "b"],
            "kind": "zone",
            "lon": [23.0, 24.0],
            "lat": 56.5,
            "population": 1000.0,
            "area_km2": 0.0,
            "municipality": "",
            "node": 0,
            "snap_distance_m": 0.0,
        },
        columns=ZONE_COLUMNS,
    )
    sites = pd.DataFrame(
        {
            "site_id": ["s"],
            "name": ["site"],
            "kind": ["car_dc"],
            "lon": 23.0,
            "lat": 56.5,
            "plugs": np.array([1]),
            "power_kw": np.array([50.0]),
            "node": 0,
            "snap_distance_m": 0.0,
            "source": "validation",
        },
        columns=SITE_COLUMNS,
    )
    x = np.array([0.0, far_km, site_km])
    dist = np.abs(x[:, None] - x[None, :])
    network = RoadNetwork(
        graph=nx.MultiDiGraph(),
        node_ids=np.array([0]),
        lon=np.array([23.0]),
        lat=np.array([56.5]),
        indptr=np.array([0, 0]),
        indices=np.zeros(0, dtype=np.int64),
        length_m=np.zeros(0),
        travel_time_s=np.zeros(0),
    )
    return Region(network=network, zones=zones, sites=sites, time_s=dist * 60.0, dist_km=dist)


#: the queue check's tolerance in standard errors of the simulated mean wait
QUEUE_SE = 4.0


def queue_check(*, days: int, rho: float, seed: int = 7) -> tuple[list[Check], dict]:
    """Cars arriving at one 50 kW plug as a Poisson process, each charging from a state of
    charge drawn uniformly in [0.3, 0.5] to 0.8 (a general service time), nobody giving up:
    the mean wait against the Pollaczek-Khinchine formula for M/G/1."""
    scenario = load_scenario(
        overrides=["charging.max_wait_min=1000000", "charging.min_charge_gain_kwh=0"]
    )
    kind = scenario.fleet.vehicle_types[0]
    region = _line_region(site_km=1.0, far_km=200.0)
    rng = np.random.Generator(np.random.PCG64(seed))
    # mean charging time at 50 kW (the plug limits every car in this range): from the mean
    # state of charge, 0.4, less the 1 km to the site, to 0.8; it sets the arrival rate only
    at_site = 0.4 - kind.consumption_kwh_per_km * 1.0 / kind.battery_kwh
    mean_service_s = (0.8 - at_site) * kind.battery_kwh / 50.0 * 3600.0
    rate = rho / mean_service_s
    horizon = days * 86_400.0
    arrivals = np.cumsum(rng.exponential(1 / rate, int(rate * horizon * 1.2)))
    arrivals = arrivals[arrivals < horizon - 86_400.0]
    n = arrivals.shape[0]
    socs = rng.uniform(0.3, 0.5, n)
    vehicles = pd.DataFrame(
        {
            "vehicle_id": np.arange(n),
            "type_idx": 0,
            "home_zone": 0,
            "resident": True,
            "home_charging": False,
            "battery_kwh": kind.battery_kwh,
            "consumption_kwh_per_km": kind.consumption_kwh_per_km,
            "max_ac_kw": kind.max_ac_kw,
            "max_dc_kw": kind.max_dc_kw,
            "initial_soc": socs,
        },
        columns=VEHICLE_COLUMNS,
    )
    trips = pd.DataFrame(
        {
            "trip_id": np.arange(n),
            "vehicle_id": np.arange(n),
            "day": (arrivals // 86_400).astype(np.int64),
            "seq": 0,
            "origin": 0,
            "dest": 1,
            "depart_s": arrivals,
            "distance_km": 200.0,
            "duration_s": 200 * 60.0,
            "purpose": "other",
            "last_of_day": True,
        },
        columns=TRIP_COLUMNS,
    )
    curve = np.array([p for p in kind.dc_curve])
    demand = Demand(vehicles, trips, [kind.id], curve[None, :, 0], curve[None, :, 1])
    sc = scenario.model_copy(update={"time": scenario.time.model_copy(update={"days": days})})
    result, _ = simulate_detailed(sc, region, demand, np.random.SeedSequence(seed))
    s = result.sessions
    service = (s["end_s"] - s["start_s"]).to_numpy()
    lam = len(s) / (s["arrive_s"].max() - s["arrive_s"].min())
    rho_sim = lam * service.mean()
    wq = lam * (service**2).mean() / (2 * (1 - rho_sim))
    waits = s["wait_s"].to_numpy()
    # the standard error of the mean of correlated waits: batch means over 20 consecutive
    # batches (each hundreds of sessions, many times the queue's correlation time)
    batches = np.array_split(waits, 20)
    se = float(np.std([b.mean() for b in batches], ddof=1) / np.sqrt(20))
    check = Check(
        "queue",
        "mean wait at one plug (M/G/1)",
        waits.mean() / 60,
        wq / 60,
        QUEUE_SE * se / 60,
        "Pollaczek-Khinchine: Wq = lambda E[S^2] / (2 (1 - rho)), lambda and the "
        "moments of S from the simulated sessions",
        "min",
    )
    return [check], {
        "sessions": len(s),
        "rho": rho_sim,
        "mean_service_min": service.mean() / 60,
        "se_min": se / 60,
        "days": days,
    }


# ---- public charging energy by location ------------------------------------------------------


def _by_location(sessions: pd.DataFrame) -> pd.Series:
    energy = sessions.groupby(sessions["location"].astype(str))["energy_kwh"].sum()
    return energy.reindex(["en_route", "destination", "overnight"], fill_value=0.0)


def location_checks(
    sessions: pd.DataFrame, *, days: int, external: list[str]
) -> tuple[list[Check], dict]:
    """The split of the public charging energy of the default run by location against the
    places where European drivers say they regularly charge in public; ``external`` sites
    (the Rīga aggregate) are left out of a second, context row."""
    energy = _by_location(sessions)
    total = float(energy.sum())
    shares = energy / total if total > 0 else energy
    inside = _by_location(sessions[~sessions["site_id"].isin(external)])
    inside_share = float((inside["destination"] + inside["overnight"]) / max(inside.sum(), 1e-9))
    parked, on_way = PUBLIC_PARKED_MENTIONS
    expected = parked / (parked + on_way)
    check = Check(
        "location",
        f"share of public car charging energy where cars park (destination + overnight), "
        f"{days}-day default run",
        float(shares["destination"] + shares["overnight"]),
        expected,
        PARKED_SHARE_TOLERANCE,
        "EVBox Mobility Monitor (European EV drivers; several answers): public parking 31 % "
        "and supermarkets 26 % against fuel stations 29 % of drivers charge there regularly "
        "(as quoted by konrungroup.com/article-10113.html, 2022): "
        f"{parked} / {parked + on_way} of the public mentions are parked places; shares of "
        "drivers, not of energy (see the section on the split)",
        "",
    )
    area = Check(
        "location",
        "the same without the sites outside the region (the Rīga aggregate)",
        inside_share,
        None,
        None,
        "context: the planning area's own sites",
        "",
    )
    return [check, area], {
        "energy_kwh": energy,
        "shares": shares,
        "total_kwh": total,
        "days": days,
    }
