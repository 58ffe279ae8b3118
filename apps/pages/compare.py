"""Compare page: two to four layouts on the same demand and seed, side by side."""

from __future__ import annotations

import json

import streamlit as st
from common import BASEMAP_DEFAULT, compare, comparison_folder, layout_files, proposals
from maps import deck, site_layers

from emob_sim.config import load_scenario
from emob_sim.display import format_value, label_of
from emob_sim.errors import EmobSimError
from emob_sim.runner import best_values

st.title("Compare layouts")
st.caption(
    "Every layout runs with the same seed, so layouts on the same network, zones and fleet "
    "see the same trips. ★ marks the best value of each row. Rows marked (area) count the "
    "planning area's own sites and residents, (total) everything simulated (with through "
    "traffic and the aggregate site outside the region)."
)
options = {**{k: str(p) for k, p in layout_files().items()},
           **{k: str(p) for k, p in proposals().items()}}  # fmt: skip
# today's chargers first, then the options of the Zemgale plan
default = [k for word in ("existing", "corridor", "centres") for k in options if word in k][:3]
chosen = st.multiselect("Layouts (2 to 4)", list(options), default=default, max_selections=4,
                        key="compare_layouts")  # fmt: skip
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
st.dataframe(shown, width="stretch", height=min(38 * (len(shown) + 1), 900),
             column_config={"_index": st.column_config.TextColumn(width=240)})  # fmt: skip

st.subheader("Maps")
basemap = st.sidebar.toggle("Basemap (needs the internet)", value=BASEMAP_DEFAULT,
                            key="compare_basemap")  # fmt: skip
zones = next(iter(comparison.runs.values())).region.zones
for name, col in zip(comparison.sites, st.columns(len(comparison.sites))):
    with col:
        st.markdown(f"**{name}**")
        layers = site_layers(comparison.sites[name], suffix=f"_{name}")
        st.pydeck_chart(
            deck(layers, lines=None, zones=zones, basemap=basemap), height=320, key=f"map_{name}"
        )

st.subheader("Municipalities")
st.dataframe(comparison.municipalities.rename(columns=label_of), hide_index=True,
             width="stretch")  # fmt: skip

st.subheader("Downloads")
written = comparison_folder(json.dumps([chosen, int(seed)]), comparison)
c1, c2 = st.columns(2)
c1.download_button("comparison.csv", (written / "comparison.csv").read_bytes(),
                   "comparison.csv", "text/csv", key="dl_comparison")  # fmt: skip
c2.download_button("layouts.gpkg (for QGIS)", (written / "layouts.gpkg").read_bytes(),
                   "layouts.gpkg", "application/geopackage+sqlite3", key="dl_layouts")  # fmt: skip
