"""Output folders: every folder emob-sim writes (run, place, compare, ...) goes through here.

Rules, so that no user's file is ever lost:

- A folder is written completely into a hidden temporary sibling (``.NAME.emob-sim-tmp-*``)
  and renamed into place when complete (:func:`atomic_output_dir`). An error, Ctrl-C or
  SIGTERM while writing removes the temporary folder and leaves the destination as it was
  (absent, or the previous complete folder).
- Each folder gets a ``manifest.json`` that names its kind (:data:`OUTPUT_KINDS`) and lists
  every file in it. ``overwrite`` replaces only a folder of the same kind whose files are all
  listed in its manifest; anything else is refused, naming the files that are not emob-sim's.
- Never written or replaced: the current folder or one above it, the home folder or one
  above it, or a folder holding one of the run's input files (``protect``).
- One writer per destination at a time: a lock file beside it (``.NAME.emob-sim.lock``, held
  with ``flock`` while writing) makes a second process writing the same folder fail with a
  clear error. Temporary folders left by a killed writer (SIGKILL, power loss) are removed by
  the next write into the same parent folder, once no live process holds their lock.
- Folders get the permissions ``mkdir`` gives under the user's umask.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import secrets
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from emob_sim.errors import EmobSimError

__all__ = [
    "OUTPUT_KINDS",
    "MANIFEST",
    "Interrupted",
    "check_out_dir",
    "atomic_output_dir",
    "read_manifest",
    "remove_leftovers",
]

#: the kinds of output folder; ``overwrite`` replaces a folder only with one of its own kind
OUTPUT_KINDS = ("run", "place", "compare", "sweep", "plan", "report", "bench", "synthetic")
#: the file that marks a folder as emob-sim output, with its kind and files
MANIFEST = "manifest.json"

_TMP = "emob-sim-tmp"
_OLD = "emob-sim-old"
_LOCK = "emob-sim.lock"
_PROBE = ".emob-sim-probe-"
#: a probe folder older than this (seconds) was left by a process that died in between
_PROBE_STALE_S = 60.0
_LEFTOVER = re.compile(rf"^\.(?P<name>.+)\.(?P<what>{_TMP}|{_OLD})-[A-Za-z0-9_]+$")


class Interrupted(KeyboardInterrupt):
    """A signal (SIGTERM, SIGHUP) arrived while an output folder was written.

    Raised instead of dying at once, so that the temporary folder is removed first; the
    command ends with exit code ``128 + signum``.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _new_dir(parent: Path, prefix: str) -> Path:
    """A new folder with a unique name, made by ``mkdir`` (so the umask gives its mode)."""
    while True:
        path = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            path.mkdir(mode=0o777)
            return path
        except FileExistsError:
            continue


def read_manifest(folder: str | Path) -> dict | None:
    """The manifest of an emob-sim output folder, or None when it has none or it is not ours.

    A run folder of an earlier version (a manifest with ``emob_sim_version`` and ``files`` but
    no ``kind``) reads as kind ``run``.
    """
    path = Path(folder) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        return None
    if "kind" not in data and "emob_sim_version" in data:
        data = {**data, "kind": "run"}
    return data if data.get("kind") in OUTPUT_KINDS else None


def _files_in(folder: Path) -> list[str]:
    """Every file and folder below ``folder``, as POSIX paths relative to it (folders end in /)."""
    out = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        out.append(rel + "/" if path.is_dir() and not path.is_symlink() else rel)
    return out


def _refuse_to_replace(out: Path, kind: str) -> None:
    """Raise unless ``out`` is an emob-sim folder of ``kind`` holding only the files it lists."""
    manifest = read_manifest(out)
    if manifest is None:
        raise EmobSimError(
            f"--out {out}: --overwrite replaces only folders written by emob-sim (with a "
            f"{MANIFEST} naming their files); this folder holds other files: "
            f"{_names(_files_in(out))}"
        )
    if manifest["kind"] != kind:
        raise EmobSimError(
            f"--out {out}: holds emob-sim {manifest['kind']} output; --overwrite replaces it "
            f"only with {manifest['kind']} output, not {kind} output. Choose another folder"
        )
    listed = {str(f) for f in manifest["files"]} | {MANIFEST}
    unknown = [
        f for f in _files_in(out)
        if f not in listed and not (f.endswith("/") and any(x.startswith(f) for x in listed))
    ]  # fmt: skip
    if unknown:
        raise EmobSimError(
            f"--out {out}: holds files that emob-sim did not write: {_names(unknown)}; "
            "nothing was replaced. Move them away or choose another folder"
        )


def _names(files: list[str], limit: int = 5) -> str:
    shown = ", ".join(files[:limit])
    return shown + (f" and {len(files) - limit} more" if len(files) > limit else "")


def _guard(out: Path, protect: Iterable[str | Path]) -> None:
    """Refuse the current folder, the home folder, and folders holding an input file."""
    cwd = Path.cwd().resolve()
    if out == cwd or out in cwd.parents:
        what = "the current folder" if out == cwd else "a folder above the current folder"
        raise EmobSimError(
            f"--out {out}: is {what}; expected a new folder for the results "
            "(e.g. --out runs/baseline)"
        )
    home = Path.home().resolve()
    if out == home or out in home.parents:
        raise EmobSimError(f"--out {out}: is the home folder or above it; expected a new folder")
    for item in protect:
        path = Path(item).expanduser().resolve()
        if path == out or out in path.parents:
            raise EmobSimError(
                f"--out {out}: holds an input of this run ({path}); expected a folder of its own"
            )


def check_out_dir(
    out_dir: str | Path,
    *,
    kind: str = "run",
    overwrite: bool = False,
    protect: Iterable[str | Path] = (),
) -> Path:
    """Check before any work that an output folder can be written; return its absolute path.

    Missing parent folders are fine (they are created when the folder is written). See the
    module docstring for what ``overwrite`` may replace.

    Parameters
    ----------
    out_dir
        The folder to write.
    kind
        The kind of output (one of :data:`OUTPUT_KINDS`).
    overwrite
        Replace an existing folder of the same kind.
    protect
        Input files of the run: a folder holding one of them is never written.

    Raises
    ------
    EmobSimError
        ``out_dir`` is empty, a file, the current or home folder or above them, holds an input
        file; a non-empty folder without ``overwrite``; a folder that is not emob-sim output of
        ``kind`` with ``overwrite``; a parent of it is a file or cannot be written.
    """
    if kind not in OUTPUT_KINDS:
        raise ValueError(f"kind: expected one of {OUTPUT_KINDS}, got {kind!r}")
    if not str(out_dir).strip():
        raise EmobSimError("--out '': expected a folder name (e.g. --out runs/baseline)")
    out = Path(out_dir).expanduser().resolve()
    _guard(out, protect)
    if out.exists() and not out.is_dir():
        raise EmobSimError(f"--out {out}: expected a folder, got an existing file")
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise EmobSimError(
                f"--out {out}: folder exists and is not empty; choose a new folder or pass "
                "--overwrite"
            )
        _refuse_to_replace(out, kind)
    ancestor = next(p for p in out.parents if p.exists())
    if not ancestor.is_dir():
        raise EmobSimError(f"--out {out}: {ancestor} is a file, expected a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise EmobSimError(f"--out {out}: cannot write in {ancestor}, expected a writable folder")
    try:  # a probe, so that an unwritable place fails now and not after the simulation
        os.rmdir(tempfile.mkdtemp(prefix=_PROBE, dir=ancestor))
    except OSError:
        raise EmobSimError(
            f"--out {out}: cannot write in {ancestor}, expected a writable folder"
        ) from None
    return out


@contextlib.contextmanager
def _locked(lock_path: Path, *, out: Path) -> Iterator[None]:
    """Hold the writer's lock of a destination (fails at once when another process holds it)."""
    fd = _try_lock(lock_path)
    if fd is None:
        raise EmobSimError(
            f"--out {out}: another emob-sim process is writing this folder now; wait for it to "
            "finish or choose another folder"
        )
    try:
        yield
    finally:
        _unlock(lock_path, fd)


def _try_lock(lock_path: Path) -> int | None:
    """Take the lock file's ``flock``; None when a live process holds it.

    The lock file is removed when released; the inode check makes sure that the lock held is
    on the file that is still at ``lock_path`` (not one removed in between).
    """
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return None
            raise
        held = os.fstat(fd)
        try:
            now = os.stat(lock_path)
        except FileNotFoundError:
            os.close(fd)
            continue
        if (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino):
            return fd
        os.close(fd)


def _stale(path: Path) -> bool:
    try:
        return time.time() - path.stat().st_mtime > _PROBE_STALE_S
    except OSError:
        return False


def _unlock(lock_path: Path, fd: int) -> None:
    with contextlib.suppress(OSError):
        os.unlink(lock_path)
    os.close(fd)


def remove_leftovers(parent: Path, *, holding: str | None = None) -> list[Path]:
    """Clean up after writers that died (their lock is free); return what was removed.

    A temporary folder is deleted, and an empty write probe older than a minute. A previous
    folder that was moved aside to be replaced is
    put back when the destination is missing (the writer died between the two renames), else
    deleted. ``holding`` names the destination whose lock this process holds (its leftovers
    are dead). A leftover whose writer is alive (its lock is held) is never touched.
    """
    removed: list[Path] = []
    try:
        entries = sorted(parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if entry.name.startswith(_PROBE) and _stale(entry):  # a probe is removed at once
            with contextlib.suppress(OSError):
                entry.rmdir()  # only when empty
                removed.append(entry)
            continue
        match = _LEFTOVER.match(entry.name)
        if not match or not entry.is_dir() or entry.is_symlink():
            continue
        name = match.group("name")
        fd = None
        if name != holding:
            lock_path = parent / f".{name}.{_LOCK}"
            fd = _try_lock(lock_path)
            if fd is None:
                continue  # its writer is alive
        try:
            aside = entry / name
            if match.group("what") == _OLD and aside.is_dir() and not (parent / name).exists():
                os.replace(aside, parent / name)  # the replaced folder goes back
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
        finally:
            if fd is not None:
                _unlock(lock_path, fd)
    return removed


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into :class:`Interrupted` (main thread only), then restore."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    previous = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        previous[sig] = signal.signal(sig, interrupt)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def atomic_output_dir(
    out_dir: str | Path,
    *,
    kind: str = "run",
    overwrite: bool = False,
    protect: Iterable[str | Path] = (),
    manifest: dict | None = None,
) -> Iterator[Path]:
    """Write an output folder atomically: yield a temporary folder that becomes ``out_dir``.

    The temporary folder is a hidden sibling of ``out_dir``. When the ``with`` block ends
    without an error, ``manifest.json`` is written into it (``kind``, the entries of
    ``manifest``, and ``files``: every file written) and it is renamed to ``out_dir``; on any
    error, Ctrl-C or SIGTERM it is deleted and ``out_dir`` is left as it was. With
    ``overwrite`` an existing folder (see :func:`check_out_dir`) is replaced: moved aside
    first, deleted after the rename succeeded.

    Raises
    ------
    EmobSimError
        ``out_dir`` cannot be written (:func:`check_out_dir`), or another process is writing
        it now.
    Interrupted
        SIGTERM or SIGHUP arrived while writing (the destination is left as it was).
    """
    out = check_out_dir(out_dir, kind=kind, overwrite=overwrite, protect=protect)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EmobSimError(f"--out {out}: cannot create the output folder ({exc})") from None
    with _locked(out.parent / f".{out.name}.{_LOCK}", out=out), _signals_interrupt():
        remove_leftovers(out.parent, holding=out.name)
        out = check_out_dir(out, kind=kind, overwrite=overwrite, protect=protect)  # under lock
        try:
            tmp = _new_dir(out.parent, f".{out.name}.{_TMP}-")
        except OSError as exc:
            raise EmobSimError(f"--out {out}: cannot create the output folder ({exc})") from None
        try:
            yield tmp
            files = sorted({*(f for f in _files_in(tmp) if not f.endswith("/")), MANIFEST})
            _write_manifest(tmp / MANIFEST, {"kind": kind, **(manifest or {}), "files": files})
            _replace(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def _write_manifest(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _replace(tmp: Path, out: Path) -> None:
    """Rename ``tmp`` to ``out``; an existing ``out`` is moved aside first, deleted after."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.{_OLD}-", dir=out.parent))
        os.replace(out, old / out.name)
    try:
        os.replace(tmp, out)
    except BaseException:
        if old is not None:  # put the previous folder back where it was
            os.replace(old / out.name, out)
            old.rmdir()
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
