"""Compare page: two to four layouts on the same demand and seed, side by side."""

from __future__ import annotations

import json

import streamlit as st
from common import BASEMAP_DEFAULT, compare, comparison_folder, layout_files, proposals
from maps import (
    deck,
    extent,
    fit_view,
    legend_html,
    place_layers,
    site_layers,
    site_radius_px,
    zone_layers,
    zone_radius_px,
)
from scalebar import scale_layers

from emob_sim.analysis import network_lines, zone_table
from emob_sim.analysis.maps import boundary_table, place_names
from emob_sim.config import load_scenario
from emob_sim.display import format_value, label_of, people_table
from emob_sim.errors import EmobSimError
from emob_sim.runner import best_values

st.title("Compare layouts")
st.caption(
    "Every layout runs with the same seed, so layouts on the same network, zones and fleet "
    "see the same trips. ★ marks the best value of each row. Rows marked (area) count the "
    "planning area's own sites and residents, (total) everything simulated (with through "
    "traffic and the aggregate site outside the region)."
)
options = {
    **{k: str(p) for k, p in layout_files().items()},
    **{k: str(p) for k, p in proposals().items()},
}
# today's chargers first, then the options of the Zemgale plan
default = [k for word in ("existing", "corridor", "centres") for k in options if word in k][:3]
chosen = st.multiselect(
    "Layouts (2 to 4)", list(options), default=default, max_selections=4, key="compare_layouts"
)
if len(chosen) < 2:
    st.info("Choose at least two layouts.")
    st.stop()
first_seed = load_scenario(options[chosen[0]]).seed  # compare's default: the first layout's
seed = st.number_input("Seed", value=first_seed, step=1, key="compare_seed")
if not st.toggle("Run the comparison", value=True, key="compare_go"):
    st.stop()
try:
    with st.spinner(f"simulating {len(chosen)} layouts ..."):
        comparison = compare([options[c] for c in chosen], seed=int(seed))
except EmobSimError as exc:
    st.error(str(exc), icon=":material/warning:")
    st.stop()

table = comparison.table.drop(columns=["file"]).set_index("layout")
best = best_values(comparison.table.drop(columns=["file"])).set_index(comparison.table["layout"])
shown = table.T.copy().astype(object)
for col in shown.columns:
    for row in shown.index:
        text = format_value(row, table.at[col, row])
        shown.at[row, col] = f"★ {text}" if best.at[col, row] else text
shown.index = [label_of(key) for key in shown.index]  # comparison.csv keeps the keys
st.dataframe(
    shown,
    width="stretch",
    height=min(38 * (len(shown) + 1), 900),
    column_config={"_index": st.column_config.TextColumn(width=240)},
)

st.subheader("Maps")
basemap = st.sidebar.toggle(
    "Basemap (needs the internet)", value=BASEMAP_DEFAULT, key="compare_basemap"
)
show_roads = st.sidebar.toggle("Roads", value=True, key="compare_roads")
height_px = 320
scale = 0.7  # smaller markers: the maps are smaller than the Map page's
names = list(comparison.sites)
for start in range(0, len(names), 2):  # two maps a row: the region is wider than tall
    for name, col in zip(names[start : start + 2], st.columns(2)):
        with col:
            st.markdown(f"**{name}**")
            result = comparison.runs[name]
            zones = zone_table(result)
            sites = comparison.sites[name]
            boundaries = boundary_table(result.region)
            lon, lat = extent(zones, sites, boundaries)
            biggest = site_radius_px(sites["sessions"], scale=scale).max() if len(sites) else 5
            view = fit_view(
                lon,
                lat,
                width_px=450,  # a column of two in a 1440 px window
                height_px=height_px,
                pad_px=max(20.0, 1.4 * float(biggest) + 4.0),
            )
            layers = zone_layers(zones, tips=False, scale=scale) + site_layers(
                sites, view=view, suffix=f"_{name}", scale=scale
            )
            below = dict(zip(zones["name"], zone_radius_px(zones["population"], scale=scale)))
            places = place_layers(
                boundaries,
                place_names(result.region),
                view=view,
                below_px=below,
                importance=dict(zip(zones["name"], zones["population"])),
                suffix=f"_{name}",
            )
            places += scale_layers(view, width_px=450, height_px=height_px, suffix=f"_{name}")
            lines = network_lines(result.region.network, max_lines=20_000) if show_roads else None
            st.pydeck_chart(
                deck(
                    layers,
                    view=view,
                    lines=lines,
                    places=places,
                    basemap=basemap,
                    suffix=f"_{name}",
                ),
                height=height_px,
                key=f"map_{name}",
            )
any_ebike = any((t["kind"] == "ebike").any() for t in comparison.sites.values())
st.markdown(legend_html(zones=True, ebikes=any_ebike), unsafe_allow_html=True)
st.caption(
    "Car sites: size = charging sessions; town circles: size = population. Markers at "
    "the same place are drawn side by side. Hover a site for its figures."
)

st.subheader("Municipalities")
st.dataframe(people_table(comparison.municipalities), hide_index=True, width="stretch")

st.subheader("Downloads")
written = comparison_folder(json.dumps([chosen, int(seed)]), comparison)
c1, c2 = st.columns(2)
c1.download_button(
    "comparison.csv",
    (written / "comparison.csv").read_bytes(),
    "comparison.csv",
    "text/csv",
    key="dl_comparison",
)
c2.download_button(
    "layouts.gpkg (for QGIS)",
    (written / "layouts.gpkg").read_bytes(),
    "layouts.gpkg",
    "application/geopackage+sqlite3",
    key="dl_layouts",
)
