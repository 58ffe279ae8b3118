"""The e-bike kernels against their pure-Python versions and hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from emob_sim.kernels.ebike import (
    PUBLIC_DESTINATION,
    PUBLIC_EN_ROUTE,
    PUBLIC_NONE,
    ebike_chain,
    ebike_public_reason,
    ebike_ride,
    ebike_wants_charge,
)
from emob_sim.kernels.structs import make_chains, make_ebike_rule


def _chain(
    trip_ptr,
    depart,
    duration,
    wh,
    last,
    seek,
    battery,
    initial,
    home_kw,
    home_below,
    public_below,
    horizon_s,
    destination_below,
    min_dwell_s,
    fn=ebike_chain,
):
    """ebike_chain on the values in the order its arguments had before they were named."""
    chains = make_chains(
        trip_ptr=trip_ptr, depart_s=depart, duration_s=duration, energy=wh, last_of_day=last
    )
    rule = make_ebike_rule(
        home_kw=home_kw,
        home_below_soc=home_below,
        public_below_soc=public_below,
        destination_below_soc=destination_below,
        min_dwell_s=min_dwell_s,
    )
    return fn(chains, seek, battery, initial, rule, horizon_s)


def test_ride_covers_or_runs_flat():
    assert ebike_ride(0.5, 500.0, 100.0) == pytest.approx((0.3, 100.0, False))
    soc, used, flat = ebike_ride(0.1, 500.0, 80.0)  # 50 Wh left, 80 needed
    assert (soc, used, flat) == (0.0, pytest.approx(50.0), True)
    assert ebike_ride.py_func(0.1, 500.0, 80.0) == ebike_ride(0.1, 500.0, 80.0)


def test_wants_charge_when_low_or_short_for_the_next_trip():
    assert ebike_wants_charge(0.4, 500.0, 10.0, 0.5)  # below half
    assert ebike_wants_charge(0.6, 500.0, 400.0, 0.5)  # 300 Wh < 400 Wh next trip
    assert not ebike_wants_charge(0.6, 500.0, 100.0, 0.5)


def test_public_reason_low_battery_first_then_a_long_stay():
    rule = (0.5, 0.8, 7200.0)  # public_below_soc, destination_below_soc, min_dwell_s
    assert ebike_public_reason(0.4, 500.0, 10.0, 60.0, *rule) == PUBLIC_EN_ROUTE
    assert ebike_public_reason(0.4, 500.0, 10.0, 9000.0, *rule) == PUBLIC_EN_ROUTE
    assert ebike_public_reason(0.7, 500.0, 10.0, 7200.0, *rule) == PUBLIC_DESTINATION
    assert ebike_public_reason(0.7, 500.0, 10.0, 7199.0, *rule) == PUBLIC_NONE  # too short
    assert ebike_public_reason(0.85, 500.0, 10.0, 9000.0, *rule) == PUBLIC_NONE  # full enough
    assert ebike_public_reason.py_func(0.7, 500.0, 10.0, 9000.0, *rule) == PUBLIC_DESTINATION


def test_the_destination_rule_makes_more_riders_look_for_a_point():
    args = _random_chains(np.random.default_rng(7), 80)
    need_low = _chain(*args, 0.15, 0.5, 0.5, 2 * 86400.0, 0.0, np.inf)[8]
    need_both = _chain(*args, 0.15, 0.5, 0.5, 2 * 86400.0, 0.9, 1800.0)[8]
    assert ((need_low >= 0) <= (need_both >= 0)).all()  # everyone who looked still looks
    assert (need_both >= 0).sum() > (need_low >= 0).sum()
    # a rider looks no later than before
    both = (need_low >= 0) & (need_both >= 0)
    assert (need_both[both] <= need_low[both]).all()


def _random_chains(rng: np.random.Generator, n_bikes: int, days: int = 2):
    """Per bike and day a chain of 1-3 legs; returns the kernel's inputs."""
    vehicle, depart, duration, wh, last, seek = [], [], [], [], [], []
    for v in range(n_bikes):
        for d in range(days):
            legs = rng.integers(1, 4)
            t = d * 86400 + rng.uniform(6, 9) * 3600
            for j in range(legs + 1):
                vehicle.append(v)
                depart.append(t)
                dur = rng.uniform(120, 2400)
                duration.append(dur)
                wh.append(rng.uniform(5, 250))
                last.append(j == legs)
                seek.append(j < legs and rng.random() < 0.5)
                t += dur + rng.uniform(-600, 3 * 3600)  # some legs start before arrival
    vehicle = np.array(vehicle)
    trip_ptr = np.searchsorted(vehicle, np.arange(n_bikes + 1)).astype(np.int64)
    return (
        trip_ptr,
        np.array(depart),
        np.array(duration),
        np.array(wh),
        np.array(last),
        np.array(seek),
        rng.uniform(300, 700, n_bikes),
        rng.uniform(0.05, 1.0, n_bikes),
    )


@pytest.mark.parametrize(
    ("seed", "destination"), [(0, (0.0, np.inf)), (1, (0.8, 3600.0)), (2, (0.0, np.inf))]
)
def test_chain_matches_python_version(seed, destination):
    args = _random_chains(np.random.default_rng(seed), 40)
    scalars = (0.15, 0.5, 0.5, 2 * 86400.0, *destination)
    fast = _chain(*args, *scalars)
    slow = _chain(*args, *scalars, fn=ebike_chain.py_func)
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-9)
    first_need = fast[8]
    assert (first_need >= 0).any() and (first_need < 0).any()
    assert fast[5].any()  # some trips ran flat


def test_chain_energy_balance_and_home_rule():
    args = _random_chains(np.random.default_rng(5), 60)
    trip_ptr, _, _, wh, last, _, battery, initial = args
    dep, arr, before, after, used, flat, home, home_end, _, final = _chain(
        *args, 0.15, 0.5, 0.5, 2 * 86400.0, 0.0, np.inf
    )
    bike = np.repeat(np.arange(60), np.diff(trip_ptr))
    same_bike = bike[1:] == bike[:-1]
    assert np.all(dep[1:][same_bike] >= arr[:-1][same_bike])  # a late arrival delays the next
    # used energy is what the trip needed unless the battery ran flat
    np.testing.assert_allclose(used[~flat], wh[~flat])
    assert np.all(used[flat] < wh[flat]) and np.all(after[flat] == 0)
    # home charging only after the last trip of a day, only from below half, never above full
    charged = home > after + 1e-12
    assert not charged[~last].any()
    assert np.all(after[charged] < 0.5) and np.all(home <= 1.0 + 1e-12)
    assert np.all(home_end[charged] > arr[charged])
    # per bike: initial + home - used == final
    gain = np.bincount(bike, weights=(home - after) * battery[bike], minlength=60)
    spent = np.bincount(bike, weights=used, minlength=60)
    np.testing.assert_allclose(initial * battery + gain - spent, final * battery, atol=1e-6)
