"""E-bike demand: owners' daily chains plus the car chains shifted to e-bikes.

Model
-----
*Owners.* A zone of kind ``zone`` reached by the bike network owns
``population * ebike.ownership_per_1000 / 1000`` e-bikes in expectation, rounded
stochastically (:func:`emob_sim.demand.fleet.stochastic_round`). Every day each e-bike rides
one chain with probability ``ebike.chain_shares`` (the chain model of
:mod:`emob_sim.demand.chains`, with the times of day of ``demand``), destinations by the
gravity model on bike riding times with ``ebike.gravity_beta_per_min``. On the strategic
source (no bike network) every chain stays inside the home zone and each leg's length is drawn
from ``ebike.intrazonal_trip_km`` (:func:`draw_trip_km`).

*Shifted car chains* (:mod:`emob_sim.demand.shift`): each shifted chain of one car on one day is
ridden by a separate e-bike with the same stops and planned departures; its legs are routed on
the bike network (on the strategic source they keep the car leg's length).

*E-bikes.* Each draws its rider's assistance level (``ebike.assist_shares``, consumption
``ebike.consumption_wh_per_km``) and its state of charge at the first departure
(Uniform[``initial_soc_min``, ``initial_soc_max``]: riders charge every few days). A trip needs
``distance_km * consumption + climb_m * ebike.climb_wh_per_m`` Wh and takes the bike riding
time (``distance / ebike.speed_kph`` on the strategic source). A trip that does not end at home
ends within walking distance of a public e-bike point of its destination zone with probability
``region.bike.near_share[dest]`` (``near_site``; see :mod:`emob_sim.region.bike`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.config.models import EbikeConfig, Scenario
from emob_sim.demand.chains import PURPOSES, destination_mass, generate_chains
from emob_sim.demand.fleet import stochastic_round
from emob_sim.demand.shift import ShiftedChains, shift_car_chains
from emob_sim.demand.tables import Demand
from emob_sim.seeds import children

if TYPE_CHECKING:
    from emob_sim.region import Region

__all__ = [
    "EbikeDemand",
    "EBIKE_COLUMNS",
    "EBIKE_TRIP_COLUMNS",
    "ORIGINS",
    "generate_ebike_demand",
    "draw_trip_km",
    "empty_ebike_demand",
]

logger = logging.getLogger(__name__)

#: where an e-bike's trips come from
ORIGINS = ("owner", "shift_electric", "shift_petrol")

#: columns of EbikeDemand.vehicles (row i is ebike_id i)
EBIKE_COLUMNS = [
    "ebike_id",
    "home_zone",  # int zone index
    "origin",  # one of ORIGINS
    "assist",  # assistance level (a key of ebike.consumption_wh_per_km)
    "battery_wh",
    "wh_per_km",
    "initial_soc",
]

#: columns of EbikeDemand.trips, sorted by (ebike_id, depart_s); row i is trip_id i
EBIKE_TRIP_COLUMNS = [
    "trip_id",
    "ebike_id",
    "day",
    "seq",
    "origin",  # zone index
    "dest",  # zone index
    "depart_s",
    "distance_km",  # riding distance
    "duration_s",
    "climb_m",  # metres climbed (0 where the network has no elevations)
    "energy_wh",  # battery energy the trip needs
    "purpose",  # "work" | "other" | "home"
    "last_of_day",
    "car_km",  # km of the car trip this trip replaces (0 for owners)
    "car_kwh",  # electricity of that car trip (shift_electric only, else 0)
    "near_site",  # bool: ends within walking distance of a public e-bike point (not at home)
]

_STREAM_TAG = 0x45424B  # "EBK": keeps these streams apart from the caller's own children


@dataclass(frozen=True, eq=False)
class EbikeDemand:
    """E-bikes and their trips for one scenario and seed."""

    vehicles: pd.DataFrame
    trips: pd.DataFrame

    @property
    def n_vehicles(self) -> int:
        """Number of e-bikes (rows of ``vehicles``)."""
        return len(self.vehicles)

    @property
    def n_trips(self) -> int:
        """Number of e-bike trips (rows of ``trips``)."""
        return len(self.trips)


def empty_ebike_demand() -> EbikeDemand:
    """No e-bikes (e-bikes disabled or a region without an e-bike layer).

    Returns
    -------
    EbikeDemand
        Empty e-bike and trip tables with their columns.
    """
    return EbikeDemand(
        vehicles=pd.DataFrame({c: [] for c in EBIKE_COLUMNS}),
        trips=pd.DataFrame({c: [] for c in EBIKE_TRIP_COLUMNS}),
    )


def draw_trip_km(cfg: EbikeConfig, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """``n`` intrazonal trip lengths from the capped lognormal ``cfg.intrazonal_trip_km``.

    Parameters
    ----------
    cfg : EbikeConfig
        The scenario's ``ebike:`` section (median, sigma, minimum and maximum of the
        lognormal, km).
    n : int
        Number of trips.
    rng : numpy.random.Generator
        The stream drawn from.

    Returns
    -------
    numpy.ndarray
        ``n`` trip lengths, km.
    """
    d = cfg.intrazonal_trip_km
    km = d.median_km * np.exp(d.sigma * rng.standard_normal(n))
    return np.clip(km, d.min_km, d.max_km)


def _bike_attributes(
    cfg: EbikeConfig, u_assist: NDArray[np.float64], u_soc: NDArray[np.float64]
) -> dict[str, NDArray]:
    """Assistance level, consumption and initial soc from uniforms (one pair per e-bike)."""
    levels = sorted(cfg.assist_shares)
    share = np.array([cfg.assist_shares[k] for k in levels], dtype=float)
    cdf = np.cumsum(share / share.sum())
    cdf[-1] = 1.0
    idx = np.minimum(np.searchsorted(cdf, u_assist, side="right"), len(levels) - 1)
    wh = np.array([cfg.consumption_wh_per_km[k] for k in levels], dtype=float)
    return {
        "assist": np.asarray(levels, dtype=object)[idx],
        "wh_per_km": wh[idx],
        "initial_soc": cfg.initial_soc_min + (cfg.initial_soc_max - cfg.initial_soc_min) * u_soc,
    }


def _owners(
    scenario: Scenario, region: Region, seed_seq: np.random.SeedSequence
) -> tuple[dict[str, NDArray], dict[str, NDArray]]:
    """Owners' e-bikes (home zone, attributes) and chain trips (origin/dest zones, times)."""
    cfg, layer, zones = scenario.ebike, region.bike, region.zones
    fleet_ss, chains_ss, km_ss, near_ss = children(seed_seq, 4)
    rng = np.random.Generator(np.random.PCG64(fleet_ss))
    population = np.nan_to_num(zones["population"].to_numpy(dtype=float), nan=0.0)
    resident = (zones["kind"].to_numpy() == "zone") & layer.zone_ok
    counts = stochastic_round(
        np.where(resident, population * cfg.ownership_per_1000 / 1000.0, 0.0), rng
    )
    home = np.repeat(np.arange(len(zones), dtype=np.int64), counts)
    u_assist, u_soc = rng.random(home.size), rng.random(home.size)
    bikes = {"home_zone": home, **_bike_attributes(cfg, u_assist, u_soc)}

    mass = destination_mass(zones, external_attraction=scenario.demand.external_attraction)
    mass = np.where(layer.zone_ok, mass, 0.0)
    if layer.time_s is not None:
        time_s = layer.time_s
    else:  # strategic: trips stay in the home zone
        time_s = np.full((len(zones), len(zones)), np.inf)
        typical_s = cfg.intrazonal_trip_km.median_km / cfg.speed_kph * 3600.0
        np.fill_diagonal(time_s, typical_s)
    dcfg = scenario.demand.model_copy(
        update={
            "chain_shares": dict(cfg.chain_shares),
            "gravity_beta_per_min": cfg.gravity_beta_per_min,
            "work_gravity_beta_per_min": None,
        }
    )
    # the distances are the bike network's (below), not the car matrices'
    trips = generate_chains(
        dcfg,
        days=scenario.time.days,
        home_zone=home,
        mass=mass,
        time_s=time_s,
        dist_km=np.zeros_like(time_s),
        seed_seq=chains_ss,
    )
    n = trips["origin"].shape[0]
    if layer.dist_km is not None:
        trips["distance_km"] = layer.dist_km[trips["origin"], trips["dest"]]
        trips["climb_m"] = layer.climb_m[trips["origin"], trips["dest"]]
    else:
        trips["distance_km"] = draw_trip_km(cfg, n, np.random.Generator(np.random.PCG64(km_ss)))
        trips["climb_m"] = np.zeros(n)
    trips["car_km"] = np.zeros(n)
    trips["car_kwh"] = np.zeros(n)
    trips["u_near"] = np.random.Generator(np.random.PCG64(near_ss)).random(n)
    return bikes, trips


def _shifted_trips(
    scenario: Scenario, region: Region, shifted: ShiftedChains
) -> tuple[dict[str, NDArray], dict[str, NDArray]]:
    """E-bikes and trips of the shifted car chains (one e-bike per chain)."""
    cfg, layer = scenario.ebike, region.bike
    bikes = {
        "home_zone": shifted.home_zone,
        **_bike_attributes(cfg, shifted.u_assist, shifted.u_soc),
    }
    t = dict(shifted.trips)
    if layer.dist_km is not None:
        t["distance_km"] = layer.dist_km[t["origin"], t["dest"]]
        t["climb_m"] = layer.climb_m[t["origin"], t["dest"]]
    else:  # strategic: the e-bike rides the car leg's length
        t["distance_km"] = t["car_km"].copy()
        t["climb_m"] = np.zeros(t["car_km"].shape[0])
    return bikes, t


def generate_ebike_demand(
    scenario: Scenario, region: Region, demand: Demand, seed_seq: np.random.SeedSequence
) -> tuple[EbikeDemand, Demand]:
    """Sample the e-bikes and their trips, and move shifted car chains off the car demand.

    Parameters
    ----------
    scenario
        Uses ``ebike``, ``modal_shift``, ``fleet``, ``demand`` and ``time.days``.
    region
        Zones, car matrices and the e-bike layer (``region.bike``; None = no e-bikes).
    demand
        The car demand (:func:`emob_sim.demand.generate_demand`).
    seed_seq
        The e-bike stream; owners and the modal shift use children of it
        (:func:`emob_sim.seeds.children`), so one does not move the other.

    Returns
    -------
    tuple
        The e-bike demand and the car demand without the shifted chains (``demand`` itself
        when nothing shifts).

    Raises
    ------
    ConfigError
        ``modal_shift.zone_shares`` names a zone the region does not have.
    """
    layer = getattr(region, "bike", None)
    if layer is None or not scenario.ebike.enabled:
        return empty_ebike_demand(), demand
    owners_ss, shift_ss = children(seed_seq, 2, tag=_STREAM_TAG)
    car_demand, shifted = shift_car_chains(scenario, region, demand, shift_ss)
    parts = [_owners(scenario, region, owners_ss), _shifted_trips(scenario, region, shifted)]
    origins = [np.zeros(parts[0][0]["home_zone"].size, dtype=np.int64), shifted.origin_code]

    n_bikes = [p[0]["home_zone"].size for p in parts]
    offset = np.cumsum([0, *n_bikes[:-1]])
    bikes = {k: np.concatenate([p[0][k] for p in parts]) for k in parts[0][0]}
    trips = {k: np.concatenate([p[1][k] for p in parts]) for k in _TRIP_ARRAYS}
    trips["vehicle"] = np.concatenate([p[1]["vehicle"] + o for p, o in zip(parts, offset)])
    vehicles = _vehicle_frame(scenario.ebike, bikes, np.concatenate(origins))
    table = _trip_frame(trips, vehicles, scenario.ebike, region)
    logger.info(
        "e-bikes: %d owned, %d shifted car chains; %d trips",
        n_bikes[0],
        n_bikes[1],
        len(table),
    )
    return EbikeDemand(vehicles=vehicles, trips=table), car_demand


_TRIP_ARRAYS = (
    "day",
    "seq",
    "origin",
    "dest",
    "depart_s",
    "purpose_code",
    "last_of_day",
    "distance_km",
    "climb_m",
    "car_km",
    "car_kwh",
    "u_near",
)


def _vehicle_frame(cfg: EbikeConfig, bikes: dict[str, NDArray], origin: NDArray) -> pd.DataFrame:
    n = bikes["home_zone"].shape[0]
    return pd.DataFrame(
        {
            "ebike_id": np.arange(n, dtype=np.int64),
            "home_zone": bikes["home_zone"].astype(np.int64),
            "origin": np.asarray(ORIGINS, dtype=object)[origin.astype(np.int64)],
            "assist": bikes["assist"].astype(object),
            "battery_wh": np.full(n, cfg.battery_wh),
            "wh_per_km": bikes["wh_per_km"].astype(float),
            "initial_soc": bikes["initial_soc"].astype(float),
        },
        columns=EBIKE_COLUMNS,
    )


def _trip_frame(
    trips: dict[str, NDArray], vehicles: pd.DataFrame, cfg: EbikeConfig, region: Region
) -> pd.DataFrame:
    """Sort by (e-bike, departure) and build the :data:`EBIKE_TRIP_COLUMNS` table."""
    order = np.lexsort((trips["seq"], trips["depart_s"], trips["day"], trips["vehicle"]))
    t = {k: v[order] for k, v in trips.items()}
    vid = t["vehicle"].astype(np.int64)
    km = t["distance_km"].astype(float)
    climb = t["climb_m"].astype(float)
    layer = region.bike
    if layer.time_s is not None:
        duration = layer.time_s[t["origin"], t["dest"]]
    else:
        duration = km / cfg.speed_kph * 3600.0
    wh = km * vehicles["wh_per_km"].to_numpy(dtype=float)[vid] + climb * cfg.climb_wh_per_m
    frame = pd.DataFrame(
        {
            "trip_id": np.arange(vid.size, dtype=np.int64),
            "ebike_id": vid,
            "day": t["day"].astype(np.int64),
            "seq": t["seq"].astype(np.int64),
            "origin": t["origin"].astype(np.int64),
            "dest": t["dest"].astype(np.int64),
            "depart_s": t["depart_s"].astype(float),
            "distance_km": km,
            "duration_s": np.asarray(duration, dtype=float),
            "climb_m": climb,
            "energy_wh": wh,
            "purpose": np.asarray(PURPOSES, dtype=object)[t["purpose_code"].astype(np.int64)],
            "last_of_day": t["last_of_day"].astype(bool),
            "car_km": t["car_km"].astype(float),
            "car_kwh": t["car_kwh"].astype(float),
            "near_site": (t["u_near"] < layer.near_share[t["dest"]])
            & ~t["last_of_day"].astype(bool),
        }
    )
    return frame[EBIKE_TRIP_COLUMNS]
