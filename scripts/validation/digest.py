"""The digest of everything the report's figures depend on, and the digest a report states."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .check import ROOT

#: what the report's figures depend on (files, or folders read recursively), from the root:
#: the script, its modules (this package) and the calibration script it loads, the package,
#: the default scenario and its data
DIGEST_INPUTS = (
    "scripts/validation_report.py",
    "scripts/validation",
    "scripts/calibrate_demand.py",
    "emob_sim",
    "configs/base.yaml",
    "data/zemgale",
)
#: folders of :data:`DIGEST_INPUTS` of which only the Python files count
PYTHON_ONLY = ("scripts/validation", "emob_sim")
_DIGEST_LINE = re.compile(r"^Inputs digest \(SHA-256\): `([0-9a-f]{64})`", re.MULTILINE)


def digest_files(root: Path = ROOT) -> list[Path]:
    """The files :func:`inputs_digest` reads: every file named in :data:`DIGEST_INPUTS`, the
    Python files of the folders in :data:`PYTHON_ONLY` and every file of the other folders
    (``__pycache__`` left out), sorted by their path from ``root``."""
    files: list[Path] = []
    for name in DIGEST_INPUTS:
        path = root / name
        if path.is_dir():
            pattern = "*.py" if name in PYTHON_ONLY else "*"
            files += [
                f for f in path.rglob(pattern) if f.is_file() and "__pycache__" not in f.parts
            ]
        else:
            files.append(path)
    return sorted(files, key=lambda f: f.relative_to(root).as_posix())


def inputs_digest(root: Path = ROOT) -> str:
    """SHA-256 over the path and bytes of every file of :func:`digest_files`, in order: a
    change to the script, to any of its modules in scripts/validation/, to the calibration
    script, to emob_sim or to the default scenario's config and data changes it."""
    h = hashlib.sha256()
    for f in digest_files(root):
        h.update(f.relative_to(root).as_posix().encode() + b"\0")
        h.update(f.read_bytes() + b"\0")
    return h.hexdigest()


def report_digest(text: str) -> str | None:
    """The inputs digest a report states, or None."""
    match = _DIGEST_LINE.search(text)
    return match.group(1) if match else None
