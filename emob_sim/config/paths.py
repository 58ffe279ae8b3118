"""The paths a scenario's YAML names, and the rule that confines them to one folder.

A scenario uploaded to a shared app comes from someone the server does not know: it may name
only the files uploaded with it (by their names, in the upload's folder) and the files shipped
with emob-sim (``emob-sim:configs/...``, ``emob-sim:data/...``). :func:`named_paths` lists
every path a YAML text names, ``extends:`` included, without building its values (a YAML alias
is followed once, so an alias bomb costs what its text costs); :func:`check_confined` refuses a
path outside the folder before anything is read, with the same words whether or not it exists.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path, PurePosixPath

import yaml

from emob_sim.config._yaml import yaml_problem
from emob_sim.config.loading import BUNDLED_SCHEME, _is_path_key, bundled_path
from emob_sim.errors import ConfigError, InputFileNotFoundError
from emob_sim.io.reading import SCENARIO_MAX_BYTES, shown_path

__all__ = ["named_paths", "check_confined", "SHIPPED_TOPS"]

#: the folders of shipped files a confined scenario may name (``emob-sim:configs/...``)
SHIPPED_TOPS = ("configs", "data")
#: scalars that are not text (a null path is no path; a number is refused by validation)
_NOT_TEXT = {f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float")}
_MAX_EXTENDS_DEPTH = 10
_OUTSIDE = (
    "the app reads only the files uploaded with the scenario and the shipped ones "
    "(emob-sim:configs/..., emob-sim:data/...); upload this file with the scenario"
)


def named_paths(text: str, *, source: str) -> list[tuple[str, str]]:
    """Every path a scenario's YAML text names, as (dotted key, value) pairs.

    A key holds a path when its name is ``file`` or ends in ``_file`` or ``_dir`` (as for
    :func:`~emob_sim.config.load_scenario`); the top-level ``extends`` is listed as
    ``extends``. Values are read from the YAML node tree, not built.

    Raises
    ------
    ConfigError
        The text is not YAML.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: malformed YAML{yaml_problem(exc)}") from None
    found: list[tuple[str, str]] = []
    seen: set[int] = set()
    queue: deque[tuple[yaml.Node | None, str]] = deque([(root, "")])  # in document order
    while queue:
        node, where = queue.popleft()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            queue += [(item, f"{where}.{i}") for i, item in enumerate(node.value)]
        elif isinstance(node, yaml.MappingNode):
            for key_node, value in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                dotted = f"{where}.{key}" if where else key
                named = _is_path_key(key) or dotted == "extends"
                if named and isinstance(value, yaml.ScalarNode) and value.tag not in _NOT_TEXT:
                    found.append((dotted, value.value))
                else:
                    queue.append((value, dotted))
    return sorted(found)


def _shipped_config(relative: str) -> str | None:
    """``emob-sim:configs/RELATIVE`` if that scenario is shipped, else None."""
    parts = PurePosixPath(relative).parts
    if not parts or ".." in parts or PurePosixPath(relative).is_absolute():
        return None
    try:
        bundled_path(f"configs/{relative}")
    except InputFileNotFoundError:
        return None
    return f"{BUNDLED_SCHEME}configs/{relative}"


def _extends_hint(value: str) -> str:
    """What to write instead of a relative ``extends:`` the upload's folder does not hold."""
    parts = PurePosixPath(value).parts
    rest = "/".join(parts[next((i for i, p in enumerate(parts) if p != ".."), len(parts)) :])
    shipped = _shipped_config(rest)
    if shipped is not None:
        return f"write extends: {shipped}"
    return f"upload that file with the scenario, or write extends: {BUNDLED_SCHEME}configs/..."


def _confined(key: str, value: str, *, folder: Path, allow_local: bool) -> Path | None:
    """The file ``value`` names if the scenario may read it (None for a shipped file).

    Raises
    ------
    ConfigError
        (without its source) ``value`` is outside ``folder`` and the shipped files.
    """
    shown = shown_path(value, limit=120)
    if "\0" in value or not value.strip():
        raise ConfigError(f"{key}: {shown!r}: expected a file name")
    if value.startswith(BUNDLED_SCHEME):
        rel = PurePosixPath(value[len(BUNDLED_SCHEME) :])
        if (
            rel.is_absolute()
            or ".." in rel.parts
            or not rel.parts
            or rel.parts[0] not in SHIPPED_TOPS
        ):
            raise ConfigError(
                f"{key}: {shown}: expected a shipped file, "
                f"{BUNDLED_SCHEME}configs/... or {BUNDLED_SCHEME}data/..."
            )
        return None
    path = PurePosixPath(value)
    if path.is_absolute() or value.startswith("~"):
        if allow_local:
            return None
        raise ConfigError(f"{key}: {shown}: {_OUTSIDE}")
    if ".." in path.parts:
        advice = (
            _extends_hint(value)
            if key == "extends"
            else f"upload the file with the scenario and write its name, or write a shipped "
            f"file, {BUNDLED_SCHEME}data/..."
        )
        raise ConfigError(f"{key}: {shown} is relative to a folder the app does not have; {advice}")
    uploaded = sorted(p.name for p in folder.iterdir() if p.is_file())
    if len(path.parts) != 1 or path.name not in uploaded:
        hint = _extends_hint(value) if key == "extends" else "upload it with the scenario"
        raise ConfigError(
            f"{key}: {shown} is not among the uploaded files ({', '.join(uploaded)}); {hint}"
        )
    return folder / path.name


def check_confined(path: Path, *, folder: Path, allow_local: bool = False) -> None:
    """Check that the scenario file ``path`` (in ``folder``) names only files of ``folder``
    and shipped files, and that each uploaded file it ``extends:`` does too.

    Nothing outside ``folder`` is looked at: a path outside it is refused with the same words
    whether or not it exists. Messages name files by their names in ``folder``.

    Parameters
    ----------
    path
        A scenario file in ``folder``.
    folder
        The folder of the uploaded files.
    allow_local
        Let absolute paths (a desktop install, where the user owns the files) through.

    Raises
    ------
    ConfigError
        A path outside ``folder`` and the shipped files, a relative ``extends:`` the folder does
        not hold (with what to write instead), or a file that is not YAML text.
    """
    chain: list[str] = []
    current: Path | None = path
    while current is not None:
        if current.name in chain:
            return  # a cycle: load_scenario names it
        if len(chain) > _MAX_EXTENDS_DEPTH:
            return  # load_scenario refuses the depth
        chain.append(current.name)
        try:
            if current.stat().st_size > SCENARIO_MAX_BYTES:
                raise ConfigError(
                    f"{current.name}: expected a scenario file of at most "
                    f"{SCENARIO_MAX_BYTES // 1024**2} MB, got {current.stat().st_size:,} bytes"
                )
            text = current.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"{current.name}: expected a YAML text file ({type(exc).__name__})"
            ) from None
        current = None
        for key, value in named_paths(text, source=chain[-1]):
            try:
                found = _confined(key, value, folder=folder, allow_local=allow_local)
            except ConfigError as exc:
                raise ConfigError(f"{chain[-1]}: {exc}") from None
            if key == "extends":
                current = found
