"""Load profiles: the mean power per site and time bin of a set of charging sessions.

Each session's power curve is re-integrated into bins exactly: the energy a session delivers
in bin ``[t_a, t_b)`` is ``battery_kwh * (soc(t_b) - soc(t_a))`` with ``soc(t)`` from
:func:`emob_sim.kernels.charging.charge_walk` (the same exact piecewise solution that gave the
session its duration), and the bin that holds the session's end receives the rest up to
``soc_end``. The profile therefore integrates to the sessions' energy,
``sum(load_kw) * bin_s / 3600 == sum(battery_kwh * (soc_end - soc_start))`` up to rounding.
Energy after the last bin is put into the last bin (size ``n_bins`` to cover every session).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from emob_sim.kernels.charging import charge_walk
from emob_sim.kernels.structs import Car, Curves, ProfileSessions

__all__ = ["load_profile"]


@njit(cache=True)
def load_profile(
    sessions: ProfileSessions, curves: Curves, n_sites: int, n_bins: int, bin_s: float
) -> np.ndarray:
    """Mean kW per site and bin.

    Parameters
    ----------
    sessions
        Per session (:class:`~emob_sim.kernels.structs.ProfileSessions`): site, plug-in and
        plug-out time, state of charge at both, the vehicle (``type_idx`` selects the row of
        the curves) and the plug's power and kind.
    curves
        Charging curves, one row per vehicle type (:class:`~emob_sim.kernels.structs.Curves`).
    n_sites, n_bins, bin_s
        Shape of the output and bin width in seconds.

    Returns
    -------
    ndarray
        ``load_kw[site, bin]``, shape ``(n_sites, n_bins)``.
    """
    load_kw = np.zeros((n_sites, n_bins))
    if n_bins == 0:
        return load_kw
    to_kw = 3600.0 / bin_s
    site_idx, type_idx, battery_kwh = sessions.site_idx, sessions.type_idx, sessions.battery_kwh
    start_s, end_s = sessions.start_s, sessions.end_s
    soc_start, soc_end = sessions.soc_start, sessions.soc_end
    for i in range(site_idx.shape[0]):
        s = site_idx[i]
        typ = type_idx[i]
        b = int(start_s[i] // bin_s)
        if b >= n_bins:
            b = n_bins - 1
        if b < 0:
            b = 0
        t_lo = start_s[i]
        soc_lo = soc_start[i]
        while True:
            t_hi = (b + 1) * bin_s
            last = t_hi >= end_s[i] or b == n_bins - 1
            if last:
                soc_hi = soc_end[i]
            else:
                car = Car(
                    battery_kwh[i],
                    curves.curve_soc[typ],
                    curves.curve_frac[typ],
                    sessions.max_dc_kw[i],
                    sessions.max_ac_kw[i],
                    0.0,
                )
                _, soc_hi = charge_walk(
                    soc_lo, soc_end[i], t_hi - t_lo, car, sessions.plug_kw[i], sessions.is_dc[i]
                )
            load_kw[s, b] += battery_kwh[i] * (soc_hi - soc_lo) * to_kw
            if last:
                break
            soc_lo = soc_hi
            t_lo = t_hi
            b += 1
    return load_kw
