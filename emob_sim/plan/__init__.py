"""Mobility plan options over horizon years, on adoption paths (``emob-sim plan``).

>>> result = emob_sim.plan.run_plan("configs/zemgale/plans/zemgale_2030.yaml")  # doctest: +SKIP
>>> result.summary                                                             # doctest: +SKIP

Modules: :mod:`~emob_sim.plan.config` (plan files), :mod:`~emob_sim.plan.run` (running,
tables; a simulated year per case by default), :mod:`~emob_sim.plan.money` (money and CO2
over the years), :mod:`~emob_sim.plan.adoption` (the EV share's optional response to public
charging),
:mod:`~emob_sim.plan.report` (the HTML report), :mod:`~emob_sim.plan.write` (the plan folder).
"""

from __future__ import annotations

from emob_sim.plan.config import Plan, PlanCase, PlanConfig, load_plan
from emob_sim.plan.money import SUMMARY_COLUMNS, plan_summary
from emob_sim.plan.report import plan_report
from emob_sim.plan.run import PlanResult, plan_table, run_plan
from emob_sim.plan.write import PLAN_FILES, write_plan

__all__ = [
    "Plan",
    "PlanCase",
    "PlanConfig",
    "PlanResult",
    "load_plan",
    "run_plan",
    "write_plan",
    "plan_table",
    "plan_summary",
    "plan_report",
    "SUMMARY_COLUMNS",
    "PLAN_FILES",
]
