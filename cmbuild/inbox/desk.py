"""The inbox put to work: the listing, its preview page, the alerts, and an answer checked now.

`cmbuild inbox` calls `show_desk` after a reading: each item classified with its suggested
approved reply (`cmbuild.inbox.listing`), output/inbox.html written, and each complaint or crisis
item alerted once (`cmbuild.inbox.escalate`). `cmbuild reply` calls `compose_reply`: the answer
composed from an approved reply or free text and checked (`cmbuild.inbox.compose`) before
`cmbuild.inbox.answer` sends it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cmbuild.errors import InputError
from cmbuild.files import write_atomic
from cmbuild.inbox.compose import Composed, compose
from cmbuild.inbox.escalate import ALERTS_FILE, Escalated, Send, escalate
from cmbuild.inbox.fetch import InboxRun
from cmbuild.inbox.intents import CACHE
from cmbuild.inbox.listing import InboxRow, list_inbox
from cmbuild.layout import INBOX_FILE
from cmbuild.load.charter import load_charter
from cmbuild.load.config import load_channels
from cmbuild.load.replies import load_replies
from cmbuild.preview.inbox import INBOX_PAGE, inbox_page
from cmbuild.stores.inbox import InboxItem


@dataclass(frozen=True)
class Desk:
    """What `cmbuild inbox` shows: the rows, the page written, what was alerted."""

    rows: list[InboxRow]
    page: Path | None  # None: a dry run writes no page
    escalated: Escalated | None  # None: a dry run alerts no one


def show_desk(
    root: Path,
    run: InboxRun,
    output: Path,
    today: date,
    *,
    environ: Mapping[str, str],
    send: Send,
) -> Desk:
    """List `run`'s items; unless a dry run, write output/inbox.html and alert once per item."""
    channels = {c.name: c for c in load_channels(root)}
    wording = load_replies(root, channels)
    items = [item for item in run.contents.items if item.id not in run.own]
    cache = None if run.dry_run else output / CACHE  # a dry run writes nothing
    rows = list_inbox(items, run.answered, wording, channels, today, cache=cache)
    if run.dry_run:
        return Desk(rows, None, None)
    page = output / INBOX_PAGE
    brand = load_charter(root, set(channels)).brand_name or "cmbuild"
    write_atomic(page, inbox_page(rows, wording, brand), durable=False)
    escalated = escalate(rows, environ, root / ALERTS_FILE, send)
    return Desk(rows, page, escalated)


@dataclass(frozen=True)
class ReplyRequest:
    """`cmbuild reply ITEM --with TEMPLATE [--var k=v]... | --text TEXT [--private]`."""

    item_id: str
    template: str | None
    text: str | None
    values: tuple[tuple[str, str], ...] = ()
    private: bool | None = None  # None: as the approved reply says


def compose_reply(root: Path, request: ReplyRequest, today: date) -> tuple[InboxItem, Composed]:
    """The stored item and the answer to it, composed and checked (errors stop the send)."""
    from cmbuild.inbox.answer import find_item
    from cmbuild.push.session import PushSettings

    item = find_item(PushSettings(root=root), request.item_id)
    channels = {c.name: c for c in load_channels(root)}
    wording = load_replies(root, channels)
    charter = load_charter(root, set(channels))
    channel = channels.get(item.channel)
    if channel is None:
        raise InputError(
            INBOX_FILE,
            f"item {item.id!r} is from channel {item.channel}, which is not in channels.toml",
            hint="add the channel back to channels.toml to answer on it",
        )
    composed = compose(
        item,
        request.template,
        request.text,
        dict(request.values),
        wording,
        channel,
        charter=charter,
        today=today,
        private=request.private,
    )
    return item, composed
