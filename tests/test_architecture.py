"""The shape of the package: no import cycle, few loose modules, short functions.

The import graph is read from the source (ast), so that a cycle hidden in a function-level import
is found too; imports under `if TYPE_CHECKING:` are left out (they never run).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import cmbuild

PACKAGE = Path(cmbuild.__file__).parent
MAX_LOOSE_MODULES = 8
MAX_FUNCTION_LINES = 60
GENERATED = {"cmbuild/text/_link_patterns.py", "cmbuild/text/_twemoji.py"}

# Import cycles allowed (none today): an edge added here needs a reason beside it.
KNOWN_CYCLE_EDGES: set[tuple[str, str]] = set()

# The stages in the order data flows through them: a stage may import from earlier ones only.
STAGES = ("load", "schedule", "render", "check", "images", "write")
# Imports against the flow of data allowed (none today): a pair added here needs a reason beside it.
KNOWN_BACKWARD_IMPORTS: set[tuple[str, str]] = set()

# Functions allowed over the limit (none today): a name added here needs a reason beside it.
KNOWN_LONG_FUNCTIONS: set[str] = set()


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "scaffold" in parts[1:-1]:
            continue  # files a new content repository starts with, not cmbuild's code
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: top-level and in functions, not TYPE_CHECKING ones."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (n for child in node.orelse for n in _imports_in(child))
            continue
        yield from _imports_in(node)


def _imports_in(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    else:
        yield from _imports(node)


def _targets(
    node: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: set[str]
) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
        return
    base = node.module or ""
    if node.level:
        here = module.split(".") if is_package else module.split(".")[:-1]
        here = here[: len(here) - (node.level - 1)]
        base = ".".join([*here, base] if base else here)
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        yield submodule if submodule in known else base


def import_graph() -> dict[str, set[str]]:
    """cmbuild module -> the cmbuild modules it imports."""
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        edges = {
            target
            for node in _imports(tree)
            for target in _targets(node, name, is_package, known)
            if target in known and target != name
        }
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (as a path that comes back to its start), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_cycle() -> None:
    graph = import_graph()
    for source, target in KNOWN_CYCLE_EDGES:
        graph[source].discard(target)
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def _stage(module: str) -> int | None:
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else None


def test_data_flows_one_way_through_the_stages() -> None:
    backward = []
    for source, targets in sorted(import_graph().items()):
        here = _stage(source)
        for target in sorted(targets):
            there = _stage(target)
            if here is None or there is None or there <= here:
                continue
            if (source, target) not in KNOWN_BACKWARD_IMPORTS:
                backward.append(f"{source} -> {target}")
    assert not backward, "a stage imports a later stage: " + ", ".join(backward)


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_function_level_imports_count_and_type_checking_ones_do_not() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from cmbuild.a import A\n"
        "def f():\n    from cmbuild.b import B\n"
    )
    found = [n.module for n in _imports(tree) if isinstance(n, ast.ImportFrom)]
    assert found == ["typing", "cmbuild.b"]


def test_at_most_eight_modules_directly_under_the_package() -> None:
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(loose) <= MAX_LOOSE_MODULES, loose


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def test_no_function_over_sixty_lines() -> None:
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).as_posix()
        if relative in GENERATED:
            continue
        for function in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            assert function.end_lineno is not None
            lines = function.end_lineno - function.lineno + 1
            name = f"{relative}::{function.name}"
            if lines > MAX_FUNCTION_LINES and name not in KNOWN_LONG_FUNCTIONS:
                long.append(f"{name} ({lines} lines)")
    assert not long, "functions over 60 lines: " + ", ".join(long)
