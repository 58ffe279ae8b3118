"""Output folders: every folder emob-sim writes (run, place, compare) goes through here.

A folder is written completely into a temporary sibling and then renamed into place
(:func:`atomic_output_dir`), so a failure never leaves a half-written folder, and an existing
folder is only replaced when asked to and when it is emob-sim output (:func:`check_out_dir`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from emob_sim.errors import EmobSimError

__all__ = ["OUTPUT_MARKERS", "check_out_dir", "atomic_output_dir"]

#: files that mark a folder as emob-sim output (run, comparison, placement): only such a
#: folder is ever replaced by ``--overwrite``
OUTPUT_MARKERS = ("manifest.json", "compare.json", "placement.json")


def check_out_dir(out_dir: str | Path, *, overwrite: bool = False) -> Path:
    """Check before a run that its folder can be written; return the absolute path.

    Missing parent folders are fine (they are created when the results are written). With
    ``overwrite`` a non-empty folder is replaced only when it is emob-sim output (it holds one
    of :data:`OUTPUT_MARKERS`) and is neither the current folder nor one above it, so that
    ``--overwrite`` can never delete a user's data.

    Raises
    ------
    EmobSimError
        ``out_dir`` is a file; a non-empty folder without ``overwrite``; a folder that is not
        emob-sim output, or holds the current folder, with ``overwrite``; a parent of it is a
        file or cannot be written.
    """
    out = Path(out_dir).expanduser().resolve()
    if out.exists() and not out.is_dir():
        raise EmobSimError(f"--out {out}: expected a folder, got an existing file")
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise EmobSimError(
                f"--out {out}: folder exists and is not empty; choose a new folder or pass "
                "--overwrite"
            )
        cwd = Path.cwd().resolve()
        if out == cwd or out in cwd.parents:
            raise EmobSimError(
                f"--out {out}: refusing to replace the current folder or one above it"
            )
        if not any((out / name).is_file() for name in OUTPUT_MARKERS):
            raise EmobSimError(
                f"--out {out}: --overwrite replaces only emob-sim output folders (with "
                f"{' or '.join(OUTPUT_MARKERS)}); this folder holds other files"
            )
    ancestor = next(p for p in out.parents if p.exists())
    if not ancestor.is_dir():
        raise EmobSimError(f"--out {out}: {ancestor} is a file, expected a folder")
    try:  # a probe, so that an unwritable place fails now and not after the simulation
        os.rmdir(tempfile.mkdtemp(prefix=".emob-sim-probe-", dir=ancestor))
    except OSError:
        raise EmobSimError(
            f"--out {out}: cannot write in {ancestor}, expected a writable folder"
        ) from None
    return out


@contextlib.contextmanager
def atomic_output_dir(out_dir: str | Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Write an output folder atomically: yield a temporary folder that becomes ``out_dir``.

    The temporary folder is a sibling of ``out_dir``; it is renamed to ``out_dir`` when the
    ``with`` block ends without an error and deleted otherwise, so a failure never leaves a
    half-written folder. With ``overwrite`` an existing folder is replaced (moved aside first,
    deleted after the rename succeeded).

    Raises
    ------
    EmobSimError
        ``out_dir`` cannot be written (see :func:`check_out_dir`).
    """
    out = check_out_dir(out_dir, overwrite=overwrite)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    except OSError as exc:
        raise EmobSimError(f"--out {out}: cannot create the output folder ({exc})") from None
    try:
        yield tmp
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
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
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
