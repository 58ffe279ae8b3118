"""Writing a proposed layout: the folder ``emob-sim place`` produces.

::

    layout.csv       one row per site (SiteSpec columns + status, origin, capex_eur, ...)
    layout.geojson   the same as Point features (WGS84)
    scenario.yaml    the input scenario resolved (standalone), with layout.csv as its only sites
    candidates.csv   every candidate considered, with ``selected``
    placement.json   method, budget, spent, objective before and after
    history.csv      simgreedy: one row per simulation; sizing: the Erlang-C and simulated waits

``scenario.yaml`` sets ``charging.sites_file: layout.csv`` and ``charging.sites: []`` (the
layout holds every site, also those the input scenario listed inline), so
``emob-sim run scenario.yaml`` and ``emob-sim compare`` simulate the layout as proposed.
The folder is written atomically (:func:`emob_sim.io.atomic_output_dir`).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from emob_sim.config.loading import (
    default_scenario_path,
    input_files,
    portable_path,
    scenario_to_dict,
)
from emob_sim.io import atomic_output_dir, write_json, write_points
from emob_sim.placement.registry import Placement

__all__ = ["write_placement", "PLACE_FILES"]

PLACE_FILES = [
    "layout.csv",
    "layout.geojson",
    "scenario.yaml",
    "candidates.csv",
    "placement.json",
    "manifest.json",
]


def _scenario_yaml(placement: Placement, source: str) -> str:
    """The placed scenario, resolved and standing on its own (no ``extends:``).

    Its sites are ``layout.csv`` beside it; every other file is named by its absolute path, or
    ``emob-sim:...`` when it is shipped with emob-sim, so the folder can be moved or shared.
    """
    sc = placement.scenario
    data = scenario_to_dict(sc, portable=True)
    data.update(
        name=f"{sc.name}-{placement.method}",
        description=f"Layout proposed by `emob-sim place --method {placement.method} "
        f"--budget {placement.budget}`{f' ({placement.kind})' if placement.kind else ''} from "
        f"{sc.name} ({source}).",
    )
    data["charging"].update(sites_file="layout.csv", sites=[])
    header = (
        f"# Written by emob-sim place (method {placement.method}, budget {placement.budget})\n"
        f"# from {source}, with every value resolved (the --set overrides included).\n"
        "# The layout (layout.csv, beside this file) holds every site.\n"
    )
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def write_placement(
    placement: Placement,
    out_dir: str | Path,
    *,
    scenario_path: str | Path | None,
    overwrite: bool = False,
) -> Path:
    """Write the layout folder of a placement atomically and return its path.

    Parameters
    ----------
    placement
        What :func:`emob_sim.runner.place` returned.
    out_dir
        Folder to create (must not exist or be empty unless ``overwrite``).
    scenario_path
        The scenario file the placement started from (None: the embedded default), named in
        the written ``scenario.yaml``; a folder holding it is never written.
    overwrite
        Replace an existing folder.

    Returns
    -------
    pathlib.Path
        The absolute path of the folder written.
    """
    source = Path(scenario_path).resolve() if scenario_path is not None else default_scenario_path()
    protect = [source, *input_files(placement.scenario)]
    with atomic_output_dir(out_dir, kind="place", overwrite=overwrite, protect=protect) as tmp:
        placement.layout.to_csv(tmp / "layout.csv", index=False, encoding="utf-8")
        write_points(placement.layout, tmp / "layout.geojson")
        (tmp / "scenario.yaml").write_text(
            _scenario_yaml(placement, portable_path(source)), encoding="utf-8"
        )
        placement.candidates.to_csv(tmp / "candidates.csv", index=False, encoding="utf-8")
        write_json(tmp / "placement.json", placement.summary)
        if placement.history is not None:
            placement.history.to_csv(tmp / "history.csv", index=False, encoding="utf-8")
    return Path(out_dir).expanduser().resolve()
