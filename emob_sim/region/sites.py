"""Public charging sites: the scenario's sites file plus inline sites, snapped to the network.

A sites file is a CSV with the fields of :class:`~emob_sim.config.models.SiteSpec`
(``site_id``, ``name``, ``kind``, ``lon``, ``lat``, ``plugs``, ``power_kw``, ``source``;
``name`` and ``source`` may be left out); other columns are ignored. See
``data/zemgale/sites_known.csv``. A ``.geojson``, ``.json`` or ``.gpkg`` file is a layer of
points with the same fields as properties except ``lon``/``lat``, which come from the point
(reprojected to EPSG:4326 when the layer has another CRS).
"""

from __future__ import annotations

import logging
import math
from numbers import Integral
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from emob_sim.config.models import ChargingConfig, Scenario, SiteSpec
from emob_sim.errors import DataError
from emob_sim.io.reading import read_layer, shown_path
from emob_sim.io.tables import read_model_rows, validation_problem
from emob_sim.network.arrays import RoadNetwork
from emob_sim.network.routing import snap_points

__all__ = [
    "SITE_COLUMNS",
    "load_sites",
    "read_sites_file",
    "snap_sites",
    "split_sites",
    "SITE_FILE_COLUMNS",
    "CAR_SITE_KINDS",
    "with_inline_sites",
]

logger = logging.getLogger(__name__)

#: the SiteSpec fields, in file order (Region.sites adds ``node`` and ``snap_distance_m``)
SITE_FILE_COLUMNS = list(SiteSpec.model_fields)
#: columns of Region.sites (one row per public charging site, index 0..n_sites-1 = site index)
SITE_COLUMNS = [
    "site_id",  # str, unique
    "name",
    "kind",  # "car_ac" | "car_dc"
    "lon",
    "lat",
    "plugs",  # int >= 1
    "power_kw",  # float, per plug
    "node",  # int, index into network arrays
    "snap_distance_m",
    "source",  # str
]
#: suffixes of sites files read as point layers (anything else is read as a CSV)
LAYER_SUFFIXES = (".geojson", ".json", ".gpkg")
#: kinds of the car sites (Region.sites); kind ``ebike`` sites go to Region.bike.sites
CAR_SITE_KINDS = ("car_ac", "car_dc")


def _frame(specs: list[SiteSpec]) -> pd.DataFrame:
    df = pd.DataFrame([s.model_dump() for s in specs], columns=SITE_FILE_COLUMNS)
    return df.astype(
        {
            "site_id": object,
            "name": object,
            "kind": object,
            "lon": float,
            "lat": float,
            "plugs": "int64",
            "power_kw": float,
            "source": object,
        }
    )


def read_sites_file(path: str | Path, *, key: str = "charging.sites_file") -> list[SiteSpec]:
    """Read a sites CSV, GeoJSON or GeoPackage, validating each row as a :class:`SiteSpec`.

    ``key`` is the scenario key that names the file (``costs.existing_sites_file``), for the
    messages.

    Parameters
    ----------
    path : str or pathlib.Path
        The sites file: ``.csv``, or a vector layer (``.geojson``, ``.gpkg``).
    key : str
        The scenario key that names the file, for the messages.

    Returns
    -------
    list[SiteSpec]
        One validated site per row (feature), in the file's order.

    Raises
    ------
    InputFileNotFoundError
        The file does not exist.
    DataError
        The file is not a regular file under the size cap, not a table or layer, a required
        column is missing or a row (feature) is invalid: file, row number (feature number,
        counted from 1) and field named.
    """
    if Path(path).suffix.lower() in LAYER_SUFFIXES:
        return _read_sites_layer(Path(path), key=key)
    return read_model_rows(path, SiteSpec, key=key)


def _read_sites_layer(path: Path, *, key: str) -> list[SiteSpec]:
    """Sites from a point layer: SiteSpec fields as properties, lon/lat from the geometry."""
    layer = read_layer(path, key=key, what="a sites layer")
    shown = shown_path(path)
    fields = [f for f in SITE_FILE_COLUMNS if f not in ("lon", "lat")]
    missing = [
        f for f in fields if SiteSpec.model_fields[f].is_required() and f not in layer.columns
    ]
    if missing:
        raise DataError(f"{shown}: property {missing[0]!r} is missing, expected {fields}")
    kinds = layer.geometry.geom_type.to_numpy()
    if layer.crs is not None and len(layer):
        layer = layer.to_crs("EPSG:4326")
    specs = []
    for i, row in enumerate(layer.to_dict(orient="records")):
        where = f"{shown}: feature {i + 1}"
        if kinds[i] != "Point":
            raise DataError(f"{where}: geometry: must be a point, got {kinds[i]}")
        data = {f: _text(f, row[f]) for f in fields if f in row and not _missing(row[f])}
        data["lon"], data["lat"] = row["geometry"].x, row["geometry"].y
        try:
            specs.append(SiteSpec.model_validate(data))
        except ValidationError as exc:
            raise DataError(f"{where}: {validation_problem(exc, 'feature')}") from None
    return specs


def _text(field: str, value: object) -> object:
    """A whole number in a text field (a numbered ``site_id`` in a GeoPackage) as text."""
    number = isinstance(value, Integral) and not isinstance(value, bool)
    return str(value) if number and field in ("site_id", "name", "source") else value


def _missing(value: object) -> bool:
    """An empty property (null in the file)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def load_sites(charging: ChargingConfig) -> pd.DataFrame:
    """The scenario's public charging sites: ``charging.sites_file`` then ``charging.sites``.

    Parameters
    ----------
    charging
        The scenario's charging section.

    Returns
    -------
    pandas.DataFrame
        One row per site (index 0..n-1) with the columns of :data:`SITE_FILE_COLUMNS`; empty
        (with those columns) when the scenario has no sites.

    Raises
    ------
    DataError
        A bad row in the sites file, or a ``site_id`` used twice.
    InputFileNotFoundError
        ``sites_file`` does not exist.
    """
    specs = read_sites_file(charging.sites_file) if charging.sites_file is not None else []
    specs = specs + list(charging.sites)
    sites = _frame(specs)
    dup = sites["site_id"].duplicated()
    if dup.any():
        raise DataError(
            f"charging: site_id {sites['site_id'][dup].iloc[0]!r} is used more than once in "
            "charging.sites_file and charging.sites, expected unique ids"
        )
    logger.info("%d charging sites", len(sites))
    return sites


def split_sites(sites: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a sites table into car sites (:data:`CAR_SITE_KINDS`) and e-bike sites.

    Both keep the columns and order of ``sites`` and are re-indexed from 0.

    Parameters
    ----------
    sites : pandas.DataFrame
        A sites table with a ``kind`` column.

    Returns
    -------
    tuple[pandas.DataFrame, pandas.DataFrame]
        The car sites, then the e-bike sites.
    """
    car = sites["kind"].isin(CAR_SITE_KINDS).to_numpy()
    return sites[car].reset_index(drop=True), sites[~car].reset_index(drop=True)


def snap_sites(
    sites: pd.DataFrame, network: RoadNetwork, *, max_snap_distance_m: float
) -> pd.DataFrame:
    """Add the nearest network node of each site.

    Parameters
    ----------
    sites
        Output of :func:`load_sites`.
    network
        The road network.
    max_snap_distance_m
        A site farther than this from every node is an error.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`emob_sim.region.SITE_COLUMNS`.

    Raises
    ------
    NetworkError
        ``charging: site 'X' is 12.3 km from the network, expected at most 5 km``.
    """
    out = sites.copy()
    if len(out):
        node, dist_m = snap_points(
            network,
            out["lon"].to_numpy(dtype=float),
            out["lat"].to_numpy(dtype=float),
            labels=list(out["site_id"]),
            max_snap_distance_m=max_snap_distance_m,
            what="charging: site",
        )
    else:
        node, dist_m = [], []
    out["node"] = pd.Series(node, index=out.index, dtype="int64")
    out["snap_distance_m"] = pd.Series(dist_m, index=out.index, dtype=float)
    columns = [*SITE_FILE_COLUMNS[:-1], "node", "snap_distance_m", SITE_FILE_COLUMNS[-1]]
    return out[columns]


def with_inline_sites(scenario: Scenario, sites: pd.DataFrame | None = None) -> Scenario:
    """The scenario with its sites (or ``sites``, a table with :data:`SITE_FILE_COLUMNS`, in
    their order) inline in ``charging.sites`` and no sites file: it stands on its own when
    written out.

    Parameters
    ----------
    scenario : Scenario
        A resolved scenario.
    sites : pandas.DataFrame or None
        The sites to put inline (``None``: the scenario's own, :func:`load_sites`).

    Returns
    -------
    Scenario
        A copy of the scenario with ``charging.sites`` set and ``charging.sites_file`` None.
    """
    sites = load_sites(scenario.charging) if sites is None else sites
    specs = [SiteSpec(**row) for row in sites[SITE_FILE_COLUMNS].to_dict(orient="records")]
    charging = scenario.charging.model_copy(update={"sites_file": None, "sites": specs})
    return scenario.model_copy(update={"charging": charging})
