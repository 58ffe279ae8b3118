"""Output folders in parent folders shared by several users: locks, marked folders, cleanup.

Several users may write into one parent folder (e.g. ``/srv/runs`` with mode 1777), and any
of them may plant a file there. So, in the parent of an output folder, emob-sim:

- opens its lock (``.NAME.emob-sim.lock``) read-only (``flock`` needs no more), never through
  a symlink (``O_NOFOLLOW``), creates it only if absent (``O_EXCL``) and refuses anything but
  a regular file;
- makes its temporary folders (``.NAME.emob-sim-tmp-XXXXXXXX``, and
  ``.NAME.emob-sim-old-XXXXXXXX`` for a folder being replaced; X: 8 hex digits) with a marker
  file (``.emob-sim-tmp``, ``.emob-sim-old``) in them; the output itself is their subfolder
  ``folder``, so the marker never becomes part of an output folder;
- deletes (or puts back) only folders of the current user with exactly such a name and
  marker, whose writer is dead (its lock is free); everything else, and anything that cannot
  be locked or removed, is skipped, never an error.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import secrets
import shutil
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from emob_sim.errors import EmobSimError

__all__ = [
    "TMP",
    "OLD",
    "INNER",
    "PROBE",
    "held_lock",
    "make_marked",
    "delete_marked",
    "remove_leftovers",
]

TMP = "emob-sim-tmp"
OLD = "emob-sim-old"
#: the subfolder of a marked folder that holds the output (or the folder being replaced)
INNER = "folder"
PROBE = ".emob-sim-probe-"
_LOCK = "emob-sim.lock"
#: a probe folder older than this (seconds) was left by a process that died in between
_PROBE_STALE_S = 60.0
_LEFTOVER = re.compile(rf"^\.(?P<name>.+)\.(?P<what>{TMP}|{OLD})-[0-9a-f]{{8}}$")
#: read-only, never through a symlink, never waiting on a FIFO, closed in child processes
_OPEN_LOCK = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class _NotRegular(OSError):
    """A lock path that holds a folder, FIFO or device."""


def _lock_path(parent: Path, name: str) -> Path:
    return parent / f".{name}.{_LOCK}"


def _open_lock(path: Path) -> int:
    """Open (or create) a lock file; OSError for a symlink (ELOOP) or a special file."""
    while True:
        try:
            fd = os.open(path, _OPEN_LOCK)
        except FileNotFoundError:
            try:
                fd = os.open(path, _OPEN_LOCK | os.O_CREAT | os.O_EXCL, 0o444)
            except FileExistsError:
                continue  # made by another process in between
            os.fchmod(fd, 0o444)  # whatever the umask: any user may lock it, none write it
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return fd
        os.close(fd)
        raise _NotRegular(errno.EINVAL, "not a regular file", str(path))


def _try_lock(path: Path) -> int | None:
    """Take the lock file's ``flock``; None when a live process holds it.

    The lock file is removed when released; the inode check makes sure that the lock held is
    on the file that is still at ``path`` (not one removed in between).
    """
    while True:
        fd = _open_lock(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return None
            raise
        held = os.fstat(fd)
        try:
            now = os.lstat(path)
        except FileNotFoundError:
            os.close(fd)
            continue
        if (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino):
            return fd
        os.close(fd)


def _unlock(path: Path, fd: int) -> None:
    """Release a lock; its file is removed when it is this user's and still the one held."""
    with contextlib.suppress(OSError):
        held, now = os.fstat(fd), os.lstat(path)
        if (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino) and held.st_uid == os.geteuid():
            os.unlink(path)
    os.close(fd)


@contextlib.contextmanager
def held_lock(out: Path) -> Iterator[None]:
    """Hold the writer's lock of ``out`` (fails at once when another process holds it).

    Parameters
    ----------
    out : pathlib.Path
        The output folder (absolute); its lock file lies beside it.

    Yields
    ------
    None
        While the block runs, the lock is held; it is released when the block ends.

    Raises
    ------
    EmobSimError
        Another process holds the lock, or the lock is a symlink, not a regular file, or
        cannot be opened.
    """
    path = _lock_path(out.parent, out.name)
    try:
        fd = _try_lock(path)
    except OSError as exc:
        if isinstance(exc, _NotRegular):
            what = f"{path} is not a regular file, not an emob-sim lock"
        elif exc.errno == errno.ELOOP:
            what = f"{path} is a symlink, not an emob-sim lock"
        else:
            what = f"cannot open the lock {path} ({exc.strerror}{_owner(path)})"
        raise EmobSimError(f"--out {out}: {what}; remove it or choose another folder") from None
    if fd is None:
        raise EmobSimError(
            f"--out {out}: another emob-sim process is writing this folder now ({path} is "
            "locked); wait for it to finish or choose another folder"
        )
    try:
        yield
    finally:
        _unlock(path, fd)


def _owner(path: Path) -> str:
    with contextlib.suppress(OSError):
        uid = os.lstat(path).st_uid
        if uid != os.geteuid():
            return f", owned by user {uid}"
    return ""


def make_marked(parent: Path, name: str, what: str) -> Path:
    """A new folder ``.NAME.WHAT-XXXXXXXX`` in ``parent`` (mode 0700) holding the marker.

    Raises OSError when it cannot be made (then nothing is left).

    Parameters
    ----------
    parent : pathlib.Path
        The folder it is made in (the parent of the output folder).
    name : str
        The output folder's name.
    what : str
        What the folder holds: :data:`TMP` (a folder being written) or :data:`OLD` (a folder
        moved aside to be replaced).

    Returns
    -------
    pathlib.Path
        The new folder.
    """
    while True:
        path = parent / f".{name}.{what}-{secrets.token_hex(4)}"
        try:
            path.mkdir(mode=0o700)
            break
        except FileExistsError:
            continue
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(path / f".{what}", flags, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as marker:
            marker.write(f"{what} of {name}: pid {os.getpid()} on {socket.gethostname()}\n")
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    return path


def _is_marked(path: Path, what: str) -> bool:
    """``path`` is a folder of this user holding emob-sim's marker ``what``."""
    me = os.geteuid()
    try:
        st = os.lstat(path)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != me:
            return False
        fd = os.open(path / f".{what}", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            st = os.fstat(fd)
            head = os.read(fd, 64) if stat.S_ISREG(st.st_mode) and st.st_uid == me else b""
        finally:
            os.close(fd)
    except OSError:
        return False
    return head.startswith(f"{what} of ".encode())


def delete_marked(path: Path) -> bool:
    """Delete a marked folder: its subfolder first, its marker last; True when it is gone.

    What cannot be deleted is left with the marker, for the next write to try again.

    Parameters
    ----------
    path : pathlib.Path
        The marked folder (``.NAME.WHAT-XXXXXXXX``).

    Returns
    -------
    bool
        Whether nothing is left at ``path``.
    """
    shutil.rmtree(path / INNER, ignore_errors=True)
    with contextlib.suppress(OSError):
        for what in (TMP, OLD):
            with contextlib.suppress(FileNotFoundError):
                (path / f".{what}").unlink()
        path.rmdir()
    return not os.path.lexists(path)


def _stale_probe(path: Path) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return (
        stat.S_ISDIR(st.st_mode)
        and st.st_uid == os.geteuid()
        and time.time() - st.st_mtime > _PROBE_STALE_S
    )


def remove_leftovers(parent: Path, *, holding: str | None = None) -> list[Path]:
    """Clean up after this user's writers that died (their lock is free); what was removed.

    A marked temporary folder is deleted, and an empty write probe older than a minute. A
    marked previous folder that was moved aside to be replaced is put back when the
    destination is missing (the writer died between the two renames), else deleted.
    ``holding`` names the destination whose lock this process holds (its leftovers are dead).
    A leftover whose writer is alive (its lock is held), another user's, one without the
    marker or whose lock cannot be opened is never touched.

    Parameters
    ----------
    parent : pathlib.Path
        The folder whose hidden leftovers are cleaned (the parent of an output folder).
    holding : str or None
        The name of the destination whose lock this process holds.

    Returns
    -------
    list[pathlib.Path]
        The leftovers removed (or put back).
    """
    removed: list[Path] = []
    try:
        entries = sorted(parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if entry.name.startswith(PROBE) and _stale_probe(entry):
            with contextlib.suppress(OSError):
                entry.rmdir()  # only when empty
                removed.append(entry)
            continue
        match = _LEFTOVER.match(entry.name)
        if not match or not _is_marked(entry, match.group("what")):
            continue
        name, lock, fd = match.group("name"), _lock_path(parent, match.group("name")), None
        if name != holding:
            try:
                fd = _try_lock(lock)
            except OSError:
                continue  # a planted symlink, another user's lock: not ours to judge
            if fd is None:
                continue  # its writer is alive
        try:
            aside, dest = entry / INNER, parent / name
            if match.group("what") == OLD and aside.is_dir() and not os.path.lexists(dest):
                with contextlib.suppress(OSError):
                    os.replace(aside, dest)  # the replaced folder goes back
            if delete_marked(entry):
                removed.append(entry)
        finally:
            if fd is not None:
                _unlock(lock, fd)
    return removed
