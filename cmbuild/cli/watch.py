"""`cmbuild watch` (the library: cmbuild/watch/).

Exit 0 when nothing new needs a person, 1 on a new crisis (a crisis mention or a spike), 2 on bad
input (brand/watch.toml, a post, the halt file).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from cmbuild.cli.options import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, NOW, root_option


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
    from cmbuild.cli.push import parse_now
    from cmbuild.errors import InputError, InputErrors
    from cmbuild.load.watch import WATCH_FILE, load_watch
    from cmbuild.stores.ledger import now_utc
    from cmbuild.watch.run import WatchSettings
    from cmbuild.watch.run import watch as watching

    moment = parse_now(now or os.environ.get("CMBUILD_NOW")) or now_utc()
    try:
        config = load_watch(root, _campaigns(root))
        if config is None:
            click.echo(f"error: no {WATCH_FILE}: nothing to listen to", err=True)
            sys.exit(EXIT_INPUT)
        settings = WatchSettings(root, moment, dict(os.environ), dry_run)
        result = watching(settings, config)
    except (InputErrors, InputError) as errors:
        click.echo(f"error: {errors}", err=True)
        sys.exit(EXIT_INPUT)
    _show(result, dry_run)
    sys.exit(EXIT_FINDINGS if result.crisis else EXIT_OK)


def _campaigns(root: Path) -> set[str]:
    """The campaigns of the posts, and of the last build's manifest (what push would publish)."""
    from cmbuild.layout import DEFAULT_OUTPUT, MANIFEST_FILE, post_files
    from cmbuild.load.posts import read_post
    from cmbuild.manifest.reader import read_manifest

    found = {read_post(root, path).post.campaign for path in post_files(root)}
    manifest = root / DEFAULT_OUTPUT / MANIFEST_FILE
    if manifest.is_file():
        found |= {entry.campaign for entry in read_manifest(manifest, str(manifest))}
    return {campaign for campaign in found if campaign}


def _show(result: object, dry_run: bool) -> None:
    from cmbuild.watch.run import WatchResult

    assert isinstance(result, WatchResult)
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
