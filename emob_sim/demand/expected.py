"""Expected trip statistics of the chain model, computed exactly (no sampling).

The chain model (:mod:`emob_sim.demand.chains`) is a Markov chain over zones: a car starts
at home (zones weighted by their resident cars), each W or O stop moves it by the gravity
model's destination probabilities, an H stop and the end of the chain bring it home. So the
expected number of trips, their mean length, and where the work trips of one zone go are
sums over joint (home zone, current zone) probabilities, smooth in the gravity parameters:
what ``scripts/calibrate_demand.py`` fits to the published travel facts and the validation
checks. Trips inside a zone count with their mean length under the decay of their activity
(:mod:`emob_sim.demand.intrazonal`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from emob_sim.config.models import DemandConfig
from emob_sim.demand.chains import CHAIN_STOPS, CHAIN_TYPES, gravity_cdf
from emob_sim.demand.intrazonal import IntrazonalTrips

__all__ = ["ChainExpectations", "chain_expectations"]


@dataclass(frozen=True)
class ChainExpectations:
    """Per car and day: trips and km; mean trip lengths by purpose; where work trips go."""

    trips_per_car_day: float
    trips_per_used_car_day: float
    km_per_car_day: float
    mean_trip_km: float
    mean_work_trip_km: float
    mean_other_trip_km: float
    #: share of trips that stay inside their zone
    intrazonal_share: float
    #: work_destinations[h, w]: share of the work trips from home zone h that go to zone w
    work_destinations: NDArray[np.float64]


def chain_expectations(
    demand: DemandConfig,
    *,
    home_weight: NDArray[np.float64],
    mass: NDArray[np.float64],
    time_s: NDArray[np.float64],
    dist_km: NDArray[np.float64],
    intrazonal: IntrazonalTrips | None,
) -> ChainExpectations:
    """Expected trips and km per car and day of the chain model.

    Parameters
    ----------
    demand
        Chain shares and gravity parameters.
    home_weight
        Resident cars per zone (any scale).
    mass, time_s, dist_km, intrazonal
        Destination mass, zone travel times and distances, and the trips inside zones, as
        the chain generator gets them.
    """
    x = np.asarray(home_weight, dtype=np.float64)
    x = x / x.sum()
    beta = {
        "W": demand.work_gravity_beta_per_min or demand.gravity_beta_per_min,
        "O": demand.gravity_beta_per_min,
    }
    step, leg_km = {}, {}
    for stop, b in beta.items():
        table = intrazonal.table(b) if intrazonal is not None else None
        cdf = gravity_cdf(
            mass, time_s, beta_per_min=b, self_weight=table.self_weight if table else None
        )
        step[stop] = np.diff(cdf, axis=1, prepend=0.0)
        km = np.array(dist_km, dtype=np.float64, copy=True)
        if table is not None:
            idx = np.flatnonzero(table.known)
            km[idx, idx] = table.mean_km[idx]
        leg_km[stop] = km
    trips = km_total = intra = 0.0
    by_purpose = {"W": [0.0, 0.0], "O": [0.0, 0.0]}  # [trips, km]
    for chain in CHAIN_TYPES:
        share = demand.chain_shares.get(chain, 0.0)
        if share <= 0:
            continue
        joint = np.diag(x)  # joint[h, c]: home h, now at c
        previous = None
        for stop in (*CHAIN_STOPS[chain], "H"):
            if stop == "H":  # back home from wherever the car is
                leg = float((joint * leg_km[previous].T).sum())
                stay = float(np.trace(joint))
                joint = np.diag(joint.sum(axis=1))
            else:
                at = joint.sum(axis=0)
                leg = float(at @ (step[stop] * leg_km[stop]).sum(axis=1))
                stay = float(at @ np.diag(step[stop]))
                joint = joint @ step[stop]
                by_purpose[stop][0] += share
                by_purpose[stop][1] += share * leg
            previous = stop if stop != "H" else previous
            trips += share
            km_total += share * leg
            intra += share * stay
    used = sum(demand.chain_shares.values())
    return ChainExpectations(
        trips_per_car_day=trips,
        trips_per_used_car_day=trips / used if used > 0 else 0.0,
        km_per_car_day=km_total,
        mean_trip_km=km_total / trips if trips else 0.0,
        mean_work_trip_km=_ratio(by_purpose["W"]),
        mean_other_trip_km=_ratio(by_purpose["O"]),
        intrazonal_share=intra / trips if trips else 0.0,
        work_destinations=step["W"],
    )


def _ratio(pair: list[float]) -> float:
    return pair[1] / pair[0] if pair[0] else 0.0
