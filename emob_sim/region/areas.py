"""Industrial areas: where their employees work, and their workplace charging sites.

An areas file is a CSV with the fields of :class:`~emob_sim.config.models.AreaSpec`
(``area_id``, ``name``, ``zone``, ``lon``, ``lat``, ``employees``, ``car_share``, ``ev_share``,
``plugs``, ``plug_kw``, the site energy fields and ``source``; an empty cell keeps the
default). See the area of ``configs/zemgale/industrial_area.yaml`` for the fields.
"""

from __future__ import annotations

import logging

import pandas as pd

from emob_sim.config.loading import resolve_path
from emob_sim.config.models import AreaSpec, EnergyConfig
from emob_sim.errors import DataError
from emob_sim.io.tables import read_model_rows

__all__ = ["AREA_COLUMNS", "load_areas", "locate_areas", "area_specs"]

logger = logging.getLogger(__name__)

#: columns of Region.areas: the AreaSpec fields, then the index of the zone the area lies in
AREA_COLUMNS = [*AreaSpec.model_fields, "zone_idx"]


def area_specs(energy: EnergyConfig) -> list[AreaSpec]:
    """The scenario's industrial areas: ``energy.areas_file`` then ``energy.areas``.

    A ``pv_profile_file`` or ``load_profile_file`` in the areas file is relative to that
    file's folder.

    Parameters
    ----------
    energy : EnergyConfig
        The scenario's ``energy:`` section.

    Returns
    -------
    list[AreaSpec]
        The areas of the file, then the inline ones, with absolute profile paths.

    Raises
    ------
    InputFileNotFoundError
        ``areas_file`` or a profile it names does not exist.
    DataError
        A bad row in the areas file, or an ``area_id`` used twice.
    """
    specs: list[AreaSpec] = []
    if energy.areas_file is not None:
        path = energy.areas_file
        for spec in read_model_rows(path, AreaSpec, key="energy.areas_file", keep_empty=False):
            for key in ("pv_profile_file", "load_profile_file"):
                if getattr(spec, key) is not None:
                    profile = resolve_path(str(getattr(spec, key)), path.parent)
                    spec = spec.model_copy(update={key: profile})
            specs.append(spec)
    specs += energy.areas
    ids = [s.area_id for s in specs]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise DataError(
            f"energy: area_id {dup[0]!r} is used more than once in energy.areas_file and "
            "energy.areas, expected unique ids"
        )
    return specs


def load_areas(energy: EnergyConfig) -> pd.DataFrame:
    """The industrial areas as a table (:data:`AREA_COLUMNS` but ``zone_idx``).

    Parameters
    ----------
    energy : EnergyConfig
        The scenario's ``energy:`` section.

    Returns
    -------
    pandas.DataFrame
        One row per area (:func:`area_specs`).

    Raises
    ------
    InputFileNotFoundError, DataError
        As :func:`area_specs`.
    """
    specs = area_specs(energy)
    logger.info("%d industrial areas", len(specs))
    return pd.DataFrame([s.model_dump() for s in specs], columns=list(AreaSpec.model_fields))


def locate_areas(areas: pd.DataFrame, zones: pd.DataFrame) -> pd.DataFrame:
    """Add the index of each area's zone (``zone_idx``) to the table of :func:`load_areas`.

    Parameters
    ----------
    areas : pandas.DataFrame
        The areas (:func:`load_areas`).
    zones : pandas.DataFrame
        The region's zone table (``zone_id``, ``kind``).

    Returns
    -------
    pandas.DataFrame
        A copy of ``areas`` with ``zone_idx`` (row of ``zones``) added.

    Raises
    ------
    DataError
        An area names a zone that is not in the zones table (the zones it could name are
        listed), or a zone of kind ``external``.
    """
    out = areas.copy()
    index = {z: i for i, z in enumerate(zones["zone_id"].astype(str))}
    kinds = zones["kind"].astype(str).to_numpy()
    zone_idx = []
    for area_id, zone in zip(out["area_id"], out["zone"].astype(str), strict=True):
        if zone not in index:
            known = ", ".join(sorted(index)[:12])
            raise DataError(
                f"energy: area {area_id!r}: zone {zone!r} is not in the zones table, expected "
                f"one of: {known}{', ...' if len(index) > 12 else ''}"
            )
        if kinds[index[zone]] != "zone":
            raise DataError(
                f"energy: area {area_id!r}: zone {zone!r} is of kind {kinds[index[zone]]!r}, "
                "expected a zone of the region (kind 'zone')"
            )
        zone_idx.append(index[zone])
    out["zone_idx"] = pd.Series(zone_idx, index=out.index, dtype="int64")
    return out[AREA_COLUMNS]
