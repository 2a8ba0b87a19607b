"""One inbox reading: each channel's reader, from where the store stopped, into the store.

The cursor of a channel is the store itself: its newest item there (`Since`). A reader reads
what came after it (a little before, where the platform orders by another time: the store drops
duplicates). Credentials refused stop that channel, naming the variables to renew; a rate limit
or a server error is retried as a push retries, then reported for that channel; the others go on.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cmbuild import platforms
from cmbuild.collect.run import CollectSettings, chosen_channels
from cmbuild.layout import INBOX_FILE, LEDGER_FILE
from cmbuild.model import Channel, Finding
from cmbuild.platforms.shared.inbox import InboxReader, Published, Since
from cmbuild.platforms.shared.publisher import STOPPED, Publisher, PublishError
from cmbuild.push.report import Report
from cmbuild.push.retry import RetryPolicy, with_retry
from cmbuild.push.session import PushSettings, Session
from cmbuild.stores import inbox
from cmbuild.stores.inbox import InboxContents, InboxItem
from cmbuild.stores.ledger import LedgerLine, Record, fold, read_ledger

_PUSH_WAITS = "longer than a push waits: the next push will"  # cmbuild.push.retry's words
THREAD_DAYS = 30  # the posts whose threads are read again: those published in the last 30 days


@dataclass(frozen=True)
class InboxSettings:
    root: Path = Path(".")
    channels: tuple[str, ...] = ()  # only these (default: every channel with a reader)
    since: datetime | None = None  # read from then on (default: from the newest stored item)
    now: datetime | None = None
    dry_run: bool = False  # read, but store nothing
    fetch: bool = True  # False: list what is stored only
    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    cache: Path | None = None  # the items already read (cmbuild.stores.inbox_cache); not dry runs

    @property
    def inbox_path(self) -> Path:
        return self.root / INBOX_FILE


@dataclass
class ChannelRead:
    channel: str
    read: int = 0
    written: int = 0
    error: str | None = None  # why the channel stopped
    findings: list[Finding] = field(default_factory=list)  # what was not read in full


@dataclass
class InboxRun:
    channels: dict[str, ChannelRead]
    contents: InboxContents  # the store after the reading
    answered: dict[str, datetime]  # item id -> when it was first answered
    unread: list[str] = field(default_factory=list)  # channels cmbuild cannot read yet
    dry_run: bool = False
    fetched: bool = True  # False: --no-fetch, no platform was read
    idle: list[str] = field(default_factory=list)  # readable, but nothing published there yet
    own: frozenset[str] = frozenset()  # ids of the brand's own answers, read back

    @property
    def failed(self) -> bool:
        return any(r.error for r in self.channels.values())


def read_inbox(settings: InboxSettings, publishers: dict[str, Publisher] | None = None) -> InboxRun:
    """Read every channel's new items into the store (unless a dry run); what it holds then."""
    channels = chosen_channels(CollectSettings(settings.root, channels=settings.channels))
    lines = read_ledger(settings.root / LEDGER_FILE, LEDGER_FILE).lines
    cache = None if settings.dry_run else settings.cache  # a dry run writes nothing
    stored = inbox.read_items(settings.inbox_path, INBOX_FILE, cache)
    if not settings.fetch:  # nothing is read: no platform's reader is even imported (atproto...)
        run = InboxRun({}, stored, inbox.answered(stored.items, lines), [], settings.dry_run, False)
        run.own = inbox.own_items(stored.items, lines)
        return run
    chosen = [n for n in sorted(channels) if not settings.channels or n in settings.channels]
    readable = [n for n in chosen if _reads(channels[n])]
    posts = _published(fold(lines), settings)
    idle = []
    if not settings.channels:  # a channel nothing was published on is read when asked for
        idle = [n for n in readable if not posts.get(n)]
        readable = [n for n in readable if posts.get(n)]
    unread = [n for n in chosen if n not in readable and n not in idle]
    run = InboxRun({}, stored, {}, unread, settings.dry_run, settings.fetch, idle)
    accounts: dict[str, str] = {}
    if settings.fetch and readable:
        session = Session(_push(settings), channels, None, Report("inbox"), publishers)
        for name in readable:
            result = run.channels[name] = ChannelRead(name)
            since = _since(stored.items, name, settings.since)
            items = _read(session, channels[name], posts.get(name, ()), since, result, accounts)
            if settings.since is not None:
                items = [i for i in items if i.at >= settings.since]
            result.read = len(items)
            if not settings.dry_run:
                result.written = inbox.append_items(settings.inbox_path, items)
        if not settings.dry_run:
            run.contents = inbox.read_items(settings.inbox_path, INBOX_FILE, cache)
    run.answered = inbox.answered(run.contents.items, lines, accounts)
    run.own = inbox.own_items(run.contents.items, lines, accounts)
    return run


def _read(
    session: Session,
    channel: Channel,
    posts: Sequence[Published],
    since: Since | None,
    result: ChannelRead,
    accounts: dict[str, str],
) -> list[InboxItem]:
    try:
        kind = platforms.inbox_reader_class(channel)
        assert kind is not None
        reader: InboxReader[Any] = kind(session.publisher(channel.name))
        items: list[InboxItem] = _retried(session, functools.partial(reader.read, posts, since))
        # A reading retried after a failure says what it could not read once, not per attempt.
        result.findings = list(dict.fromkeys(reader.findings))
        accounts[channel.name] = _retried(session, reader.account_id)
        return items
    except PublishError as error:
        message = session.redact(error.message)
        if error.kind == "auth":
            message = message.replace(STOPPED, "; nothing more is read from this channel now")
        message = message.replace(_PUSH_WAITS, "longer than a reading waits: the next one will")
        result.error = message
        return []


def _reads(channel: Channel) -> bool:
    kind = platforms.inbox_reader_class(channel)
    return kind is not None and kind.reads(channel)


def _published(
    records: Mapping[str, Record], settings: InboxSettings
) -> dict[str, list[Published]]:
    """The channels' published posts (not answers) of the last THREAD_DAYS, by channel."""
    found: dict[str, list[Published]] = {}
    for record in records.values():
        receipt = record.receipt
        if record.state != "published" or receipt is None or _is_answer(receipt):
            continue
        at = receipt.published_at or receipt.at
        if settings.now is not None and at < settings.now - timedelta(days=THREAD_DAYS):
            continue
        if receipt.remote_id:
            post = Published(record.variant, receipt.remote_id, at, receipt.url)
            found.setdefault(receipt.channel, []).append(post)
    return found


def _is_answer(line: LedgerLine) -> bool:
    return line.in_reply_to is not None


def _since(items: Sequence[InboxItem], channel: str, given: datetime | None) -> Since | None:
    if given is not None:
        return Since(given, "")
    newest = max((i for i in items if i.channel == channel), key=lambda i: i.at, default=None)
    return Since(newest.at, newest.remote_id) if newest is not None else None


def _retried(session: Session, action: Callable[[], Any]) -> Any:
    return with_retry(session.settings.retry, session.guarded(action), resend_is_safe=True)


def _push(settings: InboxSettings) -> PushSettings:
    return PushSettings(
        root=settings.root,
        now=settings.now,
        timeout=settings.timeout,
        retry=settings.retry,
        environ=settings.environ,
    )
