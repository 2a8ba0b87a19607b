"""The `cmbuild` command group: what happens when a command fails in a way nobody planned.

Bad input, usage mistakes and findings are handled by each command (exit 2 or 1). Anything else is
a defect of cmbuild itself: it is shown as one line and a request to report it, and exits 70
(EX_SOFTWARE), so that a script or CI job never mistakes a crash for findings in the content.
`CMBUILD_DEBUG=1` shows the traceback for the report. A closed pipe (`cmbuild plan | head`) is not
an error: it ends quietly with 141, the code of a shell command killed by SIGPIPE.

The commands are named as "module:attribute" and imported when one runs, or when `--help` lists
them: a command starts without importing the code of the others.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Mapping
from importlib import import_module
from typing import Any

import click

from cmbuild.cli.options import EXIT_INTERNAL, EXIT_PIPE

REPORT_HINT = (
    "this is a defect in cmbuild, not in your content: please report it with the command you ran "
    "(run it again with CMBUILD_DEBUG=1 to include the details)"
)


class Group(click.Group):
    """A click group whose commands end with an exit code of their own on an internal error, and
    are imported only when asked for (`lazy`: name → "module:attribute")."""

    def __init__(self, *args: Any, lazy: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            self.add_command(load_command(cmd_name, self.lazy[cmd_name]))
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            _silence_stdout()
            ctx.exit(EXIT_PIPE)
        except Exception as error:
            if os.environ.get("CMBUILD_DEBUG"):
                raise
            click.echo(f"internal error: {_where(error)}", err=True)
            click.echo(f"hint: {REPORT_HINT}", err=True)
            ctx.exit(EXIT_INTERNAL)


def load_command(name: str, where: str) -> click.Command:
    """The command `where` ("module:attribute") names; a TypeError if it is no command `name`."""
    module, _, attribute = where.partition(":")
    command = getattr(import_module(module), attribute)
    if not isinstance(command, click.Command) or command.name != name:
        raise TypeError(f"{where} is not the command {name!r}")
    return command


def _where(error: BaseException) -> str:
    """The error's kind and the last line of cmbuild it went through (its message may quote a
    credential or a post's words: it is left to the CMBUILD_DEBUG traceback)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    place = ""
    for frame in traceback.extract_tb(error.__traceback__):
        if os.path.abspath(frame.filename).startswith(package + os.sep):
            relative = os.path.relpath(frame.filename, os.path.dirname(package))
            place = f" in {relative.replace(os.sep, '/')}:{frame.lineno}"
    return f"{type(error).__name__}{place}"


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that flushing it at exit does not raise again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (a test runner's capture)
        pass
