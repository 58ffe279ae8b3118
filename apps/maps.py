"""pydeck layers of the app's maps, fed with the lon/lat tables of :mod:`emob_sim.analysis`.

Presentation only: colours, sizes and tooltips of tables the package computed, and which site
a click on a map picked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pydeck as pdk

from emob_sim.display import format_value

#: mean wait (minutes) drawn fully red
RED_WAIT_MIN = 20.0


def _tip(table: pd.DataFrame, title: str, fields: list[str]) -> pd.Series:
    rows = []
    for row in table.to_dict(orient="records"):
        body = "<br/>".join(f"{f.replace('_', ' ')}: {format_value(f, row[f])}" for f in fields)
        rows.append(f"<b>{row[title] or row.get('site_id', '')}</b><br/>{body}")
    return pd.Series(rows, index=table.index, dtype=object)


def _wait_colour(wait_min: pd.Series) -> list[list[int]]:
    share = np.clip(wait_min.to_numpy(float) / RED_WAIT_MIN, 0.0, 1.0)
    return [[int(40 + 200 * s), int(170 - 140 * s), 60, 230] for s in share]


def zone_layers(zones: pd.DataFrame) -> list[pdk.Layer]:
    """Zones shaded by electric cars; a red ring where trips were stranded."""
    z = zones.copy()
    most = max(float(z["electric_cars"].max()), 1.0)
    z["fill"] = [[90, 60, 160, int(40 + 180 * c / most)] for c in z["electric_cars"]]
    z["radius"] = 6.0 + np.sqrt(z["population"].clip(lower=0.0)) / 7.0  # pixels
    z["tip"] = _tip(z, "name", ["kind", "population", "electric_cars", "trips_from",
                                "trips_stranded", "drivers_gave_up"])  # fmt: skip
    stranded = z[z["trips_stranded"] > 0]
    return [
        pdk.Layer("ScatterplotLayer", z, id="zones", get_position=["lon", "lat"],
                  get_radius="radius", radius_units="'pixels'", get_fill_color="fill",
                  pickable=True, opacity=0.6),
        pdk.Layer("ScatterplotLayer", stranded, id="stranded", get_position=["lon", "lat"],
                  get_radius="radius", radius_units="'pixels'", radius_scale=1.25, filled=False,
                  stroked=True, get_line_color=[220, 30, 30], line_width_min_pixels=3),
    ]  # fmt: skip


def site_layers(sites: pd.DataFrame, *, suffix: str = "") -> list[pdk.Layer]:
    """Car sites sized by sessions and coloured by mean wait, rings where drivers gave up;
    e-bike points as blue squares."""
    car = sites[sites["kind"] != "ebike"].copy()
    bike = sites[sites["kind"] == "ebike"].copy()
    car["colour"] = _wait_colour(car["mean_wait_min"])
    car["radius"] = 6.0 + 3.0 * np.sqrt(car["sessions"].to_numpy(float))
    fields = ["kind", "plugs", "power_kw", "sessions", "sessions_abandoned", "energy_kwh",
              "mean_wait_min", "p95_wait_min", "peak_kw"]  # fmt: skip
    car["tip"] = _tip(car, "name", fields)
    gave_up = car[car["sessions_abandoned"] > 0]
    bike["tip"] = _tip(bike, "name", ["plugs", "sessions", "energy_kwh"])
    half = 0.0025  # degrees: a small square
    bike["square"] = [
        [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half],
         [lon - half, lat + half]]
        for lon, lat in zip(bike["lon"], bike["lat"])
    ]  # fmt: skip
    return [
        pdk.Layer("PolygonLayer", bike, id=f"ebike_points{suffix}", get_polygon="square",
                  get_fill_color=[30, 110, 220, 220], get_line_color=[255, 255, 255],
                  line_width_min_pixels=1, stroked=True, pickable=True),
        pdk.Layer("ScatterplotLayer", car, id=f"car_sites{suffix}", get_position=["lon", "lat"],
                  get_radius="radius", radius_units="'pixels'", get_fill_color="colour",
                  get_line_color=[30, 30, 30], stroked=True, line_width_min_pixels=1,
                  pickable=True),
        pdk.Layer("ScatterplotLayer", gave_up, id=f"gave_up{suffix}", get_position=["lon", "lat"],
                  get_radius="radius", radius_units="'pixels'", radius_scale=1.4, filled=False,
                  stroked=True, get_line_color=[255, 140, 0], line_width_min_pixels=3),
    ]  # fmt: skip


def picked_site(selection: Mapping | None, *, layer: str = "car_sites") -> str | None:
    """The site id of the car site clicked on a map (the pydeck chart's ``selection``: objects
    by layer id), or None when no car site is selected."""
    objects = ((selection or {}).get("objects") or {}).get(layer) or []
    site = objects[-1].get("site_id") if objects else None
    return str(site) if site is not None else None


def network_layer(lines: pd.DataFrame) -> pdk.Layer:
    return pdk.Layer(
        "LineLayer", lines, id="roads", get_source_position=["from_lon", "from_lat"],
        get_target_position=["to_lon", "to_lat"], get_color=[120, 120, 120, 160], get_width=1,
        width_min_pixels=1,
    )  # fmt: skip


def view_of(lon: pd.Series, lat: pd.Series) -> pdk.ViewState:
    """A view that shows every point."""
    span = max(float(lon.max() - lon.min()), float(lat.max() - lat.min()), 0.02)
    zoom = max(1.0, min(14.0, math.log2(360.0 / span) + 0.4))
    return pdk.ViewState(longitude=float(lon.mean()), latitude=float(lat.mean()), zoom=zoom)


def deck(
    layers: list[pdk.Layer],
    *,
    lines: pd.DataFrame | None,
    zones: pd.DataFrame,
    basemap: bool,
) -> pdk.Deck:
    """The map: roads under everything; a basemap only when asked (it needs the internet)."""
    resident = zones[zones["kind"] != "gateway"]
    all_layers = ([network_layer(lines)] if lines is not None else []) + layers
    return pdk.Deck(
        layers=all_layers,
        initial_view_state=view_of(resident["lon"], resident["lat"]),
        map_provider="carto" if basemap else None,
        map_style=pdk.map_styles.CARTO_LIGHT if basemap else None,
        tooltip={"html": "{tip}"},
    )
