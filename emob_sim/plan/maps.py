"""Static maps of a plan's sites people can read (matplotlib, embedded in the report).

Each map shows the municipality boundaries with their names (the scenario's
``zones.boundaries_file``), the roads, the zones by population with their names, the sites by
kind (kinds at the same place are drawn side by side, offset by a few points, so that no
marker hides another), a scale bar, and the legend below the map, outside the data. The view
is fitted to the region's boundaries (or to one municipality's).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emob_sim.display import count_of, kind_label
from emob_sim.plan.run import PlanResult

__all__ = ["site_map", "KIND_STYLE", "boundaries_of"]

#: map marker per site kind, drawn in this order: (marker, colour, size, offset in points)
KIND_STYLE = {
    "ebike": ("s", "#27ae60", 34, (-5.0, -3.0)),
    "car_ac": ("o", "#2471a3", 40, (5.0, -3.0)),
    "car_dc": ("^", "#c0392b", 52, (0.0, 5.0)),
}
_KM_PER_DEG = 111.32


def boundaries_of(result: PlanResult):
    """The municipality polygons of the plan's scenario (None without a boundaries file)."""
    from emob_sim.region.boundaries import load_boundaries

    path = result.plan.cases[0].scenario.zones.boundaries_file
    return None if path is None else load_boundaries(path)


def _scale_bar(ax, lat: float) -> None:
    """A bar of a round number of km in the lower left corner, about a fifth of the width."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km_per_deg = _KM_PER_DEG * np.cos(np.radians(lat))
    width_km = (x1 - x0) * km_per_deg
    length = max([k for k in (1, 2, 5, 10, 20, 50, 100) if k <= width_km / 5] or [1])
    left, bottom = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    right = left + length / km_per_deg
    ax.plot(
        [left, right],
        [bottom, bottom],
        color="black",
        linewidth=2.5,
        solid_capstyle="butt",
        zorder=9,
    )
    ax.text(
        (left + right) / 2,
        bottom + (y1 - y0) * 0.015,
        f"{length} km",
        ha="center",
        va="bottom",
        fontsize=7,
        zorder=9,
    )


def _declutter(fig, towns: list, areas: list) -> None:
    """Hide a town's name that overlaps a larger town's (they come largest first); move a
    municipality's name up or down until it overlaps no town's name (else leave it)."""
    renderer = fig.canvas.get_renderer()
    kept = []
    for label in towns:
        box = label.get_window_extent(renderer).expanded(1.05, 1.1)
        if any(box.overlaps(other) for other in kept):
            label.set_visible(False)
        else:
            kept.append(box)
    for label in areas:
        for dy in (0, -10, 10, -20, 20, -30, 30):
            label.xyann = (0, dy)
            box = label.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in kept):
                break
        else:
            label.xyann = (0, 0)
        kept.append(label.get_window_extent(renderer))


def _halo():
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2.5, foreground="white")]


def site_map(
    result: PlanResult,
    sites: pd.DataFrame,
    *,
    title: str,
    boundaries=None,
    municipality: str | None = None,
):
    """A matplotlib figure of ``sites`` (a site table with ``kind``, ``lon``, ``lat``,
    ``plugs``, ``municipality``) over the region, or over one municipality."""
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.transforms import offset_copy

    fig, ax = plt.subplots(figsize=(9.0, 5.0))
    zones = result.zones[result.zones["kind"] == "zone"]
    lat0 = float(zones["lat"].mean())
    if boundaries is not None:
        shown = (
            boundaries if municipality is None else boundaries[boundaries["name"] == municipality]
        )
        boundaries.plot(ax=ax, facecolor="#f7f5ef", edgecolor="#8a8a8a", linewidth=0.8, zorder=0)
        if municipality is not None:
            shown.plot(ax=ax, facecolor="#efe9d8", edgecolor="#555555", linewidth=1.4, zorder=1)
        x0, y0, x1, y1 = shown.total_bounds
    else:
        part = zones if municipality is None else zones[zones["municipality"] == municipality]
        x0, y0, x1, y1 = part["lon"].min(), part["lat"].min(), part["lon"].max(), part["lat"].max()
    pad_x, pad_y = (x1 - x0) * 0.04 + 0.02, (y1 - y0) * 0.04 + 0.01
    roads = result.roads
    segments = np.stack(
        [roads[["from_lon", "from_lat"]].to_numpy(), roads[["to_lon", "to_lat"]].to_numpy()], axis=1
    )
    ax.add_collection(
        LineCollection(segments, colors="#b8b8b8", linewidths=0.9, zorder=2, label="main roads")
    )
    ax.scatter(
        zones["lon"],
        zones["lat"],
        s=np.sqrt(zones["population"]) / 4,
        c="#f3e3bf",
        edgecolors="#c8a860",
        linewidths=0.5,
        zorder=3,
        label="zone centre (size: population)",
    )

    def inside(lon: float, lat: float) -> bool:
        return x0 - pad_x <= lon <= x1 + pad_x and y0 - pad_y <= lat <= y1 + pad_y

    municipality_names = set(boundaries["name"]) if boundaries is not None else set()
    town_labels, area_labels = [], []
    for z in zones.sort_values("population", ascending=False).itertuples(index=False):
        if z.name in municipality_names or not inside(z.lon, z.lat):
            continue
        label = ax.annotate(
            z.name,
            (z.lon, z.lat),
            xytext=(0, -7),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=6.5,
            color="#333333",
            zorder=8,
            path_effects=_halo(),
        )
        town_labels.append(label)
    if boundaries is not None:
        from shapely.ops import polylabel

        largest = max(b.area for b in boundaries.geometry)
        for row in boundaries.itertuples(index=False):
            polygon = row.geometry
            if polygon.geom_type == "MultiPolygon":
                polygon = max(polygon.geoms, key=lambda g: g.area)
            if row.name != municipality and polygon.area < largest / 20:
                continue  # a state city: its zone's name marks it
            point = polylabel(polygon, tolerance=0.01)
            if not inside(point.x, point.y):
                continue
            label = ax.annotate(
                row.name,
                (point.x, point.y),
                xytext=(0, 0),
                textcoords="offset points",
                ha="center",
                va="center",
                fontsize=8.5,
                color="#6b5a2e",
                style="italic",
                weight="bold",
                alpha=0.85,
                zorder=7,
                path_effects=_halo(),
            )
            area_labels.append(label)
    sites = sites[sites["municipality"] != "outside"]
    if municipality is not None:
        sites = sites[sites["municipality"] == municipality]
    for z, (kind, (marker, colour, size, (dx, dy))) in enumerate(KIND_STYLE.items()):
        part = sites[sites["kind"] == kind]
        if part.empty:
            continue
        label = f"{kind_label(kind)}: {count_of(len(part), 'site')}, "
        label += count_of(int(part["plugs"].sum()), "plug")
        shift = offset_copy(ax.transData, fig=fig, x=dx, y=dy, units="points")
        ax.scatter(
            part["lon"],
            part["lat"],
            marker=marker,
            c=colour,
            s=size,
            edgecolors="white",
            linewidths=0.6,
            zorder=10 + z,
            transform=shift,
            label=label,
        )
    ax.set_xlim(x0 - pad_x, x1 + pad_x)
    ax.set_ylim(y0 - pad_y, y1 + pad_y)
    ax.set_aspect(1 / np.cos(np.radians(lat0)))
    _scale_bar(ax, lat0)
    _declutter(fig, town_labels, area_labels)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=2, frameon=False)
    return fig
