"""Shared checks of the end-to-end tests."""

from __future__ import annotations

from pathlib import Path

import pytest


def assert_clean_failure(result, out: Path, *needles: str) -> None:
    """Exit 2, one ``error:`` line naming the problem (after the progress lines of the stages
    that ran, shown when the output is not a terminal), no traceback, nothing written."""
    assert result.exit_code == 2, result.output
    text = result.output
    assert "Traceback" not in text
    lines = text.strip().splitlines()
    assert lines[-1].startswith("error:"), text
    assert all(line.startswith("[") and " s] " in line for line in lines[:-1]), text
    for needle in needles:
        assert needle in lines[-1]
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]


@pytest.fixture
def clean_failure():
    """:func:`assert_clean_failure`."""
    return assert_clean_failure
