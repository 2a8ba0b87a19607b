"""`cmbuild watch` (the library: cmbuild/watch/).

Exit 0 when nothing new needs a person, 1 on a new crisis (a crisis mention or a spike), 2 on bad
input (brand/watch.toml, a post, the halt file).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cmbuild.cli.options import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, NOW, root_option

if TYPE_CHECKING:
    from cmbuild.load.watch import SensitivePost
    from cmbuild.model import Post
    from cmbuild.watch.run import WatchResult


@click.command()
@root_option
@NOW
@click.option("--dry-run", is_flag=True, help="Read the sources and show matches; record nothing.")
def watch(root: Path, now: str | None, dry_run: bool) -> None:
    """Listen to the sources of brand/watch.toml: record mentions, alert, halt on a crisis.

    Reads each source whose interval has passed, keeps the items not seen before, and records
    those that match a topic in state/watch/mentions.jsonl. A crisis alerts the [alerts] targets
    (once per item; a target that is down is tried again next run) and, with auto_halt, halts the
    topic's campaigns; without it, prints the `cmbuild halt` command to run.
    Exit 0 nothing new, 1 new crisis, 2 bad input.

    \b
    Examples:
      cmbuild watch
      cmbuild watch --dry-run --now 2026-12-01T09:00:00Z
    """
    from cmbuild.errors import InputError, InputErrors
    from cmbuild.load.watch import WATCH_FILE, load_watch
    from cmbuild.watch.run import WatchSettings
    from cmbuild.watch.run import watch as watching

    moment = _moment(now or os.environ.get("CMBUILD_NOW"))
    try:
        config = load_watch(root, *campaigns_of(root))
        if config is None:
            click.echo(f"error: no {WATCH_FILE}: nothing to listen to", err=True)
            sys.exit(EXIT_INPUT)
        settings = WatchSettings(root, moment, dict(os.environ), dry_run)
        result = watching(settings, config)
    except (InputErrors, InputError) as errors:
        click.echo(f"error: {errors}", err=True)
        sys.exit(EXIT_INPUT)
    show_watch(result, dry_run=dry_run)
    sys.exit(EXIT_FINDINGS if result.crisis else EXIT_OK)


def _moment(given: str | None) -> datetime:
    """The --now (or CMBUILD_NOW) given, else the clock; each module imported only when used."""
    if given is not None:
        from cmbuild.cli.push import parse_now

        moment = parse_now(given)
        assert moment is not None
        return moment
    from cmbuild.stores.ledger import now_utc

    return now_utc()


def listening(root: Path, now: datetime | None) -> Callable[[], WatchResult] | None:
    """The watch step of `cmbuild run`: None when there is no brand/watch.toml."""
    from cmbuild.load.watch import WATCH_FILE, load_watch
    from cmbuild.stores.ledger import now_utc
    from cmbuild.watch.run import WatchSettings
    from cmbuild.watch.run import watch as watching

    if not (root / WATCH_FILE).exists():
        return None

    def step() -> WatchResult:
        config = load_watch(root, *campaigns_of(root))
        assert config is not None
        return watching(WatchSettings(root, now or now_utc(), dict(os.environ)), config)

    return step


def campaigns_of(root: Path) -> tuple[set[str], list[SensitivePost]]:
    """The campaigns of the posts and of the last build's manifest (what push would publish),
    and the posts' `sensitive:` topics."""
    from cmbuild.layout import DEFAULT_OUTPUT, MANIFEST_FILE, post_files

    posts = _posts(root, post_files(root))
    found = {post.campaign for post in posts}
    manifest = root / DEFAULT_OUTPUT / MANIFEST_FILE
    if manifest.is_file():  # its reader imported only when there is one
        from cmbuild.manifest.reader import read_manifest

        found |= {entry.campaign for entry in read_manifest(manifest, str(manifest))}
    sensitive = [
        (post.source, dict(post.key_lines).get("sensitive"), post.sensitive)
        for post in posts
        if post.sensitive
    ]
    return {campaign for campaign in found if campaign}, sensitive


def _posts(root: Path, paths: list[Path]) -> list[Post]:
    """The posts at `paths`; their reader and model imported only when there are some."""
    if not paths:
        return []
    from cmbuild.load.posts import read_post

    return [read_post(root, path).post for path in paths]


def show_watch(result: WatchResult, *, dry_run: bool) -> None:
    """What one watch did: sources, mentions, spikes, alerts, halts."""
    for notice in result.notices:
        click.echo(f"warning: {notice}", err=True)
    for name, problem in result.failed:
        click.echo(f"source {name}: {problem}", err=True)
    click.echo(
        f"{len(result.read)} source(s) read, {result.new_items} new item(s),"
        f" {len(result.mentions)} mention(s)" + (" (dry run: nothing recorded)" if dry_run else "")
    )
    for m in result.mentions:
        click.echo(
            f"  {m.severity:<6} {m.topic}: {m.title} [{', '.join(m.terms)}] {m.url or m.uri}"
        )
    for spike in result.spikes:
        click.echo(
            f"spike: {spike.topic}: {spike.last_day} mentions in 24 h"
            f" (7-day mean {spike.mean:.1f}, threshold {spike.threshold:.1f})"
        )
    if result.alerts_sent:
        click.echo(f"{result.alerts_sent} alert(s) sent")
    for failure in result.alert_failures:
        click.echo(f"alert not sent, tried again next run: {failure}", err=True)
    for written in result.halts_written:
        click.echo(f"halted {written}")
    for command in result.halt_commands:
        click.echo(f"to halt, run: {command}")
