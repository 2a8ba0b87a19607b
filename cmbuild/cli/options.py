"""Options shared by several commands, and the exit codes every command maps its result to."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

# 0 fine; 1 findings at error level (or warnings, with --strict), or a push that failed somewhere;
# 2 bad input or usage; 3 another push holds the ledger (nothing was done).
EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_BUSY = 0, 1, 2, 3
EXIT_FAILED = EXIT_FINDINGS
# A defect of cmbuild itself (EX_SOFTWARE); stdout closed by its reader (128 + SIGPIPE).
EXIT_INTERNAL, EXIT_PIPE = 70, 141
T = TypeVar("T")


def root_option(function: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--root",
        "-C",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="The content repository (holding posts/, brand/, channels.toml).",
    )(function)


def common_build_options(function: click.decorators.FC) -> click.decorators.FC:
    for option in reversed(
        [
            click.option("--strict", is_flag=True, help="Warnings fail the build too (exit 1)."),
            click.option(
                "--json", "as_json", is_flag=True, help="Print a machine-readable summary."
            ),
            click.option("--quiet", "-q", is_flag=True, help="Print errors only."),
            click.option(
                "--jobs",
                "-j",
                type=click.IntRange(min=1),
                default=None,
                help="Worker processes for large builds (default: one per core).",
            ),
        ]
    ):
        function = option(function)
    return root_option(function)


def state_options(function: click.decorators.FC) -> click.decorators.FC:
    for option in reversed(
        [
            click.option(
                "--manifest",
                type=click.Path(dir_okay=False, path_type=Path),
                default=None,
                help="The manifest to publish from (default: ROOT/output/manifest.json).",
            ),
            click.option(
                "--ledger",
                type=click.Path(dir_okay=False, path_type=Path),
                default=None,
                help="What was published (default: ROOT/state/ledger.jsonl).",
            ),
            click.option(
                "--halt-file",
                type=click.Path(dir_okay=False, path_type=Path),
                default=None,
                help="Halted campaigns and channels (default: ROOT/state/halt.toml).",
            ),
            click.option(
                "--channel",
                "channels",
                multiple=True,
                help="Only this channel (repeat for several).",
            ),
        ]
    ):
        function = option(function)
    return root_option(function)


def selector_options(function: click.decorators.FC) -> click.decorators.FC:
    function = click.option("--all", "everything", is_flag=True, help="Every channel.")(function)
    function = click.option("--channel", default=None, help="One channel.")(function)
    function = click.option("--campaign", default=None, help="One campaign.")(function)
    return click.option(
        "--halt-file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="The halt file (default: ROOT/state/halt.toml).",
    )(root_option(function))


WAIT = click.option("--wait", is_flag=True, help="Wait for another push on this ledger to end.")

JSON = click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
NOW = click.option(
    "--now", default=None, help="Act as if it were this time (ISO 8601 with zone; default: now)."
)


def guard(action: Callable[[], T]) -> tuple[int, T | None]:
    """Run `action`; bad input or a busy ledger is shown as an error and its exit code."""
    from cmbuild.errors import InputError, InputErrors
    from cmbuild.stores.ledger import LedgerBusy

    try:
        return EXIT_OK, action()
    except (InputErrors, InputError) as errors:
        for error in errors if isinstance(errors, InputErrors) else [errors]:
            click.echo(f"error: {error}", err=True)
        return EXIT_INPUT, None
    except LedgerBusy as busy:
        click.echo(f"error: {busy}", err=True)
        return EXIT_BUSY, None
