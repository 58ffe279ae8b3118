"""The micro-benchmarks: the routing kernel against scipy on synthetic grids, and each numba
kernel against its pure-Python twin on random inputs.

Each function runs in its own fresh process (see :mod:`benchmarks.suite`); heavy imports happen
inside the functions.
"""

from __future__ import annotations

import numpy as np

from benchmarks.measuring import peak_memory_mb, perf

__all__ = ["run_routing", "run_kernels"]


def _scipy_matrices(network, sources: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Times with scipy's Dijkstra alone, then times and path lengths as emob-sim did before
    the kernel (Dijkstra with predecessors and a vectorised pass summing lengths)."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import dijkstra

    from emob_sim.network.routing import tree_sums

    n = network.n_nodes
    graph = sp.csr_matrix((network.travel_time_s, network.indices, network.indptr), shape=(n, n))
    length = sp.csr_matrix((network.length_m, network.indices, network.indptr), shape=(n, n))
    graph.sort_indices()
    length.sort_indices()
    t = perf()
    dijkstra(graph, directed=True, indices=sources)
    times_only_s = perf() - t
    t = perf()
    time_u = np.empty((sources.size, sources.size))
    batch = max(1, 10_000_000 // n)
    for start in range(0, sources.size, batch):
        src = sources[start : start + batch]
        times, pred = dijkstra(graph, directed=True, indices=src, return_predecessors=True)
        time_u[start : start + batch] = times[:, sources]
        tree_sums(pred, length)[:, sources]
    return time_u, times_only_s, perf() - t


def run_routing(n_nodes: int, n_zones: int) -> dict:
    """All zone-to-zone times and lengths on a synthetic grid: emob-sim against scipy."""
    import numba

    from benchmarks.synthetic import synthetic_network, synthetic_tables
    from emob_sim.config import load_scenario
    from emob_sim.kernels.paths import many_to_many
    from emob_sim.network.routing import nearest_nodes, point_matrices

    t = perf()
    tables = synthetic_tables(n_nodes=n_nodes, n_zones=n_zones, n_sites=0, seed=4)
    speeds = dict(load_scenario(None).network.hwy_speeds_kph)
    network = synthetic_network(tables, hwy_speeds_kph=speeds)
    build_s = perf() - t
    zones = tables.zones[tables.zones["kind"] == "zone"]
    nodes, _ = nearest_nodes(network, zones["lon"].to_numpy(), zones["lat"].to_numpy())
    sources = np.unique(nodes)
    t = perf()
    many_to_many(
        network.indptr,
        network.indices,
        network.travel_time_s,
        network.length_m,
        sources[:1],
        sources[:1],
    )
    jit_s = perf() - t
    t = perf()
    time_s, _ = point_matrices(network, nodes)
    kernel_s = perf() - t
    scipy_times, scipy_times_only_s, scipy_s = _scipy_matrices(network, sources)
    order = np.searchsorted(sources, nodes)
    return {
        "nodes": network.n_nodes,
        "edges": network.n_edges,
        "zones": int(nodes.size),
        "build_s": build_s,
        "jit_s": jit_s,
        "kernel_s": kernel_s,
        "scipy_times_only_s": scipy_times_only_s,
        "scipy_s": scipy_s,
        "times_equal_scipy": bool(np.array_equal(time_s, scipy_times[np.ix_(order, order)])),
        "threads": numba.get_num_threads(),
        "peak_mb": peak_memory_mb(),
    }


def _same(a, b) -> bool:
    if isinstance(a, tuple):
        return all(_same(x, y) for x, y in zip(a, b, strict=True))
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bool(np.allclose(x, y, rtol=1e-9, atol=1e-9, equal_nan=True))


def _compare(name: str, size: str, kernel, make_args) -> dict:
    """Best of three compiled runs against one run of ``kernel.py_func`` on the same inputs."""
    args = make_args()
    compiled = [kernel(*a) for a in args]  # compiles (or loads) before timing
    best = np.inf
    for _ in range(3):
        t = perf()
        for a in args:
            kernel(*a)
        best = min(best, perf() - t)
    t = perf()
    python = [kernel.py_func(*a) for a in args]
    python_s = perf() - t
    return {
        "kernel": name,
        "size": size,
        "numba_s": best,
        "python_s": python_s,
        "speedup": python_s / best if best > 0 else float("nan"),
        "same_result": all(_same(c, p) for c, p in zip(compiled, python, strict=True)),
    }


def run_kernels(sizes) -> list[dict]:
    """Each numba kernel against its pure-Python twin (``.py_func``) on random inputs."""
    from emob_sim.config import load_scenario
    from emob_sim.demand.fleet import type_arrays
    from emob_sim.kernels import (
        chain_energy,
        choose_site,
        load_profile,
        make_car,
        make_chain_cars,
        make_chains,
        make_choice_rule,
        make_curves,
        make_plug_rule,
        make_profile_sessions,
        make_sites,
        make_travel,
        stable_argsort,
    )

    rng = np.random.default_rng(0)
    types = type_arrays(load_scenario(None).fleet)
    rows = []

    def chain_args():
        v, per = sizes.vehicles, 7
        m = v * per
        depart = (np.arange(m) % per) * 20_000.0 + rng.uniform(0, 3600, m)
        chains = make_chains(
            trip_ptr=np.arange(0, m + 1, per, dtype=np.int64),
            depart_s=depart,
            duration_s=rng.uniform(600, 3600, m),
            energy=rng.uniform(1, 15, m),
            last_of_day=np.arange(m) % 2 == 1,
        )
        cars = make_chain_cars(
            battery_kwh=rng.uniform(40, 80, v),
            initial_soc=rng.uniform(0.3, 0.9, v),
            home_charging=rng.random(v) < 0.6,
            home_kw=np.full(v, 7.4),
            max_ac_kw=np.full(v, 11.0),
        )
        rule = make_plug_rule(
            max_soc=0.8, min_dwell_s=900.0, target_soc=1.0, overnight_soc=0.5, min_gain_kwh=3.0
        )
        dest_kw = rng.choice([0.0, 11.0, 22.0], m)
        return [(chains, cars, dest_kw, 0.9, 0.2, 7 * 86400.0, rule)]

    rows.append(_compare("chain_energy", f"{sizes.vehicles * 7:,} trips", chain_energy, chain_args))

    def profile_args():
        n = sizes.sessions
        start = rng.uniform(0, 86400, n)
        typ = rng.integers(0, len(types.ids), n)
        plug_kw = rng.choice([22.0, 50.0, 150.0], n)
        sessions = make_profile_sessions(
            site_idx=rng.integers(0, 10, n),
            start_s=start,
            end_s=start + rng.uniform(600, 5400, n),
            soc_start=rng.uniform(0.05, 0.3, n),
            soc_end=np.full(n, 0.8),
            battery_kwh=types.battery_kwh[typ],
            type_idx=typ,
            max_dc_kw=types.max_dc_kw[typ],
            max_ac_kw=types.max_ac_kw[typ],
            plug_kw=plug_kw,
            is_dc=rng.random(n) < 0.6,
        )
        curves = make_curves(curve_soc=types.curve_soc, curve_frac=types.curve_frac)
        return [(sessions, curves, 10, 100, 900.0)]

    rows.append(
        _compare("load_profile", f"{sizes.sessions:,} sessions", load_profile, profile_args)
    )

    def choice_args():
        n_points, n_sites = 100, 50
        xy = rng.uniform(0, 100, (n_points, 2))
        dist = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
        sites = np.arange(n_points - n_sites, n_points)
        travel = make_travel(time_s=dist * 60.0, dist_km=dist)
        rule = make_choice_rule(reserve_soc=0.05, target_soc=0.8, wait_weight=1.0)
        out = []
        for _ in range(sizes.choices):
            t = int(rng.integers(0, len(types.ids)))
            busy, queued = rng.integers(0, 3, n_sites), np.zeros(n_sites, np.int64)
            car = make_car(
                battery_kwh=types.battery_kwh[t],
                curve_soc=types.curve_soc[t],
                curve_frac=types.curve_frac[t],
                max_dc_kw=types.max_dc_kw[t],
                max_ac_kw=types.max_ac_kw[t],
                consumption_kwh_per_km=types.consumption_kwh_per_km[t],
            )
            state = make_sites(
                point=sites,
                is_dc=rng.random(n_sites) < 0.6,
                plug_kw=np.full(n_sites, 50.0),
                plugs=np.full(n_sites, 2),
                busy=busy,
                queued=queued,
                mean_s=np.full(n_sites, 1800.0),
            )
            cur, dest = int(rng.integers(0, 50)), int(rng.integers(0, 50))
            soc, tried = rng.uniform(0.1, 0.3), np.zeros(n_sites, bool)
            out.append((cur, dest, soc, car, travel, state, tried, rule))
        return out

    rows.append(
        _compare("choose_site", f"{sizes.choices:,} choices of 50 sites", choose_site, choice_args)
    )
    from emob_sim.kernels.allocation import CAPPED_EQUAL, allocate_power
    from emob_sim.kernels.structs import make_plugged_cars, make_site_battery, make_site_steps

    def allocation_args():  # workplace plugs over a week of 15-minute steps, a binding limit
        n, steps = max(sizes.sessions // 4, 10), 7 * 96
        arrive = rng.integers(0, steps - 40, n).astype(float)
        cars = make_plugged_cars(
            arrive=arrive,
            depart=arrive + rng.integers(16, 40, n),
            need_kwh=rng.uniform(5, 40, n),
            max_kw=rng.choice([11.0, 22.0], n),
        )
        site = make_site_steps(
            step_h=0.25,
            limit_kw=np.full(steps, 4.0 * n),
            pv_kw=np.zeros(steps),
            load_kw=np.zeros(steps),
            export_kw=np.full(steps, 4.0 * n),
        )
        battery = make_site_battery(
            capacity_kwh=0.0, power_kw=0.0, efficiency=0.0, grid_charge_below_kw=-1.0
        )
        return [(cars, site, battery, CAPPED_EQUAL)]

    n_cars = max(sizes.sessions // 4, 10)
    rows.append(
        _compare(
            "allocate_power",
            f"{n_cars:,} workplace plugs x 672 steps",
            allocate_power,
            allocation_args,
        )
    )
    n_times = 10 * sizes.sessions
    rows.append(
        _compare(
            "stable_argsort",
            f"{n_times:,} event times",
            stable_argsort,
            lambda: [(rng.uniform(0, 7 * 86400, n_times),)],
        )
    )
    try:  # the placement's scoring kernel, where it exists
        from emob_sim.kernels.coverage import coverage_gains
    except ImportError:
        return rows

    def coverage_args():
        n, per = sizes.coverage_candidates, 50
        indptr = np.arange(0, n * per + 1, per, dtype=np.int64)
        indices = rng.integers(0, 10 * n, n * per).astype(np.int64)
        return [(indptr, indices, rng.uniform(0, 100, 10 * n), rng.integers(0, 3, 10 * n))]

    try:
        rows.append(
            _compare(
                "coverage_gains",
                f"{sizes.coverage_candidates:,} candidates x 50",
                coverage_gains,
                coverage_args,
            )
        )
    except (TypeError, ValueError) as exc:  # its signature changed: report instead of failing
        rows.append({"kernel": "coverage_gains", "size": "-", "error": str(exc)})
    return rows
