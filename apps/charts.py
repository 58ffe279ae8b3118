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
    bins: int = 20,
    height: int = 260,
) -> alt.Chart:
    """Bars of how many rows of ``table`` fall in each bin of ``column`` (split by ``colour``)."""
    encoding = {
        "x": alt.X(f"{column}:Q", bin=alt.Bin(maxbins=bins), title=title),
        "y": alt.Y("count()", title=counted),
    }
    if colour is not None:
        encoding["color"] = alt.Color(f"{colour}:N", title=colour.replace("_", " "))
    return alt.Chart(table).mark_bar().encode(**encoding).properties(height=height)


def kpi_curve(table: pd.DataFrame, param: str, *, kpi_title: str, as_lines: bool) -> alt.Chart:
    """A KPI against a parameter (a table of :func:`emob_sim.batch.curves`): the mean over the
    seeds as lines with their p5-p95 band, or as points with error bars when there are too
    many lines to tell apart."""
    # a dot in a field name is a path into nested data for Vega-Lite: parameters are dotted
    data = table.rename(columns={param: "value"})
    x = alt.X("value:Q", title=param, scale=alt.Scale(zero=False))
    base = alt.Chart(data).encode(x=x)
    tooltip = [alt.Tooltip("value:Q", title=param), alt.Tooltip("line:N", title="with"),
               "mean:Q", "p5:Q", "p95:Q", "runs:Q"]  # fmt: skip
    y = alt.Y("mean:Q", title=kpi_title)
    if as_lines:
        legend = alt.Legend(orient="bottom", labelLimit=600, columns=2)
        colour = alt.Color("line:N", title="other parameters", legend=legend,
                           scale=alt.Scale(scheme="tableau10"))  # fmt: skip
        band = base.mark_area(opacity=0.2).encode(y="p5:Q", y2="p95:Q", color=colour)
        mean = base.mark_line(point=True).encode(y=y, color=colour, tooltip=tooltip)
        return (band + mean).properties(height=340)
    bars = base.mark_rule(opacity=0.6).encode(y="p5:Q", y2="p95:Q")
    points = base.mark_point(filled=True).encode(y=y, tooltip=tooltip)
    return (bars + points).properties(height=340)


def plan_trajectory(table: pd.DataFrame, *, title: str) -> alt.Chart:
    """One KPI of a plan over the years (rows of plan.csv): the mean over the seeds per
    option, their range as a band."""
    x = alt.X("year:O", title=None)
    colour = alt.Color("option:N", title="option", scale=alt.Scale(scheme="tableau10"))
    base = alt.Chart(table).encode(x=x, color=colour)
    band = base.mark_area(opacity=0.15).encode(y="min:Q", y2="max:Q")
    line = base.mark_line(point=True).encode(
        y=alt.Y("mean:Q", title=None), tooltip=["option", "year", "mean", "min", "max"]
    )
    return (band + line).properties(title=title, height=240)
