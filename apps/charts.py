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
