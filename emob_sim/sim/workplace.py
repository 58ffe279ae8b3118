"""Workplace charging at the industrial areas: who plugs in, when, for how long, needing what.

After the car simulation, each commuter's arrival at work (its ``work`` trip to its area's
zone, completed) is a visit of the area's workplace site from the arrival until the car's
next departure; so is each depot vehicle's return to the depot (its last trip of a day,
completed) until its next departure (the end of the horizon after its last trip). The plugs
are a SimPy resource (:class:`~emob_sim.sim.resources.Plugs`): a car takes a free plug on
arrival and keeps it until it leaves; when every plug is taken it parks without one (nobody
moves cars between plugs). A car needs
``battery * (energy.workplace_target_soc - soc on arrival)``; one that needs less than
``charging.min_charge_gain_kwh`` does not plug in. How much of the need each plugged car gets
is decided by the site's charging strategy (:mod:`emob_sim.sim.site_energy`).

ASSUMPTION: the energy a commuter charges at work does not change its later trips (they were
simulated before): its home charging and public charging are as without workplace charging.
Depot vehicles charge at the depot in the car simulation as cars do at home
(:mod:`emob_sim.demand.areas`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import simpy

from emob_sim.config.models import Scenario
from emob_sim.demand.tables import Demand
from emob_sim.region import Region
from emob_sim.sim.outputs import SimResult
from emob_sim.sim.resources import Plugs

__all__ = ["workplace_visits", "assign_plugs", "VISIT_COLUMNS"]

#: one row per arrival of a commuter at its workplace
VISIT_COLUMNS = [
    "area_idx",  # int, index into Region.areas
    "area_id",
    "kind",  # "commute" (a commuter at work) | "depot" (a depot vehicle back at the depot)
    "vehicle_id",
    "trip_id",  # the trip that arrived
    "arrive_s",
    "depart_s",  # the car's next departure (the end of the horizon after its last trip)
    "soc_arrive",
    "need_kwh",  # to energy.workplace_target_soc, 0 below charging.min_charge_gain_kwh
    "max_kw",  # min(plug power, the car's AC power)
    "plugged",  # bool, got a plug
]


def workplace_visits(
    scenario: Scenario, region: Region, demand: Demand, sim: SimResult
) -> pd.DataFrame:
    """The commuters' visits of their workplace sites, with the plug each got (or not).

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario (``energy.workplace_target_soc``, simulated days).
    region : Region
        The region with its industrial areas.
    demand : Demand
        The cars, their trips and who works (or has a depot) in an area.
    sim : SimResult
        The simulated trips and events (arrival times, states of charge on arrival).

    Returns
    -------
    pandas.DataFrame
        One row per visit, columns :data:`VISIT_COLUMNS` (no rows without areas).
    """
    areas = region.industrial_areas
    if demand.workplace is None or not len(areas):
        return pd.DataFrame({c: pd.Series(dtype=_DTYPES[c]) for c in VISIT_COLUMNS})
    trips = demand.trips
    vehicle = trips["vehicle_id"].to_numpy(np.int64)
    area = demand.workplace[vehicle]
    zone = np.where(area >= 0, areas["zone_idx"].to_numpy(np.int64)[np.maximum(area, 0)], -1)
    completed = (sim.trips["status"] == "completed").to_numpy()
    depot = demand.depot[vehicle] if demand.depot is not None else np.zeros(len(trips), bool)
    arrives = (area >= 0) & (trips["dest"].to_numpy(np.int64) == zone) & completed
    commute = ~depot & (trips["purpose"].to_numpy() == "work")
    back = depot & trips["last_of_day"].to_numpy(bool)
    work = np.flatnonzero(arrives & (commute | back))
    arrive = sim.trips["arrive_s"].to_numpy(float)[work]
    # the next trip of the same car (its trips are consecutive rows), else the horizon's end
    nxt = work + 1
    has_next = nxt < len(trips)
    has_next[has_next] = vehicle[nxt[has_next]] == vehicle[work[has_next]]
    horizon = scenario.time.days * 86400.0
    planned = trips["depart_s"].to_numpy(float)
    depart = np.where(has_next, planned[np.minimum(nxt, len(trips) - 1)], horizon)
    depart = np.maximum(depart, arrive)
    soc = _soc_on_arrival(sim.events, trips["trip_id"].to_numpy(np.int64)[work])
    veh = demand.vehicles
    battery = veh["battery_kwh"].to_numpy(float)[vehicle[work]]
    need = np.clip(scenario.energy.workplace_target_soc - soc, 0.0, None) * battery
    need[need < scenario.charging.min_charge_gain_kwh] = 0.0
    a = area[work]
    plug_kw = areas["plug_kw"].to_numpy(float)[a]
    visits = pd.DataFrame(
        {
            "area_idx": a,
            "area_id": areas["area_id"].astype(str).to_numpy(dtype=object)[a],
            "kind": np.where(depot[work], "depot", "commute").astype(object),
            "vehicle_id": vehicle[work],
            "trip_id": work.astype(np.int64),
            "arrive_s": arrive,
            "depart_s": depart,
            "soc_arrive": soc,
            "need_kwh": need,
            "max_kw": np.minimum(plug_kw, veh["max_ac_kw"].to_numpy(float)[vehicle[work]]),
        }
    )
    visits = visits.sort_values(["area_idx", "arrive_s", "vehicle_id"], kind="stable")
    visits = visits.reset_index(drop=True).assign(plugged=False)[VISIT_COLUMNS]
    return assign_plugs(visits, areas["plugs"].to_numpy(np.int64))


def _soc_on_arrival(events: pd.DataFrame, trip_ids: np.ndarray) -> np.ndarray:
    """The state of charge of each trip's ``arrive`` event."""
    arrivals = events[events["event"] == "arrive"]
    soc = pd.Series(arrivals["soc"].to_numpy(float), index=arrivals["trip_id"].to_numpy())
    return soc.reindex(trip_ids).to_numpy(float)


def assign_plugs(visits: pd.DataFrame, plugs: np.ndarray) -> pd.DataFrame:
    """The visits with ``plugged``: whether each got a plug when its area has ``plugs[area]``
    of them (a SimPy process per car that needs energy takes a free plug on arrival, first
    come, first served, and gives it back on departure). The arrivals do not depend on the
    plugs, so sizing tries plug counts on the same visits.

    Parameters
    ----------
    visits : pandas.DataFrame
        The visits (:data:`VISIT_COLUMNS`: ``area_idx``, ``arrive_s``, ``depart_s`` in s,
        ``need_kwh``); a visit needing no energy takes no plug.
    plugs : numpy.ndarray
        Per industrial area (row of ``region.areas``): its number of workplace plugs.

    Returns
    -------
    pandas.DataFrame
        A copy of ``visits`` with the boolean column ``plugged``.
    """
    env = simpy.Environment()
    sites = [Plugs(env, capacity=max(int(n), 1)) for n in plugs]
    has_plugs = plugs > 0
    plugged = np.zeros(len(visits), dtype=bool)

    def visit(i: int, a: int, arrive: float, depart: float):
        yield env.timeout(arrive - env.now)
        holder = sites[a].take() if has_plugs[a] else None
        if holder is None:
            return
        plugged[i] = True
        yield env.timeout(depart - env.now)
        sites[a].give_back(holder)

    columns = ("area_idx", "arrive_s", "depart_s", "need_kwh")
    for i, (a, arrive, depart, need) in enumerate(zip(*(visits[c] for c in columns))):
        if need > 0:
            env.process(visit(i, int(a), float(arrive), float(depart)))
    env.run()
    return visits.assign(plugged=plugged)


_DTYPES = {
    "area_idx": "int64",
    "area_id": object,
    "kind": object,
    "vehicle_id": "int64",
    "trip_id": "int64",
    "arrive_s": float,
    "depart_s": float,
    "soc_arrive": float,
    "need_kwh": float,
    "max_kw": float,
    "plugged": bool,
}
