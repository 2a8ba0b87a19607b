"""The commands of `cmbuild`: each one listed, each imported only when it is asked for."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import click
import pytest

from cmbuild.cli import COMMANDS, main
from cmbuild.cli.group import load_command

CLI = Path(__file__).parents[2] / "cmbuild" / "cli"


def test_every_command_of_the_cli_modules_is_listed_under_its_own_name() -> None:
    defined = {}
    for path in sorted(p for p in CLI.glob("*.py") if p.name != "__init__.py"):
        module = importlib.import_module(f"cmbuild.cli.{path.stem}")
        for attribute, value in vars(module).items():
            if isinstance(value, click.Command) and _defined_in(value, module.__name__):
                defined[value.name] = f"{module.__name__}:{attribute}"
    assert defined == COMMANDS


def test_help_lists_every_command() -> None:
    with click.Context(main) as ctx:
        assert main.list_commands(ctx) == sorted(COMMANDS)
        assert all(main.get_command(ctx, name) is not None for name in COMMANDS)


def test_a_name_that_leads_to_another_command_is_refused() -> None:
    with pytest.raises(TypeError, match=r"cmbuild\.cli\.push:plan is not the command 'push'"):
        load_command("push", "cmbuild.cli.push:plan")


def test_a_command_imports_no_other_command_module() -> None:
    probe = (
        "import sys, click\n"
        "from cmbuild.cli import main\n"
        "with click.Context(main) as ctx:\n"
        "    main.get_command(ctx, 'watch')\n"
        "print(sorted(m for m in sys.modules if m.startswith('cmbuild.cli.')))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert found.strip() == "['cmbuild.cli.group', 'cmbuild.cli.options', 'cmbuild.cli.watch']"


def _defined_in(command: click.Command, module: str) -> bool:
    return getattr(command.callback, "__module__", None) == module
