"""Energy at charging sites: solar generation, clear-sky or measured (the power allocation
under a grid limit, with a battery and a charging strategy, is the kernel
:func:`emob_sim.kernels.allocation.allocate_power`; :mod:`emob_sim.sim.site_energy` runs it)."""

from __future__ import annotations

from emob_sim.energy.pv import (
    PVArray,
    clear_sky_poa_w_m2,
    daylight,
    measured_profile_kw,
    pv_profile_kw,
    yield_scale,
)

__all__ = [
    "PVArray",
    "clear_sky_poa_w_m2",
    "daylight",
    "pv_profile_kw",
    "measured_profile_kw",
    "yield_scale",
]
