"""Overpass QL way filters (the tag part of OSMnx's network queries) evaluated on tag dicts.

OSMnx selects the ways of a network type on the Overpass server with a filter such as
``["highway"]["area"!~"yes"]["highway"!~"cycleway|footway"]``. A local ``.osm`` file read by
:func:`osmnx.graph_from_xml` is not filtered at all, so :mod:`emob_sim.network.sources`
applies the same filter to the ways' tags with :func:`way_matches`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emob_sim._compat.osmnx import network_way_filter

__all__ = ["TagClause", "network_filter", "parse_way_filter", "way_matches", "filter_keys"]

# one bracket: [key], [!key], [key=value], [key!=value], [key~regex], [key!~regex], [...,i]
_CLAUSE = re.compile(
    r"""\[\s*(?P<neg>!)?\s*(?P<kq>"?)(?P<key>[^"=!~\]]+?)(?P=kq)\s*
        (?:(?P<op>!=|!~|=|~)\s*(?P<vq>"?)(?P<value>.*?)(?P=vq)\s*(?P<icase>,\s*i)?\s*)?\]""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class TagClause:
    """One bracket of an Overpass tag filter.

    Attributes
    ----------
    key
        OSM tag key.
    op
        ``"exists"``, ``"absent"``, ``"="``, ``"!="``, ``"~"`` or ``"!~"``.
    value
        Value or regular expression (empty for ``exists`` / ``absent``).
    ignore_case
        Whether a regular expression ignores case (Overpass ``,i``).
    """

    key: str
    op: str
    value: str = ""
    ignore_case: bool = False

    def matches(self, tags: Mapping[str, Any]) -> bool:
        """Whether ``tags`` (OSM key -> value; lists are OSMnx-merged values) pass."""
        value = tags.get(self.key)
        if value is None or value != value:  # absent or NaN
            return self.op in ("absent", "!=", "!~")
        values = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        if self.op == "exists":
            return True
        if self.op == "absent":
            return False
        if self.op == "=":
            return self.value in values
        if self.op == "!=":
            return self.value not in values
        flags = re.IGNORECASE if self.ignore_case else 0
        found = any(re.search(self.value, v, flags) for v in values)
        return found if self.op == "~" else not found


def parse_way_filter(way_filter: str) -> list[TagClause]:
    """Parse an Overpass tag filter (a run of brackets) into clauses that must all hold.

    Parameters
    ----------
    way_filter
        For example ``'["highway"]["area"!~"yes"]'``.

    Returns
    -------
    list of TagClause

    Raises
    ------
    ValueError
        If the text is not a run of tag brackets.
    """
    clauses: list[TagClause] = []
    pos = 0
    text = way_filter.strip()
    while pos < len(text):
        m = _CLAUSE.match(text, pos)
        if m is None:
            msg = f"cannot parse Overpass tag filter at {text[pos : pos + 40]!r} in {way_filter!r}"
            raise ValueError(msg)
        if m["op"] is None:
            op = "absent" if m["neg"] else "exists"
        elif m["neg"]:
            msg = f"'!' before a key with a value test is not Overpass QL: {m[0]!r}"
            raise ValueError(msg)
        else:
            op = m["op"]
        clauses.append(TagClause(m["key"], op, m["value"] or "", bool(m["icase"])))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return clauses


def network_filter(network_type: str) -> list[TagClause]:
    """The clauses of OSMnx's own way filter for ``network_type``.

    Uses OSMnx's (private) filter table, through :mod:`emob_sim._compat.osmnx`, so that a local
    file selects the same ways as a download; the table honours ``ox.settings.default_access``.

    Raises
    ------
    ValueError
        If OSMnx does not know ``network_type``.
    """
    return parse_way_filter(network_way_filter(network_type))


def filter_keys(clauses: list[TagClause]) -> list[str]:
    """The tag keys the clauses look at, in first-seen order."""
    return list(dict.fromkeys(c.key for c in clauses))


def way_matches(tags: Mapping[str, Any], clauses: list[TagClause]) -> bool:
    """Whether a way with these tags passes every clause."""
    return all(c.matches(tags) for c in clauses)
