"""Opening input files safely: regular files only, under a size cap, one-line errors.

Every file a scenario names (the scenario itself, the files it ``extends:``, tables, layers,
networks) is opened here first. A FIFO, a device (``/dev/zero``), a folder or a socket is
refused before a byte is read: it is checked with ``stat`` before it is opened, then opened
with ``O_NONBLOCK`` (a FIFO put in its place meanwhile does not block) and checked again with
``fstat``. A file larger than its cap is refused with its size and the cap. Paths in messages
are shown on one line (a newline or a NUL byte in a file name is escaped).

The caps are generous bounds against a wrong file, not model assumptions: a scenario file is
a few kilobytes (the bound is 4 MiB), an input table or layer a few megabytes (1 GiB), a road
network a few hundred megabytes (8 GiB).
"""

from __future__ import annotations

import errno
import os
import stat
import warnings
from pathlib import Path
from typing import IO, Any

from emob_sim.errors import DataError, EmobSimError, InputFileNotFoundError

__all__ = [
    "SCENARIO_MAX_BYTES",
    "TABLE_MAX_BYTES",
    "NETWORK_MAX_BYTES",
    "open_input",
    "check_input_file",
    "read_input_text",
    "read_layer",
    "shown_path",
    "one_line",
]

#: the largest scenario (YAML) file read
SCENARIO_MAX_BYTES = 4 * 1024**2
#: the largest input table (CSV, Parquet) or vector layer (GeoJSON, GeoPackage) read
TABLE_MAX_BYTES = 1024**3
#: the largest road network file (GraphML, OSM XML, PBF) read
NETWORK_MAX_BYTES = 8 * 1024**3

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def shown_path(path: str | Path, *, limit: int = 300) -> str:
    """``path`` as text on one line: control characters escaped (``\\n``, ``\\x00``), cut to
    ``limit`` characters.

    Parameters
    ----------
    path : str or pathlib.Path
        A file name as given (possibly holding newlines or other control characters).
    limit : int
        The longest text returned, characters (a longer one ends with ``...``).

    Returns
    -------
    str
        Printable text for a one-line message.
    """
    text = str(path)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def one_line(text: str, *, limit: int = 300) -> str:
    """A message of another library on one line: its lines joined with ``; `` (blank ones
    dropped), control characters escaped, cut to ``limit`` characters.

    Parameters
    ----------
    text : str
        The message (any object is turned into text with ``str``).
    limit : int
        The longest text returned, characters (a longer one ends with ``...``).

    Returns
    -------
    str
        The message on one printable line.
    """
    parts = [part.strip() for part in str(text).splitlines() if part.strip()]
    return shown_path("; ".join(parts), limit=limit)


def _size_text(n_bytes: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n_bytes >= size:
            return f"{n_bytes / size:.1f} {unit}"
    return f"{n_bytes} bytes"


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def open_input(
    path: str | Path,
    *,
    key: str = "",
    max_bytes: int = TABLE_MAX_BYTES,
    error: type[EmobSimError] = DataError,
) -> IO[bytes]:
    """Open an input file for reading bytes, after checking that it is a regular file no
    larger than ``max_bytes``.

    Parameters
    ----------
    path
        The file (a symbolic link is followed; what it points at must be a regular file).
    key
        What names the file (a scenario key such as ``zones.file``), for the messages.
    max_bytes
        The largest size accepted.
    error
        The exception raised for a file that is not a regular file, too large or unreadable
        (``ConfigError`` for scenario files, ``DataError`` for data files).

    Returns
    -------
    IO[bytes]
        The open file (the caller closes it).

    Raises
    ------
    InputFileNotFoundError
        The file does not exist.
    EmobSimError
        (``error``) A folder, FIFO, device or socket; a file over ``max_bytes``; a file name
        with a NUL byte or too long; a file that cannot be opened (permissions).
    """
    shown = shown_path(path)
    prefix = f"{key}: " if key else ""
    if "\0" in str(path):
        raise error(f"{prefix}{shown}: a file name cannot hold a NUL byte")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        # a device is refused before it is opened (opening one can act: a watchdog, a tape)
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise error(f"{prefix}{shown}: not a regular file ({_kind(mode)})")
        fd = os.open(path, flags)
    except FileNotFoundError:
        where = f"{key}: file not found: {shown}" if key else f"{shown}: file not found"
        raise InputFileNotFoundError(where) from None
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            raise InputFileNotFoundError(
                f"{prefix}file not found: {shown} (a part of the path is not a folder)"
            ) from None
        if exc.errno == errno.ENAMETOOLONG:
            reason = f"the file name is too long ({len(str(path))} characters)"
        elif exc.errno == errno.ELOOP:
            reason = "too many levels of symbolic links"
        elif exc.errno in (errno.EACCES, errno.EPERM):
            reason = "permission denied"
        else:
            reason = one_line(exc.strerror or type(exc).__name__)
        raise error(f"{prefix}{shown}: cannot open the file ({reason})") from None
    try:
        info = os.fstat(fd)  # what was opened (the path may have changed since the stat)
        if not stat.S_ISREG(info.st_mode):
            raise error(f"{prefix}{shown}: not a regular file ({_kind(info.st_mode)})")
        if info.st_size > max_bytes:
            raise error(
                f"{prefix}{shown}: the file holds {_size_text(info.st_size)} "
                f"({info.st_size} bytes), more than the cap of {_size_text(max_bytes)}"
            )
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def check_input_file(
    path: str | Path,
    *,
    key: str = "",
    max_bytes: int = TABLE_MAX_BYTES,
    error: type[EmobSimError] = DataError,
) -> int:
    """Check what :func:`open_input` checks (exists, a regular file, at most ``max_bytes``,
    can be opened); return the file's size in bytes.

    Parameters
    ----------
    path : str or pathlib.Path
        The file (a symbolic link is followed).
    key : str
        What names the file (a scenario key such as ``zones.file``), for the messages.
    max_bytes : int
        The largest size accepted, bytes.
    error : type[EmobSimError]
        The exception raised for a file that is not a regular file, too large or unreadable.

    Returns
    -------
    int
        The file's size, bytes.

    Raises
    ------
    InputFileNotFoundError, EmobSimError
        As :func:`open_input`.
    """
    with open_input(path, key=key, max_bytes=max_bytes, error=error) as f:
        return os.fstat(f.fileno()).st_size


def read_input_text(
    path: str | Path,
    *,
    key: str = "",
    max_bytes: int = TABLE_MAX_BYTES,
    error: type[EmobSimError] = DataError,
    what: str = "file",
) -> str:
    """The text of a UTF-8 input file checked as :func:`open_input` checks it.

    Parameters
    ----------
    path : str or pathlib.Path
        The file (a symbolic link is followed).
    key : str
        What names the file (a scenario key such as ``zones.file``), for the messages.
    max_bytes : int
        The largest size accepted, bytes.
    error : type[EmobSimError]
        The exception raised for a file that is not a regular file, too large, unreadable
        or not UTF-8.
    what : str
        The kind of file, in the message for a file that is not UTF-8 (``"file"``,
        ``"YAML file"``).

    Returns
    -------
    str
        The file's text, decoded from UTF-8.

    Raises
    ------
    InputFileNotFoundError, EmobSimError
        As :func:`open_input`; ``error`` also for a file that is not UTF-8 text (``what`` names
        the kind of file in that message).
    """
    prefix = f"{key}: " if key else ""
    with open_input(path, key=key, max_bytes=max_bytes, error=error) as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew since it was opened
        raise error(f"{prefix}{shown_path(path)}: more than the cap of {_size_text(max_bytes)}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(
            f"{prefix}{shown_path(path)}: expected a UTF-8 text {what}, got a byte that is not "
            f"UTF-8 at position {exc.start}"
        ) from None


def read_layer(
    path: str | Path,
    *,
    key: str = "",
    layer: str | int | None = None,
    error: type[EmobSimError] = DataError,
    what: str = "a vector layer",
) -> Any:
    """A vector layer (GeoJSON, GeoPackage, ...) as a GeoDataFrame, checked as
    :func:`open_input` checks a file; the warnings of GDAL while reading are kept out of the
    output (a file it cannot read is named with GDAL's first problem, on one line).

    Parameters
    ----------
    path : str or pathlib.Path
        The vector file.
    key : str
        What names the file (a scenario key such as ``zones.file``), for the messages.
    layer : str, int or None
        The layer of a multi-layer file (GeoPackage) by name or index; ``None``: the first.
    error : type[EmobSimError]
        The exception raised when the file cannot be read as a layer.
    what : str
        The kind of data expected, in the message (``"a vector layer"``, ``"zone polygons"``).

    Returns
    -------
    geopandas.GeoDataFrame
        The layer's features, in the file's coordinate reference system.

    Raises
    ------
    InputFileNotFoundError, EmobSimError
        As :func:`open_input`; ``error`` also when the file cannot be read as a layer.
    """
    import geopandas as gpd

    check_input_file(path, key=key, max_bytes=TABLE_MAX_BYTES, error=error)
    prefix = f"{key}: " if key else ""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            return gpd.read_file(path, layer=layer, engine="pyogrio")
        except Exception as exc:  # pyogrio raises its own errors for unreadable files
            reason = one_line(str(exc) or type(exc).__name__)
            if caught:
                reason += f"; {one_line(str(caught[0].message), limit=150)}"
            raise error(f"{prefix}cannot read {shown_path(path)} as {what} ({reason})") from None
