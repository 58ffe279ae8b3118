"""Map page: roads, zones by electric cars, sites by sessions and waits, where trips failed."""

from __future__ import annotations

import streamlit as st
from charts import histogram
from common import BASEMAP_DEFAULT, need_run
from maps import deck, picked_site, site_layers, zone_layers

from emob_sim.analysis import network_lines, site_load_profile, site_waits_min, zone_table

st.title("Map")
found = need_run()
if found is None:
    st.stop()
label, result = found
st.caption(f"Run {label}")

basemap = st.sidebar.toggle(
    "Basemap (needs the internet)", value=BASEMAP_DEFAULT, key="basemap",
    help="Without it the roads, zones and sites are drawn on a plain background.",
)  # fmt: skip
show_roads = st.sidebar.toggle("Roads", value=True, key="roads")

zones = zone_table(result)
lines = network_lines(result.region.network) if show_roads else None
layers = zone_layers(zones) + site_layers(result.sites)


def _select_clicked_site() -> None:
    """A click on a car site picks it in the select box below (a callback: it runs before the
    page, so before the select box is drawn)."""
    site = picked_site(st.session_state["map"]["selection"])
    if site is not None:
        st.session_state["map_site"] = site


st.pydeck_chart(
    deck(layers, lines=lines, zones=zones, basemap=basemap),
    on_select=_select_clicked_site, selection_mode="single-object", key="map", height=560,
)  # fmt: skip
st.caption(
    "Zones: shade = electric cars living there; red ring = trips stranded from there. "
    "Car sites: size = sessions, colour = mean wait (green short, red long); orange ring = "
    "drivers gave up there. E-bike points: blue squares. Hover for details; click a car site "
    "for its load and waits."
)

# ---- one site ---------------------------------------------------------------------------------
car_sites = result.sites[result.sites["kind"] != "ebike"]
names = dict(zip(car_sites["site_id"], car_sites["name"].where(car_sites["name"] != "",
                                                                car_sites["site_id"])))  # fmt: skip
ids = list(names)
if st.session_state.get("map_site") not in ids:  # a site of another run
    st.session_state.pop("map_site", None)
site = st.selectbox("Car site", ids, format_func=lambda s: names[s], key="map_site")
load_col, wait_col = st.columns(2)
with load_col:
    st.markdown("**Load over the simulated time (kW)**")
    st.line_chart(site_load_profile(result, site), x="hour", y="power_kw", height=250)
with wait_col:
    st.markdown("**Waits of the drivers who arrived (minutes)**")
    waits = site_waits_min(result, site)
    if waits.empty:
        st.info("No driver arrived at this site.")
    else:
        chart = histogram(waits, "wait_min", title="wait (min)", counted="drivers",
                          colour="gave_up", height=250)  # fmt: skip
        st.altair_chart(chart, width="stretch")
