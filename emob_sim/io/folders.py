"""Output folders: every folder emob-sim writes (run, place, compare, ...) goes through here.

Rules, so that no user's file is ever lost:

- A folder is written completely into a hidden temporary sibling (``.NAME.emob-sim-tmp-*``)
  and renamed into place when complete (:func:`atomic_output_dir`). An error, Ctrl-C or
  SIGTERM while writing removes the temporary folder and leaves the destination as it was
  (absent, or the previous complete folder). A signal during the final renames and the
  deletion of a replaced folder waits for them to end; the interruption then says that the
  new folder is complete (:attr:`Interrupted.changed`).
- Each folder gets a ``manifest.json`` that names its kind (:data:`OUTPUT_KINDS`) and lists
  every file in it. ``overwrite`` replaces only a folder of the same kind whose files are all
  listed in its manifest; anything else is refused, naming the files that are not emob-sim's.
- Never written or replaced: the current folder or one above it, the home folder or one
  above it, or a folder holding one of the run's input files (``protect``).
- One writer per destination at a time: a lock file beside it (``.NAME.emob-sim.lock``, held
  with ``flock`` while writing) makes a second process writing the same folder fail with a
  clear error. Temporary folders left by a killed writer (SIGKILL, power loss) are removed by
  the user's next write into the same parent folder, once no live process holds their lock.
- In a parent shared by several users nothing is followed, opened for writing or deleted
  that is not emob-sim's own (:mod:`~emob_sim.io.leftovers`): the lock is never opened through
  a symlink, and only this user's folders carrying emob-sim's marker are cleaned up.
- Folders get the permissions ``mkdir`` gives under the user's umask.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from emob_sim.errors import EmobSimError
from emob_sim.io.leftovers import (
    INNER,
    OLD,
    PROBE,
    TMP,
    delete_marked,
    held_lock,
    make_marked,
    remove_leftovers,
)
from emob_sim.io.reading import read_input_text

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


class Interrupted(KeyboardInterrupt):
    """A signal (SIGTERM, SIGHUP; SIGINT during the final renames) arrived while an output
    folder was written.

    Raised instead of dying at once, so that the temporary folder is removed first; the
    command ends with exit code ``128 + signum``. ``changed`` is None when no output folder
    was changed, else what was (the new folder is complete, the old one deleted).

    Parameters
    ----------
    signum : int
        The number of the signal that arrived (``signal.SIGTERM``, ...).
    changed : str or None
        What was changed when the signal arrived during the final renames (for the message);
        None: nothing.
    """

    def __init__(self, signum: int, *, changed: str | None = None) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        #: what was changed when the signal arrived during the final renames; None: nothing
        self.changed = changed


#: the largest manifest read (one lists a run's files and hashes: a few kilobytes)
_MANIFEST_MAX_BYTES = 16 * 1024**2


def read_manifest(folder: str | Path) -> dict | None:
    """The manifest of an emob-sim output folder, or None when it has none or it is not ours.

    A run folder of an earlier version (a manifest with ``emob_sim_version`` and ``files`` but
    no ``kind``) reads as kind ``run``.

    Parameters
    ----------
    folder : str or pathlib.Path
        The folder that may hold ``manifest.json``.

    Returns
    -------
    dict or None
        The manifest's content (with ``kind``, ``files``), or None.
    """
    path = Path(folder) / MANIFEST
    try:  # a regular file only: a FIFO named manifest.json must not block
        data = json.loads(read_input_text(path, max_bytes=_MANIFEST_MAX_BYTES))
    except (OSError, ValueError, EmobSimError):
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
        f
        for f in _files_in(out)
        if f not in listed and not (f.endswith("/") and any(x.startswith(f) for x in listed))
    ]
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

    Returns
    -------
    pathlib.Path
        ``out_dir``, absolute, with ``~`` expanded and symbolic links resolved.

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
    try:
        out = Path(out_dir).expanduser().resolve()
    except (OSError, RuntimeError) as exc:
        raise EmobSimError(f"--out {out_dir}: cannot be resolved ({exc})") from None
    _guard(out, protect)
    try:
        if os.path.lexists(out) and not out.is_dir():
            raise EmobSimError(f"--out {out}: expected a folder, got an existing file")
        if out.is_dir() and any(out.iterdir()):
            if not overwrite:
                raise EmobSimError(
                    f"--out {out}: folder exists and is not empty; choose a new folder or pass "
                    "--overwrite"
                )
            _refuse_to_replace(out, kind)
        ancestor = next(p for p in out.parents if p.exists())
    except OSError as exc:
        raise EmobSimError(
            f"--out {out}: cannot read {exc.filename or out} ({exc.strerror}); expected a "
            "folder you may read and write"
        ) from None
    if not ancestor.is_dir():
        raise EmobSimError(f"--out {out}: {ancestor} is a file, expected a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise EmobSimError(f"--out {out}: cannot write in {ancestor}, expected a writable folder")
    try:  # a probe, so that an unwritable place fails now and not after the simulation
        os.rmdir(tempfile.mkdtemp(prefix=PROBE, dir=ancestor))
    except OSError:
        raise EmobSimError(
            f"--out {out}: cannot write in {ancestor}, expected a writable folder"
        ) from None
    return out


class _Phase:
    """Signals during a write: raised at once, or held (``hold``) until the write is done."""

    def __init__(self) -> None:
        self.holding = False
        self.pending: int | None = None
        #: what was changed, for the message of an interruption (None: nothing)
        self.changed: str | None = None


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[_Phase]:
    """Turn SIGTERM and SIGHUP into :class:`Interrupted` (main thread only), then restore.

    While ``phase.holding`` a signal (SIGINT too, unless it is ignored) is only recorded; it is
    raised as :class:`Interrupted` carrying ``phase.changed`` when the block ends without an
    error. Python runs signal handlers in the main thread, so this holds whichever thread
    the signal was delivered to.
    """
    phase = _Phase()
    if threading.current_thread() is not threading.main_thread():
        yield phase
        return

    def interrupt(signum: int, frame: object) -> None:
        if phase.holding:
            phase.pending = phase.pending or signum
        elif signum == signal.SIGINT:
            signal.default_int_handler(signum, frame)
        else:
            raise Interrupted(signum)

    sigs = [signal.SIGTERM, signal.SIGHUP]
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        sigs.append(signal.SIGINT)
    previous = {sig: signal.signal(sig, interrupt) for sig in sigs}
    try:
        yield phase
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if phase.pending:
        raise Interrupted(phase.pending, changed=phase.changed)


@contextlib.contextmanager
def atomic_output_dir(
    out_dir: str | Path,
    *,
    kind: str = "run",
    overwrite: bool = False,
    protect: Iterable[str | Path] = (),
    manifest: dict | None = None,
    on_step: Callable[[str], object] | None = None,
) -> Iterator[Path]:
    """Write an output folder atomically: yield a temporary folder that becomes ``out_dir``.

    The temporary folder is in a hidden sibling of ``out_dir`` (see
    :mod:`~emob_sim.io.leftovers`). When the ``with`` block ends without an error,
    ``manifest.json`` is written into it (``kind``, the entries of ``manifest``, and
    ``files``: every file written) and it is renamed to ``out_dir``; on any error, Ctrl-C or
    SIGTERM it is deleted and ``out_dir`` is left as it was. With ``overwrite`` an existing
    folder (see :func:`check_out_dir`) is replaced: moved aside first, deleted after the
    rename succeeded. A signal during these renames and the deletion is held until they are
    done; then :class:`Interrupted` says that the new folder is complete.

    Parameters
    ----------
    out_dir
        The folder to write.
    kind
        The kind of output (one of :data:`OUTPUT_KINDS`), written to the manifest.
    overwrite
        Replace an existing folder of the same kind.
    protect
        Input files: a folder holding one of them is never written.
    manifest
        More entries of ``manifest.json`` (besides ``kind`` and ``files``).
    on_step
        Called with ``"renaming"`` just before the new folder is renamed into place (a
        folder it replaces is already moved aside) and ``"deleting"`` before the replaced
        folder is deleted, e.g. for a progress display.

    Yields
    ------
    pathlib.Path
        The temporary folder to write the output's files into.

    Raises
    ------
    EmobSimError
        ``out_dir`` cannot be written (:func:`check_out_dir`), its lock is not emob-sim's,
        or another process is writing it now.
    Interrupted
        SIGTERM or SIGHUP arrived while writing (the destination is left as it was), or a
        signal arrived during the final renames (``changed`` says what was done).
    """
    out = check_out_dir(out_dir, kind=kind, overwrite=overwrite, protect=protect)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EmobSimError(f"--out {out}: cannot create the output folder ({exc})") from None
    with _signals_interrupt() as phase, held_lock(out):
        remove_leftovers(out.parent, holding=out.name)
        out = check_out_dir(out, kind=kind, overwrite=overwrite, protect=protect)  # under lock
        tmp = _make(out, TMP)
        try:
            yield tmp / INNER
            files = sorted({*(f for f in _files_in(tmp / INNER) if not f.endswith("/")), MANIFEST})
            _write_manifest(
                out, tmp / INNER / MANIFEST, {"kind": kind, **(manifest or {}), "files": files}
            )
        except BaseException:
            phase.holding = True  # a second signal does not stop the clean-up
            delete_marked(tmp)
            raise
        phase.holding = True
        try:
            phase.changed = _replace(tmp, out, on_step=on_step or (lambda step: None))
        except BaseException:
            delete_marked(tmp)
            raise


def _make(out: Path, what: str) -> Path:
    """A marked folder beside ``out``; a temporary one gets its (empty) output folder."""
    folder = None
    try:
        folder = make_marked(out.parent, out.name, what)
        if what == TMP:
            (folder / INNER).mkdir(mode=0o777)  # the umask gives its mode
    except OSError as exc:
        if folder is not None:
            delete_marked(folder)
        raise EmobSimError(
            f"--out {out}: cannot create a folder in {out.parent} ({exc.strerror})"
        ) from None
    return folder


def _write_manifest(out: Path, path: Path, data: dict) -> None:
    try:
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise EmobSimError(f"--out {out}: cannot write {MANIFEST} ({exc.strerror})") from None


def _replace(tmp: Path, out: Path, *, on_step: Callable[[str], object]) -> str:
    """Rename ``tmp/folder`` to ``out``; an existing ``out`` is moved aside first, deleted
    after. Returns what was changed, for the message of an interruption."""
    old = None
    if os.path.lexists(out):
        old = _make(out, OLD)
        try:
            os.replace(out, old / INNER)
        except OSError as exc:
            delete_marked(old)
            raise EmobSimError(
                f"--out {out}: cannot move the previous folder aside ({exc.strerror}); "
                "nothing was replaced"
            ) from None
    on_step("renaming")
    try:
        os.replace(tmp / INNER, out)
    except OSError as exc:
        if old is not None:  # put the previous folder back where it was
            os.replace(old / INNER, out)
            delete_marked(old)
        raise EmobSimError(
            f"--out {out}: cannot rename the new folder into place ({exc.strerror}); "
            "nothing was replaced"
        ) from None
    delete_marked(tmp)
    done = f"the new folder {out} is complete"
    if old is None:
        return done
    on_step("deleting")
    if delete_marked(old):
        return f"{done}; the old one was deleted"
    return f"{done}; the old one is left in {old}, the next write into {out.parent} deletes it"
