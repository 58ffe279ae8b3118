"""Daily trip chains of resident cars, drawn vectorised per day and chain type.

Model
-----
*Chain choice.* Every day ``d in range(time.days)`` each resident car independently drives
one chain with probability ``demand.chain_shares[c]``, ``c`` in :data:`CHAIN_TYPES`
(H home, W work, O other); with the remaining probability it stays at home that day. Every
day is a weekday.

*Destinations* follow a gravity model,
``P(dest | origin) ∝ mass[dest] * exp(-beta * time_min[origin, dest])``,
with ``mass`` = population for zones of kind ``"zone"``, population times
``external_attraction`` for kind ``"external"`` and 0 for gateways
(:func:`destination_mass`); ``beta`` is ``work_gravity_beta_per_min`` for work and
``gravity_beta_per_min`` for other activities. A stop is drawn from the previous location
(the O of HWOH from the work zone, the second O of HOOH from the first O); an H stop (the
two-tour chains HWHOH and HOHOH) is the home zone. The own zone is a possible destination.
An origin from which no zone has a positive weight stays in its own zone. Draws are
vectorised with one ``searchsorted`` over the row-offset CDF matrix
(:func:`draw_destinations`).

*Trips inside a zone* (origin = destination): the zone is a disc of its area, its weight
in destination choice is its mass times the mean deterrence over the disc, and the trip's
length is drawn from the disc distances tilted by the deterrence of the activity it goes to
(or, going home, comes from): see :mod:`emob_sim.demand.intrazonal`. Zones of unknown area
keep the matrix diagonal. Every other trip has the network distance and time of the
region's matrices.

*Times* (hours from the scenario, converted to seconds of the day):

- first departure ~ Normal(``work_departure_mean_h``, ``work_departure_sd_h``) when the
  first stop is W, else Normal(``other_departure_mean_h``, ``other_departure_sd_h``),
  clipped to [00:00, 23:59];
- dwell at W ~ Normal(``work_duration_mean_h``, ``work_duration_sd_h``), at least
  ``min_work_duration_h``; dwell at O ~ Exponential(``other_dwell_mean_h``) and at H (between
  two tours) ~ Exponential(``home_dwell_mean_h``), at least ``min_other_dwell_min``;
- each later leg departs at the previous departure + the network travel time + the dwell,
  so every trip departs after the previous one arrives.

*Fitting into the day* (:func:`fit_into_day`): the car must be home by 23:59
(:data:`DAY_END_S`) of the same day. A chain that ends later is repaired in this order:
(1) dwells are shortened proportionally towards their minima, (2) the first departure moves
earlier (not before 00:00), (3) dwells are shortened below their minima, proportionally
towards zero. A chain whose travel time alone exceeds the day is dropped (the car stays at
home) with a warning; this happens only with broken travel matrices.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.config.models import DemandConfig
from emob_sim.demand.intrazonal import IntrazonalTrips
from emob_sim.seeds import children

__all__ = [
    "CHAIN_STOPS",
    "CHAIN_TYPES",
    "PURPOSES",
    "DAY_S",
    "DAY_END_S",
    "destination_mass",
    "gravity_cdf",
    "draw_destinations",
    "fit_into_day",
    "generate_chains",
]

logger = logging.getLogger(__name__)

#: activity stops between leaving home and returning home, per chain type
CHAIN_STOPS: dict[str, tuple[str, ...]] = {
    "HWH": ("W",),
    "HWOH": ("W", "O"),
    "HOH": ("O",),
    "HOOH": ("O", "O"),
    "HWHOH": ("W", "H", "O"),  # two tours: home between them
    "HOHOH": ("O", "H", "O"),
}
#: chain types in the fixed order in which they are drawn (independent of the YAML order)
CHAIN_TYPES: tuple[str, ...] = tuple(CHAIN_STOPS)
#: trip purposes; trip arrays carry the index into this tuple in ``purpose_code``
PURPOSES: tuple[str, ...] = ("work", "other", "home", "through")
_HOME = PURPOSES.index("home")
_PURPOSE_OF_STOP = {"W": PURPOSES.index("work"), "O": PURPOSES.index("other"), "H": _HOME}

DAY_S = 86_400.0
#: latest arrival at home: 23:59 of the same day
DAY_END_S = 23 * 3600.0 + 59 * 60.0


def destination_mass(zones: pd.DataFrame, *, external_attraction: float) -> NDArray[np.float64]:
    """Attraction mass of each zone: population, times ``external_attraction`` for externals.

    Gateways (and any other kind) have mass 0; a missing population counts as 0.
    """
    population = np.nan_to_num(zones["population"].to_numpy(dtype=np.float64), nan=0.0)
    population = np.maximum(population, 0.0)
    kind = zones["kind"].to_numpy()
    factor = np.where(kind == "zone", 1.0, np.where(kind == "external", external_attraction, 0.0))
    return population * factor


def gravity_cdf(
    mass: NDArray[np.float64],
    time_s: NDArray[np.float64],
    *,
    beta_per_min: float,
    self_weight: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Row-wise cumulative destination probabilities of the gravity model.

    Parameters
    ----------
    mass
        Attraction of each zone (length n).
    time_s
        Zone-to-zone travel times (n, n); non-finite entries get weight 0.
    beta_per_min
        Deterrence: weights fall by ``exp(-beta_per_min * minutes)``.
    self_weight
        Deterrence of each zone's own destinations (its mean over the zone,
        :attr:`emob_sim.demand.intrazonal.IntrazonalTable.self_weight`), used on the diagonal
        where finite instead of ``exp(-beta * time_s[z, z])``.

    Returns
    -------
    numpy.ndarray
        (n, n) CDF; row ``o`` ends with exactly 1. Rows without any positive weight put all
        probability on the origin itself.
    """
    time_min = np.asarray(time_s, dtype=np.float64) / 60.0
    usable = np.isfinite(time_min) & (mass[None, :] > 0)
    # the exponent of each weight's deterrence; the row's largest is subtracted before
    # exponentiating so that remote rows do not underflow
    expo = np.where(usable, -beta_per_min * time_min, -np.inf)
    if self_weight is not None:
        own = np.isfinite(self_weight) & (self_weight > 0) & (mass > 0)
        idx = np.flatnonzero(own)
        expo[idx, idx] = np.log(self_weight[idx])
        usable[idx, idx] = True
    row_max = np.max(expo, axis=1, keepdims=True)
    row_max = np.where(np.isfinite(row_max), row_max, 0.0)
    with np.errstate(invalid="ignore", over="ignore"):
        weight = np.where(usable, mass[None, :] * np.exp(expo - row_max), 0.0)
    total = weight.sum(axis=1)
    empty = total <= 0
    if empty.any():
        idx = np.flatnonzero(empty)
        weight[idx, idx] = 1.0
        total[idx] = 1.0
    cdf = np.cumsum(weight / total[:, None], axis=1)
    cdf[:, -1] = 1.0
    return cdf


def draw_destinations(
    cdf: NDArray[np.float64], origins: NDArray[np.int64], u: NDArray[np.float64]
) -> NDArray[np.int64]:
    """Draw one destination per origin by inverting its CDF row with the uniform ``u``.

    The rows are stacked with an offset (row ``o`` holds ``o + cdf[o]``), so a single
    ``searchsorted`` of ``origin + u`` serves all origins at once.

    Parameters
    ----------
    cdf
        (n, n) CDF from :func:`gravity_cdf`.
    origins
        Origin zone index of each draw.
    u
        Uniforms in [0, 1), one per origin.
    """
    n = cdf.shape[0]
    offsets = np.arange(n, dtype=np.float64)[:, None]
    flat = (cdf + offsets).ravel()
    origins = np.asarray(origins, dtype=np.int64)
    pos = np.searchsorted(flat, origins + u, side="right")
    # guard the row end against rounding (o + u may round up to o + 1)
    pos = np.minimum(pos, origins * n + n - 1)
    return (pos - origins * n).astype(np.int64)


def fit_into_day(
    t0_s: NDArray[np.float64],
    travel_s: NDArray[np.float64],
    dwell_s: NDArray[np.float64],
    min_dwell_s: NDArray[np.float64],
    *,
    day_end_s: float = DAY_END_S,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Shorten dwells and move departures so that chains end by ``day_end_s``.

    Parameters
    ----------
    t0_s
        First departure, seconds of the day (m,).
    travel_s
        Travel time of each leg (m, L).
    dwell_s
        Dwell at each stop (m, L - 1).
    min_dwell_s
        Minimum dwell per stop position (L - 1,); dwells above it are shortened first.
    day_end_s
        Latest arrival of the last leg.

    Returns
    -------
    t0_s, dwell_s, fits
        Repaired departures and dwells, and whether the chain fits at all (travel alone
        not longer than ``day_end_s``).
    """
    t0 = np.asarray(t0_s, dtype=np.float64).copy()
    dwell = np.asarray(dwell_s, dtype=np.float64).copy()
    excess = t0 + travel_s.sum(axis=1) + dwell.sum(axis=1) - day_end_s

    def shrink(part: NDArray[np.float64], excess: NDArray[np.float64]) -> NDArray[np.float64]:
        """Remove up to ``excess`` from ``part`` proportionally; return the amount removed."""
        part_sum = part.sum(axis=1)
        cut = np.clip(excess, 0.0, part_sum)
        frac = np.divide(cut, part_sum, out=np.zeros_like(cut), where=part_sum > 0)
        part *= frac[:, None]
        return cut

    slack = np.maximum(dwell - min_dwell_s[None, :], 0.0)  # (1) dwell above the minima
    removed = slack.copy()
    cut = shrink(removed, excess)
    dwell -= removed
    excess -= cut
    shift = np.clip(excess, 0.0, t0)  # (2) leave earlier
    t0 -= shift
    excess -= shift
    removed = dwell.copy()  # (3) below the minima
    cut = shrink(removed, excess)
    dwell = np.maximum(dwell - removed, 0.0)
    excess -= cut
    fits = excess <= 1e-6
    return t0, dwell, fits


def _draw_inside(
    inside: dict,
    intrazonal: IntrazonalTrips,
    stops: tuple[str, ...],
    origin,
    dest,
    km,
    travel_s,
    rng: np.random.Generator,
) -> None:
    """Replace, in place, the length and time of the legs inside a zone of known area by drawn
    ones: a leg to an activity with that activity's decay, a leg home with the decay of the
    activity it comes from."""
    for j in range(origin.shape[1]):
        u = rng.random(origin.shape[0])
        goes_to = stops[j] if j < len(stops) else "H"
        table = inside[stops[j - 1] if goes_to == "H" else goes_to]
        zone = origin[:, j]
        rows = np.flatnonzero((zone == dest[:, j]) & table.known[zone])
        if rows.size:
            drawn = table.draw(zone[rows], u[rows])
            km[rows, j] = drawn
            travel_s[rows, j] = intrazonal.minutes(drawn) * 60.0


def _draw_times(
    demand: DemandConfig, stops: tuple[str, ...], m: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """First departure (m,), dwells (m, n_stops) and minimum dwells (n_stops,), in seconds."""
    h = 3600.0
    if stops[0] == "W":
        t0 = rng.normal(demand.work_departure_mean_h * h, demand.work_departure_sd_h * h, m)
    else:
        t0 = rng.normal(demand.other_departure_mean_h * h, demand.other_departure_sd_h * h, m)
    t0 = np.clip(t0, 0.0, DAY_END_S)
    dwell = np.empty((m, len(stops)), dtype=np.float64)
    min_dwell = np.empty(len(stops), dtype=np.float64)
    for j, stop in enumerate(stops):
        if stop == "W":
            draw = rng.normal(demand.work_duration_mean_h * h, demand.work_duration_sd_h * h, m)
            min_dwell[j] = demand.min_work_duration_h * h
        elif stop == "H":
            draw = rng.exponential(demand.home_dwell_mean_h * h, m)
            min_dwell[j] = demand.min_other_dwell_min * 60.0
        else:
            draw = rng.exponential(demand.other_dwell_mean_h * h, m)
            min_dwell[j] = demand.min_other_dwell_min * 60.0
        dwell[:, j] = np.maximum(draw, min_dwell[j])
    return t0, dwell, min_dwell


def _empty_trips() -> dict[str, list[NDArray]]:
    keys = (
        "vehicle",
        "day",
        "seq",
        "origin",
        "dest",
        "depart_s",
        "purpose_code",
        "last_of_day",
        "distance_km",
        "duration_s",
    )
    return {k: [] for k in keys}


def generate_chains(
    demand: DemandConfig,
    *,
    days: int,
    home_zone: NDArray[np.int64],
    mass: NDArray[np.float64],
    time_s: NDArray[np.float64],
    dist_km: NDArray[np.float64],
    seed_seq: np.random.SeedSequence,
    intrazonal: IntrazonalTrips | None = None,
) -> dict[str, NDArray]:
    """Draw the daily chains of all resident cars.

    Parameters
    ----------
    demand
        Chain shares, time-of-day distributions and the gravity parameters.
    days
        Number of simulated days.
    home_zone
        Home zone index of each resident car (car ``i`` is vehicle index ``i``).
    mass
        Destination mass per zone (:func:`destination_mass`).
    time_s, dist_km
        Zone blocks of the travel-time and distance matrices (n_zones, n_zones).
    seed_seq
        The chains stream; day ``d`` uses its child ``d`` (:func:`emob_sim.seeds.children`), so the
        chains of a day do not depend on how many days are simulated.
    intrazonal
        Zone radii and the floor and speed of trips inside a zone; None keeps the matrix
        diagonal for them.

    Returns
    -------
    dict
        Arrays ``vehicle``, ``day``, ``seq``, ``origin``, ``dest``, ``depart_s`` (absolute),
        ``purpose_code`` (index into :data:`PURPOSES`), ``last_of_day``, ``distance_km`` and
        ``duration_s``, one entry per trip, unsorted.
    """
    home_zone = np.asarray(home_zone, dtype=np.int64)
    beta = {
        "W": demand.work_gravity_beta_per_min or demand.gravity_beta_per_min,
        "O": demand.gravity_beta_per_min,
    }
    inside = {s: intrazonal.table(b) for s, b in beta.items()} if intrazonal else None
    cdf = {
        s: gravity_cdf(
            mass, time_s, beta_per_min=b, self_weight=inside[s].self_weight if inside else None
        )
        for s, b in beta.items()
    }
    cum_share = np.cumsum([demand.chain_shares.get(c, 0.0) for c in CHAIN_TYPES])
    out = _empty_trips()
    n_dropped = 0
    for day, day_ss in enumerate(children(seed_seq, days)):
        rng = np.random.Generator(np.random.PCG64(day_ss))
        choice = np.searchsorted(cum_share, rng.random(home_zone.shape[0]), side="right")
        for c, name in enumerate(CHAIN_TYPES):
            cars = np.flatnonzero(choice == c)
            m = cars.shape[0]
            if m == 0:
                continue
            stops = CHAIN_STOPS[name]
            home = home_zone[cars]
            locs = [home]
            for stop in stops:
                locs.append(
                    home if stop == "H" else draw_destinations(cdf[stop], locs[-1], rng.random(m))
                )
            locs.append(home)
            origin = np.stack(locs[:-1], axis=1)
            dest = np.stack(locs[1:], axis=1)
            travel = time_s[origin, dest]
            km = dist_km[origin, dest]
            if inside is not None:
                _draw_inside(inside, intrazonal, stops, origin, dest, km, travel, rng)
            t0, dwell, min_dwell = _draw_times(demand, stops, m, rng)
            t0, dwell, fits = fit_into_day(t0, travel, dwell, min_dwell)
            n_dropped += int(m - fits.sum())
            # absolute seconds, accumulated leg by leg so that each departure is at least the
            # previous departure + travel in floating point as well
            depart = np.empty_like(travel)
            depart[:, 0] = day * DAY_S + t0
            for j in range(1, travel.shape[1]):
                depart[:, j] = (depart[:, j - 1] + travel[:, j - 1]) + dwell[:, j - 1]
            n_legs = travel.shape[1]
            keep = np.flatnonzero(fits)
            purpose = np.array([_PURPOSE_OF_STOP[s] for s in stops] + [_HOME], dtype=np.int64)
            shape = (keep.shape[0], n_legs)
            out["vehicle"].append(np.repeat(cars[keep], n_legs))
            out["day"].append(np.full(keep.shape[0] * n_legs, day, dtype=np.int64))
            out["seq"].append(np.broadcast_to(np.arange(n_legs, dtype=np.int64), shape).ravel())
            out["origin"].append(origin[keep].ravel())
            out["dest"].append(dest[keep].ravel())
            out["depart_s"].append(depart[keep].ravel())
            out["distance_km"].append(km[keep].ravel())
            out["duration_s"].append(travel[keep].ravel())
            out["purpose_code"].append(np.broadcast_to(purpose, shape).ravel())
            out["last_of_day"].append(
                np.broadcast_to(np.arange(n_legs) == n_legs - 1, shape).ravel()
            )
    if n_dropped:
        logger.warning(
            "demand: %d daily chains dropped because their travel time alone exceeds the day "
            "(check the travel-time matrix)",
            n_dropped,
        )
    dtypes = {
        "depart_s": np.float64,
        "last_of_day": bool,
        "distance_km": np.float64,
        "duration_s": np.float64,
    }
    return {
        k: np.concatenate(v).astype(dtypes.get(k, np.int64))
        if v
        else np.empty(0, dtype=dtypes.get(k, np.int64))
        for k, v in out.items()
    }
