"""Analysis: KPIs and the tables derived from a run (per site, load profile, e-bikes, maps)."""

from __future__ import annotations

from emob_sim.analysis.ebike import EBIKE_KPI_KEYS, ebike_kpis, ebike_site_table
from emob_sim.analysis.energy import (
    ENERGY_KPI_KEYS,
    site_energy_kpis,
    site_power,
    sites_with_energy,
)
from emob_sim.analysis.kpis import (
    KPI_KEYS,
    SCOPED_KPI_KEYS,
    SITE_TABLE_COLUMNS,
    compute_kpis,
    flat_kpis,
    scoped_kpis,
    site_table,
)
from emob_sim.analysis.maps import (
    ZONE_MAP_COLUMNS,
    arrival_soc,
    network_lines,
    site_load_profile,
    site_waits_min,
    zone_table,
)
from emob_sim.analysis.tables import (
    TRIP_TABLE_COLUMNS,
    ebike_session_table,
    ebike_trip_table,
    load_profile_table,
    trip_table,
)

__all__ = [
    "compute_kpis",
    "flat_kpis",
    "site_table",
    "scoped_kpis",
    "SCOPED_KPI_KEYS",
    "KPI_KEYS",
    "SITE_TABLE_COLUMNS",
    "EBIKE_KPI_KEYS",
    "ebike_kpis",
    "ebike_site_table",
    "load_profile_table",
    "trip_table",
    "TRIP_TABLE_COLUMNS",
    "ebike_trip_table",
    "ebike_session_table",
    "network_lines",
    "zone_table",
    "site_waits_min",
    "site_load_profile",
    "arrival_soc",
    "ZONE_MAP_COLUMNS",
    "ENERGY_KPI_KEYS",
    "site_energy_kpis",
    "sites_with_energy",
    "site_power",
]
