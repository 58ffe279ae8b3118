"""Points of interest (``amenity=fuel``, ``amenity=parking``, ...) from the scenario's OSM source.

- ``.osm.pbf``: read with pyrosm (offline);
- ``.osm`` XML: OSMnx ``features_from_xml`` (offline);
- ``place``, ``bbox``, ``polygon``: OSMnx ``features_from_*`` through its response cache (online
  the first time);
- the strategic network and GraphML files hold no POIs: nothing.

Areas (a parking lot drawn as a polygon) become their representative point.
"""

from __future__ import annotations

import logging
import warnings

import osmnx as ox
import pandas as pd

from emob_sim._compat import osmnx as ox_compat
from emob_sim.config.models import NetworkConfig
from emob_sim.errors import NetworkError
from emob_sim.network.sources import osmnx_download, read_polygon

__all__ = ["amenity_points", "POI_COLUMNS"]

logger = logging.getLogger(__name__)

POI_COLUMNS = ["osm_id", "amenity", "name", "lon", "lat"]


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype=float if c in ("lon", "lat") else object) for c in POI_COLUMNS}
    )


def _tidy(gdf, amenities: list[str]) -> pd.DataFrame:
    if gdf is None or len(gdf) == 0 or "amenity" not in gdf.columns:
        return _empty()
    gdf = gdf[gdf["amenity"].isin(amenities) & gdf.geometry.notna()]
    if not len(gdf):
        return _empty()
    points = gdf.geometry.representative_point()
    if "id" in gdf.columns:
        ids = gdf["id"].astype("int64").to_numpy()
    else:  # OSMnx: index (element_type, id)
        ids = [idx[-1] if isinstance(idx, tuple) else idx for idx in gdf.index]
    names = gdf["name"] if "name" in gdf.columns else pd.Series("", index=gdf.index)
    out = pd.DataFrame(
        {
            "osm_id": [str(i) for i in ids],
            "amenity": gdf["amenity"].astype(str).to_numpy(),
            "name": names.fillna("").astype(str).to_numpy(),
            "lon": points.x.to_numpy(dtype=float),
            "lat": points.y.to_numpy(dtype=float),
        }
    )
    return out.sort_values(["amenity", "osm_id"], kind="stable").reset_index(drop=True)


def amenity_points(config: NetworkConfig, amenities: list[str]) -> pd.DataFrame:
    """OSM amenities of the scenario's network source as points.

    Parameters
    ----------
    config
        The scenario's network section.
    amenities
        ``amenity=*`` values to read.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`POI_COLUMNS`, sorted by amenity and id; empty for sources without POIs.
    """
    if not amenities or config.source == "strategic":
        return _empty()
    tags = {"amenity": list(amenities)}
    if config.source == "file":
        name = config.file.name.lower()
        if name.endswith(".pbf"):
            import pyrosm

            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    gdf = pyrosm.OSM(str(config.file)).get_pois(custom_filter=tags)
            except Exception as e:  # pyrosm raises protobuf, zlib, OSError and ValueError
                raise NetworkError(f"network.file: cannot read POIs from {config.file}: {e}") from e
            return _tidy(gdf, amenities)
        if name.endswith((".osm", ".xml")):
            try:
                gdf = ox.features_from_xml(config.file, tags=tags)
            except ox_compat.InsufficientResponseError:
                return _empty()
            return _tidy(gdf, amenities)
        return _empty()  # GraphML: a graph, no POIs
    what = f"amenities {amenities} of the network area"
    with osmnx_download(what, config.cache_dir):
        try:
            if config.source == "place":
                gdf = ox.features_from_place(config.place, tags=tags)
            elif config.source == "bbox":
                gdf = ox.features_from_bbox(tuple(config.bbox), tags=tags)
            else:
                gdf = ox.features_from_polygon(read_polygon(config.polygon_file), tags=tags)
        except ox_compat.InsufficientResponseError:
            logger.info("no OSM %s found", amenities)
            return _empty()
    return _tidy(gdf, amenities)
