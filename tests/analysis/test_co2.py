"""The CO2 balance: the petrol counterfactual of the trips as planned minus the electricity
used, one definition for run, compare and plan (:mod:`emob_sim.analysis.co2`)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import emob_sim
from emob_sim.analysis import trip_table
from emob_sim.analysis.co2 import co2_balance
from emob_sim.config import bundled_path, load_scenario
from emob_sim.runner.compare import compare_layouts

LAYOUTS = {
    n: bundled_path(f"configs/zemgale/layout_{n}.yaml") for n in ("existing", "corridor", "centres")
}


@pytest.fixture(scope="module")
def comparison():
    """The three Zemgale layouts on the same trips (same scenario and seed)."""
    return compare_layouts(list(LAYOUTS.values()))


def _from_tables(result) -> tuple[float, float]:
    """Planned km of the completed trips and energy used, from the run's trips.parquet."""
    trips = trip_table(result)
    completed = trips["status"] == "completed"
    return float(trips.loc[completed, "distance_km"].sum()), float(trips["energy_used_kwh"].sum())


def test_layouts_on_the_same_trips_differ_by_the_grid_factor_times_the_energy_used():
    # drivers use the battery down to empty (no reserve), so that neither layout strands a
    # trip: the same trips complete and only the energy used differs (detours, queues)
    pair = compare_layouts(
        [LAYOUTS["corridor"], LAYOUTS["centres"]], overrides=["charging.reserve_soc=0.0"]
    )
    corridor, centres = pair.runs["corridor"], pair.runs["centres"]
    a, b = trip_table(corridor), trip_table(centres)
    plan = ["trip_id", "vehicle_id", "day", "depart_s", "origin", "dest", "distance_km"]
    assert a[plan].equals(b[plan])  # identical trips
    assert a["status"].equals(b["status"])  # and the same ones completed
    energy = b["energy_used_kwh"].sum() - a["energy_used_kwh"].sum()
    assert abs(energy) > 1.0  # the layouts make the cars use different energy (detours)
    grid = corridor.scenario.emissions.grid_kg_per_kwh
    assert centres.scenario.emissions.grid_kg_per_kwh == grid
    diff = (
        co2_balance(
            centres.scenario, demand=centres.demand, sim=centres.sim, ebike=centres.ebike
        ).avoided_kg
        - co2_balance(
            corridor.scenario, demand=corridor.demand, sim=corridor.sim, ebike=corridor.ebike
        ).avoided_kg
    )
    assert diff == pytest.approx(-grid * energy, rel=1e-9, abs=1e-9)
    kpis = centres.kpis["co2_avoided_kg"] - corridor.kpis["co2_avoided_kg"]
    assert kpis == pytest.approx(-grid * energy, abs=1e-3)


def test_in_general_only_completed_planned_km_and_energy_used_count(comparison):
    """Existing vs corridor strand different trips: the difference is the petrol credit of
    the planned km completed minus the grid's CO2 of the energy used, nothing else."""
    existing, corridor = comparison.runs["existing"], comparison.runs["corridor"]
    assert (existing.sim.trips["status"] == "stranded").sum() > (
        corridor.sim.trips["status"] == "stranded"
    ).sum()
    em = existing.scenario.emissions
    (km0, kwh0), (km1, kwh1) = _from_tables(existing), _from_tables(corridor)
    expected = (km1 - km0) * em.petrol_car_kg_per_km - (kwh1 - kwh0) * em.grid_kg_per_kwh
    got = corridor.kpis["co2_avoided_kg"] - existing.kpis["co2_avoided_kg"]
    assert got == pytest.approx(expected, abs=1e-3)


def test_detour_km_earn_no_petrol_credit_and_energy_used_costs_the_grid_factor(comparison):
    run = comparison.runs["existing"]
    sc, demand, sim = run.scenario, run.demand, run.sim
    km = sim.trips["km_driven"].to_numpy()
    planned = demand.trips["distance_km"].to_numpy()
    assert (km > planned + 1e-6).any()  # some cars detoured to a charger
    base = co2_balance(sc, demand=demand, sim=sim)
    longer = dataclasses.replace(sim, trips=sim.trips.assign(km_driven=km + 25.0))
    assert co2_balance(sc, demand=demand, sim=longer).avoided_kg == base.avoided_kg
    used = sim.trips["energy_used_kwh"].to_numpy().copy()
    used[0] += 10.0
    more = dataclasses.replace(sim, trips=sim.trips.assign(energy_used_kwh=used))
    assert co2_balance(sc, demand=demand, sim=more).avoided_kg == pytest.approx(
        base.avoided_kg - 10.0 * sc.emissions.grid_kg_per_kwh
    )


def test_a_stranded_trip_earns_no_petrol_credit_but_its_energy_counts(comparison):
    run = comparison.runs["existing"]
    sc, demand, sim = run.scenario, run.demand, run.sim
    status = sim.trips["status"].to_numpy().copy()
    k = int(np.flatnonzero(status == "completed")[0])
    status[k] = "stranded"
    stranded = dataclasses.replace(sim, trips=sim.trips.assign(status=status))
    base = co2_balance(sc, demand=demand, sim=sim)
    after = co2_balance(sc, demand=demand, sim=stranded)
    lost = demand.trips["distance_km"].iloc[k] * sc.emissions.petrol_car_kg_per_km
    assert after.avoided_kg == pytest.approx(base.avoided_kg - lost)
    assert after.car_energy_kwh == base.car_energy_kwh


def test_both_scopes_and_the_run_use_the_one_balance(comparison):
    table = comparison.table.set_index("layout")
    for name, run in comparison.runs.items():
        residents = run.demand.vehicles["resident"].to_numpy(bool)
        area = co2_balance(
            run.scenario, demand=run.demand, sim=run.sim, vehicles=residents, ebike=run.ebike
        )
        whole = co2_balance(run.scenario, demand=run.demand, sim=run.sim, ebike=run.ebike)
        assert table.loc[name, "co2_avoided_kg_area"] == pytest.approx(area.avoided_kg, abs=1e-3)
        assert table.loc[name, "co2_avoided_kg_total"] == pytest.approx(whole.avoided_kg, abs=1e-3)
        assert run.kpis["co2_avoided_kg"] == pytest.approx(whole.avoided_kg, abs=1e-3)
        assert run.kpis["co2_avoided_cars_kg"] == pytest.approx(whole.cars_kg, abs=1e-3)
        assert area.car_planned_km < whole.car_planned_km  # through traffic is not the area's


def test_the_modal_shift_joins_the_balance_against_petrol_cars():
    scenario = load_scenario(LAYOUTS["existing"], overrides=["modal_shift.share=0.3"])
    run = emob_sim.run(scenario)
    trips, res = run.ebike.demand.trips, run.ebike.sim.trips
    origin = run.ebike.demand.vehicles["origin"].to_numpy()[trips["ebike_id"]]
    shifted = origin != "owner"
    assert shifted.sum() > 0 and (origin == "shift_electric").any()
    em = scenario.emissions
    expected = (
        trips["car_km"][shifted].sum() * em.petrol_car_kg_per_km
        - res["energy_used_kwh"][shifted].sum() * em.grid_kg_per_kwh
    )
    k = run.kpis
    assert k["ebike"]["co2_avoided_kg"] == pytest.approx(expected, abs=1e-3)
    assert k["co2_avoided_kg"] == pytest.approx(
        k["co2_avoided_cars_kg"] + k["ebike"]["co2_avoided_kg"], abs=1e-3
    )
