"""pydeck layers of the app's maps, fed with the lon/lat tables of :mod:`emob_sim.analysis`.

Presentation only: colours, sizes and tooltips of tables the package computed, the view that
fits them, names written on the map (they need no basemap), the legend beside the map, and
which site a click on a map picked.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pydeck as pdk

from emob_sim.display import format_value, kind_label, label_of

#: mean wait (minutes) drawn fully red
RED_WAIT_MIN = 20.0
#: pixels of a web-mercator world at zoom 0 (deck.gl's tile size)
WORLD_PX = 512.0
#: drawn colours (RGBA), the legend shows the same
ZONE_RGB = (90, 60, 160)
STRANDED_RGB = (220, 30, 30)
GAVE_UP_RGB = (255, 140, 0)
EBIKE_RGB = (30, 110, 220)
BOUNDARY_RGB = (110, 70, 150)
SHORT_WAIT_RGB = (40, 170, 60)
LONG_WAIT_RGB = (240, 30, 60)


def _tip(table: pd.DataFrame, title: str, fields: list[str]) -> pd.Series:
    rows = []
    for row in table.to_dict(orient="records"):
        body = "<br/>".join(
            f"{label_of(f)}: {kind_label(row[f]) if f == 'kind' else format_value(f, row[f])}"
            for f in fields
        )
        rows.append(f"<b>{row[title] or row.get('site_id', '')}</b><br/>{body}")
    return pd.Series(rows, index=table.index, dtype=object)


def _wait_colour(wait_min: pd.Series) -> list[list[int]]:
    share = np.clip(wait_min.to_numpy(float) / RED_WAIT_MIN, 0.0, 1.0)
    (r0, g0, b0), (r1, g1, b1) = SHORT_WAIT_RGB, LONG_WAIT_RGB
    return [
        [int(r0 + (r1 - r0) * s), int(g0 + (g1 - g0) * s), int(b0 + (b1 - b0) * s), 255]
        for s in share
    ]


def mercator_y(lat_deg: float) -> float:
    """Web-mercator y of a latitude, in worlds (0 at the equator, 1 = one world)."""
    lat = math.radians(max(min(lat_deg, 85.0), -85.0))
    return math.log(math.tan(math.pi / 4 + lat / 2)) / (2 * math.pi)


def fit_view(
    lon: pd.Series | np.ndarray,
    lat: pd.Series | np.ndarray,
    *,
    width_px: float,
    height_px: float,
    pad_px: float = 40.0,
) -> pdk.ViewState:
    """A view of a map ``width_px`` x ``height_px`` that shows every point with ``pad_px``
    pixels to spare on each side (so markers drawn at a point are not cut at the edge)."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    west, east, south, north = lon.min(), lon.max(), lat.min(), lat.max()
    span_x = max(float(east - west), 0.01) / 360.0
    span_y = max(mercator_y(float(north)) - mercator_y(float(south)), 0.01 / 360.0)
    usable_w, usable_h = max(width_px - 2 * pad_px, 50.0), max(height_px - 2 * pad_px, 50.0)
    zoom = math.log2(min(usable_w / (WORLD_PX * span_x), usable_h / (WORLD_PX * span_y)))
    middle_y = (mercator_y(float(north)) + mercator_y(float(south))) / 2
    middle_lat = math.degrees(2 * math.atan(math.exp(middle_y * 2 * math.pi)) - math.pi / 2)
    return pdk.ViewState(
        longitude=float((west + east) / 2),
        latitude=middle_lat,
        zoom=float(min(max(zoom, 1.0), 14.0)),
    )


def spread_stacked(sites: pd.DataFrame, *, view: pdk.ViewState, within_px: float = 14.0):
    """Sites that would be drawn on top of each other at ``view`` moved apart around their
    middle (``within_px`` pixels apart at most), in the order of their kind, so that each
    marker shows; a copy with the drawn ``lon``/``lat`` (the true ones in ``true_lon``,
    ``true_lat``)."""
    out = sites.copy()
    out["true_lon"], out["true_lat"] = out["lon"], out["lat"]
    if out.empty:
        return out
    deg_lon = 360.0 / (WORLD_PX * 2.0**view.zoom)  # degrees of longitude per pixel
    deg_lat = deg_lon * math.cos(math.radians(view.latitude))
    cell = (
        np.floor(out["lon"] / (deg_lon * within_px)).astype(int).astype(str)
        + ":"
        + np.floor(out["lat"] / (deg_lat * within_px)).astype(int).astype(str)
    )
    for _, group in out.sort_values(["kind", "site_id"]).groupby(cell, sort=False):
        n = len(group)
        if n < 2:
            continue
        angles = np.pi - 2 * np.pi * np.arange(n) / n  # the first to the west
        radius = within_px * 0.8
        lon0, lat0 = group["lon"].mean(), group["lat"].mean()
        out.loc[group.index, "lon"] = lon0 + radius * deg_lon * np.cos(angles)
        out.loc[group.index, "lat"] = lat0 + radius * deg_lat * np.sin(angles)
    return out


def zone_radius_px(population: pd.Series, *, scale: float = 1.0) -> np.ndarray:
    """The radius (pixels) of a zone's circle: larger for more residents, at most 26 (times
    ``scale``)."""
    radius = np.minimum(5.0 + np.sqrt(population.clip(lower=0.0).to_numpy(float)) / 8.0, 26.0)
    return scale * radius


def site_radius_px(sessions: pd.Series, *, scale: float = 1.0) -> np.ndarray:
    """The radius (pixels) of a car site's circle: larger for more sessions (times ``scale``)."""
    return scale * (5.0 + 2.0 * np.sqrt(sessions.clip(lower=0).to_numpy(float)))


def zone_layers(zones: pd.DataFrame, *, tips: bool = True, scale: float = 1.0) -> list[pdk.Layer]:
    """Zones shaded by electric cars; a red ring where trips were stranded."""
    z = zones.copy()
    most = max(float(z["electric_cars"].max()), 1.0)
    z["fill"] = [  # the destination outside the region (Rīga) in grey
        [*ZONE_RGB, int(40 + 150 * c / most)] if k == "zone" else [150, 150, 150, 60]
        for k, c in zip(z["kind"], z["electric_cars"])
    ]
    z["radius"] = zone_radius_px(z["population"], scale=scale)
    z["tip"] = _tip(
        z,
        "name",
        ["population", "electric_cars", "trips_from", "trips_stranded", "drivers_gave_up"],
    )
    stranded = z[z["trips_stranded"] > 0]
    return [
        pdk.Layer(
            "ScatterplotLayer",
            z,
            id="zones",
            get_position=["lon", "lat"],
            get_radius="radius",
            radius_units="'pixels'",
            get_fill_color="fill",
            pickable=tips,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            stranded,
            id="stranded",
            get_position=["lon", "lat"],
            get_radius="radius",
            radius_units="'pixels'",
            radius_scale=1.25,
            filled=False,
            stroked=True,
            get_line_color=[*STRANDED_RGB],
            line_width_min_pixels=3,
        ),
    ]


def site_layers(
    sites: pd.DataFrame, *, view: pdk.ViewState, suffix: str = "", scale: float = 1.0
) -> list[pdk.Layer]:
    """Car sites sized by sessions and coloured by mean wait, rings where drivers gave up;
    e-bike points as small blue dots; stacked markers moved apart (:func:`spread_stacked`)."""
    drawn = spread_stacked(sites, view=view)
    car = drawn[drawn["kind"] != "ebike"].copy()
    bike = drawn[drawn["kind"] == "ebike"].copy()
    car["colour"] = _wait_colour(car["mean_wait_min"])
    car["radius"] = site_radius_px(car["sessions"], scale=scale)
    fields = [
        "kind",
        "plugs",
        "power_kw",
        "sessions",
        "sessions_abandoned",
        "energy_kwh",
        "mean_wait_min",
        "p95_wait_min",
        "peak_kw",
    ]
    car["tip"] = _tip(car, "name", fields)
    gave_up = car[car["sessions_abandoned"] > 0]
    bike["tip"] = _tip(bike, "name", ["plugs", "sessions", "energy_kwh"])
    return [
        pdk.Layer(
            "ScatterplotLayer",
            bike,
            id=f"ebike_points{suffix}",
            get_position=["lon", "lat"],
            get_radius=4,
            radius_units="'pixels'",
            get_fill_color=[*EBIKE_RGB, 255],
            get_line_color=[255, 255, 255],
            line_width_min_pixels=1,
            stroked=True,
            pickable=True,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            car,
            id=f"car_sites{suffix}",
            get_position=["lon", "lat"],
            get_radius="radius",
            radius_units="'pixels'",
            get_fill_color="colour",
            get_line_color=[30, 30, 30],
            stroked=True,
            line_width_min_pixels=1,
            pickable=True,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            gave_up,
            id=f"gave_up{suffix}",
            get_position=["lon", "lat"],
            get_radius="radius",
            radius_units="'pixels'",
            radius_scale=1.4,
            filled=False,
            stroked=True,
            get_line_color=[*GAVE_UP_RGB],
            line_width_min_pixels=3,
        ),
    ]


def _pixels(lon: pd.Series, lat: pd.Series, *, view: pdk.ViewState) -> np.ndarray:
    """Pixel x, y (from any origin, y down) of points at ``view``."""
    world = WORLD_PX * 2.0**view.zoom
    x = lon.to_numpy(float) / 360.0 * world
    y = -np.array([mercator_y(v) for v in lat.to_numpy(float)]) * world
    return np.stack([x, y], axis=1) if len(x) else np.zeros((0, 2))


def _fits(box: tuple[float, float, float, float], kept: list) -> bool:
    x0, y0, x1, y1 = box
    return all(x1 < a0 or x0 > a1 or y1 < b0 or y0 > b1 for a0, b0, a1, b1 in kept)


def place_layers(
    boundaries: pd.DataFrame,
    names: pd.DataFrame,
    *,
    view: pdk.ViewState,
    below_px: Mapping[str, float] | None = None,
    importance: Mapping[str, float] | None = None,
    suffix: str = "",
) -> list[pdk.Layer]:
    """Municipality outlines, and the names of municipalities (large, where the municipality
    is wide enough at ``view`` to hold its name) and towns (small, ``below_px`` pixels under
    their point, e.g. under their circle): drawn by the map itself, so they show without a
    basemap. A name that would cover one already placed (municipalities first, then towns by
    ``importance``, e.g. population) is left out."""
    below_px, importance = below_px or {}, importance or {}
    px_per_deg = WORLD_PX * 2.0**view.zoom / 360.0
    width_px: dict[str, float] = {}
    for name, polygon in zip(boundaries["name"], boundaries["polygon"]):
        ring = np.asarray(polygon[0], float)
        width = (ring[:, 0].max() - ring[:, 0].min()) * px_per_deg
        width_px[name] = max(width_px.get(name, 0.0), width)
    municipalities = names[names["kind"] == "municipality"]
    municipalities = municipalities[
        [width_px.get(n, 0.0) >= 7.0 * len(n) for n in municipalities["name"]]
    ]
    towns = names[names["kind"] == "zone"].copy()
    towns["offset"] = [[0, float(below_px.get(n, 4.0)) + 2.0] for n in towns["name"]]
    towns = towns.iloc[np.argsort([-importance.get(n, 0.0) for n in towns["name"]], kind="stable")]
    kept: list[tuple[float, float, float, float]] = []
    keep_m, keep_t = [], []
    passes = ((municipalities, keep_m, 7.5, 15.0), (towns, keep_t, 6.5, 14.0))
    for table, keep, char_px, size_px in passes:
        xy = _pixels(table["lon"], table["lat"], view=view)
        for (x, y), name, offset in zip(
            xy, table["name"], table.get("offset", [[0, 0]] * len(table))
        ):
            half = char_px * len(name) / 2
            top = y + offset[1] if table is towns else y - size_px / 2
            box = (x - half, top, x + half, top + size_px)
            keep.append(_fits(box, kept))
            if keep[-1]:
                kept.append(box)
    municipalities, towns = municipalities[keep_m], towns[keep_t]
    text = {
        "get_position": ["lon", "lat"],
        "get_text": "name",
        "character_set": "'auto'",
        "font_family": "'Helvetica, Arial, sans-serif'",
        "size_units": "'pixels'",
        "outline_width": 3,
        "outline_color": [255, 255, 255, 230],
        "font_settings": {"sdf": True},
    }
    return [
        pdk.Layer(
            "PolygonLayer",
            boundaries,
            id=f"boundaries{suffix}",
            get_polygon="polygon",
            filled=False,
            stroked=True,
            get_line_color=[*BOUNDARY_RGB, 200],
            line_width_min_pixels=2,
        ),
        pdk.Layer(
            "TextLayer",
            municipalities,
            id=f"municipality_names{suffix}",
            get_size=13,
            get_color=[*BOUNDARY_RGB, 150],
            font_weight="'bold'",
            **text,
        ),
        pdk.Layer(
            "TextLayer",
            towns,
            id=f"town_names{suffix}",
            get_size=12,
            get_color=[20, 20, 20, 255],
            get_alignment_baseline="'top'",
            get_pixel_offset="offset",
            **text,
        ),
    ]


def picked_site(selection: Mapping | None, *, layer: str = "car_sites") -> str | None:
    """The site id of the car site clicked on a map (the pydeck chart's ``selection``: objects
    by layer id), or None when no car site is selected."""
    objects = ((selection or {}).get("objects") or {}).get(layer) or []
    site = objects[-1].get("site_id") if objects else None
    return str(site) if site is not None else None


def network_layer(lines: pd.DataFrame, *, suffix: str = "") -> pdk.Layer:
    return pdk.Layer(
        "LineLayer",
        lines,
        id=f"roads{suffix}",
        get_source_position=["from_lon", "from_lat"],
        get_target_position=["to_lon", "to_lat"],
        get_color=[120, 120, 120, 170],
        get_width=1,
        width_min_pixels=1,
    )


def extent(
    zones: pd.DataFrame, sites: pd.DataFrame, boundaries: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """The lon and lat of everything a map must show: resident zones, sites, boundaries."""
    resident = zones[zones["kind"] != "gateway"]
    lon = [resident["lon"].to_numpy(float), sites["lon"].to_numpy(float)]
    lat = [resident["lat"].to_numpy(float), sites["lat"].to_numpy(float)]
    for polygon in boundaries["polygon"]:
        ring = np.asarray(polygon[0], float)
        lon.append(ring[:, 0])
        lat.append(ring[:, 1])
    return np.concatenate(lon), np.concatenate(lat)


def deck(
    layers: list[pdk.Layer],
    *,
    view: pdk.ViewState,
    lines: pd.DataFrame | None,
    places: list[pdk.Layer],
    basemap: bool,
    suffix: str = "",
) -> pdk.Deck:
    """The map: roads and municipality outlines under the data, names over it; a basemap
    only when asked (it needs the internet)."""
    below = [network_layer(lines, suffix=suffix)] if lines is not None else []
    return pdk.Deck(
        layers=below + places[:1] + layers + places[1:],
        initial_view_state=view,
        map_provider="carto" if basemap else None,
        map_style=pdk.map_styles.CARTO_LIGHT if basemap else None,
        tooltip={"html": "{tip}"},
    )


def _swatch(rgb: tuple[int, int, int], *, ring: bool = False, square: bool = False) -> str:
    colour = f"rgb{tuple(rgb)}"
    style = (
        f"border:3px solid {colour};background:transparent"
        if ring
        else f"background:{colour};border:1px solid #333"
    )
    radius = "2px" if square else "50%"
    return (
        f'<span style="display:inline-block;width:12px;height:12px;border-radius:{radius};'
        f'{style};vertical-align:middle;margin:0 4px 0 12px"></span>'
    )


def legend_html(*, zones: bool, ebikes: bool) -> str:
    """The legend of a map (under it, outside the data), with the colours drawn."""
    items = [
        (_swatch(SHORT_WAIT_RGB), "car site, short wait"),
        (_swatch(LONG_WAIT_RGB), f"car site, mean wait {RED_WAIT_MIN:.0f} min or more"),
        (_swatch(GAVE_UP_RGB, ring=True), "drivers gave up there"),
    ]
    if ebikes:
        items.append((_swatch(EBIKE_RGB), "e-bike charging"))
    if zones:
        items += [
            (_swatch(ZONE_RGB), "town or zone: darker = more electric cars"),
            (_swatch(STRANDED_RGB, ring=True), "trips stranded from there"),
        ]
    items.append((_swatch(BOUNDARY_RGB, ring=True, square=True), "municipality border"))
    body = "".join(
        f'<span style="white-space:nowrap">{s}{html.escape(t)}</span> ' for s, t in items
    )
    return f'<div style="font-size:0.85rem;line-height:1.9">{body}</div>'
