"""Energy at charging sites: solar generation (grid limits, storage and charging strategies
come with the workplace-charging model, issue 16)."""

from __future__ import annotations

from emob_sim.energy.pv import PVArray, clear_sky_poa_w_m2, daylight, pv_profile_kw, yield_scale

__all__ = ["PVArray", "clear_sky_poa_w_m2", "daylight", "pv_profile_kw", "yield_scale"]
