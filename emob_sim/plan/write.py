"""Writing a plan folder (atomically): its tables, the site list, the resolved plan and the
report. With a municipality every table is that municipality's (:mod:`emob_sim.plan.scope`)."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from emob_sim.config.loading import input_files, scenario_to_dict
from emob_sim.io import atomic_output_dir, write_json, write_points
from emob_sim.plan.report import check_pdf, plan_report, report_pdf
from emob_sim.plan.run import PlanResult
from emob_sim.plan.scope import municipal_tables
from emob_sim.plan.tables import people_sites, site_list

__all__ = ["write_plan", "PLAN_FILES"]


#: the files of a plan folder
PLAN_FILES = [
    "plan.csv",
    "plan_summary.csv",
    "plan_runs.csv",
    "municipalities.csv",
    "sites.csv",
    "sites.gpkg",
    "plan.json",
    "report.html",
    "report.pdf (--pdf)",
    "manifest.json",
]


def write_plan(
    result: PlanResult,
    out_dir: str | Path,
    *,
    overwrite: bool = False,
    municipality: str | None = None,
    pdf: bool = False,
) -> Path:
    """Write the plan folder atomically (:data:`PLAN_FILES`) and return its path.

    ``sites.csv`` (for spreadsheets: headers for people, UTF-8 with a byte-order mark) and
    ``sites.gpkg`` (layer ``sites``, points in EPSG:4326 with the other columns of
    :data:`emob_sim.plan.tables.SITE_COLUMNS`) list every option's planning-area sites in the
    last year with the year each was built and its CAPEX. With ``municipality`` the report and
    every table are restricted to that municipality (:func:`emob_sim.plan.scope.municipal_tables`);
    with ``pdf`` the report is also written as ``report.pdf``. A folder holding the plan file,
    a layout file or an input of the layouts is never written.

    Parameters
    ----------
    result : PlanResult
        A plan run (:func:`~emob_sim.plan.run_plan`).
    out_dir : str or pathlib.Path
        The plan folder to create.
    overwrite : bool
        Replace an existing emob-sim plan folder at ``out_dir``.
    municipality : str or None
        Restrict the report and tables to this municipality of the plan's zones.
    pdf : bool
        Also write ``report.pdf`` (needs Chromium).

    Returns
    -------
    pathlib.Path
        The absolute path of the folder written.

    Raises
    ------
    ConfigError
        ``municipality`` is not in the plan's zones.
    EmobSimError
        ``out_dir`` cannot be written, or a PDF cannot be made.
    """
    if municipality is not None:
        result.plan.check_municipality(municipality)
    if pdf:
        check_pdf()
    plan = result.plan
    protect = [p for p in [plan.file] if p is not None]
    for case in plan.cases:
        protect += input_files(case.scenario)
    manifest = {
        "plan": plan.config.model_dump(mode="json"),
        "seeds": plan.seeds,
        "report_municipality": municipality,
        "versions": _versions(),
    }
    with atomic_output_dir(
        out_dir, kind="plan", overwrite=overwrite, protect=protect, manifest=manifest
    ) as tmp:
        for name, table in _tables(result, municipality).items():
            table.to_csv(tmp / name, index=False, encoding="utf-8")
        sites = site_list(result, municipality=municipality)
        people_sites(sites).to_csv(tmp / "sites.csv", index=False, encoding="utf-8-sig")
        write_points(sites, tmp / "sites.gpkg", layer="sites")
        write_json(
            tmp / "plan.json",
            {
                "name": plan.config.name,
                "file": str(plan.file) if plan.file else None,
                "baseline": plan.baseline,
                "years": plan.config.years,
                "seeds": plan.seeds,
                "cases": [
                    {
                        "path": c.path,
                        "year": c.year,
                        "option": c.option,
                        "scenario": scenario_to_dict(c.scenario),
                    }
                    for c in plan.cases
                ],
            },
        )
        report = plan_report(result, municipality=municipality)
        (tmp / "report.html").write_text(report, encoding="utf-8")
        if pdf:
            report_pdf(report, tmp / "report.pdf")
    return Path(out_dir).expanduser().resolve()


def _tables(result: PlanResult, municipality: str | None) -> dict:
    """File name -> table: the whole plan's, or one municipality's."""
    if municipality is not None:
        return municipal_tables(result, municipality)
    return {
        "plan.csv": result.table,
        "plan_summary.csv": result.summary,
        "plan_runs.csv": result.runs,
        "municipalities.csv": result.municipalities,
    }


def _versions() -> dict[str, str | None]:
    out = {}
    for lib in ("emob-sim", "numpy", "pandas", "simpy", "numba"):
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = None
    return out
