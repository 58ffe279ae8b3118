"""State of charge along trip chains and home charging."""

from __future__ import annotations

import numpy as np

from emob_sim.kernels import chain_energy, home_charge


def test_home_charge_cases():
    # 7.4 kW for 1 h on 50 kWh: +0.148
    soc, t_end = home_charge(0.5, 0.0, 3600.0, 7.4, 50.0, 0.9)
    np.testing.assert_allclose(soc, 0.5 + 7.4 / 50.0)
    assert t_end == 3600.0
    soc, t_end = home_charge(0.5, 0.0, 36000.0, 7.4, 50.0, 0.9)
    assert soc == 0.9
    np.testing.assert_allclose(t_end, 0.4 * 50.0 / 7.4 * 3600.0)
    assert home_charge(0.95, 0.0, 36000.0, 7.4, 50.0, 0.9) == (0.95, 0.0)
    assert home_charge(0.5, 100.0, 50.0, 7.4, 50.0, 0.9) == (0.5, 100.0)


def _random_chains(rng: np.random.Generator, n_veh: int):
    counts = rng.integers(0, 7, n_veh)
    trip_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    m = int(trip_ptr[-1])
    depart = np.concatenate([np.sort(rng.uniform(0, 3 * 86400, c)) for c in counts])
    return (
        trip_ptr,
        depart,
        rng.uniform(60, 7200, m),
        rng.uniform(0.1, 30, m),
        rng.random(m) < 0.4,
        rng.uniform(30, 90, n_veh),
        rng.uniform(0.1, 1.0, n_veh),
        rng.random(n_veh) < 0.5,
        rng.uniform(3.0, 11.0, n_veh),
    )


def test_chain_energy_matches_python_on_random_inputs():
    rng = np.random.default_rng(3)
    for _ in range(20):
        args = _random_chains(rng, 30) + (0.9, 0.2, 3 * 86400.0)
        for a, b in zip(chain_energy(*args), chain_energy.py_func(*args)):
            np.testing.assert_allclose(a, b)


def test_chain_energy_by_hand():
    # vehicle 0: day 0 out and back (10 kWh each), home charging overnight; day 1 a long trip.
    # vehicle 1: no trips. vehicle 2: second trip planned before the first one arrives.
    trip_ptr = np.array([0, 3, 3, 5])
    depart = np.array([8 * 3600.0, 17 * 3600.0, 86400 + 8 * 3600.0, 1000.0, 1500.0])
    duration = np.array([1800.0, 1800.0, 7200.0, 1000.0, 100.0])
    kwh = np.array([10.0, 10.0, 45.0, 1.0, 1.0])
    last = np.array([False, True, True, False, True])
    out = chain_energy(
        trip_ptr, depart, duration, kwh, last,
        np.array([50.0, 40.0, 50.0]), np.array([0.8, 0.6, 0.5]),
        np.array([True, False, False]), np.array([7.4, 7.4, 7.4]),
        0.9, 0.2, 2 * 86400.0,
    )  # fmt: skip
    dep, arr, before, after, home, home_end, first_need, final = out
    np.testing.assert_allclose(before[:3], [0.8, 0.6, 0.9])
    np.testing.assert_allclose(after[:3], [0.6, 0.4, 0.0])
    np.testing.assert_allclose(home[1], 0.9)  # charged overnight to the home target
    np.testing.assert_allclose(home_end[1], 17.5 * 3600 + 0.5 * 50 / 7.4 * 3600)
    assert list(first_need) == [2, -1, -1]
    # after the final trip it charges until the horizon (2 days): 14 h at 7.4 kW -> 0.9
    np.testing.assert_allclose(final[0], 0.9)
    assert final[1] == 0.6
    # cascade: vehicle 2's second trip departs when the first arrives (2000 s), not at 1500 s
    assert dep[4] == 2000.0 and arr[4] == 2100.0
