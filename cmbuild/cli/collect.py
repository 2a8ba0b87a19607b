"""`cmbuild collect` and `cmbuild run` (the library: cmbuild/collect/, cmbuild/scheduled/).

collect exits 0 when every due reading was taken; 1 when a channel could not be read (the others
were); 2 on bad input. run exits with the worst of its steps' codes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from cmbuild.cli.options import EXIT_FAILED, EXIT_OK, NOW, root_option
from cmbuild.cli.options import guard as _guard

if TYPE_CHECKING:
    from cmbuild.collect.live import LiveResult
    from cmbuild.collect.run import CollectReport

T = TypeVar("T")
PROGRESS_FROM = 50  # readings: a shorter collect shows no progress bar


@click.command()
@root_option
@click.option("--channel", "channels", multiple=True, help="Only this channel (repeat).")
@NOW
@click.option("--dry-run", is_flag=True, help="Show what is due; read and write nothing.")
def collect(root: Path, channels: tuple[str, ...], now: str | None, dry_run: bool) -> None:
    """Read each published post's figures at its ages (1 h, 24 h, 7 d, 28 d) into state/metrics/.

    Re-running at the same time adds nothing; a channel whose credentials are refused is
    stopped, naming the variables to renew, and the others go on.

    \b
    Examples:
      cmbuild collect
      cmbuild collect --channel bluesky-cmb --dry-run
    """
    from cmbuild.cli.push import parse_now
    from cmbuild.collect.run import CollectSettings
    from cmbuild.collect.run import collect as run_collect

    settings = CollectSettings(root, parse_now(now), channels, dry_run)
    with _progress() as progress:
        code, report = _guard(lambda: run_collect(settings, progress=progress))
    if report is not None:
        _show_collect(report)
        code = EXIT_FAILED if report.failed else EXIT_OK
    sys.exit(code)


@click.command(name="run")
@root_option
@NOW
@click.option(
    "--skip",
    multiple=True,
    type=click.Choice(["watch", "push", "collect", "inbox"]),
    help="Skip a step.",
)
def run_scheduled(root: Path, now: str | None, skip: tuple[str, ...]) -> None:
    """The scheduled steps in order, watch, push, collect then inbox, logging in once per account.

    watch runs when brand/watch.toml exists; a crisis it finds halts before push runs.

    \b
    Examples:
      cmbuild run                   what CI runs every few minutes
      cmbuild run --skip collect
    """
    from cmbuild.cli.push import parse_now
    from cmbuild.cli.show import push_report
    from cmbuild.cli.watch import listening, show_watch
    from cmbuild.collect.run import CollectSettings
    from cmbuild.push.session import PushSettings
    from cmbuild.scheduled import run_steps

    moment = parse_now(now)
    chosen = (PushSettings(root=root, now=moment), CollectSettings(root, moment))
    watch = listening(root, moment)
    with _progress() as progress:
        code, report = _guard(lambda: run_steps(*chosen, skip=skip, progress=progress, watch=watch))
    if report is not None:
        failed = False
        if report.watch is not None:
            show_watch(report.watch, dry_run=False)
        if report.push is not None:
            push_report(report.push, click.echo)
            failed = failed or report.push.failed
        if report.collect is not None:
            _show_collect(report.collect)
            failed = failed or report.collect.failed
        if report.inbox is not None:
            from cmbuild.cli.inbox import scheduled_inbox

            failed = scheduled_inbox(root, report.inbox, moment) or failed
        for step in report.skipped:
            click.echo(f"{step}: skipped")
        code = EXIT_FAILED if failed else EXIT_OK
    sys.exit(code)


@contextmanager
def _progress() -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal for a long collect; None elsewhere (CI logs)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = None

        def show(done: int, total: int) -> None:
            nonlocal task
            if total < PROGRESS_FROM:
                return
            if task is None:
                task = bar.add_task("collecting", total=total)
            bar.update(task, completed=done)

        yield show


def _show_collect(report: CollectReport) -> None:
    from cmbuild.stores.metrics import iso_utc

    verb = "due" if report.dry_run else "written"
    click.echo(f"collect at {iso_utc(report.now)}")
    for problem in report.problems:
        click.echo(f"warning: {problem}")
    for name, result in report.channels.items():
        count = result.planned if report.dry_run else result.written
        line = f"  {name}: {count} readings {verb}"
        if result.gone:
            line += f", {result.gone} posts gone from the platform"
        click.echo(line + (f"; stopped: {result.error}" if result.error else ""))
    if not report.channels:
        click.echo("  nothing due")
    if report.unread:
        click.echo(
            f"  not read (cmbuild cannot read their figures yet): {', '.join(report.unread)}"
        )
    click.echo(f"  {report.plan.waiting} published posts wait for their next age")
    if report.analytics is not None:
        _show_analytics(report.analytics, report.dry_run)


def _show_analytics(result: LiveResult, dry_run: bool) -> None:
    if result.error is not None:
        click.echo(f"  web analytics ({result.tool}): stopped: {result.error}")
    elif result.report is None or dry_run:
        click.echo(f"  web analytics ({result.tool}): would be imported (up to yesterday)")
    else:
        found = len(result.report.snapshots)
        click.echo(
            f"  web analytics ({result.tool}): {found} posts found, {result.report.written} "
            "written"
            + (
                f", {len(result.report.unmatched)} utm_contents matching no single post left out"
                if result.report.unmatched
                else ""
            )
        )
