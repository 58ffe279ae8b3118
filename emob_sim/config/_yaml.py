"""Parsing YAML text into plain data within bounds, every problem a one-line error.

The YAML is composed into nodes first; before any value is built, the node tree is measured:
aliases may not refer to themselves (``name: &a [*a]``), the values they expand to may not
exceed :data:`MAX_VALUES` (a 400-byte "billion laughs" file expands to hundreds of millions)
and nesting may not exceed :data:`MAX_DEPTH`. Mapping keys must be plain values (not lists or
mappings), a key may not be given twice, and an impossible date (``2025-02-30``) or a number
too long for Python (``seed:`` with 5,000 digits) is a YAML error at its line rather than a
ValueError from deep inside PyYAML.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import yaml
from yaml.constructor import ConstructorError

__all__ = ["load_yaml", "yaml_problem", "MAX_VALUES", "MAX_DEPTH"]

#: the most values (mapping keys, values, list items) a YAML document may expand to, aliases
#: expanded (the embedded base scenario holds about 700)
MAX_VALUES = 100_000
#: the deepest nesting of mappings and lists in a YAML document (the base scenario: 5)
MAX_DEPTH = 40

#: libyaml's parser where PyYAML was built with it (about ten times faster than the Python one;
#: a sweep reads its base scenario once per variant), else the Python one; both are safe loaders
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_KINDS = {yaml.SequenceNode: "list", yaml.MappingNode: "mapping", yaml.ScalarNode: "value"}


class _Loader(_SafeLoader):
    """A safe YAML loader: a key given twice, a list or mapping as a key, an impossible date
    or a number Python will not read are errors at their line."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ConstructorError(
                    None,
                    None,
                    f"a key must be a plain value, got a {_KINDS[type(key_node)]}",
                    key_node.start_mark,
                )
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                mark = key_node.start_mark
                raise ConstructorError(None, None, f"key {key!r} is given twice", mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node):
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            digits = len(re.sub(r"[^0-9a-fA-F]", "", node.value))
            limit = getattr(sys, "get_int_max_str_digits", lambda: 4300)()
            raise ConstructorError(
                None,
                None,
                f"a number of {digits} digits, expected at most {limit}",
                node.start_mark,
            ) from None

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise ConstructorError(
                None,
                None,
                f"{_cut(node.value)!r} is not a date ({exc}), expected YYYY-MM-DD",
                node.start_mark,
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _cut(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_tree(root: yaml.Node) -> None:
    """Refuse a node tree whose aliases loop or expand beyond :data:`MAX_VALUES`, or that
    nests deeper than :data:`MAX_DEPTH`.

    Each node is measured once (an alias is a node met again), so a file costs what its text
    costs, whatever its aliases expand to.
    """
    measured: dict[int, tuple[int, int]] = {}  # id -> (values below and itself, height)
    open_: set[int] = set()

    def fail(problem: str, node: yaml.Node) -> None:
        raise ConstructorError(None, None, problem, node.start_mark)

    def measure(node: yaml.Node, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in measured:
            return measured[key]
        if key in open_:
            fail("an alias refers to the list or mapping that holds it", node)
        if depth > MAX_DEPTH:
            fail(f"nests deeper than {MAX_DEPTH} levels", node)
        if isinstance(node, yaml.ScalarNode):
            return 1, 0
        open_.add(key)
        children = node.value
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        count, height = 1, 0
        for child in children:
            n, h = measure(child, depth + 1)
            count, height = count + n, max(height, h + 1)
            if count > MAX_VALUES:
                fail(f"expands to more than {MAX_VALUES:,} values (aliases expanded)", node)
            if depth + height > MAX_DEPTH:
                fail(f"nests deeper than {MAX_DEPTH} levels", node)
        open_.discard(key)
        measured[key] = count, height
        return count, height

    measure(root, 0)


def load_yaml(text: str) -> Any:
    """The data of one YAML document, within the bounds of this module.

    Raises
    ------
    yaml.YAMLError
        Malformed YAML, or a bound or rule of this module broken (with the line).
    """
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        _check_tree(root)
        return loader.construct_document(root)
    except RecursionError:
        raise yaml.YAMLError(f"nests deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()


def yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error as `` at line L, column C: problem`` (one line)."""
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
    problem = "".join(c if c.isprintable() else repr(c)[1:-1] for c in problem)
    return f"{where}: {problem}"
