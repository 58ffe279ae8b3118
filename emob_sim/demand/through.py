"""Through traffic: electric cars crossing the region along corridors, one trip each.

Model
-----
For each corridor ``(a, b, vehicles_per_day)`` of ``demand.corridors`` and each simulated
day, ``vehicles_per_day * ev_share / 2`` electric cars drive ``a -> b`` and as many
``b -> a`` in expectation, where ``ev_share`` is ``demand.through_ev_share`` or, when that is
None, ``fleet.ev_share``. Each direction's expectation is rounded stochastically
(:func:`emob_sim.demand.fleet.stochastic_round`). Every car is its own non-resident vehicle
(``resident`` and ``home_charging`` False, ``home_zone`` = its origin zone) with a type drawn
by share, an initial state of charge ~ Uniform[``through_initial_soc_min``,
``through_initial_soc_max``] and one trip (purpose ``"through"``, ``last_of_day`` True)
departing uniformly between ``demand.through_departure_start_h`` and ``through_departure_end_h``
of its day.

Corridor ends are matched against ``zones.zone_id``. Each corridor draws from its own child
stream, so changing one corridor's volume does not change the others.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from emob_sim.config.models import Scenario
from emob_sim.demand.chains import DAY_S, PURPOSES
from emob_sim.demand.fleet import TypeArrays, draw_types, stochastic_round
from emob_sim.errors import ConfigError
from emob_sim.seeds import children

__all__ = [
    "corridor_zone_indices",
    "generate_through",
]

logger = logging.getLogger(__name__)


def corridor_zone_indices(
    scenario: Scenario, zones: pd.DataFrame, *, zones_file: str | Path | None = None
) -> NDArray[np.int64]:
    """Zone indices of the corridor ends, shape (n_corridors, 2) for (a, b).

    Raises
    ------
    ConfigError
        A corridor names a zone that is not a ``zone_id`` of ``zones``.
    """
    index = {str(z): i for i, z in enumerate(zones["zone_id"].to_numpy())}
    if zones_file is None:
        zones_file = scenario.zones.file
    where = str(zones_file) if zones_file is not None else "the zones table"
    ends = np.empty((len(scenario.demand.corridors), 2), dtype=np.int64)
    for k, corridor in enumerate(scenario.demand.corridors):
        for j, key in enumerate(("a", "b")):
            name = getattr(corridor, key)
            if name not in index:
                raise ConfigError(
                    f"demand.corridors[{k}].{key}: zone {name!r} not found; "
                    f"expected one of the zone_ids in {where}"
                )
            ends[k, j] = index[name]
    return ends


def generate_through(
    scenario: Scenario,
    *,
    ends: NDArray[np.int64],
    types: TypeArrays,
    seed_seq: np.random.SeedSequence,
) -> tuple[dict[str, NDArray], dict[str, NDArray]]:
    """Draw the through vehicles and their trips.

    Parameters
    ----------
    scenario
        Uses ``demand.corridors``, the through shares and SoC range and ``time.days``.
    ends
        Corridor end zone indices from :func:`corridor_zone_indices`.
    types
        The vehicle catalogue as arrays.
    seed_seq
        The through stream; corridor ``k`` uses its child ``k`` (:func:`emob_sim.seeds.children`).

    Returns
    -------
    vehicles, trips
        ``vehicles``: arrays ``type_idx``, ``home_zone``, ``initial_soc`` (one per through
        vehicle, numbered from 0). ``trips``: the chain-style trip arrays of
        :func:`emob_sim.demand.chains.generate_chains` with ``vehicle`` indexing ``vehicles``.
    """
    demand = scenario.demand
    ev_share = demand.through_ev_share
    if ev_share is None:
        ev_share = scenario.fleet.ev_share
    days = scenario.time.days
    day_of, origin, dest, depart = [], [], [], []
    type_idx, soc = [], []
    for k, (corridor, corridor_ss) in enumerate(
        zip(demand.corridors, children(seed_seq, len(demand.corridors)), strict=True)
    ):
        rng = np.random.Generator(np.random.PCG64(corridor_ss))
        per_direction = corridor.vehicles_per_day * ev_share / 2.0
        counts = stochastic_round(np.full((days, 2), per_direction), rng)  # (day, direction)
        n = int(counts.sum())
        a, b = ends[k]
        per_cell = counts.ravel()  # day 0 a->b, day 0 b->a, day 1 a->b, ...
        dirs = np.repeat(np.tile([0, 1], days), per_cell)
        day_of.append(np.repeat(np.repeat(np.arange(days, dtype=np.int64), 2), per_cell))
        origin.append(np.where(dirs == 0, a, b).astype(np.int64))
        dest.append(np.where(dirs == 0, b, a).astype(np.int64))
        depart.append(
            rng.uniform(
                demand.through_departure_start_h * 3600.0,
                demand.through_departure_end_h * 3600.0,
                n,
            )
        )
        type_idx.append(draw_types(types.share, n, rng))
        soc.append(rng.uniform(demand.through_initial_soc_min, demand.through_initial_soc_max, n))

    def cat(parts: list[NDArray], dtype: type) -> NDArray:
        return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype=dtype)

    day_arr = cat(day_of, np.int64)
    origin_arr = cat(origin, np.int64)
    n_total = day_arr.shape[0]
    vehicles = {
        "type_idx": cat(type_idx, np.int64),
        "home_zone": origin_arr,
        "initial_soc": cat(soc, np.float64),
    }
    trips = {
        "vehicle": np.arange(n_total, dtype=np.int64),
        "day": day_arr,
        "seq": np.zeros(n_total, dtype=np.int64),
        "origin": origin_arr,
        "dest": cat(dest, np.int64),
        "depart_s": day_arr * DAY_S + cat(depart, np.float64),
        "purpose_code": np.full(n_total, PURPOSES.index("through"), dtype=np.int64),
        "last_of_day": np.ones(n_total, dtype=bool),
    }
    logger.debug("demand: %d through vehicles on %d corridors", n_total, len(demand.corridors))
    return vehicles, trips
