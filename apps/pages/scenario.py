"""Scenario page: pick a scenario, change its main levers, propose a layout, run it."""

from __future__ import annotations

import pandas as pd
import streamlit as st
import yaml
from common import (
    evaluator,
    layout_files,
    proposals,
    remember,
    run,
    runs,
    scenario_files,
)
from uploads import (
    UPLOAD_TYPES,
    local_files_allowed,
    public_message,
    scenarios,
    store,
    work_dir,
)

from emob_sim.config import load_scenario, scenario_to_dict
from emob_sim.config.levers import LEVERS, apply_levers, lever_values, run_name
from emob_sim.config.paths import check_confined
from emob_sim.display import format_value, label_of, people_table
from emob_sim.errors import EmobSimError
from emob_sim.placement import KINDS, METHOD_KINDS, METHODS, write_placement
from emob_sim.region import with_inline_sites
from emob_sim.runner import place

AS_IN_SCENARIO = "as in the scenario"

st.title("Scenario")
st.caption(
    "Choose a scenario, change its main levers and run it. Values are checked as the "
    "command line checks them; the scenario downloads as a YAML file that `emob-sim run` "
    "accepts."
)


# ---- which scenario ---------------------------------------------------------------------------
left, right = st.columns([2, 1])
with right:
    uploaded = st.file_uploader(
        "…or upload a scenario (YAML) with the files it names",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key="upload_files",
        help="The scenario may name the files uploaded with it (by name) and the shipped "
        "files (emob-sim:configs/..., emob-sim:data/...). A file uploaded again under its "
        "name replaces it.",
    )
folder, fresh = store(uploaded)
files = {**scenario_files(), **scenarios(folder)}
names = list(files)
if fresh:  # a scenario just uploaded (or replaced) is the one shown
    st.session_state["scenario_file"] = f"uploaded: {fresh[-1]}"
elif st.session_state.get("scenario_file") not in names:
    st.session_state["scenario_file"] = (
        "zemgale/baseline.yaml" if "zemgale/baseline.yaml" in names else names[0]
    )
with left:
    chosen = st.selectbox("Scenario", names, key="scenario_file")
    status = st.empty()
source = files[chosen]
is_upload = chosen.startswith("uploaded: ")
#: the widgets of an uploaded scenario start again from its values when it is uploaded again
tag = f"{chosen}@{source.parent.name}" if is_upload else chosen
try:
    if is_upload:
        check_confined(source, folder=folder, allow_local=local_files_allowed())
    base = load_scenario(source)
except EmobSimError as exc:
    status.error(f"This scenario cannot be read: {public_message(exc, folder=folder)}")
    st.stop()
network_error = None
if is_upload:  # its network is read now: Run stays off until it reads
    checked = st.session_state.setdefault("network_checked", {})
    if str(source) not in checked:
        try:
            with st.spinner("reading the network ..."):
                evaluator().regions.region_for(base, label=source.name)
        except EmobSimError as exc:
            checked[str(source)] = public_message(exc, folder=folder)
        else:
            checked[str(source)] = None
    network_error = checked[str(source)]
    if network_error is not None:
        status.error(f"This scenario's network cannot be used: {network_error}")
st.markdown(f"**{base.name}**: {base.description or ''}")

# ---- levers -----------------------------------------------------------------------------------
defaults = lever_values(base)
values: dict[str, object] = {}
slots = {}
st.subheader("Levers")
columns = st.columns(3)
for i, lever in enumerate(LEVERS):
    with columns[i % 3]:
        widget_key = f"lever:{tag}:{lever.key}"
        if lever.kind == "int":
            values[lever.key] = st.number_input(
                lever.label,
                value=int(defaults[lever.key]),
                step=1,
                help=lever.help,
                key=widget_key,
            )
        elif lever.kind == "share":  # shown in %, validated as the fraction the scenario holds
            shown = round(100.0 * float(defaults[lever.key]), 10)
            percent = st.number_input(
                f"{lever.label} (%)",
                value=shown,
                min_value=0.0,
                max_value=100.0,
                step=1.0,
                format="%.2f",
                help=f"{lever.help}; entered here in % (0-100)",
                key=widget_key,
            )
            untouched = percent == shown  # then the scenario's own value, not its round trip
            values[lever.key] = defaults[lever.key] if untouched else round(percent / 100, 12)
        else:
            values[lever.key] = st.number_input(
                lever.label,
                value=float(defaults[lever.key]),
                step=1.0,
                format="%.1f",
                help=lever.help,
                key=widget_key,
            )
        slots[lever.key] = st.empty()

layouts = {AS_IN_SCENARIO: None, **layout_files(), **proposals()}
layout = st.selectbox(
    "Charger layout",
    list(layouts),
    key=f"layout:{tag}",
    help="The chargers of another layout scenario, or a layout proposed below.",
)
slots["charging"] = st.empty()
extra: dict[str, object] = {}
if layouts[layout] is not None:
    sites = load_scenario(layouts[layout]).charging
    extra["charging.sites_file"] = str(sites.sites_file) if sites.sites_file else None
    extra["charging.sites"] = [s.model_dump(mode="json") for s in sites.sites]

scenario, errors = apply_levers(source, values, extra=extra)
for key, message in errors.items():
    slot = slots.get(key) or slots.get(key.split(".")[0], None)
    shown = message.split(": ", 1)[-1] if key else message
    (slot or st).error(public_message(shown, folder=folder), icon=":material/warning:")
st.session_state["scenario"] = scenario

# ---- run --------------------------------------------------------------------------------------
st.subheader("Run")
run_col, download_col = st.columns([1, 1])
with run_col:
    pressed = st.button(
        "Run",
        type="primary",
        disabled=scenario is None or network_error is not None,
        key="run",
        help="Simulate the scenario with these levers (a run is kept: the same values again "
        "show it at once).",
    )
with download_col:
    if scenario is not None:
        standalone = scenario_to_dict(with_inline_sites(scenario), portable=True)
        st.download_button(
            "Download this scenario (YAML)",
            yaml.safe_dump(standalone, allow_unicode=True, sort_keys=False),
            file_name=f"{scenario.name}.yaml",
            mime="application/x-yaml",
            key="download_scenario",
        )
try:
    result = run(scenario) if pressed and scenario is not None else None
except EmobSimError as exc:
    st.error(f"This run failed: {public_message(exc, folder=folder)}")
    result = None
if result is not None:
    chosen_layout = None if layouts[layout] is None else layout.removesuffix(".yaml")
    chosen_layout = chosen_layout and chosen_layout.split("/")[-1].removeprefix("layout_")
    label = run_name(base, scenario, layout=chosen_layout)
    if {s.name for s in runs().values()} - {scenario.name}:  # runs of other scenarios too
        label = f"{label} ({scenario.name})"
    remember(label, scenario)
    k = result.kpis
    st.success(f"Run {label} done.")
    cards = st.columns(4)
    shown = ["trips_stranded", "mean_wait_min", "charging_sessions", "co2_avoided_kg"]
    for col, key in zip(cards, shown):
        col.metric(label_of(key), format_value(key, k[key]))
    st.page_link("pages/results.py", label="See all results", icon=":material/monitoring:")
    st.page_link("pages/map.py", label="See the map", icon=":material/map:")

with st.expander("The resolved scenario"):
    if scenario is not None:
        st.json(scenario_to_dict(scenario), expanded=False)

# ---- propose a layout -------------------------------------------------------------------------
st.subheader("Propose a layout")
st.caption(
    "A placement heuristic adds chargers to this scenario within a budget; the proposal "
    "becomes a choice of the **Charger layout** above and on the Compare page."
)
m_col, b_col, k_col = st.columns(3)
with m_col:
    method = st.selectbox("Method", list(METHODS), key="place_method")
with b_col:
    budget = st.text_input(
        "Budget",
        "500k",
        key="place_budget",
        help="CAPEX in EUR (250000, 250k, 1.5M) or plugs (12plugs)",
    )
    budget_slot = st.empty()
with k_col:
    takes_kind = bool(METHOD_KINDS[method][0])  # pvsize sizes an area's PV and plugs: no kind
    kind = st.selectbox(
        "Kind of site",
        list(KINDS),
        index=list(KINDS).index("car_dc"),
        key="place_kind",
        disabled=not takes_kind,
    )
if st.button("Propose", disabled=scenario is None or network_error is not None, key="propose"):
    try:
        with st.spinner(f"{method}: proposing a layout ..."):
            proposal = place(
                scenario,
                method=method,
                budget=budget,
                kind=kind if takes_kind else None,
                evaluator=evaluator(),
            )
    except EmobSimError as exc:
        budget_slot.error(public_message(exc, folder=folder), icon=":material/warning:")
    else:
        label = f"proposal {len(proposals()) + 1}: {method}, {proposal.budget}, {kind}"
        out = write_placement(
            proposal, work_dir() / "proposals" / f"p{len(proposals()) + 1}", scenario_path=source
        )
        proposals()[label] = out / "scenario.yaml"
        st.session_state["last_proposal"] = (label, proposal)
        st.rerun()  # the proposal is a layout choice from now on
if "last_proposal" in st.session_state:
    label, proposal = st.session_state["last_proposal"]
    st.success(f"{label}: choose it as the charger layout above, or compare it.")
    summary = {k: v for k, v in proposal.summary.items() if not isinstance(v, list)}
    shown = [format_value(k, v) for k, v in summary.items()]
    st.dataframe(
        pd.DataFrame({"Proposal": [label_of(k) for k in summary], "Value": shown}), hide_index=True
    )
    added = proposal.layout[proposal.layout["status"] != "existing"]
    st.dataframe(people_table(added), hide_index=True)
