"""The public API: every exported name resolves, and the top-level import stays light."""

from __future__ import annotations

import subprocess
import sys

import emob_sim


def test_every_public_name_resolves():
    for name in emob_sim.__all__:
        assert getattr(emob_sim, name) is not None, name


def test_import_does_not_load_the_heavy_stages():
    code = (
        "import sys, emob_sim; "
        "print(sorted(m for m in ('simpy', 'osmnx', 'numba') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
