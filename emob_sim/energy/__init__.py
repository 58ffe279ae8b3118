"""Energy at charging sites: solar generation, clear-sky (with monthly weather) or measured,
the site's own load (the power allocation under a grid limit, with a battery and a charging
strategy, is the kernel :func:`emob_sim.kernels.allocation.allocate_power`;
:mod:`emob_sim.sim.site_energy` runs it)."""

from __future__ import annotations

from emob_sim.energy.load import LOAD_SHAPES, measured_load_kw, shaped_load_kw
from emob_sim.energy.pv import (
    PVArray,
    clear_sky_monthly_kwh_per_kwp,
    clear_sky_poa_w_m2,
    daylight,
    measured_profile_kw,
    pv_profile_kw,
    step_instants,
    wall_clock,
    yield_scale,
)
from emob_sim.energy.weather import daily_clearness, monthly_clearness, read_monthly_yields

__all__ = [
    "PVArray",
    "clear_sky_poa_w_m2",
    "clear_sky_monthly_kwh_per_kwp",
    "daylight",
    "pv_profile_kw",
    "measured_profile_kw",
    "yield_scale",
    "step_instants",
    "wall_clock",
    "LOAD_SHAPES",
    "shaped_load_kw",
    "measured_load_kw",
    "read_monthly_yields",
    "monthly_clearness",
    "daily_clearness",
]
