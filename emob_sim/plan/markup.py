"""HTML pieces of the plan report: embedded PNG figures, tables whose headers are labels for
people (a raw key is refused), blocks kept on one page, the style sheet (screen and A4 print).
"""

from __future__ import annotations

import base64
import html
import io
import re

import pandas as pd

from emob_sim.errors import EmobSimError

__all__ = ["png", "img", "table", "keep", "section", "RAW_KEY", "STYLE"]


def png(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def img(data: str, alt: str) -> str:
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


#: a header that is a raw key (snake_case), which people must not read
RAW_KEY = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


def table(frame: pd.DataFrame, *, css: str = "") -> str:
    raw = [str(c) for c in frame.columns if RAW_KEY.match(str(c))]
    if raw:
        raise EmobSimError(f"report table: header {raw[0]!r} is a raw key, expected a label")
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    cls = f' class="{css}"' if css else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


STYLE = (
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222;line-height:1.45}"
    "h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}"
    "h2,h3{break-after:avoid;page-break-after:avoid}"
    ".keep{break-inside:avoid;page-break-inside:avoid}"
    "table{border-collapse:collapse;font-size:.85em;margin:.5em 0}"
    "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}thead{display:table-header-group}tr{break-inside:avoid}"
    "table.decision td:not(:first-child),table.decision th:not(:first-child){text-align:right}"
    "table.decision td:first-child{font-weight:bold}"
    "table.assumptions td:nth-child(1){width:22%}table.assumptions td:nth-child(2){width:10%}"
    "table.assumptions td:nth-child(3){width:22%}"
    ".recommend{background:#eef6ee;border-left:4px solid #27ae60;padding:.4em .8em}"
    "figure{display:inline-block;margin:.3em;break-inside:avoid;page-break-inside:avoid}"
    "figure.map{display:block}img{max-width:100%}"
    "@page{size:A4;margin:14mm}"
    "@media print{body{max-width:none;margin:0;font-size:10pt}figure{width:48%}"
    "figure.map{width:100%;max-width:16cm}table{font-size:7.5pt}}"
)


def keep(*parts: str) -> str:
    """Parts that stay on one page (a heading with what follows it)."""
    return '<div class="keep">' + "".join(parts) + "</div>"


def section(head: list[str], blocks: list[str]) -> list[str]:
    """A section whose heading and introduction stay on the page of its first block."""
    if not blocks:
        return [keep(*head)]
    return [keep(*head, blocks[0]), *blocks[1:]]
