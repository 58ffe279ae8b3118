"""Writing a plan folder (atomically): its tables, the resolved plan and the report."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from emob_sim.config.loading import input_files, scenario_to_dict
from emob_sim.io import atomic_output_dir, write_json
from emob_sim.plan.report import check_pdf, plan_report, report_pdf
from emob_sim.plan.run import PlanResult

__all__ = ["write_plan", "PLAN_FILES"]


#: the files of a plan folder
PLAN_FILES = ["plan.csv", "plan_summary.csv", "plan_runs.csv", "municipalities.csv",
              "plan.json", "report.html", "report.pdf (--pdf)", "manifest.json"]  # fmt: skip


def write_plan(
    result: PlanResult,
    out_dir: str | Path,
    *,
    overwrite: bool = False,
    municipality: str | None = None,
    pdf: bool = False,
) -> Path:
    """Write the plan folder atomically (:data:`PLAN_FILES`) and return its path.

    With ``municipality`` the report is restricted to that municipality (the tables are the
    whole plan's); with ``pdf`` it is also written as ``report.pdf``. A folder holding the
    plan file, a layout file or an input of the layouts is never written.
    """
    if municipality is not None:
        result.plan.check_municipality(municipality)
    if pdf:
        check_pdf()
    plan = result.plan
    protect = [p for p in [plan.file] if p is not None]
    for case in plan.cases:
        protect += input_files(case.scenario)
    manifest = {"plan": plan.config.model_dump(mode="json"), "seeds": plan.seeds,
                "report_municipality": municipality,
                "versions": _versions()}  # fmt: skip
    with atomic_output_dir(out_dir, kind="plan", overwrite=overwrite, protect=protect,
                           manifest=manifest) as tmp:  # fmt: skip
        result.table.to_csv(tmp / "plan.csv", index=False, encoding="utf-8")
        result.summary.to_csv(tmp / "plan_summary.csv", index=False, encoding="utf-8")
        result.runs.to_csv(tmp / "plan_runs.csv", index=False, encoding="utf-8")
        result.municipalities.to_csv(tmp / "municipalities.csv", index=False, encoding="utf-8")
        write_json(tmp / "plan.json", {
            "name": plan.config.name, "file": str(plan.file) if plan.file else None,
            "baseline": plan.baseline, "years": plan.config.years, "seeds": plan.seeds,
            "cases": [{"path": c.path, "year": c.year, "option": c.option,
                       "scenario": scenario_to_dict(c.scenario)} for c in plan.cases],
        })  # fmt: skip
        report = plan_report(result, municipality=municipality)
        (tmp / "report.html").write_text(report, encoding="utf-8")
        if pdf:
            report_pdf(report, tmp / "report.pdf")
    return Path(out_dir).expanduser().resolve()


def _versions() -> dict[str, str | None]:
    out = {}
    for lib in ("emob-sim", "numpy", "pandas", "simpy", "numba"):
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = None
    return out
