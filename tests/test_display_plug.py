"""A count of plugs reads as people say it: 1 plug, 2 plugs."""

from __future__ import annotations

import pytest

from emob_sim.display import format_value


@pytest.mark.parametrize(
    ("value", "text"), [(1, "1 plug"), (1.0, "1 plug"), (2, "2 plugs"), (0, "0 plugs")]
)
def test_one_plug_is_singular(value, text):
    assert format_value("cost", value, unit="plugs") == text
