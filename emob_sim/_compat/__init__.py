"""The only place that touches other libraries' private names.

Each module here wraps the internals of one outside library that emob-sim relies on, for the
versions pinned in pyproject.toml (upper pins: a new minor release may change a private name
without notice). ``tests/test_compat.py`` checks each behaviour relied upon on the installed
library, and that no other module of emob-sim or the app uses a private name of another package.

- :mod:`emob_sim._compat.osmnx`: OSMnx's exception classes and its Overpass way filter.
- :mod:`emob_sim._compat.simpy`: a ``simpy.Resource`` with insertion-ordered users.
"""

from __future__ import annotations

__all__: list[str] = []
