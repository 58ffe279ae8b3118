"""Modal shift: short car chains of residents move to e-bikes.

Model
-----
A resident's daily chain (one car, one day, home to home) is *short* when every leg is shorter
than ``modal_shift.threshold_km`` on the car network, and *rideable* when every zone it visits
has e-bike access (``region.bike.zone_ok``). A short, rideable chain shifts with probability
``modal_shift.share`` (``modal_shift.zone_shares[home zone]`` where given): the whole chain is
ridden by e-bike instead (:mod:`emob_sim.demand.ebike`).

Two kinds of cars are shifted:

- *electric*: the simulated electric cars' chains (the car demand); shifted chains are removed
  from it, so the simulated electric car km fall;
- *petrol* (all cars that are not electric): not simulated as cars, but needed because most
  short car trips are driven by them. Their fleet is sampled like the electric one,
  ``population * fleet.cars_per_1000 / 1000 * (1 - fleet.ev_share)`` per zone, and they draw
  chains with the same model (:func:`emob_sim.demand.chains.generate_chains`); only the
  shifted chains are kept, as e-bike chains.

Each candidate chain draws its uniforms (shift, assistance level, initial soc, and per trip
whether it ends near a public e-bike point) whatever the share, so a higher share shifts a
superset of the chains of a lower one (same seed), with the
same e-bikes. Nothing is drawn when every share is 0.

The car km avoided are the car legs' lengths; the electricity an electric car no longer uses is
its consumption times those km. The CO2 balance is in :mod:`emob_sim.analysis.ebike`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.config.models import Scenario
from emob_sim.demand.chains import PURPOSES, destination_mass, generate_chains
from emob_sim.demand.fleet import stochastic_round
from emob_sim.demand.intrazonal import IntrazonalTrips
from emob_sim.demand.tables import Demand
from emob_sim.errors import ConfigError
from emob_sim.seeds import children

if TYPE_CHECKING:
    from emob_sim.region import Region

__all__ = ["ShiftedChains", "shift_car_chains", "zone_shares", "SHIFT_ELECTRIC", "SHIFT_PETROL"]

logger = logging.getLogger(__name__)

SHIFT_ELECTRIC, SHIFT_PETROL = 1, 2  # codes into emob_sim.demand.ebike.ORIGINS
_TRIP_KEYS = (
    "vehicle",
    "day",
    "seq",
    "origin",
    "dest",
    "depart_s",
    "purpose_code",
    "last_of_day",
    "car_km",
    "car_kwh",
    "u_near",
)


@dataclass(frozen=True, eq=False)
class ShiftedChains:
    """Car chains moved to e-bikes; ``trips["vehicle"]`` is the chain index (one e-bike each)."""

    home_zone: NDArray[np.int64]
    origin_code: NDArray[np.int64]  # SHIFT_ELECTRIC or SHIFT_PETROL
    u_assist: NDArray[np.float64]
    u_soc: NDArray[np.float64]
    trips: dict[str, NDArray]

    @classmethod
    def empty(cls) -> ShiftedChains:
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z, np.zeros(0), np.zeros(0), {k: z for k in _TRIP_KEYS})

    @property
    def n_chains(self) -> int:
        return int(self.home_zone.shape[0])


def zone_shares(scenario: Scenario, zones: pd.DataFrame) -> NDArray[np.float64]:
    """Shift share of each zone (``modal_shift.zone_shares`` replacing ``share``).

    Raises
    ------
    ConfigError
        A zone in ``zone_shares`` is not in the zones table.
    """
    ms = scenario.modal_shift
    ids = list(zones["zone_id"])
    unknown = sorted(set(ms.zone_shares) - set(ids))
    if unknown:
        raise ConfigError(
            f"modal_shift.zone_shares: unknown zone {unknown[0]!r}, expected a zone_id of "
            f"zones.file"
        )
    return np.array([ms.zone_shares.get(z, ms.share) for z in ids], dtype=float)


def _pick(
    starts: NDArray[np.int64],
    km: NDArray[np.float64],
    rideable: NDArray[np.bool_],
    home: NDArray[np.int64],
    share: NDArray[np.float64],
    threshold_km: float,
    rng: np.random.Generator,
) -> tuple[NDArray[np.bool_], NDArray[np.float64], NDArray[np.float64]]:
    """Which chains shift (chains are contiguous runs of trips beginning at ``starts``)."""
    n = starts.shape[0]
    u = rng.random((3, n))
    if n == 0:
        return np.zeros(0, dtype=bool), u[1], u[2]
    short = np.maximum.reduceat(km, starts) < threshold_km
    ok = np.minimum.reduceat(rideable.astype(np.int8), starts) > 0
    return short & ok & (u[0] < share[home]), u[1], u[2]


def _chain_trips(
    arrays: dict[str, NDArray], chain: NDArray[np.int64], take: NDArray[np.bool_]
) -> dict[str, NDArray]:
    """Trip arrays of the taken chains, ``vehicle`` renumbered to the taken chain index."""
    rows = take[chain]
    new_index = np.cumsum(take) - 1
    out = {k: np.asarray(arrays[k])[rows] for k in _TRIP_KEYS if k != "vehicle"}
    out["vehicle"] = new_index[chain[rows]]
    return out


def _electric(
    scenario: Scenario,
    region: Region,
    demand: Demand,
    share: NDArray[np.float64],
    rng: np.random.Generator,
) -> tuple[Demand, ShiftedChains]:
    trips, veh = demand.trips, demand.vehicles
    v = trips["vehicle_id"].to_numpy(np.int64)
    shifts = veh["resident"].to_numpy(bool)
    if demand.workplace is not None:  # the areas' commuters come by car (their car_share)
        shifts = shifts & (demand.workplace < 0)
    sel = np.flatnonzero(shifts[v])
    d = trips["day"].to_numpy(np.int64)[sel]
    vs = v[sel]
    first = np.ones(sel.size, dtype=bool)
    first[1:] = (vs[1:] != vs[:-1]) | (d[1:] != d[:-1])
    starts = np.flatnonzero(first)
    chain = np.cumsum(first) - 1
    origin = trips["origin"].to_numpy(np.int64)[sel]
    dest = trips["dest"].to_numpy(np.int64)[sel]
    km = trips["distance_km"].to_numpy(float)[sel]
    ok = region.bike.zone_ok
    home = veh["home_zone"].to_numpy(np.int64)[vs[starts]]
    take, u_assist, u_soc = _pick(
        starts, km, ok[origin] & ok[dest], home, share, scenario.modal_shift.threshold_km, rng
    )
    u_near = rng.random(sel.size)
    if not take.any():
        return demand, ShiftedChains.empty()
    cons = veh["consumption_kwh_per_km"].to_numpy(float)[vs]
    arrays = {
        "day": d,
        "seq": trips["seq"].to_numpy(np.int64)[sel],
        "origin": origin,
        "dest": dest,
        "depart_s": trips["depart_s"].to_numpy(float)[sel],
        "purpose_code": _purpose_codes(trips["purpose"].to_numpy()[sel]),
        "last_of_day": trips["last_of_day"].to_numpy(bool)[sel],
        "car_km": km,
        "car_kwh": km * cons,
        "u_near": u_near,
    }
    shifted = ShiftedChains(
        home_zone=home[take],
        origin_code=np.full(int(take.sum()), SHIFT_ELECTRIC, np.int64),
        u_assist=u_assist[take],
        u_soc=u_soc[take],
        trips=_chain_trips(arrays, chain, take),
    )
    drop = np.zeros(len(trips), dtype=bool)
    drop[sel[take[chain]]] = True
    kept = trips.loc[~drop].reset_index(drop=True)
    kept["trip_id"] = np.arange(len(kept), dtype=np.int64)
    return replace(demand, trips=kept), shifted


def _purpose_codes(purpose: NDArray) -> NDArray[np.int64]:
    """Index of each purpose string in :data:`~emob_sim.demand.chains.PURPOSES`."""
    return pd.Categorical(purpose, categories=PURPOSES).codes.astype(np.int64)


def _petrol(
    scenario: Scenario,
    region: Region,
    share: NDArray[np.float64],
    seed_seq: np.random.SeedSequence,
) -> ShiftedChains:
    fleet_ss, chains_ss, pick_ss = children(seed_seq, 3)
    zones, fleet = region.zones, scenario.fleet
    n = region.n_zones
    population = np.nan_to_num(zones["population"].to_numpy(dtype=float), nan=0.0)
    rate = fleet.cars_per_1000 / 1000.0 * (1.0 - fleet.ev_share)
    expected = np.where(zones["kind"].to_numpy() == "zone", population * rate, 0.0)
    counts = stochastic_round(expected, np.random.Generator(np.random.PCG64(fleet_ss)))
    home_of_car = np.repeat(np.arange(n, dtype=np.int64), counts)
    time_s = np.asarray(region.time_s, dtype=float)[:n, :n]
    arr = generate_chains(
        scenario.demand,
        days=scenario.time.days,
        home_zone=home_of_car,
        mass=destination_mass(zones, external_attraction=scenario.demand.external_attraction),
        time_s=time_s,
        dist_km=np.asarray(region.dist_km, dtype=float)[:n, :n],
        seed_seq=chains_ss,
        intrazonal=IntrazonalTrips.of_zones(zones, scenario.zones),
    )
    first = arr["seq"] == 0  # the legs of a chain are consecutive, seq 0 first
    starts = np.flatnonzero(first)
    chain = np.cumsum(first) - 1
    km = arr["distance_km"]
    ok = region.bike.zone_ok
    home = home_of_car[arr["vehicle"][starts]]
    rng = np.random.Generator(np.random.PCG64(pick_ss))
    take, u_assist, u_soc = _pick(
        starts,
        km,
        ok[arr["origin"]] & ok[arr["dest"]],
        home,
        share,
        scenario.modal_shift.threshold_km,
        rng,
    )
    arrays = {**arr, "car_km": km, "car_kwh": np.zeros(km.shape[0]), "u_near": rng.random(km.size)}
    return ShiftedChains(
        home_zone=home[take],
        origin_code=np.full(int(take.sum()), SHIFT_PETROL, np.int64),
        u_assist=u_assist[take],
        u_soc=u_soc[take],
        trips=_chain_trips(arrays, chain, take),
    )


def shift_car_chains(
    scenario: Scenario, region: Region, demand: Demand, seed_seq: np.random.SeedSequence
) -> tuple[Demand, ShiftedChains]:
    """Apply the modal shift (see the module docstring).

    Returns
    -------
    tuple
        The car demand without the shifted electric chains (``demand`` itself when none
        shifts) and the shifted chains, electric ones first.
    """
    share = zone_shares(scenario, region.zones)
    if not (share > 0).any():
        return demand, ShiftedChains.empty()
    ev_ss, petrol_ss = children(seed_seq, 2)
    car_demand, electric = _electric(
        scenario, region, demand, share, np.random.Generator(np.random.PCG64(ev_ss))
    )
    petrol = _petrol(scenario, region, share, petrol_ss)
    both = ShiftedChains(
        home_zone=np.concatenate([electric.home_zone, petrol.home_zone]),
        origin_code=np.concatenate([electric.origin_code, petrol.origin_code]),
        u_assist=np.concatenate([electric.u_assist, petrol.u_assist]),
        u_soc=np.concatenate([electric.u_soc, petrol.u_soc]),
        trips={
            k: np.concatenate(
                [electric.trips[k], petrol.trips[k] + (electric.n_chains if k == "vehicle" else 0)]
            )
            for k in _TRIP_KEYS
        },
    )
    logger.info(
        "modal shift: %d electric and %d petrol car chains (%.1f car km) move to e-bikes",
        electric.n_chains,
        petrol.n_chains,
        float(both.trips["car_km"].sum()),
    )
    return car_demand, both
