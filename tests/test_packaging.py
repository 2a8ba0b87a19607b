"""What `make build` installs for a writer, and what the test and lint targets add."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path

ROOT = Path(__file__).parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
TEST_TOOLS = {"pytest", "hypothesis", "mypy", "ruff", "selenium", "facebook-business"}


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group()).lower()


def _dry_run(target: str, tmp_path: Path) -> str:
    # A venv that does not exist yet: make prints every step it would take to set it up.
    done = subprocess.run(
        ["make", "-n", target, f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_make_build_installs_the_runtime_only(tmp_path: Path) -> None:
    installs = [line for line in _dry_run("build", tmp_path).splitlines() if "pip install" in line]
    assert installs[-1].rstrip().endswith("install --quiet -e ."), installs
    assert not any("[" in line for line in installs), installs


def test_make_test_and_lint_install_the_dev_extra(tmp_path: Path) -> None:
    for target in ("test", "lint"):
        assert "-e '.[dev]'" in _dry_run(target, tmp_path)
    extras = PROJECT["optional-dependencies"]
    assert "cmbuild[test]" in extras["dev"]
    assert {_name(r) for r in extras["test"] + extras["dev"]} >= TEST_TOOLS
    assert not TEST_TOOLS & {_name(r) for r in PROJECT["dependencies"]}


def _closure(names: set[str]) -> set[str]:
    """`names` and every distribution they require (extras left out)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            needed = requires(name) or []
        except PackageNotFoundError:
            continue
        todo.extend(_name(r) for r in needed if "extra ==" not in r)
    return seen


def _imports() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "cmbuild").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
            for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"cmbuild"}


def test_every_module_cmbuild_imports_comes_with_the_runtime() -> None:
    runtime = _closure({_name(r) for r in PROJECT["dependencies"]})
    providers = packages_distributions()
    missing = {
        module
        for module in _imports()
        if not {_name(d) for d in providers.get(module, [])} & runtime
    }
    assert not missing, f"imported by cmbuild but not a runtime dependency: {sorted(missing)}"
