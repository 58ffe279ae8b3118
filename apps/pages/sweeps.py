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
from emob_sim.display import format_value, label_of, unit_of
from emob_sim.errors import EmobSimError

st.title("Sweeps")
st.caption(
    "Sweep folders made by `emob-sim sweep SWEEP.yaml --out DIR` (on this machine or a Dask "
    "cluster). Each point is a variant's mean over its seeds; the band (or bar) spans the "
    "5th to 95th percentile of the seeds."
)
root = st.text_input(
    "Look for sweep folders in", value=os.environ.get("EMOB_SIM_SWEEPS", str(Path.cwd())),
    key="sweeps_root", help="This folder and two levels below it (EMOB_SIM_SWEEPS sets it).",
)  # fmt: skip
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
cols[0].metric("Variants", format_value("variants", int(folder.runs["variant"].nunique())),
               border=True)  # fmt: skip
cols[1].metric("Runs completed", format_value("runs", counts["completed"]), border=True)
cols[2].metric("Runs failed", format_value("runs", counts["failed"]), border=True)
cols[3].metric("Runs pending", format_value("runs", counts["pending"]), border=True)
cols[4].metric("Run time, summed", format_value("wall_s", float(folder.runs["wall_s"].sum())),
               border=True)  # fmt: skip
if counts["failed"] or counts["pending"]:
    st.warning("Some runs did not finish: run the same sweep into the same folder again to "
               "run them (finished runs are kept).", icon=":material/replay:")  # fmt: skip
    with st.expander("Runs that failed"):
        failed = folder.runs[folder.runs["status"] == "failed"]
        st.dataframe(failed[["key", "variant", "seed", "error"]], hide_index=True)

if folder.summary.empty or not folder.parameters:
    st.info("Nothing to plot yet: no run has completed, or the sweep varies no parameter.")
    st.stop()
kpis = sweep_kpis(folder.summary)
left, right = st.columns(2)
kpi = left.selectbox("KPI", kpis, format_func=label_of, key="sweeps_kpi")
param = right.selectbox("Parameter", folder.parameters, key="sweeps_param")
table, as_lines = curves(folder.summary, kpi, param, folder.parameters)
unit = unit_of(kpi)
title = label_of(kpi) + (f" ({unit})" if unit else "")
st.altair_chart(kpi_curve(table, param, kpi_title=title, as_lines=as_lines), width="stretch")

st.subheader("Per variant")
st.dataframe(table.drop(columns=["line"] if not table["line"].any() else []),
             hide_index=True, width="stretch")  # fmt: skip
if folder.sensitivity is not None and not folder.sensitivity.empty:
    st.subheader("Sensitivity (SALib)")
    sens = folder.sensitivity[folder.sensitivity["kpi"] == kpi]
    st.dataframe(sens, hide_index=True, width="stretch")

st.subheader("Downloads")
files = [n for n in ("runs.parquet", "summary.csv", "sensitivity.csv")
         if (folder.path / n).is_file()]  # fmt: skip
for name, col in zip(files, st.columns(len(files))):
    col.download_button(name, (folder.path / name).read_bytes(), name,
                        key=f"dl_sweep_{name}")  # fmt: skip
