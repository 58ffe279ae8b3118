"""Energy checks: the fleet's consumption per km against published real-world figures, and
energy and trip conservation of the default run."""

from __future__ import annotations

from emob_sim.config import load_scenario
from emob_sim.config.models import Scenario
from emob_sim.region import build_region
from emob_sim.runner import draw_demand
from emob_sim.seeds import seed_streams
from emob_sim.sim import simulate_detailed

from .check import Check

#: real-world consumption: 21 +- 4 kWh/100 km over 342 models (Sustainability 16(17) 7529,
#: mdpi.com/2071-1050/16/17/7529); ADAC Ecotest 2023 average 19.7 kWh/100 km with losses
CONSUMPTION_KWH_PER_KM = (0.21, 0.04)


def consumption_check(scenario: Scenario) -> list[Check]:
    types = scenario.fleet.vehicle_types
    mean = sum(t.share * t.consumption_kwh_per_km for t in types) / sum(t.share for t in types)
    value, tol = CONSUMPTION_KWH_PER_KM
    return [
        Check(
            "energy",
            "fleet mean consumption",
            mean * 100,
            value * 100,
            tol * 100,
            "21 +- 4 kWh/100 km over 342 models (Sustainability 16(17) 7529, 2024); ADAC "
            "Ecotest 2023: 19.7 kWh/100 km with charging losses; winter adds 38-57 % (NAF, "
            "ADAC): a single day uses the catalogue's mean; a simulated year scales it by "
            "the season's temperature (year: in configs/base.yaml)",
            "kWh/100 km",
            "no: the vehicle types' consumption is from ev-database.org",
        ),
    ]


def conservation_checks(days_list: tuple[int, ...]) -> tuple[list[Check], dict]:
    """Energy and trip conservation of the default run over each number of days; returns
    the checks and each run's sessions (by number of days)."""
    out, runs = [], {}
    for days in days_list:
        scenario = load_scenario(overrides=[f"time.days={days}"])
        region = build_region(scenario)
        # the demand and simulation streams of a run (emob_sim.runner.stages.run_stages);
        # simulate_detailed for the per-vehicle ledger the energy balance needs
        demand, _ = draw_demand(scenario, region)
        stream = seed_streams(scenario.seed)["sim"]
        result, ledger = simulate_detailed(scenario, region, demand, stream)
        runs[days] = result.sessions
        sessions = float(result.sessions["energy_kwh"].sum())
        profile = float(result.load_kw.sum() * result.bin_s / 3600.0)
        veh = demand.vehicles
        balance = (
            (veh["initial_soc"] * veh["battery_kwh"]).sum()
            + ledger.home_kwh.sum()
            + sessions
            + ledger.rescue_kwh.sum()
            - result.trips["energy_used_kwh"].sum()
            - (ledger.final_soc * veh["battery_kwh"]).sum()
        )
        trips = result.trips["status"].value_counts()
        unaccounted = len(demand.trips) - trips.get("completed", 0) - trips.get("stranded", 0)
        label = f"{days} day(s)"
        out += [
            Check(
                "conservation",
                f"{label}: load profile energy - session energy",
                profile - sessions,
                0.0,
                1e-6 * max(sessions, 1.0),
                "energy delivered = the integrated load profile",
                "kWh",
            ),
            Check(
                "conservation",
                f"{label}: vehicle energy balance",
                float(balance),
                0.0,
                1e-6 * float(veh["battery_kwh"].sum()),
                "initial + home + public + rescue - driven = final, over all cars",
                "kWh",
            ),
            Check(
                "conservation",
                f"{label}: trips generated - completed - stranded",
                float(unaccounted),
                0.0,
                0.0,
                "every trip is accounted for",
                "trips",
            ),
            Check(
                "sessions",
                f"{label}: sessions delivering under 1 kWh",
                float(result.sessions["energy_kwh"].lt(1.0).sum()),
                0.0,
                0.0,
                "no detour to a charger for less than charging.min_charge_gain_kwh when the "
                "car can go on (necessary stops may gain less); a parked car plugs in only "
                "if its stay gains at least that (charging.destination)",
                "sessions",
            ),
        ]
    return out, runs
