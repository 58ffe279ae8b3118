"""Writing a proposed layout: the folder ``emob-sim place`` produces.

::

    layout.csv       one row per site (SiteSpec columns + status, origin, capex_eur, ...)
    layout.geojson   the same as Point features (WGS84)
    scenario.yaml    extends the input scenario and uses layout.csv as its only sites
    candidates.csv   every candidate considered, with ``selected``
    placement.json   method, budget, spent, objective before and after
    history.csv      simgreedy: one row per simulation; sizing: the Erlang-C and simulated waits

``scenario.yaml`` sets ``charging.sites_file: layout.csv`` and ``charging.sites: []`` (the
layout holds every site, also those the input scenario listed inline), so
``emob-sim run scenario.yaml`` and ``emob-sim compare`` simulate the layout as proposed.
The folder is written atomically (:func:`emob_sim.io.atomic_output_dir`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from emob_sim.config.loading import deep_merge, default_scenario_path, parse_override
from emob_sim.io import atomic_output_dir, write_json, write_points
from emob_sim.placement.propose import Placement

__all__ = ["write_placement", "PLACE_FILES"]

PLACE_FILES = ["layout.csv", "layout.geojson", "scenario.yaml", "candidates.csv", "placement.json"]


def _scenario_yaml(placement: Placement, source: Path, overrides: Iterable[str]) -> str:
    data: dict = {}
    for text in overrides:
        keys, value = parse_override(text)
        node = data
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    sc = placement.scenario
    data = deep_merge(
        data,
        {
            "name": f"{sc.name}-{placement.method}",
            "description": f"Layout proposed by `emob-sim place --method {placement.method} "
            f"--budget {placement.budget}` ({placement.kind}) from {sc.name}.",
            "seed": sc.seed,
            "charging": {"sites_file": "layout.csv", "sites": []},
        },
    )
    header = (
        f"# Written by emob-sim place (method {placement.method}, budget {placement.budget}).\n"
        "# The layout holds every site; the scenario it extends is unchanged otherwise.\n"
    )
    body = yaml.safe_dump({"extends": str(source), **data}, allow_unicode=True, sort_keys=False)
    return header + body


def write_placement(
    placement: Placement,
    out_dir: str | Path,
    *,
    scenario_path: str | Path | None,
    overrides: Iterable[str] = (),
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
        The scenario file the placement started from (None: the embedded default); the
        written ``scenario.yaml`` extends it (absolute path).
    overrides
        The ``--set`` overrides used, repeated in ``scenario.yaml``.
    overwrite
        Replace an existing folder.
    """
    source = Path(scenario_path).resolve() if scenario_path is not None else default_scenario_path()
    with atomic_output_dir(out_dir, overwrite=overwrite) as tmp:
        placement.layout.to_csv(tmp / "layout.csv", index=False, encoding="utf-8")
        write_points(placement.layout, tmp / "layout.geojson")
        (tmp / "scenario.yaml").write_text(
            _scenario_yaml(placement, source, overrides), encoding="utf-8"
        )
        placement.candidates.to_csv(tmp / "candidates.csv", index=False, encoding="utf-8")
        write_json(tmp / "placement.json", placement.summary)
        if placement.history is not None:
            placement.history.to_csv(tmp / "history.csv", index=False, encoding="utf-8")
    return Path(out_dir).expanduser().resolve()
