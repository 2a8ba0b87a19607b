"""Publish times already past on variants the ledger has not seen published.

A build does not depend on the clock (its outputs are the same at any time), so this check runs
after it, on the manifest the build wrote and the ledger push keeps, against the time the caller
gives. Such a variant is not sent at its time: `cmbuild push` reports it missed once its channel's
`stale_after_hours` have gone by.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from cmbuild.errors import InputError, InputErrors
from cmbuild.layout import LEDGER_FILE, MANIFEST_FILE
from cmbuild.manifest.reader import VariantEntry, read_manifest
from cmbuild.model import Finding
from cmbuild.stores.ledger import fold, read_ledger

RULE = "schedule.past"


def past_publish_times(root: Path, out: Path, now: datetime) -> list[Finding]:
    """One warning per variant of `out`'s manifest due before `now` and not published yet."""
    manifest = out / MANIFEST_FILE
    if not manifest.is_file():
        return []
    try:
        entries = read_manifest(manifest, MANIFEST_FILE)
        ledger = root / LEDGER_FILE
        records = fold(read_ledger(ledger, LEDGER_FILE).lines) if ledger.is_file() else {}
    except (InputError, InputErrors):
        return []  # push reports an unreadable manifest or ledger; the build summary need not
    done = {variant for variant, record in records.items() if record.state != "failed"}
    return [
        _finding(root, entry, now)
        for entry in entries
        if entry.scheduled < now and entry.id not in done
    ]


def _finding(root: Path, entry: VariantEntry, now: datetime) -> Finding:
    when = datetime.fromisoformat(entry.scheduled_local)
    shown, current = (f"{t:%Y-%m-%d %H:%M}" for t in (when, now.astimezone(when.tzinfo)))
    return Finding(
        rule=RULE,
        severity="warning",
        message=f"publish time {shown} ({entry.timezone}) is already past (it is {current} "
        "there now): it will not go out at that time",
        file=entry.source,
        line=_publish_line(root, entry),
        channel=entry.channel,
        hint="move `publish:` to a time to come, or set `status: draft` until it is ready",
    )


def _publish_line(root: Path, entry: VariantEntry) -> int | None:
    from cmbuild.load.posts import read_post

    try:
        post = read_post(root, root / entry.source).post
    except (InputError, InputErrors, OSError):
        return None
    override = f"channels.{entry.channel}.publish"
    return post.line_of(override) or post.publish_line
