"""Uploaded scenarios: where their files go, what they may name, how their errors read.

The files uploaded together go into one folder of the session named by the hash of their
names and contents: uploading a file again under its name makes a new folder, so nothing
kept by path (the evaluator's regions, the kept runs) holds the old file. An uploaded
scenario may name only the files uploaded with it and the shipped files
(:func:`emob_sim.config.paths.check_confined`); ``EMOB_SIM_APP_LOCAL_FILES=1`` lets it name
local files by absolute path too (a desktop install, where the user owns the files).
Messages shown name uploaded files by their names and shipped ones as ``emob-sim:...``.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

import streamlit as st

import emob_sim
from emob_sim.config import bundled_path
from emob_sim.config.levers import LEVERS, parameter_label
from emob_sim.config.paths import SHIPPED_TOPS

#: kinds of files a scenario names (scenarios, networks, tables, layers, rasters)
UPLOAD_TYPES = [
    "yaml",
    "yml",
    "graphml",
    "osm",
    "pbf",
    "xml",
    "bz2",
    "gz",
    "csv",
    "json",
    "geojson",
    "gpkg",
    "parquet",
    "tif",
    "tiff",
]
SCENARIO_SUFFIXES = (".yaml", ".yml")
#: the installed package's folder (never shown)
PACKAGE_DIR = Path(emob_sim.__file__).parent


def local_files_allowed() -> bool:
    """Whether an uploaded scenario may name local files (``EMOB_SIM_APP_LOCAL_FILES=1``)."""
    return os.environ.get("EMOB_SIM_APP_LOCAL_FILES", "").lower() in ("1", "on", "yes", "true")


def work_dir() -> Path:
    """This session's folder for uploads and proposals."""
    if "work_dir" not in st.session_state:
        st.session_state["work_dir"] = Path(tempfile.mkdtemp(prefix="emob-sim-app-"))
    return st.session_state["work_dir"]


def store(files: list) -> tuple[Path | None, list[str]]:
    """Write the uploader's files into their folder; return it and the scenarios uploaded or
    replaced by this rerun (the newest last).

    A file uploaded again under a name it had replaces it (the newest upload of a name
    wins); a file taken out of the uploader is gone.
    """
    files = [
        f for f in files or [] if Path(f.name).name not in ("", ".", "..") and "\0" not in f.name
    ]
    # name -> the id of the upload whose bytes the name holds: an upload not seen before
    # takes its name over; when that upload is taken out, the newest other one of the name
    owner: dict[str, str] = st.session_state.setdefault("upload_owner", {})
    seen: set[str] = st.session_state.setdefault("upload_seen", set())
    ids = {f.file_id: f for f in files}
    for f in files:
        if f.file_id not in seen:
            seen.add(f.file_id)
            owner[Path(f.name).name] = f.file_id
    for name in list(owner):
        if owner[name] not in ids:
            same = [f.file_id for f in files if Path(f.name).name == name]
            if same:
                owner[name] = same[-1]
            else:
                del owner[name]
    content = {name: ids[i].getvalue() for name, i in owner.items()}
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in content.items()}
    before = st.session_state.get("upload_digests", {})
    st.session_state["upload_digests"] = digests
    fresh = [n for n in owner if digests[n] != before.get(n)]
    if not content:
        return None, []
    digest = hashlib.sha256()
    for name in sorted(content):
        digest.update(f"{name}\0{digests[name]}\0".encode())
    folder = work_dir() / "uploads" / digest.hexdigest()[:16]
    if not folder.is_dir():
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
        for name, data in content.items():
            (tmp / name).write_bytes(data)
        tmp.rename(folder)
    return folder, [n for n in fresh if n.lower().endswith(SCENARIO_SUFFIXES)]


def scenarios(folder: Path | None) -> dict[str, Path]:
    """The uploaded scenarios, ``uploaded: NAME`` -> its file."""
    if folder is None:
        return {}
    found = sorted(p for p in folder.iterdir() if p.name.lower().endswith(SCENARIO_SUFFIXES))
    return {f"uploaded: {p.name}": p for p in found}


def public_message(exc: BaseException | str, *, folder: Path | None = None) -> str:
    """``exc`` on one line, uploaded files by their names, shipped files as ``emob-sim:...``,
    the session's folder as ``(app folder)``."""
    text = " ".join(str(exc).split("\n")).strip()
    if folder is not None:
        text = text.replace(f"{folder}/", "").replace(str(folder), "the uploaded files")
    for top in SHIPPED_TOPS:
        shipped = str(bundled_path(top))
        text = text.replace(f"{shipped}/", f"emob-sim:{top}/").replace(shipped, f"emob-sim:{top}")
    text = text.replace(str(PACKAGE_DIR), "emob-sim")
    if "work_dir" in st.session_state:
        text = text.replace(str(st.session_state["work_dir"]), "(app folder)")
    return in_app_words(text)


def in_app_words(text: str) -> str:
    """A message of the package in the words of the app's fields: a lever's key by its label,
    the command line's ``--budget`` as the Budget field, no ``(from --set ...)``."""
    text = re.sub(r" \(from --set [^)]*\)", "", text)
    text = re.sub(r"--budget '?([^':]*)'?:", r"Budget \1:", text)
    text = text.replace("--set ", "")
    for lever in LEVERS:
        text = text.replace(f"{lever.key}:", f"{parameter_label(lever.key)}:")
    return text
