"""Every public definition of the API carries a numpydoc docstring (issue 28, item 5).

The API reference of the documentation site is generated from these docstrings (mkdocstrings,
``docstring_style: numpy``), so the public API is what is checked: the names in ``__all__`` of
``emob_sim`` and of each of its public packages, and the public methods of those classes.
Each function and class has a docstring; each function or method that takes parameters (other
than ``self``/``cls``) has a ``Parameters`` section naming every one of them, keyword-only
included; each one that returns something other than ``None`` has a ``Returns`` (or ``Yields``)
section. numba kernels are checked through their ``.py_func``.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import re
import textwrap

#: the public packages and modules whose ``__all__`` is the API (one page each in docs/api/)
PACKAGES = (
    "emob_sim",
    "emob_sim.config",
    "emob_sim.io",
    "emob_sim.network",
    "emob_sim.region",
    "emob_sim.demand",
    "emob_sim.sim",
    "emob_sim.analysis",
    "emob_sim.placement",
    "emob_sim.runner",
    "emob_sim.batch",
    "emob_sim.plan",
    "emob_sim.energy",
    "emob_sim.kernels",
    "emob_sim.display",
    "emob_sim.errors",
    "emob_sim.seeds",
    "emob_sim.results",
)

_HEADER = re.compile(r"^(\s*)([A-Z][A-Za-z ]+)\n\1-{3,}\s*$", re.MULTILINE)
_NO_RETURN = {"None", "NoReturn", "Never", "typing.NoReturn"}


def sections(doc: str) -> dict[str, str]:
    """The numpydoc sections of a docstring.

    Parameters
    ----------
    doc : str
        The docstring, as ``inspect.getdoc`` returns it (common indentation removed).

    Returns
    -------
    dict[str, str]
        Section title (``"Parameters"``, ``"Returns"``, ...) -> the section's body, dedented.
    """
    found = list(_HEADER.finditer(doc))
    out = {}
    for here, after in zip(found, [*found[1:], None]):
        body = doc[here.end() : after.start() if after else len(doc)]
        out[here.group(2).strip()] = textwrap.dedent(body.strip("\n"))
    return out


def entry_names(body: str) -> set[str]:
    """The names a ``Parameters``-like section documents.

    Parameters
    ----------
    body : str
        The section's body: entries ``name : type`` (or ``a, b : type``) at the first column,
        each followed by its indented description.

    Returns
    -------
    set[str]
        The documented names, without the ``*``/``**`` of ``*args``/``**kwargs``.
    """
    names = set()
    for line in body.splitlines():
        if not line.strip() or line[0].isspace():
            continue
        head = line.split(" : ")[0].rstrip(" :")
        names.update(name.strip().lstrip("*") for name in head.split(","))
    return names


def _returns_value(func) -> bool:
    """Whether ``func`` returns something other than ``None``: its annotation, or its code."""
    annotation = inspect.signature(func).return_annotation
    if annotation is not inspect.Signature.empty:
        text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
        return text not in _NO_RETURN
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return False
    body = tree.body[0]
    stack = list(ast.iter_child_nodes(body))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(node, ast.Return) and node.value is not None:
            if not (isinstance(node.value, ast.Constant) and node.value.value is None):
                return True
        stack.extend(ast.iter_child_nodes(node))
    return False


def _check_function(name: str, func, *, doc_of=None) -> list[str]:
    """The problems of one function's (or method's) docstring, as lines naming the function."""
    # a numba dispatcher: the Python function it compiles; a context manager: the generator
    func = inspect.unwrap(getattr(func, "py_func", func))
    doc = inspect.getdoc(doc_of or func)
    if not doc:
        return [f"{name}: no docstring"]
    found = sections(doc)
    problems = []
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return problems
    params = [p for p in signature.parameters if p not in ("self", "cls")]
    if params:
        documented = entry_names(found.get("Parameters", "")) | entry_names(
            found.get("Other Parameters", "")
        )
        if "Parameters" not in found:
            problems.append(f"{name}: no Parameters section ({', '.join(params)})")
        elif missing := [p for p in params if p not in documented]:
            problems.append(f"{name}: Parameters misses {', '.join(missing)}")
    if (
        doc_of is None
        and _returns_value(func)
        and not ({"Returns", "Yields"} & found.keys())
        and func.__name__ != "__init__"
    ):
        problems.append(f"{name}: no Returns section")
    return problems


def _own_methods(cls):
    """The public methods ``cls`` itself defines (not those it inherits), by name."""
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(value, (staticmethod, classmethod)):
            yield name, value.__func__
        elif inspect.isfunction(value):
            yield name, value
        elif isinstance(value, property):
            yield name, value


def _modules() -> list[str]:
    """The public packages, then every module a package re-exports from (its ``__all__`` too)."""
    modules = list(PACKAGES)
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            home = getattr(getattr(module, name), "__module__", None) or ""
            if home.startswith("emob_sim.") and home not in modules:
                modules.append(home)
    return modules


def public_definitions():
    """Every public function, class and method of the API, once each.

    Returns
    -------
    dict[str, object]
        Dotted name (package or module it is exported from, then name) -> the object.
    """
    seen, ids = {}, set()
    for module_name in _modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or callable(obj)) or id(obj) in ids:
                continue
            if not getattr(obj, "__module__", "").startswith("emob_sim"):
                continue
            seen[f"{module_name}.{name}"] = obj
            ids.add(id(obj))
    return seen


def offenders() -> tuple[int, list[str]]:
    """The number of definitions checked, and the problems found in their docstrings."""
    checked, problems = 0, []
    for name, obj in public_definitions().items():
        checked += 1
        if not inspect.isclass(obj):
            problems += _check_function(name, obj)
            continue
        doc = obj.__doc__ or ""
        if not doc.strip() or doc.startswith(f"{obj.__name__}("):  # a dataclass's own signature
            problems.append(f"{name}: no docstring")
        init = vars(obj).get("__init__")
        own_init = inspect.isfunction(init) and init.__module__.startswith("emob_sim")
        if own_init and not dataclasses.is_dataclass(obj):
            # numpydoc documents the constructor's parameters in the class docstring
            doc_of = obj if "Parameters" in sections(inspect.getdoc(obj) or "") else init
            problems += _check_function(f"{name}.__init__", init, doc_of=doc_of)
        for method_name, method in _own_methods(obj):
            checked += 1
            full = f"{name}.{method_name}"
            if isinstance(method, property):
                if not (method.__doc__ or "").strip():
                    problems.append(f"{full}: no docstring")
            else:
                problems += _check_function(full, method)
    return checked, problems


def test_section_parser_reads_numpydoc():
    doc = inspect.getdoc(sections)
    found = sections(doc)
    assert set(found) == {"Parameters", "Returns"}
    assert entry_names(found["Parameters"]) == {"doc"}
    assert entry_names("a, b : float\n    two\n*args\n    more\n") == {"a", "b", "args"}


def test_checker_finds_a_missing_parameter():
    def half(x_km: float, *, round_to: int = 0) -> float:
        """Half a distance.

        Parameters
        ----------
        x_km : float
            Distance, km.
        """
        return round(x_km / 2, round_to)

    assert _check_function("half", half) == [
        "half: Parameters misses round_to",
        "half: no Returns section",
    ]


def test_the_walk_covers_the_api():
    definitions = public_definitions()
    assert "emob_sim.run" in definitions and "emob_sim.kernels.choose_site" in definitions
    assert len(definitions) > 280


def test_every_public_definition_has_numpydoc_sections():
    checked, problems = offenders()
    assert checked > 280
    assert not problems, f"{len(problems)} of {checked} definitions:\n" + "\n".join(problems)
