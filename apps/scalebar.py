"""The scale bar of the app's maps (pydeck has none): a line with end ticks and its length
written above it, at the lower left of the view (:func:`emob_sim.analysis.maps.scale_bar`)."""

from __future__ import annotations

import math

import pandas as pd
import pydeck as pdk
from maps import WORLD_PX, mercator_y

from emob_sim.analysis.maps import scale_bar

#: colour of the bar and its label (RGBA)
BAR_RGBA = [30, 30, 30, 255]


def _latitude(y: float) -> float:
    """The latitude of a web-mercator y in worlds (the inverse of ``mercator_y``)."""
    return math.degrees(2 * math.atan(math.exp(y * 2 * math.pi)) - math.pi / 2)


def view_bounds(
    view: pdk.ViewState, *, width_px: float, height_px: float
) -> tuple[float, float, float, float]:
    """West, south, east, north (degrees) of what a ``width_px`` x ``height_px`` map shows at
    ``view``."""
    world = WORLD_PX * 2.0**view.zoom
    half_lon = width_px / 2 / world * 360.0
    middle = mercator_y(view.latitude)
    return (
        view.longitude - half_lon,
        _latitude(middle - height_px / 2 / world),
        view.longitude + half_lon,
        _latitude(middle + height_px / 2 / world),
    )


def scale_layers(
    view: pdk.ViewState, *, width_px: float, height_px: float, suffix: str = ""
) -> list[pdk.Layer]:
    """The scale bar of a map of ``width_px`` x ``height_px`` at ``view``: a PathLayer (the
    bar, ticks 6 pixels high at its ends) and a TextLayer (its length)."""
    bar = scale_bar(*view_bounds(view, width_px=width_px, height_px=height_px))
    world = WORLD_PX * 2.0**view.zoom
    tick = 6.0 / world * 360.0 * math.cos(math.radians(bar["start_lat"]))  # degrees of latitude
    x0, x1, y = bar["start_lon"], bar["end_lon"], bar["start_lat"]
    path = pd.DataFrame({"path": [[[x0, y + tick], [x0, y], [x1, y], [x1, y + tick]]]})
    text = pd.DataFrame({"lon": [(x0 + x1) / 2], "lat": [y], "label": [bar["label"]]})
    return [
        pdk.Layer(
            "PathLayer",
            path,
            id=f"scale_bar{suffix}",
            get_path="path",
            get_color=BAR_RGBA,
            get_width=2,
            width_units="'pixels'",
            cap_rounded=False,
        ),
        pdk.Layer(
            "TextLayer",
            text,
            id=f"scale_label{suffix}",
            get_position=["lon", "lat"],
            get_text="label",
            get_size=12,
            size_units="'pixels'",
            get_color=BAR_RGBA,
            get_pixel_offset=[0, -4],
            get_alignment_baseline="'bottom'",
            font_family="'Helvetica, Arial, sans-serif'",
            outline_width=3,
            outline_color=[255, 255, 255, 230],
            font_settings={"sdf": True},
        ),
    ]
