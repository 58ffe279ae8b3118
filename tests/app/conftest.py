"""The app as AppTest runs it: the real pages, headless, without map tiles."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).parents[2] / "apps" / "streamlit_app.py")


@pytest.fixture
def app(monkeypatch):
    """The app after its first run (the Scenario page), with no basemap."""
    monkeypatch.setenv("EMOB_SIM_BASEMAP", "off")
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception
    return at
