"""Map page: roads, zones by electric cars, sites by sessions and waits, where trips failed."""

from __future__ import annotations

import streamlit as st
from charts import histogram, over_time
from common import BASEMAP_DEFAULT, need_run, waits_in_words
from maps import (
    deck,
    extent,
    fit_view,
    legend_html,
    picked_site,
    place_layers,
    site_layers,
    zone_layers,
    zone_radius_px,
)
from scalebar import scale_layers

from emob_sim.analysis import network_lines, site_load_profile, site_waits_min, zone_table
from emob_sim.analysis.maps import boundary_table, place_names
from emob_sim.display import format_value, label_of

st.title("Map")
found = need_run()
if found is None:
    st.stop()
label, result = found
st.caption(f"Run: {label}")

basemap = st.sidebar.toggle(
    "Basemap (needs the internet)",
    value=BASEMAP_DEFAULT,
    key="basemap",
    help="Without it the roads, zones and sites are drawn on a plain background.",
)
show_roads = st.sidebar.toggle("Roads", value=True, key="roads")

zones = zone_table(result)
lines = network_lines(result.region.network) if show_roads else None
boundaries = boundary_table(result.region)
lon, lat = extent(zones, result.sites, boundaries)
view = fit_view(lon, lat, width_px=940, height_px=560, pad_px=50)
layers = zone_layers(zones) + site_layers(result.sites, view=view)
below = dict(zip(zones["name"], zone_radius_px(zones["population"])))
places = place_layers(
    boundaries,
    place_names(result.region),
    view=view,
    below_px=below,
    importance=dict(zip(zones["name"], zones["population"])),
)
places += scale_layers(view, width_px=940, height_px=560)


def _select_clicked_site() -> None:
    """A click on a car site picks it in the select box below (a callback: it runs before the
    page, so before the select box is drawn)."""
    site = picked_site(st.session_state["map"]["selection"])
    if site is not None:
        st.session_state["map_site"] = site


st.pydeck_chart(
    deck(layers, view=view, lines=lines, places=places, basemap=basemap),
    on_select=_select_clicked_site,
    selection_mode="single-object",
    key="map",
    height=560,
)
st.markdown(
    legend_html(zones=True, ebikes=bool((result.sites["kind"] == "ebike").any())),
    unsafe_allow_html=True,
)
st.caption(
    "Car sites: size = charging sessions. Town circles: size = population. Markers at the "
    "same place are drawn side by side. Hover for details; click a car site for its load and "
    "waits."
)

# ---- one site ---------------------------------------------------------------------------------
car_sites = result.sites[result.sites["kind"] != "ebike"]
names = dict(
    zip(
        car_sites["site_id"], car_sites["name"].where(car_sites["name"] != "", car_sites["site_id"])
    )
)
ids = list(names)
if st.session_state.get("map_site") not in ids:  # a site of another run
    st.session_state.pop("map_site", None)
site = st.selectbox("Car site", ids, format_func=lambda s: names[s], key="map_site")
#: a site's sessions by where the car was: en route, where it parked, overnight near home
BY_LOCATION = ("sessions", "sessions_en_route", "sessions_destination", "sessions_overnight")
chosen = car_sites.set_index("site_id").loc[site]
for col, key in zip(st.columns(len(BY_LOCATION)), BY_LOCATION):
    col.metric(label_of(key), format_value(key, chosen[key]), border=True)
load_col, wait_col = st.columns(2)
with load_col:
    st.markdown("**Load over the simulated time**")
    chart = over_time(
        site_load_profile(result, site),
        "hour",
        "power_kw",
        x_title="Hours from the start (h)",
        y_title="Load (kW)",
        height=250,
    )
    st.altair_chart(chart, width="stretch")
with wait_col:
    st.markdown("**Waits of the drivers who arrived**")
    waits = waits_in_words(site_waits_min(result, site))
    if waits.empty:
        st.info("No driver arrived at this site.")
    else:
        chart = histogram(
            waits,
            "wait_min",
            title="Wait (min)",
            counted="Drivers",
            colour="outcome",
            colour_title="Drivers who",
            min_step=1.0,
            height=250,
        )
        st.altair_chart(chart, width="stretch")
