"""Numba kernels: pure functions on arrays (numpy and numba only, no random draws).

Every kernel is compiled with ``@njit(cache=True)``; its pure-Python twin is ``kernel.py_func``.

- :func:`walk_chains`: the one trip-chain loop (cars and e-bikes); :func:`chain_energy`,
  :func:`home_charge`: state of charge along trip chains without public charging, home
  charging between days; :func:`wants_to_plug`: whether a parked car plugs in
  (:mod:`emob_sim.kernels.energy`).
- :func:`charge_walk`, :func:`charge_time`, :func:`soc_after_time`: charging under a taper
  curve, integrated exactly piece by piece (:mod:`emob_sim.kernels.charging`).
- :func:`load_profile`: mean kW per site and time bin (:mod:`emob_sim.kernels.profile`).
- :func:`choose_site`: the cheapest public site by generalised cost
  (:mod:`emob_sim.kernels.choice`).
- :func:`~emob_sim.kernels.allocation.allocate_power`: power per plugged car and step at a
  site under a charging strategy (uncontrolled, capped equal or earliest departure first,
  PV-following, least laxity) with its grid limit, own load, solar power and battery
  (:mod:`emob_sim.kernels.allocation`).
- :mod:`emob_sim.kernels.structs`: the named inputs (:class:`Car`, :class:`Sites`, ...) that
  the kernels take instead of long lists of arrays, and their typed ``make_*`` builders.
- :func:`stable_argsort`: a stable argsort of floats in linear time, for the event log
  (:mod:`emob_sim.kernels.order`).
- :func:`~emob_sim.kernels.paths.many_to_many`: fastest times and path lengths from many
  sources to many targets on CSR arrays, the routing of ``point_matrices``
  (:mod:`emob_sim.kernels.paths`).
"""

from __future__ import annotations

from emob_sim.kernels.charging import charge_time, charge_walk, soc_after_time
from emob_sim.kernels.choice import choose_site
from emob_sim.kernels.energy import chain_energy, home_charge, walk_chains, wants_to_plug
from emob_sim.kernels.order import stable_argsort
from emob_sim.kernels.profile import load_profile
from emob_sim.kernels.structs import (
    Batteries,
    Car,
    ChainCars,
    Chains,
    ChoiceRule,
    Curves,
    EbikeRule,
    PlugRule,
    ProfileSessions,
    Sites,
    Travel,
    make_car,
    make_chain_cars,
    make_chains,
    make_choice_rule,
    make_curves,
    make_ebike_rule,
    make_plug_rule,
    make_profile_sessions,
    make_sites,
    make_travel,
)

__all__ = [
    "chain_energy",
    "walk_chains",
    "home_charge",
    "wants_to_plug",
    "charge_walk",
    "charge_time",
    "soc_after_time",
    "load_profile",
    "choose_site",
    "stable_argsort",
    "Batteries",
    "Car",
    "ChainCars",
    "Chains",
    "EbikeRule",
    "PlugRule",
    "ChoiceRule",
    "Curves",
    "ProfileSessions",
    "Sites",
    "Travel",
    "make_car",
    "make_chain_cars",
    "make_chains",
    "make_ebike_rule",
    "make_plug_rule",
    "make_choice_rule",
    "make_curves",
    "make_profile_sessions",
    "make_sites",
    "make_travel",
]
