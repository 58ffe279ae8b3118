"""Altair charts of the app (presentation of tables the package computed)."""

from __future__ import annotations

import altair as alt
import pandas as pd


def histogram(
    table: pd.DataFrame,
    column: str,
    *,
    title: str,
    counted: str,
    colour: str | None = None,
    colour_title: str | None = None,
    bins: int = 20,
    min_step: float | None = None,
    height: int = 260,
) -> alt.Chart:
    """Bars of how many rows of ``table`` fall in each bin of ``column`` (split by ``colour``,
    a column of words, under ``colour_title``); bins at least ``min_step`` wide, counts on
    whole-number ticks."""
    binning = alt.Bin(maxbins=bins, minstep=min_step) if min_step else alt.Bin(maxbins=bins)
    encoding = {
        "x": alt.X(f"{column}:Q", bin=binning, title=title, axis=alt.Axis(format="~g")),
        "y": alt.Y("count()", title=counted, axis=alt.Axis(tickMinStep=1, format="d")),
    }
    if colour is not None:
        legend = alt.Legend(orient="top", title=colour_title)
        encoding["color"] = alt.Color(
            f"{colour}:N", legend=legend, scale=alt.Scale(scheme="tableau10")
        )
    return alt.Chart(table).mark_bar().encode(**encoding).properties(height=height)


def over_time(
    table: pd.DataFrame, x: str, y: str, *, x_title: str, y_title: str, height: int = 260
) -> alt.Chart:
    """A line of ``y`` against ``x`` with axis titles for people."""
    return (
        alt.Chart(table)
        .mark_line()
        .encode(
            x=alt.X(f"{x}:Q", title=x_title),
            y=alt.Y(f"{y}:Q", title=y_title),
            tooltip=[
                alt.Tooltip(f"{x}:Q", title=x_title, format=".1f"),
                alt.Tooltip(f"{y}:Q", title=y_title, format=",.1f"),
            ],
        )
        .properties(height=height)
    )


def kpi_curve(
    table: pd.DataFrame, param: str, *, kpi_title: str, param_title: str, as_lines: bool
) -> alt.Chart:
    """A KPI against a parameter (a table of :func:`emob_sim.batch.curves`): the mean over the
    seeds as lines with their p5-p95 band, or as points with error bars when there are too
    many lines to tell apart."""
    # a dot in a field name is a path into nested data for Vega-Lite: parameters are dotted
    data = table.rename(columns={param: "value"})
    x = alt.X("value:Q", title=param_title, scale=alt.Scale(zero=False))
    base = alt.Chart(data).encode(x=x)
    tooltip = [
        alt.Tooltip("value:Q", title=param_title),
        alt.Tooltip("line:N", title="with"),
        alt.Tooltip("mean:Q", title="mean", format=",.4g"),
        alt.Tooltip("p5:Q", title="5th percentile", format=",.4g"),
        alt.Tooltip("p95:Q", title="95th percentile", format=",.4g"),
        alt.Tooltip("runs:Q", title="runs"),
    ]
    y = alt.Y("mean:Q", title=kpi_title)
    if as_lines:
        legend = alt.Legend(
            orient="bottom",
            labelLimit=600,
            columns=2,
            symbolOpacity=1.0,
            symbolType="stroke",
            symbolStrokeWidth=3,
        )
        colour = alt.Color(
            "line:N", title="Other parameters", legend=legend, scale=alt.Scale(scheme="tableau10")
        )
        band = base.mark_area(opacity=0.2).encode(y="p5:Q", y2="p95:Q", color=colour)
        mean = base.mark_line(point=True).encode(y=y, color=colour, tooltip=tooltip)
        return (band + mean).properties(height=340)
    bars = base.mark_rule(opacity=0.6).encode(y="p5:Q", y2="p95:Q")
    points = base.mark_point(filled=True).encode(y=y, tooltip=tooltip)
    return (bars + points).properties(height=340)


def plan_trajectory(table: pd.DataFrame, *, title: str) -> alt.Chart:
    """One KPI of a plan over the years (rows of plan.csv): the mean over the seeds per
    option, their range as a band."""
    x = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelPadding=4))
    legend = alt.Legend(
        orient="bottom", symbolOpacity=1.0, symbolType="stroke", symbolStrokeWidth=3
    )
    colour = alt.Color(
        "option:N", title="Option", scale=alt.Scale(scheme="tableau10"), legend=legend
    )
    base = alt.Chart(table).encode(x=x, color=colour)
    y_axis = alt.Axis(format=",~f")  # 3,000,000 (not 3e+6), decimals as the ticks need
    band = base.mark_area(opacity=0.15).encode(
        y=alt.Y("min:Q", title=None, axis=y_axis), y2="max:Q"
    )
    tooltip = [
        alt.Tooltip("option:N", title="Option"),
        alt.Tooltip("year:O", title="Year"),
        alt.Tooltip("mean:Q", title="mean", format=",.4g"),
        alt.Tooltip("min:Q", title="lowest seed", format=",.4g"),
        alt.Tooltip("max:Q", title="highest seed", format=",.4g"),
    ]
    line = base.mark_line(point=True, strokeWidth=2.5).encode(
        y=alt.Y("mean:Q", title=None, axis=y_axis), tooltip=tooltip
    )
    return (band + line).properties(title=title, height=240)
