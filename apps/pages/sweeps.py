"""Sweeps page: a sweep folder (``emob-sim sweep``) read back, each KPI against each parameter.

The same curves as ``emob-sim sweep-report``: per variant the mean over the seeds, the band
their 5th to 95th percentile. The page reads the folder's tables; it runs nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st
from charts import kpi_curve

from emob_sim.batch import curves, find_sweeps, read_sweep
from emob_sim.batch.folder import sweep_kpis
from emob_sim.config.levers import LEVERS, lever_text, parameter_label
from emob_sim.display import format_value, header_of, label_of, people_table, unit_of
from emob_sim.errors import EmobSimError

#: parameters shown in % as on the Scenario page (fractions in the sweep's files)
SHARES = {lever.key for lever in LEVERS if lever.kind == "share"}
LEVER_KEYS = {lever.key for lever in LEVERS}


def _line_text(line: str) -> str:
    """The other parameters a curve holds fixed (``a.b=0.2, c=10``) in the Scenario page's
    words and units (``Electric share of cars 20 %, Longest wait at a charger 10 min``)."""
    parts = []
    for part in filter(None, line.split(", ")):
        key, _, value = part.partition("=")
        name = parameter_label(key).split(" (")[0]
        try:
            shown = lever_text(key, float(value)) if key in LEVER_KEYS else value
        except ValueError:
            shown = value
        parts.append(f"{name} {shown}")
    return ", ".join(parts)


st.title("Sweeps")
st.caption(
    "Sweep folders made by `emob-sim sweep SWEEP.yaml --out DIR` (on this machine or a Dask "
    "cluster). Each point is a variant's mean over its seeds; the band (or bar) spans the "
    "5th to 95th percentile of the seeds."
)
root = st.text_input(
    "Look for sweep folders in",
    value=os.environ.get("EMOB_SIM_SWEEPS", str(Path.cwd())),
    key="sweeps_root",
    help="This folder and two levels below it (EMOB_SIM_SWEEPS sets it).",
)
found = find_sweeps(root)
if not found:
    st.info(
        f"No sweep folder in {root} or below it. Run one, e.g. "
        "`emob-sim sweep configs/sweeps/adoption_home.yaml --out sweeps/adoption`, "
        "then look in its parent folder."
    )
    st.stop()
names = {str(p.relative_to(Path(root).expanduser().resolve())) or ".": p for p in found}
chosen = st.selectbox("Sweep", list(names), key="sweeps_folder")
try:
    folder = read_sweep(names[chosen])
except EmobSimError as exc:
    st.error(str(exc), icon=":material/warning:")
    st.stop()

counts = folder.counts()
cols = st.columns(5)
cols[0].metric(
    "Variants", format_value("variants", int(folder.runs["variant"].nunique())), border=True
)
cols[1].metric("Runs completed", format_value("runs", counts["completed"]), border=True)
cols[2].metric("Runs failed", format_value("runs", counts["failed"]), border=True)
cols[3].metric("Runs pending", format_value("runs", counts["pending"]), border=True)
cols[4].metric(
    "Run time, summed", format_value("wall_s", float(folder.runs["wall_s"].sum())), border=True
)
if counts["failed"] or counts["pending"]:
    st.warning(
        "Some runs did not finish: run the same sweep into the same folder again to "
        "run them (finished runs are kept).",
        icon=":material/replay:",
    )
    with st.expander("Runs that failed"):
        failed = folder.runs[folder.runs["status"] == "failed"]
        st.dataframe(
            failed[["key", "variant", "seed", "error"]].rename(columns=str.capitalize),
            hide_index=True,
        )

if folder.summary.empty or not folder.parameters:
    st.info("Nothing to plot yet: no run has completed, or the sweep varies no parameter.")
    st.stop()
kpis = sweep_kpis(folder.summary)
left, right = st.columns(2)
kpi = left.selectbox("KPI", kpis, format_func=label_of, key="sweeps_kpi")
param = right.selectbox(
    "Parameter", folder.parameters, format_func=parameter_label, key="sweeps_param"
)
table, as_lines = curves(folder.summary, kpi, param, folder.parameters)
table = table.copy()
if param in SHARES:  # in % as on the Scenario page
    table[param] = 100.0 * table[param]
if unit_of(kpi) == "%":
    table[["mean", "p5", "p50", "p95"]] *= 100.0
table["line"] = [_line_text(line) for line in table["line"]]
title = header_of(kpi)
chart = kpi_curve(
    table, param, kpi_title=title, param_title=parameter_label(param), as_lines=as_lines
)
st.altair_chart(chart, width="stretch")

st.subheader("Per variant")
shown = table.drop(columns=["line"] if not table["line"].any() else [])
statistics = {"mean": "mean", "p5": "5th percentile", "p50": "median", "p95": "95th percentile"}
shown = shown.rename(
    columns={
        param: parameter_label(param),
        "runs": "Runs",
        "line": "Other parameters",
        **{
            k: f"{label_of(kpi)}, {v}" + (f" ({unit_of(kpi)})" if unit_of(kpi) else "")
            for k, v in statistics.items()
        },
    }
)
st.dataframe(people_table(shown), hide_index=True, width="stretch")
if folder.sensitivity is not None and not folder.sensitivity.empty:
    st.subheader("Sensitivity (SALib)")
    sens = folder.sensitivity[folder.sensitivity["kpi"] == kpi].copy()
    sens["kpi"] = [label_of(k) for k in sens["kpi"]]
    sens["parameter"] = [parameter_label(p) for p in sens["parameter"]]
    sens = sens.rename(
        columns={
            "kpi": "KPI",
            "parameter": "Parameter",
            "method": "Method",
            "S1": "First-order index (S1)",
            "S1_conf": "S1 confidence",
            "ST": "Total index (ST)",
            "ST_conf": "ST confidence",
        }
    )
    st.dataframe(sens, hide_index=True, width="stretch")

st.subheader("Downloads")
files = [
    n for n in ("runs.parquet", "summary.csv", "sensitivity.csv") if (folder.path / n).is_file()
]
for name, col in zip(files, st.columns(len(files))):
    col.download_button(name, (folder.path / name).read_bytes(), name, key=f"dl_sweep_{name}")
