"""Only the command line prints: no module outside cmbuild/cli imports click or rich, or prints."""

from __future__ import annotations

import ast
from pathlib import Path

import cmbuild

PACKAGE = Path(cmbuild.__file__).parent
SHOWING = ("click", "rich")


def offences(source: str) -> list[str]:
    """`line: name` for every import of click or rich and every call of print() in `source`."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            names = ["print()"] if node.func.id == "print" else []
        else:
            continue
        found += [
            f"{node.lineno}: {name}"
            for name in names
            if name == "print()" or name.split(".")[0] in SHOWING
        ]
    return sorted(found, key=lambda line: int(line.split(":")[0]))


def test_no_module_outside_the_cli_prints_or_imports_click_or_rich() -> None:
    modules = sorted(p for p in PACKAGE.rglob("*.py") if PACKAGE / "cli" not in p.parents)
    assert len(modules) > 50  # the whole library is scanned
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in modules
        for line in offences(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_scan_sees_each_kind_of_offence() -> None:
    source = "import rich.console\nfrom click import echo\n\ndef f():\n    print('x')\n"
    assert offences(source) == ["1: rich.console", "2: click", "5: print()"]


def test_the_command_line_imports_nothing_heavy_before_a_command_runs() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, cmbuild.cli\n"
        "heavy = ('pydantic', 'rich', 'jinja2', 'yaml', 'markdown_it', 'PIL', 'cmbuild.build')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert found.strip() == "[]"
