"""The site-energy measurements: a workplace week with 500 plugs under each charging strategy
(the site energy stage and the allocation kernel), and a year of 15-minute steps at one site.

Each function runs in its own fresh process (see :mod:`benchmarks.suite`); heavy imports happen
inside the functions.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.measuring import best_of, perf, timed

__all__ = ["WORKPLACE_AREA", "run_workplace", "SITE_YEAR", "run_site_year"]


#: the industrial area of the workplace benchmark: 500 plugs for about 1,050 electric commuters
WORKPLACE_AREA = {
    "area_id": "bench-park",
    "name": "Benchmark park",
    "zone": "Jelgava",
    "lon": 23.78,
    "lat": 56.66,
    "employees": 5000,
    "car_share": 0.7,
    "ev_share": 0.3,
    "plugs": 500,
    "plug_kw": 11.0,
    "grid_limit_kw": 1500.0,
    "pv_kwp": 1000.0,
    "battery_kwh": 500.0,
    "battery_kw": 250.0,
}


def run_workplace(days: int = 7) -> dict:
    """A week of an industrial area with 500 workplace plugs under each charging strategy.

    The default scenario with the area runs once (region, demand, car simulation, everything);
    then, per strategy, the site energy stage alone (the plugs' SimPy pass and the allocation
    kernel with the solar profile: what a strategy changes), best of three, and the allocation
    kernel alone on the same inputs, per step.
    """
    from emob_sim.config.models import AreaSpec
    from emob_sim.kernels.allocation import STRATEGIES, allocate_power
    from emob_sim.kernels.structs import make_plugged_cars, make_site_battery, make_site_steps
    from emob_sim.region import build_region, with_areas
    from emob_sim.runner import resolve_scenario, run_stages
    from emob_sim.sim import simulate_site_energy, workplace_visits
    from emob_sim.sim.site_energy import plug_steps

    def with_strategy(scenario, strategy):
        area = AreaSpec(**{**WORKPLACE_AREA, "strategy": strategy})
        return scenario.model_copy(
            update={"energy": scenario.energy.model_copy(update={"areas": [area]})}
        )

    base = with_strategy(resolve_scenario(None, overrides=[f"time.days={days}"]), "uncontrolled")
    t = perf()
    region = build_region(base)
    result = run_stages(base, region)
    whole_s = perf() - t
    measured = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    out = {
        "days": days,
        "plugs": WORKPLACE_AREA["plugs"],
        "whole_run_s": whole_s,
        "measured": measured,
        "commuters": int((result.demand.workplace >= 0).sum()),
        "visits": int(len(result.energy.visits)),
        "steps": None,
        "strategies": [],
    }
    for strategy in STRATEGIES:
        scenario = with_strategy(base, strategy)
        area_region = with_areas(result.region, scenario)

        def stage(scenario=scenario, area_region=area_region):
            visits = workplace_visits(scenario, area_region, result.demand, result.sim)
            return simulate_site_energy(scenario, area_region, result.sim, visits)

        stage_s, energy, _ = best_of(stage)
        step_s = energy.step_s
        arrive, depart, need, max_kw = plug_steps(energy.visits, step_s, workplace=True)
        steps = energy.steps
        series = make_site_steps(
            step_h=step_s / 3600.0,
            limit_kw=steps["limit_kw"].to_numpy(),
            pv_kw=steps["pv_kw"].to_numpy(),
            load_kw=steps["site_load_kw"].to_numpy(),
            export_kw=steps["export_limit_kw"].to_numpy(),
        )
        battery = make_site_battery(
            capacity_kwh=WORKPLACE_AREA["battery_kwh"],
            power_kw=WORKPLACE_AREA["battery_kw"],
            efficiency=0.9,
            grid_charge_below_kw=-1.0,
        )
        cars = make_plugged_cars(arrive=arrive, depart=depart, need_kwh=need, max_kw=max_kw)
        # as the site energy stage calls it: no cars x steps matrix
        args = (cars, series, battery, STRATEGIES.index(strategy), False)
        kernel_s = min(timed(allocate_power, args) for _ in range(3))
        out["steps"] = len(steps)
        total = steps[["pv_to_cars_kw", "battery_to_cars_kw", "grid_to_cars_kw"]].sum()
        out["strategies"].append(
            {
                "strategy": strategy,
                "stage_s": stage_s,
                "kernel_s": kernel_s,
                "kernel_us_per_step": kernel_s / len(steps) * 1e6,
                "peak_grid_kw": float(steps["grid_import_kw"].max()),
                "own_share": float(
                    (total["pv_to_cars_kw"] + total["battery_to_cars_kw"]) / total.sum()
                ),
            }
        )
    return out


#: the site of the year benchmark: 500 plugs, a one-shift factory, solar and a battery
SITE_YEAR = {
    "plugs": 500,
    "plug_kw": 11.0,
    "grid_limit_kw": 2500.0,
    "pv_kwp": 500.0,
    "annual_load_kwh": 2_000_000.0,
    "battery_kwh": 1000.0,
    "battery_kw": 500.0,
    "lat": 56.65,
    "lon": 23.73,
}


def run_site_year(year: int = 2025) -> dict:
    """A year of 15-minute steps (35,040) at one site with 500 plugs, a one-shift factory's
    load (BDEW G1, 2 GWh), 500 kWp of solar and a 1 MWh battery, under each strategy.

    The sessions are synthetic (seeded): every plug takes one car each working day, arriving
    7-9 h, leaving 16-18 h, needing 5-30 kWh at up to 11 kW; the grid limit binds. Times the
    allocation kernel alone (best of two) and reports its time per step.
    """
    import pandas as pd

    from emob_sim.energy import PVArray, pv_profile_kw, shaped_load_kw
    from emob_sim.kernels.allocation import FLOWS, STRATEGIES, allocate_power
    from emob_sim.kernels.structs import make_plugged_cars, make_site_battery, make_site_steps

    site = SITE_YEAR
    start = f"{year}-01-01"
    days = 365
    steps = days * 96
    pv = pv_profile_kw(
        site["lat"], site["lon"], PVArray(site["pv_kwp"]), start=start, days=days, step_min=15
    )
    load = shaped_load_kw(
        "factory_1shift", site["annual_load_kwh"], start=start, days=days, step_min=15
    )
    workdays = np.flatnonzero(pd.date_range(start, periods=days, freq="D").day_of_week < 5)
    rng = np.random.default_rng(2027)
    day = np.repeat(workdays, site["plugs"])
    n = len(day)
    arrive = day * 96 + rng.uniform(7, 9, n) * 4
    depart = day * 96 + rng.uniform(16, 18, n) * 4
    need = rng.uniform(5, 30, n)
    max_kw = np.full(n, site["plug_kw"])
    limit = np.full(steps, site["grid_limit_kw"])
    out = {
        "steps": steps,
        "plugs": site["plugs"],
        "sessions": int(n),
        "strategies": [],
        "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    col = {c: k for k, c in enumerate(FLOWS)}
    one = np.ones(1)
    battery = make_site_battery(
        capacity_kwh=site["battery_kwh"],
        power_kw=site["battery_kw"],
        efficiency=0.9,
        grid_charge_below_kw=-1.0,
    )
    # compiled (or loaded from the cache) before timing
    allocate_power(
        make_plugged_cars(arrive=one * 0, depart=one, need_kwh=one, max_kw=one),
        make_site_steps(step_h=0.25, limit_kw=one, pv_kw=one, load_kw=one, export_kw=one),
        battery,
        0,
        False,
    )
    cars = make_plugged_cars(arrive=arrive, depart=depart, need_kwh=need, max_kw=max_kw)
    series = make_site_steps(step_h=0.25, limit_kw=limit, pv_kw=pv, load_kw=load, export_kw=limit)
    for strategy in STRATEGIES:
        args = (cars, series, battery, STRATEGIES.index(strategy), False)
        t = perf()
        _, flows, delivered, _ = allocate_power(*args)
        kernel_s = perf() - t
        out["strategies"].append(
            {
                "strategy": strategy,
                "kernel_s": kernel_s,
                "kernel_us_per_step": kernel_s / steps * 1e6,
                "delivered_mwh": float(delivered.sum()) / 1000.0,
                "peak_grid_kw": float(flows[:, col["grid_import_kw"]].max()),
                "export_mwh": float(flows[:, col["export_kw"]].sum()) * 0.25 / 1000.0,
            }
        )
    return out
