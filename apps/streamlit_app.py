"""emob-sim for planners: pick a scenario, change its levers, run it, see it on a map, compare;
read back the sweeps researchers ran; run a plan over the years.

    streamlit run apps/streamlit_app.py

Every page is a thin face on the package: runs go through the runner's evaluator (a region is
built once per network and kept, runs are kept by resolved scenario and seed), tables come
from :mod:`emob_sim.analysis`. Nothing here simulates or computes a KPI.
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="emob-sim", page_icon=":material/ev_station:", layout="wide")

pages = st.navigation(
    [
        st.Page("pages/scenario.py", title="Scenario", icon=":material/tune:", default=True),
        st.Page("pages/map.py", title="Map", icon=":material/map:"),
        st.Page("pages/results.py", title="Results", icon=":material/monitoring:"),
        st.Page("pages/compare.py", title="Compare layouts", icon=":material/compare:"),
        st.Page("pages/sweeps.py", title="Sweeps", icon=":material/stacked_line_chart:"),
        st.Page("pages/plan.py", title="Plan", icon=":material/event_note:"),
    ]
)
pages.run()
