"""The simulation: bulk settlement by kernels plus SimPy processes for the vehicles that charge.

1. :func:`~emob_sim.kernels.chain_energy` walks every vehicle's trips assuming no public
   charging (home charging between days included) and finds the first trip after which the
   state of charge would fall below ``comfort_soc``; a vehicle's first trip to a site point
   (where it queues and charges on arrival, see :mod:`emob_sim.sim.fleet`) is a need of public
   charging too, if earlier, and so is its first plug-in opportunity where it parks (the
   kernel's ``first_plug``: a trip ending in a zone with public AC sites after which the
   decision rule :func:`~emob_sim.kernels.wants_to_plug` says "plug in", at a destination or
   overnight).
2. Vehicles that never get there are settled in bulk from the kernel's arrays (their trips
   complete on time: ``arrive_s = depart_s + duration_s`` unless their own chain overlaps);
   their depart/arrive/home_charge events are built vectorised.
3. The other vehicles (or all with ``simulation.all_vehicles_in_simpy``) run as SimPy processes
   (:mod:`emob_sim.sim.fleet`) from that first trip (from their first trip in the all-SimPy
   mode); their earlier trips are settled in bulk like the others'. Nothing before a
   vehicle's first need of public charging interacts with anyone, so both modes give
   identical results. Each process is started when it first looks at a queue, so the
   processes that have not started yet do not crowd SimPy's event heap.
4. The load profile re-integrates every session's charging curve into bins
   (:func:`~emob_sim.kernels.load_profile`).

The model draws no random numbers: given the demand, the outcome is deterministic (the seed
sequence is accepted for the common stage signature and future use).

Assumptions
-----------
- No charging losses (ASSUMPTION): a session delivers ``battery_kwh * (soc_end - soc_start)``
  and the load profile integrates to exactly that.
- Public charging always stops at ``target_soc``; drivers see the current queue at every site
  when they choose one; the expected session length at a site is the mean of the sessions
  ended there so far (30 min before the first one).
- Home charging (home-charging vehicles, after a trip with ``last_of_day``) lasts from the
  arrival until the next planned departure, or until the end of the horizon after the final
  trip; it is not part of the site load profiles.
- A stranded car is recovered overnight (see :mod:`emob_sim.sim.fleet`); the energy this adds
  is reported per vehicle in :class:`VehicleLedger` (``rescue_kwh``).
- The whole run continues past the horizon until every trip is completed or stranded; the load
  profile is extended to cover the last session.
"""

from __future__ import annotations

import gc
import logging
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
import simpy
from numpy.typing import NDArray

from emob_sim.config.models import Scenario
from emob_sim.demand.tables import Demand
from emob_sim.kernels import (
    chain_energy,
    load_profile,
    make_curves,
    make_profile_sessions,
    stable_argsort,
)
from emob_sim.region import Region
from emob_sim.sim.fleet import (
    ABANDON_FIELDS,
    ARRIVE,
    DEPART,
    EVENT_FIELDS,
    EVENT_NAMES,
    HOME,
    LOCATIONS,
    SESSION_FIELDS,
    TRIP_STATUS,
    Fleet,
    Ledger,
)
from emob_sim.sim.inputs import SimInputs, n_bins_for, prepare_inputs
from emob_sim.sim.outputs import (
    ABANDON_COLUMNS,
    EVENT_COLUMNS,
    SESSION_COLUMNS,
    TRIP_RESULT_COLUMNS,
    SimResult,
)

__all__ = ["simulate", "simulate_detailed", "VehicleLedger"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class VehicleLedger:
    """Per-vehicle energy accounts (index = vehicle_id), for balances and checks.

    ``initial_soc * battery + home_kwh + public charging - energy used + rescue_kwh
    == final_soc * battery``; ``rescue_kwh`` is what the overnight recovery of stranded cars
    added; ``in_simpy`` tells which vehicles ran as SimPy processes.
    """

    final_soc: NDArray[np.float64]
    home_kwh: NDArray[np.float64]
    rescue_kwh: NDArray[np.float64]
    in_simpy: NDArray[np.bool_]


def simulate(
    scenario: Scenario, region: Region, demand: Demand, seed_seq: np.random.SeedSequence
) -> SimResult:
    """Simulate one scenario: trips, public charging sessions, queues, load profiles.

    Parameters
    ----------
    scenario
        Uses ``charging`` (behaviour, home charging), ``time`` (days, profile step) and
        ``simulation.all_vehicles_in_simpy``.
    region
        Sites and travel matrices over points (zones then sites).
    demand
        Vehicles and their trips.
    seed_seq
        The run's seed sequence (the model itself draws nothing; see the module docstring).

    Returns
    -------
    SimResult
        See :mod:`emob_sim.sim.outputs`.

    Raises
    ------
    DataError
        Inconsistent input tables (see :func:`emob_sim.sim.inputs.prepare_inputs`).
    TypeError
        ``seed_seq`` is not a SeedSequence.
    """
    return simulate_detailed(scenario, region, demand, seed_seq)[0]


def simulate_detailed(
    scenario: Scenario, region: Region, demand: Demand, seed_seq: np.random.SeedSequence
) -> tuple[SimResult, VehicleLedger]:
    """Like :func:`simulate`, also returning the per-vehicle :class:`VehicleLedger`.

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario.
    region : Region
        The built region.
    demand : Demand
        The electric cars and their trips.
    seed_seq : numpy.random.SeedSequence
        The run's ``sim`` stream.

    Returns
    -------
    tuple[SimResult, VehicleLedger]
        The simulation's outcome, and each vehicle's energy account.
    """
    if not isinstance(seed_seq, np.random.SeedSequence):
        raise TypeError(
            f"seed_seq: expected a numpy.random.SeedSequence, got {type(seed_seq).__name__}"
        )
    inp = prepare_inputs(scenario, region, demand)
    with _cyclic_gc_paused():
        return _simulate(scenario, inp)


def _simulate(scenario: Scenario, inp: SimInputs) -> tuple[SimResult, VehicleLedger]:
    out = chain_energy(*inp.chain_energy_args())
    dep, arr, soc_before, soc_after, soc_home, home_end, first_need, final_soc, first_plug = out
    # a trip to a site point queues at that site on arrival, a trip after which the car plugs
    # in where it parks looks at that zone's plugs: the process starts there at the latest
    # (the kernel's arrays after it are not used)
    for first in (inp.first_site_trip(), first_plug):
        earlier = (first >= 0) & ((first_need < 0) | (first < first_need))
        first_need = np.where(earlier, first, first_need)
    in_simpy = first_need >= 0
    # trips before a vehicle's first need of public charging are settled in bulk (nothing
    # before it interacts with anyone); its SimPy process starts at that trip
    first_simpy = np.where(in_simpy, first_need, inp.trip_ptr[1:])
    if scenario.simulation.all_vehicles_in_simpy:
        in_simpy[:] = True
        first_simpy = inp.trip_ptr[:-1].copy()
    bulk_trip = np.arange(inp.n_trips) < first_simpy[inp.trip_vehicle]

    ledger = Ledger(inp.n_vehicles, inp.n_trips)
    ledger.arrive_s[bulk_trip] = arr[bulk_trip]
    ledger.km[bulk_trip] = inp.distance_km[bulk_trip]
    ledger.used_kwh[bulk_trip] = inp.trip_kwh[bulk_trip]
    home_gain_kwh = (soc_home - soc_after) * inp.battery_kwh[inp.trip_vehicle]
    ledger.home_kwh[:] = np.bincount(
        inp.trip_vehicle[bulk_trip], weights=home_gain_kwh[bulk_trip], minlength=inp.n_vehicles
    )
    ledger.final_soc[:] = final_soc

    simpy_vehicles = np.flatnonzero(in_simpy)
    log.info(
        "simulating %d vehicles (%d as SimPy processes), %d trips, %d sites",
        inp.n_vehicles,
        simpy_vehicles.size,
        inp.n_trips,
        inp.n_sites,
    )
    if simpy_vehicles.size:
        _run_processes(inp, ledger, simpy_vehicles, first_simpy, first_need, dep, soc_home, arr)

    bulk_events = _bulk_events(inp, bulk_trip, dep, arr, soc_before, soc_after, soc_home, home_end)
    sessions = _sessions_table(inp, ledger)
    bin_s = inp.bin_s
    last_end = float(sessions["end_s"].max()) if len(sessions) else 0.0
    n_bins = n_bins_for(inp.horizon_s, last_end, bin_s)
    result = SimResult(
        trips=_trips_table(inp, ledger),
        sessions=sessions,
        abandoned=_abandoned_table(inp, ledger),
        events=_events_table(ledger, bulk_events),
        home_energy_kwh=float(ledger.home_kwh.sum()),
        load_kw=_load(inp, sessions, n_bins),
        bin_s=bin_s,
        rescue_energy_kwh=float(ledger.rescue_kwh.sum()),
    )
    vehicles = VehicleLedger(
        final_soc=ledger.final_soc,
        home_kwh=ledger.home_kwh,
        rescue_kwh=ledger.rescue_kwh,
        in_simpy=in_simpy,
    )
    return result, vehicles


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (restored afterwards).

    The processes append millions of event rows that the collector would traverse again and
    again while they accumulate (and once more when it resumes); pausing it halves the run
    time of large simulations. SimPy breaks its own reference cycles once events are
    processed, so little cyclic garbage builds up meanwhile.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run_processes(
    inp: SimInputs,
    ledger: Ledger,
    simpy_vehicles: NDArray[np.int64],
    first_simpy: NDArray[np.int64],
    first_need: NDArray[np.int64],
    dep: NDArray[np.float64],
    soc_home: NDArray[np.float64],
    arr: NDArray[np.float64],
) -> None:
    """Run the SimPy processes of ``simpy_vehicles``, each from its trip ``first_simpy[v]``.

    A process is started when its vehicle first looks at a queue, at the departure
    ``dep[first_need[v]]`` of its first trip that needs public charging or goes to a site
    (vehicles without such a trip, all-SimPy mode only: at their first departure): nothing
    before it touches the SimPy clock, and processes that
    have not started yet wait in a sorted array instead of SimPy's event heap, which keeps
    the heap small in long runs. Both modes start every process at the same moment, so they
    process ties alike.
    """
    env = simpy.Environment()
    fleet = Fleet(env, inp, ledger)
    k0 = first_simpy[simpy_vehicles]
    started = k0 > inp.trip_ptr[simpy_vehicles]  # after bulk-settled trips
    prev = np.maximum(k0 - 1, 0)
    soc0 = np.where(started, soc_home[prev], inp.initial_soc[simpy_vehicles])
    t0 = np.where(started, arr[prev], 0.0)
    need = first_need[simpy_vehicles]
    first_look = np.where(need >= 0, need, k0)
    has_trip = first_look < inp.trip_ptr[simpy_vehicles + 1]
    t_start = np.zeros(simpy_vehicles.size)
    t_start[has_trip] = dep[first_look[has_trip]]
    order = np.lexsort((simpy_vehicles, t_start))
    starts = zip(*(a[order].tolist() for a in (t_start, simpy_vehicles, k0, soc0, t0)))
    env.process(_start_processes(env, fleet, starts))
    env.run()


def _start_processes(env: simpy.Environment, fleet: Fleet, starts: Iterator[tuple]):
    """Start each vehicle process ``(start time, vehicle, trip, soc, ready time)`` in turn."""
    for t, v, k, soc, t_ready in starts:
        if t > env.now:
            yield env.timeout(t - env.now)
        env.process(fleet.vehicle(v, k, soc, t_ready))


def _bulk_events(
    inp: SimInputs,
    bulk_trip: NDArray[np.bool_],
    dep: NDArray[np.float64],
    arr: NDArray[np.float64],
    soc_before: NDArray[np.float64],
    soc_after: NDArray[np.float64],
    soc_home: NDArray[np.float64],
    home_end: NDArray[np.float64],
) -> dict[str, NDArray]:
    """Depart, arrive and home_charge events of the bulk-settled trips, as columns."""
    k = np.flatnonzero(bulk_trip)
    h = k[soc_home[k] > soc_after[k]]
    veh = inp.trip_vehicle
    return {
        "time_s": np.concatenate([dep[k], arr[k], home_end[h]]),
        "vehicle_id": np.concatenate([veh[k], veh[k], veh[h]]),
        "trip_id": np.concatenate([k, k, np.full(h.size, -1, dtype=np.int64)]),
        "code": np.concatenate(
            [np.full(k.size, DEPART), np.full(k.size, ARRIVE), np.full(h.size, HOME)]
        ),
        "site_idx": np.full(2 * k.size + h.size, -1, dtype=np.int64),
        "soc": np.concatenate([soc_before[k], soc_after[k], soc_home[h]]),
        # order within a vehicle: depart, arrive, home charge of trip 0, then trip 1, ...
        "seq": np.concatenate([3 * k, 3 * k + 1, 3 * h + 2]),
    }


def _events_table(ledger: Ledger, bulk: dict[str, NDArray]) -> pd.DataFrame:
    """All events sorted by (time_s, vehicle_id, production order of that vehicle)."""
    logged = _record_columns(_record_rows(ledger.events, len(EVENT_FIELDS)), EVENT_FIELDS)
    col = {name: np.concatenate([bulk[name], logged[name]]) for name in EVENT_FIELDS}
    # a vehicle's SimPy events follow its bulk-settled ones (earlier trips) at equal times
    first = int(bulk["seq"].max()) + 1 if bulk["seq"].size else 0
    n_logged = logged["time_s"].size
    seq = np.concatenate([bulk["seq"], first + np.arange(n_logged, dtype=np.int64)])
    order = _time_order(col["time_s"], col["vehicle_id"], seq)
    out = {name: values[order] for name, values in col.items()}
    # categorical from the codes: no string per row (Parquet stores a dictionary)
    out["event"] = pd.Categorical.from_codes(out.pop("code"), categories=EVENT_NAMES.tolist())
    return pd.DataFrame(out, columns=EVENT_COLUMNS, copy=False)


def _record_rows(records: array, n_fields: int) -> NDArray[np.float64]:
    """A flat array of records (Ledger) as rows, without a copy."""
    return np.frombuffer(records, dtype=np.float64).reshape(-1, n_fields)


#: record fields that hold integers (the others are floats)
_INT_FIELDS = frozenset({"vehicle_id", "trip_id", "code", "site_idx"})


def _record_columns(rows: NDArray[np.float64], fields: tuple[str, ...]) -> dict[str, NDArray]:
    """Columns of record rows, as int64 for the :data:`_INT_FIELDS`, else float64."""
    return {
        name: rows[:, i].astype(np.int64) if name in _INT_FIELDS else rows[:, i].copy()
        for i, name in enumerate(fields)
    }


def _time_order(
    time_s: NDArray[np.float64], vehicle: NDArray[np.int64], seq: NDArray[np.int64]
) -> NDArray[np.int64]:
    """The permutation sorting rows by (time_s, vehicle, seq); (vehicle, seq) pairs are unique.

    Equal times are rare, so the rows are sorted by time alone (radix sort,
    :func:`~emob_sim.kernels.stable_argsort`) and only the runs of equal times are sorted again
    by all three keys: the same order as ``np.lexsort`` on the three keys, several times faster
    on millions of rows.
    """
    order = stable_argsort(time_s)
    t = time_s[order]
    tie = t[1:] == t[:-1]
    if tie.any():
        in_run = np.zeros(t.size, dtype=np.bool_)
        in_run[1:] |= tie
        in_run[:-1] |= tie
        pos = np.flatnonzero(in_run)
        rows = order[pos]
        order[pos] = rows[np.lexsort((seq[rows], vehicle[rows], time_s[rows]))]
    return order


def _trips_table(inp: SimInputs, ledger: Ledger) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "trip_id": np.arange(inp.n_trips, dtype=np.int64),
            "vehicle_id": inp.trip_vehicle,
            "status": pd.Categorical.from_codes(ledger.status, categories=TRIP_STATUS),
            "arrive_s": ledger.arrive_s,
            "km_driven": ledger.km,
            "energy_used_kwh": ledger.used_kwh,
            "public_charges": ledger.charges,
        },
        columns=TRIP_RESULT_COLUMNS,
        copy=False,
    )


def _sessions_table(inp: SimInputs, ledger: Ledger) -> pd.DataFrame:
    cols = _record_columns(_record_rows(ledger.sessions, len(SESSION_FIELDS)), SESSION_FIELDS)
    df = pd.DataFrame(cols, copy=False)
    df = df.sort_values(["start_s", "vehicle_id"], kind="stable").reset_index(drop=True)
    df.insert(0, "session_id", np.arange(len(df), dtype=np.int64))
    df.insert(4, "site_id", inp.site_ids[df["site_idx"].to_numpy()].astype(str))
    df["wait_s"] = df["start_s"] - df["arrive_s"]
    df["location"] = pd.Categorical.from_codes(
        df["location"].to_numpy(np.int64), categories=LOCATIONS
    )
    return df[SESSION_COLUMNS]


def _abandoned_table(inp: SimInputs, ledger: Ledger) -> pd.DataFrame:
    cols = _record_columns(_record_rows(ledger.abandons, len(ABANDON_FIELDS)), ABANDON_FIELDS)
    df = pd.DataFrame(cols, copy=False)
    df = df.sort_values(["arrive_s", "vehicle_id"], kind="stable").reset_index(drop=True)
    df.insert(3, "site_id", inp.site_ids[df["site_idx"].to_numpy()].astype(str))
    df["wait_s"] = df["leave_s"] - df["arrive_s"]
    return df[ABANDON_COLUMNS]


def _load(inp: SimInputs, sessions: pd.DataFrame, n_bins: int) -> NDArray[np.float64]:
    v = sessions["vehicle_id"].to_numpy()
    s = sessions["site_idx"].to_numpy()
    rows = make_profile_sessions(
        site_idx=s,
        start_s=sessions["start_s"].to_numpy(np.float64),
        end_s=sessions["end_s"].to_numpy(np.float64),
        soc_start=sessions["soc_start"].to_numpy(np.float64),
        soc_end=sessions["soc_end"].to_numpy(np.float64),
        battery_kwh=inp.battery_kwh[v],
        type_idx=inp.type_idx[v],
        max_dc_kw=inp.max_dc_kw[v],
        max_ac_kw=inp.max_ac_kw[v],
        plug_kw=inp.site_plug_kw[s],
        is_dc=inp.site_is_dc[s],
    )
    curves = make_curves(curve_soc=inp.curve_soc, curve_frac=inp.curve_frac)
    return load_profile(rows, curves, inp.n_sites, n_bins, inp.bin_s)
