"""Results page: KPI cards against a reference run, load, waits, state of charge, e-bikes, CO2,
and the sites with an energy set-up (industrial areas' workplace charging, solar, grid limit)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from charts import histogram, over_time
from common import need_run, run, runs, waits_in_words

from emob_sim.analysis import (
    arrival_soc,
    site_load_profile,
    site_power,
    site_waits_min,
    sites_with_energy,
)
from emob_sim.display import format_value, kind_label, label_of, people_table
from emob_sim.io import points_bytes
from emob_sim.runner import run_archive

#: the KPI cards, in the order shown
CARDS = [
    "trips_generated",
    "trips_stranded",
    "charging_sessions",
    "sessions_abandoned",
    "destination_sessions",
    "overnight_sessions",
    "mean_wait_min",
    "p95_wait_min",
    "energy_delivered_kwh",
    "destination_energy_kwh",
    "overnight_energy_kwh",
    "home_energy_kwh",
    "rescue_energy_kwh",
    "peak_load_kw",
    "km_electric",
    "co2_avoided_kg",
    "vehicles",
]

st.title("Results")
found = need_run()
if found is None:
    st.stop()
label, result = found
others = [name for name in runs() if name != label]
left, right = st.columns([2, 2])
left.markdown(f"**Run:** {label}")
reference = right.selectbox(
    "Compare with the run",
    ["(none)", *others],
    key="reference",
    help="Each card shows the difference to this run.",
)
ref = run(runs()[reference], progress=False) if reference != "(none)" else None

k = result.kpis
cols = st.columns(4)
for i, key in enumerate(CARDS):
    delta = None
    if ref is not None:
        diff = k[key] - ref.kpis[key]
        text = format_value(key, diff)
        # a change too small to print is no change: shown grey, without an arrow
        shown_zero = float(text.split(" ")[0].replace(",", "")) == 0.0
        delta = None if shown_zero else ("+" if diff > 0 else "") + text
    lower_is_better = key in (
        "trips_stranded",
        "sessions_abandoned",
        "mean_wait_min",
        "p95_wait_min",
        "peak_load_kw",
    )
    where = key.startswith(("destination_", "overnight_"))  # where, not how good
    cols[i % 4].metric(
        label_of(key),
        format_value(key, k[key]),
        delta,
        delta_color="off" if where else "inverse" if lower_is_better else "normal",
        border=True,
    )

outside_ids = set(result.scenario.placement.external_site_ids)
outside = result.sites[result.sites["site_id"].isin(outside_ids)]
if len(outside):
    names = ", ".join(outside["name"].where(outside["name"] != "", outside["site_id"]))
    st.caption(
        "Sessions, energy, waits and the peak load count every public site, also those outside "
        f"the planning area: {names}. The Compare page shows the planning area's own figures."
    )

# ---- charts -----------------------------------------------------------------------------------
st.subheader("Load at the public car sites")
car_sites = result.sites[result.sites["kind"] != "ebike"]
choice = st.selectbox("Site", ["all car sites together", *car_sites["site_id"]], key="load_site")
profile = site_load_profile(result, None if choice.startswith("all") else choice)
st.altair_chart(
    over_time(profile, "hour", "power_kw", x_title="Hours from the start (h)", y_title="Load (kW)"),
    width="stretch",
)

wait_col, soc_col = st.columns(2)
with wait_col:
    st.subheader("Waiting times")
    waits = waits_in_words(site_waits_min(result))
    if waits.empty:
        st.info("No driver waited at a public site.")
    else:
        chart = histogram(
            waits,
            "wait_min",
            title="Wait (min)",
            counted="Drivers",
            colour="outcome",
            colour_title="Drivers who",
            bins=24,
            min_step=1.0,
        )
        st.altair_chart(chart, width="stretch")
with soc_col:
    st.subheader("State of charge on arrival")
    soc = (100.0 * arrival_soc(result)).rename("soc_percent").to_frame()
    if soc.empty:
        st.info("No public charging session.")
    else:
        chart = histogram(
            soc,
            "soc_percent",
            title="Battery charge on arrival (%)",
            counted="Charging sessions",
            min_step=5.0,
        )
        st.altair_chart(chart, width="stretch")

st.subheader("Sites")
sites = result.sites.drop(columns=["lon", "lat"])
st.dataframe(people_table(sites), hide_index=True, width="stretch")

bike_col, co2_col = st.columns(2)
with bike_col:
    st.subheader("E-bikes")
    section = k.get("ebike", {})
    values = [format_value(x, v) for x, v in section.items()]
    names = [label_of(f"ebike_{x}") for x in section]
    st.dataframe(pd.DataFrame({"E-bikes": names, "Value": values}), hide_index=True)
with co2_col:
    st.subheader("CO₂ avoided")
    st.metric("all (from energy used)", format_value("co2_avoided_kg", k["co2_avoided_kg"]))
    co2 = k.get("co2_avoided_cars_kg", k["co2_avoided_kg"])
    st.metric("electric cars instead of petrol cars", format_value("co2_avoided_kg", co2))
    if section:
        shift = section["co2_avoided_kg"]
        st.metric("car trips moved to e-bikes", format_value("co2_avoided_kg", shift))
    emissions = result.scenario.emissions
    st.caption(
        f"Emission factors: petrol car {emissions.petrol_car_kg_per_km} kg CO2 per km, "
        f"grid {emissions.grid_kg_per_kwh} kg CO2 per kWh."
    )

# ---- sites with an energy set-up -------------------------------------------------------------
areas = k.get("areas")
if areas:
    st.subheader("Industrial areas and sites with solar power or a grid limit")
    entries = areas["sites"]
    titles = [e["name"] or e["site_id"] for e in entries]
    keys = ["kind", "strategy", "plugs", "grid_limit_kw", "pv_kwp", "battery_kwh", *areas["total"]]
    st.dataframe(
        pd.DataFrame(
            {
                "KPI": [label_of(x) for x in keys],
                **{
                    t: [
                        kind_label(e[x]) if x == "kind" else format_value(x, e.get(x)) for x in keys
                    ]
                    for t, e in zip(titles, entries, strict=True)
                },
            }
        ),
        hide_index=True,
        width="stretch",
    )
    card = areas.get("scorecard")
    if card:  # the GreenIndustrialAreas scorecard and money (emob_sim/analysis/money.py)
        bases = sorted({str(e.get("money_basis")) for e in card["sites"]})
        st.markdown(f"**Area scorecard** (a year: {'; '.join(bases)})")
        card_keys = [
            "renewable_share",
            "co2_kg_per_year",
            "co2_kg_per_employee_year",
            "peak_grid_kw",
            "limit_kept_year",
            "reference_peak_kw",
            "peak_reduction_share",
            "annual_cost_eur_per_year",
            "energy_bill_eur_per_year",
            "savings_eur_per_year",
            "investment_eur",
            "simple_payback_years",
            "npv_eur",
        ]
        st.dataframe(
            pd.DataFrame(
                {
                    "KPI": [label_of(x) for x in card_keys],
                    **{
                        t: [format_value(x, e.get(x)) for x in card_keys]
                        for t, e in zip(titles, card["sites"], strict=True)
                    },
                }
            ),
            hide_index=True,
            width="stretch",
        )
    pick = st.selectbox("Power at the site", titles, key="energy_site")
    entry = entries[titles.index(pick)]
    power = site_power(result.energy, entry["site_id"])
    st.area_chart(
        power,
        x="hour",
        y=["solar", "battery", "grid"],
        height=260,
        x_label="Hours from midnight of day 0 (h)",
        y_label="kW into the cars",
    )
    st.line_chart(
        power,
        x="hour",
        y=["solar generated", "grid limit"],
        height=180,
        x_label="Hours from midnight of day 0 (h)",
        y_label="kW",
    )
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
d1.download_button(
    "Run folder (zip)",
    lambda: run_archive(result),
    f"{name}-run.zip",
    "application/zip",
    key="dl_zip",
)
points = sites_with_energy(result.sites, k.get("areas"))
d2.download_button(
    "Sites (GeoJSON)",
    lambda: points_bytes(points, ".geojson"),
    f"{name}-sites.geojson",
    "application/geo+json",
    key="dl_geojson",
)
gpkg = "application/geopackage+sqlite3"
d3.download_button(
    "Sites (GeoPackage)",
    lambda: points_bytes(points, ".gpkg"),
    f"{name}-sites.gpkg",
    gpkg,
    key="dl_gpkg",
)
d4.download_button(
    "Sessions (CSV)",
    lambda: result.sim.sessions.to_csv(index=False),
    f"{name}-sessions.csv",
    "text/csv",
    key="dl_sessions",
)
st.caption(f"Road data: {result.region.network.attribution}")
