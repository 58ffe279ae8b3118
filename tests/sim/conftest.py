"""Small hand-made scenarios, regions and demands for the simulation tests.

Points lie on a line (positions in km); distance = |x_a - x_b| (intrazonal trips: 2 km) and
travel time = distance at 60 km/h (60 s per km).
"""

from __future__ import annotations

from types import SimpleNamespace

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from emob_sim.config.models import Scenario
from emob_sim.demand.tables import TRIP_COLUMNS, VEHICLE_COLUMNS, Demand
from emob_sim.network.arrays import RoadNetwork
from emob_sim.region import SITE_COLUMNS, ZONE_COLUMNS, Region

CURVE = [(0.0, 0.8), (0.1, 1.0), (0.5, 1.0), (0.8, 0.5), (0.9, 0.3), (1.0, 0.1)]
TYPES = {
    "a58": dict(battery_kwh=58.0, consumption_kwh_per_km=0.165, max_ac_kw=11.0, max_dc_kw=120.0),
    "b40": dict(battery_kwh=39.0, consumption_kwh_per_km=0.17, max_ac_kw=6.6, max_dc_kw=46.0),
}
SEC_PER_KM = 60.0
INTRAZONAL_KM = 2.0


def make_scenario(*, days: int = 1, all_in_simpy: bool = False, **charging) -> Scenario:
    """A valid Scenario; ``charging`` keys override ChargingConfig values."""
    return Scenario.model_validate(
        {
            "name": "test",
            "time": {"days": days, "profile_step_min": 15},
            "network": {"source": "strategic", "strategic_dir": "/nonexistent"},
            "fleet": {
                "vehicle_types": [
                    {"id": tid, "name": tid, "share": 0.5, "dc_curve": CURVE, **spec}
                    for tid, spec in TYPES.items()
                ]
            },
            "demand": {"chain_shares": {"HWH": 0.5}},
            "charging": charging,
            "simulation": {"all_vehicles_in_simpy": all_in_simpy},
        }
    )


def make_region(zone_x_km: list[float], sites: list[dict]) -> Region:
    """Zones at ``zone_x_km``; ``sites``: dicts with x_km, kind, plugs, power_kw."""
    n_z = len(zone_x_km)
    zones = pd.DataFrame(
        {
            "zone_id": [f"z{i}" for i in range(n_z)],
            "name": [f"zone {i}" for i in range(n_z)],
            "kind": "zone",
            "lon": 23.0 + np.arange(n_z) * 0.1,
            "lat": 56.5,
            "population": 1000.0,
            "area_km2": 10.0,
            "municipality": "",
            "node": 0,
            "snap_distance_m": 0.0,
        },
        columns=ZONE_COLUMNS,
    )
    site_df = pd.DataFrame(
        {
            "site_id": [f"s{i}" for i in range(len(sites))],
            "name": [f"site {i}" for i in range(len(sites))],
            "kind": [s["kind"] for s in sites],
            "lon": 23.0,
            "lat": 56.5,
            "plugs": np.array([s["plugs"] for s in sites], dtype=np.int64),
            "power_kw": np.array([s["power_kw"] for s in sites], dtype=np.float64),
            "node": 0,
            "snap_distance_m": 0.0,
            "source": "test",
        },
        columns=SITE_COLUMNS,
    )
    x = np.array(list(zone_x_km) + [s["x_km"] for s in sites], dtype=np.float64)
    dist = np.abs(x[:, None] - x[None, :])
    dist[np.arange(n_z), np.arange(n_z)] = INTRAZONAL_KM
    network = RoadNetwork(
        graph=nx.MultiDiGraph(),
        node_ids=np.array([0], dtype=np.int64),
        lon=np.array([23.0]),
        lat=np.array([56.5]),
        indptr=np.array([0, 0], dtype=np.int64),
        indices=np.zeros(0, dtype=np.int64),
        length_m=np.zeros(0),
        travel_time_s=np.zeros(0),
    )
    time_s = dist * SEC_PER_KM
    return Region(network=network, zones=zones, sites=site_df, time_s=time_s, dist_km=dist)


def make_demand(region: Region, vehicles: list[dict], trips: list[dict]) -> Demand:
    """Vehicles: dicts with type ('a58'|'b40'), initial_soc, home_charging (default False).
    Trips: dicts with vehicle, day, origin, dest, depart_s (sorted and numbered here)."""
    type_ids = list(TYPES)
    veh = pd.DataFrame(
        {
            "vehicle_id": np.arange(len(vehicles), dtype=np.int64),
            "type_idx": [type_ids.index(v["type"]) for v in vehicles],
            "home_zone": 0,
            "resident": True,
            "home_charging": [bool(v.get("home_charging", False)) for v in vehicles],
            **{
                key: [TYPES[v["type"]][key] for v in vehicles]
                for key in ("battery_kwh", "consumption_kwh_per_km", "max_ac_kw", "max_dc_kw")
            },
            "initial_soc": [float(v["initial_soc"]) for v in vehicles],
        },
        columns=VEHICLE_COLUMNS,
    )
    tr = pd.DataFrame(trips, columns=["vehicle", "day", "origin", "dest", "depart_s"])
    tr = tr.sort_values(["vehicle", "depart_s"], kind="stable").reset_index(drop=True)
    o, d = tr["origin"].to_numpy(), tr["dest"].to_numpy()
    last = tr.groupby(["vehicle", "day"]).cumcount(ascending=False).to_numpy() == 0
    trip_df = pd.DataFrame(
        {
            "trip_id": np.arange(len(tr), dtype=np.int64),
            "vehicle_id": tr["vehicle"].to_numpy(np.int64),
            "day": tr["day"].to_numpy(np.int64),
            "seq": tr.groupby(["vehicle", "day"]).cumcount().to_numpy(np.int64),
            "origin": o.astype(np.int64),
            "dest": d.astype(np.int64),
            "depart_s": tr["depart_s"].to_numpy(np.float64),
            "distance_km": region.dist_km[o, d],
            "duration_s": region.time_s[o, d],
            "purpose": "other",
            "last_of_day": last,
        },
        columns=TRIP_COLUMNS,
    )
    soc = np.array([[p[0] for p in CURVE]] * len(type_ids))
    frac = np.array([[p[1] for p in CURVE]] * len(type_ids))
    return Demand(vehicles=veh, trips=trip_df, type_ids=type_ids, curve_soc=soc, curve_frac=frac)


def make_random_case(
    *, n_vehicles: int = 60, days: int = 3, seed: int = 7
) -> tuple[Region, Demand]:
    """A busy little region: 4 zones over 150 km, 3 sites, commuters and long trips."""
    rng = np.random.default_rng(seed)
    region = make_region(
        [0.0, 40.0, 90.0, 150.0],
        [
            dict(x_km=20.0, kind="car_dc", plugs=2, power_kw=50.0),
            dict(x_km=70.0, kind="car_ac", plugs=1, power_kw=22.0),
            dict(x_km=120.0, kind="car_dc", plugs=1, power_kw=150.0),
        ],
    )
    vehicles, trips = [], []
    for v in range(n_vehicles):
        vehicles.append(
            dict(
                type="a58" if rng.random() < 0.5 else "b40",
                initial_soc=rng.uniform(0.15, 0.9),
                home_charging=rng.random() < 0.5,
            )
        )
        home = int(rng.integers(0, 4))
        for day in range(days):
            if rng.random() < 0.2:
                continue
            away = int(rng.integers(0, 4))
            t0 = day * 86400.0 + rng.uniform(6, 10) * 3600.0
            t1 = t0 + rng.uniform(1, 9) * 3600.0
            trips.append(dict(vehicle=v, day=day, origin=home, dest=away, depart_s=t0))
            trips.append(dict(vehicle=v, day=day, origin=away, dest=home, depart_s=t1))
    return region, make_demand(region, vehicles, trips)


@pytest.fixture(scope="session")
def build() -> SimpleNamespace:
    """The builders of this module."""
    return SimpleNamespace(
        scenario=make_scenario,
        region=make_region,
        demand=make_demand,
        random_case=make_random_case,
    )
