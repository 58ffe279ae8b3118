"""The package's exceptions.

Every error caused by a user's input is an :class:`EmobSimError`. Its message names the bad
value and what was expected, on one line, so that the CLI can print it without a traceback
(``fleet.ev_share: must be in [0, 1], got 1.4``). The subclasses also derive from the matching
built-in so that callers of the Python API can catch ``ValueError`` or ``FileNotFoundError``.
"""

from __future__ import annotations

__all__ = ["EmobSimError", "ConfigError", "DataError", "NetworkError", "InputFileNotFoundError"]


class EmobSimError(Exception):
    """Base class of all errors raised for bad input or an impossible scenario."""


class ConfigError(EmobSimError, ValueError):
    """A scenario file or an override is malformed or invalid."""


class DataError(EmobSimError, ValueError):
    """An input table (zones, sites, layouts) is missing a column or holds a bad value."""


class NetworkError(EmobSimError, ValueError):
    """A road network cannot be read, is empty, or leaves a zone or site unreachable."""


class InputFileNotFoundError(EmobSimError, FileNotFoundError):
    """A file named by the scenario or on the command line does not exist."""
