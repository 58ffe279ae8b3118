"""The package's structure: no import cycle, one module that chains the stages.

Imports are read from the source with ``ast``, every one of them: at the top of a module,
inside functions (lazy imports) and under ``if TYPE_CHECKING``. The layers contract itself
(which package may import which) is checked by import-linter in CI (``lint-imports``, see
``[tool.importlinter]`` in pyproject.toml).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import emob_sim

PACKAGE = Path(emob_sim.__file__).parent
ROOT = Path(__file__).resolve().parents[1]
#: the folders beside the package whose code runs the package, scanned with it for stage chains
BESIDE_THE_PACKAGE = ("scripts", "benchmarks")
#: the plain-Python twin of the engine: it chains emob-sim's demand and KPIs around its own
#: simulation on purpose, to be timed and compared with emob-sim (benchmarks/report.py)
OWN_CHAIN = {"benchmarks.reference"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _stage_scanned() -> dict[str, Path]:
    """The package's modules and the scripts and benchmarks beside it, by dotted name, less
    :data:`OWN_CHAIN`."""
    out = _modules()
    for folder in BESIDE_THE_PACKAGE:
        for path in (ROOT / folder).rglob("*.py"):
            out[".".join(path.relative_to(ROOT).with_suffix("").parts)] = path
    return {name: path for name, path in out.items() if name not in OWN_CHAIN}


def _import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports (any import statement anywhere in it)."""
    modules = _modules()

    def resolve(name: str) -> str | None:
        parts = name.split(".")
        while parts and ".".join(parts) not in modules:
            parts.pop()
        return ".".join(parts) if parts else None

    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                subs = [f"{base}.{alias.name}" for alias in node.names]
                # `from pkg import submodule` imports the submodule; `from pkg import name`
                # imports pkg (its __init__)
                targets = [s for s in subs if s in modules]
                if len(targets) < len(subs):
                    targets.append(base)
            else:
                continue
            for target in targets:
                module = resolve(target)
                if module is not None and module != name:
                    graph[name].add(module)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    nodes = sorted(set(graph) | {m for targets in graph.values() for m in targets})
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _packages(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The same graph between the top-level parts (emob_sim.region, emob_sim.cli, ...)."""

    def top(module: str) -> str:
        return ".".join(module.split(".")[:2])

    out: dict[str, set[str]] = defaultdict(set)
    for module, targets in graph.items():
        if module == "emob_sim":  # the public API: re-exports everything (lazily)
            continue
        out[top(module)] |= {top(t) for t in targets if top(t) not in (top(module), "emob_sim")}
    return out


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_counts_imports_inside_functions():
    graph = _import_graph()
    # the CLI's `run` imports the runner only inside the command (so that --help stays fast)
    assert "emob_sim.runner" in graph["emob_sim.cli.scenario"]


def test_no_module_import_cycle():
    assert _cycles(_import_graph()) == []


def test_no_import_cycle_between_the_packages():
    assert _cycles(_packages(_import_graph())) == []


def test_no_module_uses_another_packages_private_names():
    """``from emob_sim.x import _name`` or ``emob_sim.x._module`` only inside package x.

    ``emob_sim._compat`` is the package-wide door to other libraries' private names
    (tests/test_compat.py): any layer may import it.
    """
    offenders = []
    for name, path in _modules().items():
        own = ".".join(name.split(".")[:2])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(
                "emob_sim"
            ):
                continue
            target = ".".join(node.module.split(".")[:2])
            private = [a.name for a in node.names if a.name.startswith("_")]
            private = [p for p in private if not p.endswith("__")]
            private += [p for p in node.module.split(".") if p.startswith("_")]
            if private and target not in (own, "emob_sim._compat"):
                offenders.append(f"{name}: {node.module} {private}")
    assert offenders == []


def test_the_stages_are_chained_in_one_module():
    """Only the runner's stages module calls the stage functions one after another, in the
    package and in the scripts and benchmarks beside it (which use the runner's stages)."""
    stage_calls = {"build_region", "generate_demand", "simulate", "compute_kpis"}
    scanned = _stage_scanned()
    assert "scripts.validation_report" in scanned and "benchmarks.runner" in scanned
    callers = defaultdict(set)
    for name, path in scanned.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in stage_calls:
                    callers[node.func.id].add(name)
    chaining = [m for m in scanned if all(m in callers[c] for c in stage_calls - {"build_region"})]
    assert chaining == ["emob_sim.runner.stages"]
    assert callers["simulate"] == {"emob_sim.runner.stages"}
    assert callers["generate_demand"] == {"emob_sim.runner.stages"}
