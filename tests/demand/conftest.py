"""Fixtures of the demand tests: hand-built synthetic regions and small scenarios."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from emob_sim.config.models import Scenario
from emob_sim.network.arrays import RoadNetwork
from emob_sim.region import SITE_COLUMNS, ZONE_COLUMNS, Region

_CURVE = [[0.0, 0.8], [0.1, 1.0], [0.5, 1.0], [0.8, 0.5], [1.0, 0.1]]

BASE_SCENARIO: dict[str, Any] = {
    "name": "demand-test",
    "seed": 7,
    "time": {"days": 1},
    "network": {"source": "strategic", "strategic_dir": "."},
    "fleet": {
        "cars_per_1000": 400,
        "ev_share": 0.25,
        "home_charging_share": 0.6,
        "initial_soc_min": 0.5,
        "initial_soc_max": 0.9,
        "vehicle_types": [
            {
                "id": "small",
                "name": "small",
                "share": 0.4,
                "battery_kwh": 40,
                "consumption_kwh_per_km": 0.17,
                "max_ac_kw": 6.6,
                "max_dc_kw": 50,
                "dc_curve": [[0.0, 1.0], [1.0, 0.2]],
            },
            {
                "id": "big",
                "name": "big",
                "share": 0.6,
                "battery_kwh": 77,
                "consumption_kwh_per_km": 0.185,
                "max_ac_kw": 11,
                "max_dc_kw": 135,
                "dc_curve": _CURVE,
            },
        ],
    },
    "demand": {
        "chain_shares": {"HWH": 0.35, "HWOH": 0.10, "HOH": 0.20, "HOOH": 0.10},
        "corridors": [
            {"a": "EXT", "b": "G1", "vehicles_per_day": 2000},
            {"a": "G1", "b": "G2", "vehicles_per_day": 1000},
        ],
        "through_ev_share": 0.1,
    },
}


def _set_dotted(data: dict, dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    node = data
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value


def build_scenario(overrides: dict[str, Any] | None = None) -> Scenario:
    """The base test scenario with ``{"a.b": value}`` overrides applied."""
    data = copy.deepcopy(BASE_SCENARIO)
    for dotted, value in (overrides or {}).items():
        _set_dotted(data, dotted, value)
    return Scenario.model_validate(data)


def build_region(
    *,
    population: Sequence[float],
    kind: Sequence[str],
    time_min: np.ndarray,
    zone_ids: Sequence[str] | None = None,
    n_sites: int = 0,
    apartment_share: Sequence[float] | None = None,
) -> Region:
    """A Region with the given zones and zone-to-zone times (distance = 1 km per minute).

    ``n_sites`` extra points with large travel times are appended after the zones, as in a
    real region, to check that only the zone block is used.
    """
    n = len(population)
    zone_ids = list(zone_ids) if zone_ids is not None else [f"Z{i}" for i in range(n)]
    zones = pd.DataFrame(
        {
            "zone_id": zone_ids,
            "name": zone_ids,
            "kind": list(kind),
            "lon": np.linspace(23.0, 26.0, n),
            "lat": np.full(n, 56.5),
            "population": np.asarray(population, dtype=np.float64),
            "area_km2": np.zeros(n),
            "municipality": [""] * n,
            "apartment_share": (
                np.full(n, np.nan) if apartment_share is None else np.asarray(apartment_share)
            ),
            "node": np.zeros(n, dtype=np.int64),
            "snap_distance_m": np.zeros(n),
        }
    )[ZONE_COLUMNS]
    m = n + n_sites
    time_s = np.full((m, m), 1e6)
    time_s[:n, :n] = np.asarray(time_min, dtype=np.float64) * 60.0
    network = RoadNetwork(
        graph=nx.MultiDiGraph(),
        node_ids=np.zeros(1, dtype=np.int64),
        lon=np.zeros(1),
        lat=np.zeros(1),
        indptr=np.zeros(2, dtype=np.int64),
        indices=np.zeros(0, dtype=np.int64),
        length_m=np.zeros(0),
        travel_time_s=np.zeros(0),
    )
    return Region(
        network=network,
        zones=zones,
        sites=pd.DataFrame(columns=SITE_COLUMNS),
        time_s=time_s,
        dist_km=time_s / 60.0,
    )


def line_region(
    *,
    positions_km: Sequence[float],
    population: Sequence[float],
    kind: Sequence[str],
    zone_ids: Sequence[str] | None = None,
    n_sites: int = 0,
) -> Region:
    """Zones on a line, 1 km per minute, intrazonal trips of 5 minutes."""
    pos = np.asarray(positions_km, dtype=np.float64)
    time_min = np.abs(pos[:, None] - pos[None, :])
    np.fill_diagonal(time_min, 5.0)
    return build_region(
        population=population, kind=kind, time_min=time_min, zone_ids=zone_ids, n_sites=n_sites
    )


@pytest.fixture
def make_scenario() -> Callable[..., Scenario]:
    return build_scenario


@pytest.fixture
def make_region() -> Callable[..., Region]:
    return build_region


@pytest.fixture
def small_region() -> Region:
    """Four resident zones, one external attractor (EXT) and two gateways (G1, G2)."""
    return line_region(
        positions_km=[0, 10, 25, 40, 60, -30, 90],
        population=[20_000, 5_000, 8_000, 3_000, 100_000, 0, 0],
        kind=["zone", "zone", "zone", "zone", "external", "gateway", "gateway"],
        zone_ids=["A", "B", "C", "D", "EXT", "G1", "G2"],
        n_sites=3,
    )


@pytest.fixture
def make_line_region() -> Callable[..., Region]:
    return line_region


def assert_chains_consistent(trips: pd.DataFrame, vehicles: pd.DataFrame) -> None:
    """Invariants of the trip table of any demand (see test names for their meaning)."""
    vid = trips["vehicle_id"].to_numpy()
    dep = trips["depart_s"].to_numpy()
    dur = trips["duration_s"].to_numpy()
    same = vid[1:] == vid[:-1]
    # sorted by (vehicle, departure), and each trip departs after the previous one arrived
    assert np.all(np.diff(vid) >= 0)
    assert np.all(dep[1:][same] >= dep[:-1][same] + dur[:-1][same])
    resident = vehicles["resident"].to_numpy()[vid]
    home = vehicles["home_zone"].to_numpy()[vid]
    res = trips[resident]
    first = res["seq"].to_numpy() == 0
    last = res["last_of_day"].to_numpy()
    # chains start and end at home; exactly one last trip per chain, and it goes home; so
    # does the trip home between the two tours of a two-tour chain
    assert np.all(res["origin"].to_numpy()[first] == home[resident][first])
    going_home = res["purpose"].to_numpy() == "home"
    assert np.all(going_home[last])
    assert np.all(res["dest"].to_numpy()[going_home] == home[resident][going_home])
    assert first.sum() == last.sum()
    # consecutive legs of a chain connect, and a chain stays inside its day (home by 23:59)
    r_vid, r_day = res["vehicle_id"].to_numpy(), res["day"].to_numpy()
    cont = (r_vid[1:] == r_vid[:-1]) & (r_day[1:] == r_day[:-1])
    assert np.all(res["seq"].to_numpy()[1:][cont] == res["seq"].to_numpy()[:-1][cont] + 1)
    assert np.all(res["origin"].to_numpy()[1:][cont] == res["dest"].to_numpy()[:-1][cont])
    r_dep = res["depart_s"].to_numpy()
    assert np.all(r_dep >= r_day * 86_400.0)
    arrive = r_dep + res["duration_s"].to_numpy()
    assert np.all(arrive <= r_day * 86_400.0 + 23 * 3600 + 59 * 60 + 1e-6)


@pytest.fixture
def check_chains() -> Callable[[pd.DataFrame, pd.DataFrame], None]:
    return assert_chains_consistent
