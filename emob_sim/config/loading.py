"""Reading scenario files: YAML, ``extends:``, ``--set`` overrides, validation.

Relative paths are resolved against the folder of the YAML file that names them (for
``--set`` overrides: against the current folder). A key holds a path when its name is
``file`` or ends in ``_file`` or ``_dir``.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

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
    """
    package_dir = Path(__file__).resolve().parents[1]
    for root in _bundled_roots():
        candidate = root / relative
        if candidate.exists():
            return candidate
    raise InputFileNotFoundError(f"{relative}: bundled file not found under {package_dir}")


def default_scenario_path() -> Path:
    """The embedded default scenario: the Zemgale baseline."""
    return bundled_path("configs/zemgale/baseline.yaml")


def _is_path_key(key: str) -> bool:
    return key == "file" or key.endswith("_file") or key.endswith("_dir")


def resolve_path(value: str, base: Path) -> Path:
    """A path of a scenario file: ``emob-sim:...`` (shipped), absolute, or relative to ``base``."""
    if value.startswith(BUNDLED_SCHEME):
        return bundled_path(value[len(BUNDLED_SCHEME) :])
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p).resolve()


def portable_path(path: str | Path) -> str:
    """``emob-sim:RELATIVE`` for a file shipped with emob-sim, else the absolute path."""
    p = Path(path).expanduser().resolve()
    for root in _bundled_roots():
        for top in ("configs", "data"):
            if (root / top) in p.parents:
                return BUNDLED_SCHEME + p.relative_to(root).as_posix()
    return str(p)


def _resolve_paths(node: Any, base: Path) -> Any:
    """Return ``node`` with every path-valued key made absolute against ``base``."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if isinstance(key, str) and _is_path_key(key) and isinstance(value, str):
                out[key] = str(resolve_path(value, base))
            else:
                out[key] = _resolve_paths(value, base)
        return out
    if isinstance(node, list):
        return [_resolve_paths(v, base) for v in node]
    return node


def deep_merge(base: dict, top: Mapping) -> dict:
    """Merge ``top`` into a copy of ``base``: mappings merge key by key, anything else replaces."""
    out = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


#: libyaml's parser where PyYAML was built with it (about ten times faster than the Python one;
#: a sweep reads its base scenario once per variant), else the Python one; both are safe loaders
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeLoader):
    """A safe YAML loader that refuses a key given twice in one mapping (YAML lets the last win)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                mark = key_node.start_mark
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is given twice", mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _read_yaml(path: Path) -> dict:
    if not path.exists():
        raise InputFileNotFoundError(f"{path}: scenario file not found")
    if path.is_dir():
        raise ConfigError(f"{path}: expected a YAML scenario file, got a folder")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the scenario file ({exc})") from None
    # a sweep loads its base scenario once per variant: the same text is parsed once, and
    # each caller gets its own copy to change
    return copy.deepcopy(_parse_yaml(path, text))


@functools.lru_cache(maxsize=64)
def _parse_yaml(path: Path, text: str) -> dict:
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: malformed YAML{where}: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: expected a mapping of scenario keys at the top level, "
            f"got {type(data).__name__}"
        )
    return data


def _load_tree(path: Path, chain: tuple[Path, ...] = ()) -> dict:
    """Read ``path`` and the chain of files it ``extends:``; return the merged raw mapping.

    ``chain`` holds the files that extend this one (a cycle is reported with its files).
    """
    path = path.resolve()
    if path in chain:
        cycle = " -> ".join(str(p) for p in (*chain[chain.index(path) :], path))
        raise ConfigError(f"{chain[-1]}: extends: forms a cycle: {cycle}")
    if len(chain) > _MAX_EXTENDS_DEPTH:
        raise ConfigError(f"{path}: 'extends:' nests deeper than {_MAX_EXTENDS_DEPTH} files")
    data = _resolve_paths(_read_yaml(path), path.parent)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ConfigError(f"{path}: extends: expected a file path, got {parent!r}")
    parent_path = resolve_path(parent, path.parent)
    if not parent_path.exists():
        raise InputFileNotFoundError(f"{path}: extends: file not found: {parent_path}")
    return deep_merge(_load_tree(parent_path, (*chain, path)), data)


def parse_override(text: str) -> tuple[list[str], Any]:
    """Parse ``a.b.c=value`` into (["a", "b", "c"], value); the value is read as YAML."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or any(not part for part in key.split(".")):
        raise ConfigError(
            f"--set {text!r}: expected KEY=VALUE with a dotted key, e.g. fleet.ev_share=0.2"
        )
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
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
                    f"--set {'.'.join(keys)}: {dotted} is not a section of keys, "
                    f"got {_short_repr(node)}"
                )
            continue
        child = node.get(key)
        if child is None:
            child = node[key] = {}
        if not isinstance(child, dict | list):
            raise ConfigError(
                f"--set {'.'.join(keys)}: {dotted} is not a section of keys, "
                f"got {_short_repr(child)}"
            )
        node = child
    last = keys[-1]
    if _is_path_key(last) and isinstance(value, str):
        value = str(Path(value).expanduser().resolve())
    if isinstance(node, list):
        node[_list_index(node, last, keys, len(keys) - 1)] = value
    else:
        node[last] = value


def _list_index(items: list, key: str, keys: list[str], i: int) -> int:
    """The list position ``key`` names in ``--set`` path ``keys`` (its ``i``-th part)."""
    if not key.isdigit() or int(key) >= len(items):
        where = ".".join(keys[:i]) or keys[0]
        raise ConfigError(
            f"--set {'.'.join(keys)}: {where} is a list of {len(items)} item(s), expected an "
            f"item number from 0 to {len(items) - 1}, got {key!r}"
        )
    return int(key)


def _short_repr(value: Any, limit: int = 60) -> str:
    """repr() of a value, cut to ``limit`` characters for one-line messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _format_validation_error(
    exc: ValidationError, source: str, overrides: Iterable[str] = ()
) -> str:
    """One line per problem: ``source: a.b: message, got value`` (naming the ``--set`` it came
    from when an override set that value)."""
    set_keys = {text.partition("=")[0].strip(): text for text in overrides}
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
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
        show_got = err["type"] not in ("missing", "value_error") and not isinstance(got, dict)
        suffix = f", got {_short_repr(got)}" if show_got else ""
        by = f" (from --set {origin})" if origin else ""
        lines.append(f"{loc or '(top level)'}: {msg}{suffix}{by}")
    return f"{source}: " + "; ".join(lines)


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
    _check_files_exist(scenario)
    return scenario


def _named_inputs(scenario: Scenario) -> dict[str, Path]:
    """Every file (and the strategic network's folder) the scenario reads, by its key."""
    net, zones, energy, demand = scenario.network, scenario.zones, scenario.energy, scenario.demand
    named = {
        "network.strategic_dir": net.strategic_dir if net.source == "strategic" else None,
        "network.polygon_file": net.polygon_file if net.source == "polygon" else None,
        "network.file": net.file if net.source == "file" else None,
        "zones.file": zones.file,
        "zones.auto.population_file": zones.auto.population_file if zones.file is None else None,
        "charging.sites_file": scenario.charging.sites_file,
        "costs.existing_sites_file": scenario.costs.existing_sites_file,
        "energy.areas_file": energy.areas_file,
        "demand.od_file": demand.od_file if demand.source == "od_matrix" else None,
        "demand.trips_file": demand.trips_file if demand.source == "trips" else None,
    }
    for i, spec in enumerate(energy.sites):
        named[f"energy.sites.{i}.pv_profile_file"] = spec.pv_profile_file
    for i, spec in enumerate(energy.areas):
        named[f"energy.areas.{i}.pv_profile_file"] = spec.pv_profile_file
    return {key: Path(p) for key, p in named.items() if p is not None}


def _check_files_exist(scenario: Scenario) -> None:
    """Fail early, before any output is written, when a file the scenario names is missing."""
    for key, p in _named_inputs(scenario).items():
        if not p.exists():
            raise InputFileNotFoundError(f"{key}: file not found: {p}")


def scenario_to_dict(scenario: Scenario, *, portable: bool = False) -> dict:
    """The resolved scenario as plain JSON-able data (paths as strings).

    With ``portable`` the files shipped with emob-sim are written ``emob-sim:...``
    (:func:`portable_path`), so that a scenario written out loads on any installation.
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


def input_files(scenario: Scenario) -> list[Path]:
    """The files a scenario reads (the strategic network's CSV files), for the manifest's
    hashes and the folders an output may not replace."""
    files: list[Path] = []
    for key, p in _named_inputs(scenario).items():
        if key == "network.strategic_dir":
            files += sorted(p.glob("*.csv"))
        else:
            files.append(p)
    return files
