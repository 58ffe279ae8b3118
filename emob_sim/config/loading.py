"""Reading scenario files: YAML, ``extends:``, ``--set`` overrides, validation.

Relative paths are resolved against the folder of the YAML file that names them (for
``--set`` overrides: against the current folder). A key holds a path when its name is
``file`` or ends in ``_file`` or ``_dir``.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from emob_sim.config._yaml import load_yaml, yaml_problem
from emob_sim.config.inputs import check_input_files, input_files, named_inputs, shown
from emob_sim.config.models import Scenario
from emob_sim.errors import ConfigError, InputFileNotFoundError

__all__ = [
    "load_scenario",
    "default_scenario_path",
    "bundled_path",
    "parse_override",
    "scenario_to_dict",
    "deep_merge",
    "portable_path",
    "resolve_path",
    "input_files",
    "check_input_files",
    "read_yaml_file",
    "BUNDLED_SCHEME",
]

_MAX_EXTENDS_DEPTH = 10

#: a path written ``emob-sim:data/zemgale/zones.csv`` is a file shipped with emob-sim
#: (:func:`bundled_path`), wherever emob-sim is installed
BUNDLED_SCHEME = "emob-sim:"


def _bundled_roots() -> list[Path]:
    package_dir = Path(__file__).resolve().parents[1]
    return [package_dir.parent, package_dir / "_bundled"]


def bundled_path(relative: str) -> Path:
    """Return the path of a file shipped with emob-sim (``configs/...`` or ``data/...``).

    A checkout or an editable install finds it at the top of the repository; a wheel carries
    it in ``emob_sim/_bundled``.

    Parameters
    ----------
    relative : str
        The file's path relative to the top of the repository, e.g.
        ``configs/zemgale/baseline.yaml``.

    Returns
    -------
    pathlib.Path
        The absolute path of the shipped file.

    Raises
    ------
    InputFileNotFoundError
        No such file is shipped.
    """
    package_dir = Path(__file__).resolve().parents[1]
    for root in _bundled_roots():
        candidate = root / relative
        if candidate.exists():
            return candidate
    raise InputFileNotFoundError(f"{relative}: bundled file not found under {package_dir}")


def default_scenario_path() -> Path:
    """The embedded default scenario: the Zemgale baseline.

    Returns
    -------
    pathlib.Path
        The path of ``configs/zemgale/baseline.yaml`` as shipped (:func:`bundled_path`).
    """
    return bundled_path("configs/zemgale/baseline.yaml")


def _is_path_key(key: str) -> bool:
    return key == "file" or key.endswith("_file") or key.endswith("_dir")


def resolve_path(value: str, base: Path) -> Path:
    """A path of a scenario file: ``emob-sim:...`` (shipped), absolute, or relative to ``base``.

    Parameters
    ----------
    value : str
        The path as written in the scenario.
    base : pathlib.Path
        The folder of the file that names it.

    Returns
    -------
    pathlib.Path
        The absolute path.
    """
    if value.startswith(BUNDLED_SCHEME):
        return bundled_path(value[len(BUNDLED_SCHEME) :])
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p).resolve()


def portable_path(path: str | Path) -> str:
    """``emob-sim:RELATIVE`` for a file shipped with emob-sim, else the absolute path.

    Parameters
    ----------
    path : str or pathlib.Path
        A file of a scenario.

    Returns
    -------
    str
        ``emob-sim:configs/...`` or ``emob-sim:data/...`` for a shipped file, else the
        absolute path with symbolic links resolved.
    """
    p = Path(path).expanduser().resolve()
    for root in _bundled_roots():
        for top in ("configs", "data"):
            if (root / top) in p.parents:
                return BUNDLED_SCHEME + p.relative_to(root).as_posix()
    return str(p)


def _absolute(value: str, base: Path, key: str, *, real: bool = False) -> Path:
    """:func:`resolve_path` (with ``real``: symbolic links resolved too), a file name that
    cannot be one (a NUL byte) refused by ``key``."""
    if "\0" in value:
        raise ConfigError(f"{key}: a file name cannot hold a NUL byte, got {_short_repr(value)}")
    try:
        path = resolve_path(value, base)
        return path.resolve() if real else path
    except (OSError, ValueError, RuntimeError) as exc:  # too long, a loop, no home folder
        raise ConfigError(f"{key}: cannot resolve the path {_short_repr(value)} ({exc})") from None


def _resolve_paths(node: Any, base: Path, where: str = "") -> Any:
    """Return ``node`` with every path-valued key made absolute against ``base``."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            dotted = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and _is_path_key(key) and isinstance(value, str):
                out[key] = str(_absolute(value, base, _shown(dotted, 120)))
            else:
                out[key] = _resolve_paths(value, base, dotted)
        return out
    if isinstance(node, list):
        return [_resolve_paths(v, base, f"{where}.{i}") for i, v in enumerate(node)]
    return node


def deep_merge(base: dict, top: Mapping) -> dict:
    """Merge ``top`` into a copy of ``base``: mappings merge key by key, anything else replaces.

    Parameters
    ----------
    base : dict
        The data merged into (not changed), e.g. the scenario a file ``extends``.
    top : Mapping
        The data that wins.

    Returns
    -------
    dict
        A deep copy of ``base`` with ``top`` merged in.
    """
    out = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


_shown = shown
#: the one list of a scenario's files (kept here under its former name)
_named_inputs = named_inputs


def read_yaml_file(path: str | Path, *, what: str = "YAML file") -> Any:
    """The data of a YAML file other than a scenario (a sweep, a plan), read as a scenario
    file is: a regular file under the size cap, aliases and nesting bounded, every problem
    one line (``what`` names the kind of file in the messages).

    Parameters
    ----------
    path : str or pathlib.Path
        The YAML file.
    what : str
        The kind of file, in the messages (``"sweep file"``, ``"plan file"``).

    Returns
    -------
    Any
        The parsed YAML (None for an empty file).

    Raises
    ------
    InputFileNotFoundError
        The file does not exist.
    ConfigError
        Not a regular file, too large, not UTF-8, or malformed YAML.
    """
    from emob_sim.io.reading import SCENARIO_MAX_BYTES, read_input_text

    try:
        text = read_input_text(path, max_bytes=SCENARIO_MAX_BYTES, error=ConfigError, what=what)
    except InputFileNotFoundError:
        raise InputFileNotFoundError(f"{_shown(path)}: {what} not found") from None
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{_shown(path)}: malformed YAML{yaml_problem(exc)}") from None


def _read_yaml(path: Path, *, key: str = "") -> dict:
    """The top-level mapping of a scenario file (``key`` names what names the file)."""
    from emob_sim.io.reading import SCENARIO_MAX_BYTES, read_input_text

    text = read_input_text(
        path, key=key, max_bytes=SCENARIO_MAX_BYTES, error=ConfigError, what="scenario file"
    )
    # a sweep loads its base scenario once per variant: the same text is parsed once, and
    # each caller gets its own copy to change
    return copy.deepcopy(_parse_yaml(path, text))


@functools.lru_cache(maxsize=64)
def _parse_yaml(path: Path, text: str) -> dict:
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{_shown(path)}: malformed YAML{yaml_problem(exc)}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{_shown(path)}: expected a mapping of scenario keys at the top level, "
            f"got {type(data).__name__}"
        )
    if data and not any(k == "extends" or k in Scenario.model_fields for k in data):
        raise ConfigError(f"{_shown(path)}: not an emob-sim scenario ({_keys_text(data)})")
    return data


def _keys_text(data: dict, shown: int = 6) -> str:
    """The unknown top-level keys of a file that is not a scenario, by name only: a key that
    is not a short name (a line of another kind of file) is counted, not shown."""
    names = [k for k in data if isinstance(k, str) and re.fullmatch(r"[A-Za-z_][\w.-]{0,39}", k)]
    others = len(data) - len(names)
    text = ", ".join(names[:shown])
    more = len(names) - len(names[:shown]) + others
    if not text:
        return f"{len(data)} top-level keys, none of them a scenario key"
    return f"unknown top-level keys: {text}" + (f" and {more} more" if more else "")


def _load_tree(path: Path, chain: tuple[Path, ...] = ()) -> dict:
    """Read ``path`` and the chain of files it ``extends:``; return the merged raw mapping.

    ``chain`` holds the files that extend this one (a cycle is reported with its files).
    """
    key = f"{_shown(chain[-1])}: extends" if chain else "scenario"
    path = _absolute(str(path), Path.cwd(), key, real=True)
    if path in chain:
        cycle = " -> ".join(_shown(p) for p in (*chain[chain.index(path) :], path))
        raise ConfigError(f"{_shown(chain[-1])}: extends: forms a cycle: {cycle}")
    if len(chain) > _MAX_EXTENDS_DEPTH:
        raise ConfigError(
            f"{_shown(path)}: 'extends:' nests deeper than {_MAX_EXTENDS_DEPTH} files"
        )
    data = _resolve_paths(_read_yaml(path, key=key if chain else ""), path.parent)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ConfigError(
            f"{_shown(path)}: extends: expected a file path, got {_short_repr(parent)}"
        )
    parent_path = _absolute(parent, path.parent, f"{_shown(path)}: extends")
    return deep_merge(_load_tree(parent_path, (*chain, path)), data)


def parse_override(text: str) -> tuple[list[str], Any]:
    """Parse ``a.b.c=value`` into (["a", "b", "c"], value); the value is read as YAML.

    Parameters
    ----------
    text : str
        One override as given to ``--set``: a dotted key, ``=``, a value.

    Returns
    -------
    tuple[list[str], Any]
        The parts of the key, and the value parsed as YAML (the text itself when it is not
        YAML; ``""`` when empty).

    Raises
    ------
    ConfigError
        ``text`` has no ``=`` or its key has an empty part.
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or any(not part for part in key.split(".")):
        raise ConfigError(
            f"--set {text!r}: expected KEY=VALUE with a dotted key, e.g. fleet.ev_share=0.2"
        )
    try:
        value = load_yaml(raw) if raw.strip() else ""
    except yaml.YAMLError:  # not YAML (or an impossible date): the text, as validation sees it
        value = raw
    return key.split("."), value


def _apply_override(data: dict, keys: list[str], value: Any) -> None:
    """Set ``keys`` (a dotted path; a number picks an item of a list, ``energy.areas.0.plugs``)
    in ``data`` to ``value``, making missing sections."""
    node: Any = data
    for i, key in enumerate(keys[:-1]):
        dotted = ".".join(keys[: i + 1])
        if isinstance(node, list):
            node = node[_list_index(node, key, keys, i)]
            if not isinstance(node, dict):
                raise ConfigError(
                    f"--set {_shown('.'.join(keys), 120)}: {_shown(dotted, 120)} is not a "
                    f"section of keys, got {_short_repr(node)}"
                )
            continue
        child = node.get(key)
        if child is None:
            child = node[key] = {}
        if not isinstance(child, dict | list):
            raise ConfigError(
                f"--set {_shown('.'.join(keys), 120)}: {_shown(dotted, 120)} is not a section "
                f"of keys, got {_short_repr(child)}"
            )
        node = child
    last = keys[-1]
    if _is_path_key(last) and isinstance(value, str):
        where = f"--set {_shown('.'.join(keys), 120)}"
        value = str(_absolute(value, Path.cwd(), where, real=True))
    if isinstance(node, list):
        node[_list_index(node, last, keys, len(keys) - 1)] = value
    else:
        node[last] = value


def _list_index(items: list, key: str, keys: list[str], i: int) -> int:
    """The list position ``key`` names in ``--set`` path ``keys`` (its ``i``-th part)."""
    if not (key.isascii() and key.isdigit()) or int(key) >= len(items):
        where = _shown(".".join(keys[:i]) or keys[0], 120)
        raise ConfigError(
            f"--set {_shown('.'.join(keys), 120)}: {where} is a list of {len(items)} item(s), "
            f"expected an item number from 0 to {len(items) - 1}, got {_short_repr(key)}"
        )
    return int(key)


def _short_repr(value: Any, limit: int = 60) -> str:
    """repr() of a value, cut to ``limit`` characters for one-line messages."""
    try:
        text = repr(value)
    except ValueError:  # an int too long for str(), or a list holding one
        if isinstance(value, int):
            text = f"a number of about {value.bit_length() * 0.30103:.0f} digits"
        else:
            text = f"a {type(value).__name__} holding a number too long to show"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _format_validation_error(
    exc: ValidationError, source: str, overrides: Iterable[str] = ()
) -> str:
    """One line per problem: ``source: a.b: message, got value`` (naming the ``--set`` it came
    from when an override set that value)."""
    set_keys = {text.partition("=")[0].strip(): text for text in overrides}
    lines = []
    for err in exc.errors():
        loc = _shown(".".join(str(p) for p in err["loc"]), 120)
        origin = next(
            (text for key, text in set_keys.items() if loc == key or loc.startswith(key + ".")),
            None,
        )
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; see configs/base.yaml for the keys)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        got = err.get("input")
        show_got = err["type"] not in ("missing", "value_error", "extra_forbidden") and not (
            isinstance(got, dict)
        )
        suffix = f", got {_short_repr(got)}" if show_got else ""
        by = f" (from --set {_shown(origin, 120)})" if origin else ""
        lines.append(f"{loc or '(top level)'}: {msg}{suffix}{by}")
    return f"{_shown(source)}: " + "; ".join(lines)


def load_scenario(
    path: str | Path | None = None,
    *,
    overrides: Iterable[str] = (),
    seed: int | None = None,
) -> Scenario:
    """Load, merge and validate a scenario.

    Parameters
    ----------
    path
        A YAML scenario file; None loads the embedded default (Zemgale baseline).
    overrides
        ``key.path=value`` strings applied after ``extends:`` merging, values read as YAML.
    seed
        Replaces the scenario's seed when given.

    Returns
    -------
    Scenario
        The validated, frozen scenario.

    Raises
    ------
    ConfigError
        Malformed YAML, an unknown key or an invalid value, named with its dotted path.
    InputFileNotFoundError
        The scenario file or a file it extends does not exist.
    """
    source = Path(path) if path is not None else default_scenario_path()
    data = _load_tree(source)
    overrides = list(overrides)
    for text in overrides:
        keys, value = parse_override(text)
        _apply_override(data, keys, value)
    if seed is not None:
        data["seed"] = seed
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc, str(source), overrides)) from None
    check_input_files(scenario)
    return scenario


def scenario_to_dict(scenario: Scenario, *, portable: bool = False) -> dict:
    """The resolved scenario as plain JSON-able data (paths as strings).

    With ``portable`` the files shipped with emob-sim are written ``emob-sim:...``
    (:func:`portable_path`), so that a scenario written out loads on any installation.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    portable : bool
        Write the paths of shipped files as ``emob-sim:...`` instead of absolute paths.

    Returns
    -------
    dict
        The scenario's sections as JSON-able data (``model_dump(mode="json")``).
    """
    data = scenario.model_dump(mode="json")
    return _portable(data) if portable else data


def _portable(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: portable_path(v)
            if isinstance(k, str) and _is_path_key(k) and isinstance(v, str)
            else _portable(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_portable(v) for v in node]
    return node
