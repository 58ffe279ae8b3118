"""State of charge along trip chains and home charging."""

from __future__ import annotations

import numpy as np

from emob_sim.kernels import (
    chain_energy,
    home_charge,
    make_chain_cars,
    make_chains,
    make_plug_rule,
)


def _args(
    trip_ptr,
    depart,
    duration,
    kwh,
    last,
    battery,
    initial,
    home,
    home_kw,
    home_target,
    need_soc,
    horizon_s,
    max_ac,
    dest_kw,
    max_soc,
    min_dwell_s,
    target,
    overnight,
    gain,
):
    """The structured arguments of chain_energy from the values in the order they had."""
    chains = make_chains(
        trip_ptr=trip_ptr, depart_s=depart, duration_s=duration, energy=kwh, last_of_day=last
    )
    cars = make_chain_cars(
        battery_kwh=battery,
        initial_soc=initial,
        home_charging=home,
        home_kw=home_kw,
        max_ac_kw=max_ac,
    )
    rule = make_plug_rule(
        max_soc=max_soc,
        min_dwell_s=min_dwell_s,
        target_soc=target,
        overnight_soc=overnight,
        min_gain_kwh=gain,
    )
    return chains, cars, dest_kw, home_target, need_soc, horizon_s, rule


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
        chains = _random_chains(rng, 30)
        m = int(chains[0][-1])
        power = (rng.uniform(3.0, 11.0, 30), rng.choice([0.0, 11.0, 22.0], m))
        dest = power + (0.8, 900.0, 1.0, 0.5, 3.0)
        args = chains + (0.9, 0.2, 3 * 86400.0) + dest
        args = _args(*args)
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
        *_args(
            trip_ptr,
            depart,
            duration,
            kwh,
            last,
            np.array([50.0, 40.0, 50.0]),
            np.array([0.8, 0.6, 0.5]),
            np.array([True, False, False]),
            np.array([7.4, 7.4, 7.4]),
            0.9,
            0.2,
            2 * 86400.0,
            np.full(3, 11.0),
            np.zeros(5),
            0.8,
            900.0,
            1.0,
            0.5,
            3.0,
        )
    )
    dep, arr, before, after, home, home_end, first_need, final, first_plug = out
    assert list(first_plug) == [-1, -1, -1]  # no destination has public AC
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


def test_wants_to_plug_rule_and_its_python_twin():
    from emob_sim.kernels import PlugRule, wants_to_plug

    rule = (0.8, 900.0, 1.0, 0.5, 3.0)  # max_soc, min dwell, target, overnight soc, min gain
    cases = [  # (soc, stay s, overnight, home charging, battery kWh, power kW)
        ((0.6, 3600.0, False, True, 58.0, 11.0), True),  # destination: long enough, below 80 %
        ((0.85, 3600.0, False, True, 58.0, 11.0), False),  # above max_soc
        ((0.6, 600.0, False, True, 58.0, 11.0), False),  # too short a stay
        ((0.6, -1.0, False, False, 58.0, 11.0), False),  # no stay at all (late arrival)
        ((0.4, 36000.0, True, False, 58.0, 11.0), True),  # overnight, no home charging, < 50 %
        ((0.4, 36000.0, True, True, 58.0, 11.0), False),  # overnight with home charging
        ((0.6, 36000.0, True, False, 58.0, 11.0), False),  # overnight above 50 %
        ((0.99, 3600.0, False, False, 58.0, 11.0), False),  # would gain less than 3 kWh
        ((0.4, 1200.0, True, False, 58.0, 3.7), False),  # 20 min at 3.7 kW: 1.2 kWh
        ((0.4, 1200.0, False, False, 58.0, 11.0), True),  # 20 min at 11 kW: 3.7 kWh
    ]
    for args, expected in cases:
        assert wants_to_plug(*args, PlugRule(*rule)) is expected
        assert wants_to_plug.py_func(*args, PlugRule(*rule)) is expected


def test_chain_energy_finds_the_first_plug_in_opportunity():
    # one car, three trips on day 0 and one on day 1 (no home charging): the first trip ends
    # where there is no public AC; the second ends at public AC with a stay of 30 min above
    # max_soc; the third (last of the day) at public AC below overnight_soc
    trip_ptr = np.array([0, 4])
    depart = np.array([8 * 3600.0, 9 * 3600.0, 17 * 3600.0, 86400 + 8 * 3600.0])
    duration = np.full(4, 1800.0)
    kwh = np.array([5.0, 2.0, 20.0, 5.0])
    last = np.array([False, False, True, True])
    dest_kw = np.array([0.0, 22.0, 22.0, 22.0])
    args = _args(
        trip_ptr,
        depart,
        duration,
        kwh,
        last,
        np.array([50.0]),
        np.array([0.95]),
        np.array([False]),
        np.array([7.4]),
        0.9,
        0.2,
        2 * 86400.0,
        np.array([11.0]),
        dest_kw,
        0.8,
        900.0,
        1.0,
        0.5,
        3.0,
    )
    out = chain_energy(*args)
    *_, first_need, final, first_plug = out
    # after trip 1 the car is at 0.81 (>= max_soc 0.8): no; after trip 2 at 0.41 < 0.5: yes
    assert list(first_plug) == [2] and list(first_need) == [-1]
    twin = chain_energy.py_func(*args)
    for a, b in zip(out, twin):
        np.testing.assert_array_equal(a, b)
