"""Plan page: run a plan file (options x horizon years x adoption paths) and read its results.

The same tables and report as ``emob-sim plan``: the page calls :mod:`emob_sim.plan` and
draws what it returns.
"""

from __future__ import annotations

import streamlit as st
from charts import plan_trajectory
from common import plan, plan_files

from emob_sim.display import format_value
from emob_sim.errors import EmobSimError
from emob_sim.plan import load_plan, plan_report
from emob_sim.plan.report import KPI_TITLES, REPORT_KPIS

st.title("Plan")
st.caption(
    "A plan runs every option in every horizon year on every adoption path, with several "
    "seeds per year (`emob-sim plan PLAN --out DIR`). Each option's layouts and each path's "
    "adoption values, with their sources, are in the plan file."
)
files = plan_files()
if not files:
    st.info("No plan file under configs/ (configs/**/plans/*.yaml).")
    st.stop()
left, mid, right = st.columns([3, 1, 2])
chosen = left.selectbox("Plan file", list(files), key="plan_file")
seeds = mid.number_input("Seeds per year", min_value=1, max_value=10, value=1, key="plan_seeds")
try:
    loaded = load_plan(files[chosen], seeds=int(seeds))
except EmobSimError as exc:
    st.error(str(exc), icon=":material/warning:")
    st.stop()
municipality = right.selectbox(
    "Report for", ["the whole region", *loaded.municipalities()], key="plan_municipality"
)
cfg = loaded.config
runs = len(cfg.adoption) * len(cfg.years) * len(loaded.seeds) * len(cfg.options)
st.markdown(
    f"**{cfg.name}**: {cfg.description}  \n{len(cfg.options)} options, years "
    f"{', '.join(map(str, cfg.years))}, paths {', '.join(cfg.adoption)}: {runs} runs."
)
if not st.button("Run the plan", key="plan_run", type="primary") and not st.session_state.get(
    "plan_ran"
):
    st.stop()
st.session_state["plan_ran"] = True
try:
    result = plan(str(files[chosen]), seeds=int(seeds))
except EmobSimError as exc:
    st.error(str(exc), icon=":material/warning:")
    st.stop()

last = cfg.years[-1]
st.subheader(f"By {last}")
summary = result.summary[result.summary["year"] == last]
# the planning area's figures and the totals (through traffic and the Rīga site included)
names = {
    "cumulative_co2_avoided_t": f"CO2 avoided to {last} (t, ",
    "cumulative_co2_avoided_t_response": f"CO2 avoided to {last} with adoption response (t, ",
    "trips_stranded_per_year": "Trips stranded a year (",
    "cost_per_t_co2_avoided": "EUR per t CO2 against the first option (",
}
columns = {f"{k}_{scope}": f"{v}{scope})" for k, v in names.items() for scope in ("area", "total")}
columns = {"npv_cost_eur_area": f"NPV of costs {cfg.years[0]}-{last}", **columns}
capex = result.summary.groupby(["path", "option"], sort=False)["capex_eur_area"].sum()
shown = summary[["path", "option", *columns]].copy()
shown.insert(
    2,
    "CAPEX",
    [format_value("capex_eur", capex[p, o]) for p, o in zip(shown["path"], shown["option"])],
)
shown["npv_cost_eur_area"] = [format_value("npv_cost_eur", v) for v in shown["npv_cost_eur_area"]]
for col in [c for c in columns if c.startswith(("cumulative_", "trips_"))]:
    shown[col] = [f"{v:,.0f}" for v in shown[col]]
shown = shown.rename(columns={**columns, "path": "Adoption path", "option": "Option"})
st.dataframe(shown, hide_index=True, width="stretch")
st.caption(result.year_description)

st.subheader("Over the years")
path = st.radio("Adoption path", list(cfg.adoption), horizontal=True, key="plan_path")
cols = st.columns(2)
for i, kpi in enumerate(REPORT_KPIS):
    table = result.table[(result.table["path"] == path) & (result.table["kpi"] == kpi)]
    cols[i % 2].altair_chart(plan_trajectory(table, title=KPI_TITLES[kpi]), width="stretch")

st.subheader("Downloads")
area = None if municipality == "the whole region" else municipality
report = plan_report(result, municipality=area)
c1, c2, c3 = st.columns(3)
c1.download_button(
    "report.html", report.encode("utf-8"), "report.html", "text/html", key="dl_plan_report"
)
c2.download_button(
    "plan.csv",
    result.table.to_csv(index=False).encode("utf-8"),
    "plan.csv",
    "text/csv",
    key="dl_plan_csv",
)
c3.download_button(
    "plan_summary.csv",
    result.summary.to_csv(index=False).encode("utf-8"),
    "plan_summary.csv",
    "text/csv",
    key="dl_plan_summary",
)
