"""Results page: KPI cards against a reference run, load, waits, state of charge, e-bikes, CO2,
and the sites with an energy set-up (industrial areas' workplace charging, solar, grid limit)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from charts import histogram
from common import need_run, run, runs

from emob_sim.analysis import (
    arrival_soc,
    site_load_profile,
    site_power,
    site_waits_min,
    sites_with_energy,
)
from emob_sim.display import format_value, label_of, unit_of
from emob_sim.io import points_bytes
from emob_sim.runner import run_archive

#: the KPI cards, in the order shown
CARDS = [
    "trips_generated", "trips_stranded", "charging_sessions", "sessions_abandoned",
    "mean_wait_min", "p95_wait_min", "energy_delivered_kwh", "home_energy_kwh",
    "rescue_energy_kwh",
    "peak_load_kw", "km_electric", "co2_avoided_kg", "vehicles",
]  # fmt: skip

st.title("Results")
found = need_run()
if found is None:
    st.stop()
label, result = found
others = [name for name in runs() if name != label]
left, right = st.columns([2, 2])
left.markdown(f"**Run** {label}")
reference = right.selectbox(
    "Compare with the run", ["(none)", *others], key="reference",
    help="Each card shows the difference to this run.",
)  # fmt: skip
ref = run(runs()[reference], progress=False) if reference != "(none)" else None

k = result.kpis
cols = st.columns(4)
for i, key in enumerate(CARDS):
    delta = None
    if ref is not None:
        diff = k[key] - ref.kpis[key]
        delta = ("+" if diff > 0 else "") + format_value(key, diff)
    lower_is_better = key in ("trips_stranded", "sessions_abandoned", "mean_wait_min",
                              "p95_wait_min", "peak_load_kw")  # fmt: skip
    cols[i % 4].metric(
        label_of(key), format_value(key, k[key]), delta,
        delta_color="inverse" if lower_is_better else "normal", border=True,
    )  # fmt: skip

# ---- charts -----------------------------------------------------------------------------------
st.subheader("Load at the public car sites")
car_sites = result.sites[result.sites["kind"] != "ebike"]
choice = st.selectbox("Site", ["all car sites together", *car_sites["site_id"]], key="load_site")
profile = site_load_profile(result, None if choice.startswith("all") else choice)
st.line_chart(profile, x="hour", y="power_kw", height=260)

wait_col, soc_col = st.columns(2)
with wait_col:
    st.subheader("Waiting times")
    waits = site_waits_min(result)
    if waits.empty:
        st.info("No driver waited at a public site.")
    else:
        chart = histogram(waits, "wait_min", title="wait (min)", counted="drivers",
                          colour="gave_up", bins=24)  # fmt: skip
        st.altair_chart(chart, width="stretch")
with soc_col:
    st.subheader("State of charge on arrival")
    soc = arrival_soc(result).to_frame()
    if soc.empty:
        st.info("No public charging session.")
    else:
        chart = histogram(soc, "soc_on_arrival", title="state of charge", counted="sessions")
        st.altair_chart(chart, width="stretch")

st.subheader("Sites")
st.dataframe(result.sites, hide_index=True, width="stretch")

bike_col, co2_col = st.columns(2)
with bike_col:
    st.subheader("E-bikes")
    section = k.get("ebike", {})
    values = [format_value(x, v) for x, v in section.items()]
    st.dataframe(pd.DataFrame({"KPI": list(section), "value": values}), hide_index=True)
with co2_col:
    st.subheader("CO₂ avoided")
    co2 = k["co2_avoided_kg"]
    st.metric("electric cars instead of petrol cars", format_value("co2_avoided_kg", co2))
    if section:
        shift = section["co2_avoided_kg"]
        st.metric("car trips moved to e-bikes", format_value("co2_avoided_kg", shift))
    st.caption(f"Emission factors in {unit_of('petrol_car_kg_per_km') or 'kg'}/km and kg/kWh: "
               f"{result.scenario.emissions.petrol_car_kg_per_km} (petrol car), "
               f"{result.scenario.emissions.grid_kg_per_kwh} (grid).")  # fmt: skip

# ---- sites with an energy set-up -------------------------------------------------------------
areas = k.get("areas")
if areas:
    st.subheader("Industrial areas and sites with solar power or a grid limit")
    entries = areas["sites"]
    titles = [e["name"] or e["site_id"] for e in entries]
    keys = ["kind", "strategy", "plugs", "grid_limit_kw", "pv_kwp", "battery_kwh",
            *areas["total"]]  # fmt: skip
    st.dataframe(
        pd.DataFrame({"KPI": [label_of(x) for x in keys],
                      **{t: [format_value(x, e.get(x)) for x in keys]
                         for t, e in zip(titles, entries, strict=True)}}),
        hide_index=True, width="stretch",
    )  # fmt: skip
    pick = st.selectbox("Power at the site", titles, key="energy_site")
    entry = entries[titles.index(pick)]
    power = site_power(result.energy, entry["site_id"])
    st.area_chart(power, x="hour", y=["solar", "battery", "grid"], height=260,
                  y_label="kW into the cars")  # fmt: skip
    st.line_chart(power, x="hour", y=["solar generated", "grid limit"], height=180,
                  y_label="kW")  # fmt: skip
    st.caption(
        f"{entry['strategy']} charging; solar {format_value('pv_kwp', entry['pv_kwp'])} kWp, "
        f"{format_value('self_sufficiency_share', entry['self_sufficiency_share'])} of the "
        "charging energy from own solar power and battery; hours from midnight of day 0 "
        f"({result.scenario.time.start_date}, {result.scenario.energy.timezone})."
    )

# ---- downloads --------------------------------------------------------------------------------
st.subheader("Downloads")
name = result.scenario.name
d1, d2, d3, d4 = st.columns(4)
d1.download_button("Run folder (zip)", lambda: run_archive(result), f"{name}-run.zip",
                   "application/zip", key="dl_zip")  # fmt: skip
points = sites_with_energy(result.sites, k.get("areas"))
d2.download_button("Sites (GeoJSON)", lambda: points_bytes(points, ".geojson"),
                   f"{name}-sites.geojson", "application/geo+json", key="dl_geojson")  # fmt: skip
gpkg = "application/geopackage+sqlite3"
d3.download_button("Sites (GeoPackage)", lambda: points_bytes(points, ".gpkg"),
                   f"{name}-sites.gpkg", gpkg, key="dl_gpkg")  # fmt: skip
d4.download_button("Sessions (CSV)", lambda: result.sim.sessions.to_csv(index=False),
                   f"{name}-sessions.csv", "text/csv", key="dl_sessions")  # fmt: skip
st.caption(f"Road data: {result.region.network.attribution}")
