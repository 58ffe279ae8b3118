"""The fixed workloads of the suite, at two sizes: ``full`` (the recorded results) and ``smoke``.

Simulation workloads run the whole chain (routing matrices, demand, simulation, KPIs, written
results) on the strategic Zemgale network or on a synthetic grid
(:mod:`benchmarks.synthetic`), scaled to a number of car trips over ``days`` days with
``fleet.ev_share`` (:func:`benchmarks.synthetic.ev_share_for_trips`). With today's Zemgale
chargers the queues grow with the fleet, so the ``zemgale-plugs-*`` series also scales every
site's plugs with the EV share (about constant work per trip). The reference
(:mod:`benchmarks.reference`) runs on the workloads marked ``reference``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "SimWorkload",
    "RoutingWorkload",
    "KernelSizes",
    "WORKLOADS",
    "SIZES",
    "GROWTH_SERIES",
    "DESTINATION_PAIR",
]


@dataclass(frozen=True)
class SimWorkload:
    """A whole run: region, expected car trips, simulated days, whether the reference runs."""

    name: str
    region: Literal["zemgale", "grid"]
    trips: int
    days: int
    reference: bool
    grid_nodes: int = 0
    grid_zones: int = 0
    grid_sites: int = 0
    #: multiply every site's plugs by the EV share over the scenario's own, so that the load per
    #: plug (and the simulation work per trip) stays about the same as the trips grow
    scale_plugs: bool = False
    #: more scenario overrides (``key=value``), e.g. a feature switched off for a comparison
    overrides: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoutingWorkload:
    """All zone-to-zone travel times on a synthetic grid: the kernel against scipy."""

    name: str
    nodes: int
    zones: int


@dataclass(frozen=True)
class KernelSizes:
    """Inputs of the kernel micro-benchmarks (numba against the ``.py_func`` twin)."""

    vehicles: int
    sessions: int
    choices: int
    coverage_candidates: int


SIZES = ("full", "smoke")

#: the series whose run time must grow no worse than n log n: workload name prefix -> what it
#: keeps; each has a ``-10k``, ``-100k`` and ``-1M`` workload in the full suite
GROWTH_SERIES = {"zemgale": "today's chargers", "zemgale-plugs": "plugs scaled"}

#: charging where cars park (destination and overnight, on by default) against the same run
#: without it: (with, without); issue 29's target is under 2x the time without
DESTINATION_PAIR = ("zemgale-1M", "zemgale-1M-no-destination")

WORKLOADS: dict[str, dict] = {
    "full": {
        "sim": [
            SimWorkload("zemgale-10k", "zemgale", 10_000, 7, reference=True),
            SimWorkload("zemgale-50k", "zemgale", 50_000, 7, reference=True),
            SimWorkload("zemgale-100k", "zemgale", 100_000, 7, reference=True),
            SimWorkload("zemgale-1M", "zemgale", 1_000_000, 7, reference=False),
            SimWorkload(
                DESTINATION_PAIR[1],
                "zemgale",
                1_000_000,
                7,
                reference=False,
                overrides=("charging.destination.enabled=false",),
            ),
            SimWorkload(
                "zemgale-plugs-10k", "zemgale", 10_000, 7, reference=False, scale_plugs=True
            ),
            SimWorkload(
                "zemgale-plugs-100k", "zemgale", 100_000, 7, reference=False, scale_plugs=True
            ),
            SimWorkload(
                "zemgale-plugs-1M", "zemgale", 1_000_000, 7, reference=False, scale_plugs=True
            ),
            SimWorkload(
                "grid10k-50k",
                "grid",
                50_000,
                7,
                reference=True,
                grid_nodes=10_000,
                grid_zones=200,
                grid_sites=40,
            ),
        ],
        "routing": [RoutingWorkload("routing-200k", 200_000, 500)],
        "kernels": KernelSizes(
            vehicles=20_000, sessions=2_000, choices=2_000, coverage_candidates=2_000
        ),
        # the growth series' workloads run in this many fresh processes, in interleaved
        # rounds, and the fastest process counts: a 1M-trip run varies by 10-25 % from one
        # process to the next on a shared machine, more than the margin the target leaves
        "growth_processes": 3,
        # sweep throughput: simulated days per run, seeds (x 8 variants = 24 runs); each
        # executor runs the sweep 3 times in turn (run_sweeps rounds)
        "sweeps": (7, 3),
    },
    "smoke": {
        "sim": [
            SimWorkload("zemgale-2k", "zemgale", 2_000, 1, reference=True),
            SimWorkload(
                "grid400-1k",
                "grid",
                1_000,
                2,
                reference=True,
                grid_nodes=400,
                grid_zones=12,
                grid_sites=4,
            ),
        ],
        "routing": [RoutingWorkload("routing-2k", 2_000, 20)],
        "kernels": KernelSizes(vehicles=200, sessions=20, choices=20, coverage_candidates=50),
        "growth_processes": 1,
        "sweeps": None,  # the sweep code is tested in tests/batch; its throughput in full runs
    },
}
