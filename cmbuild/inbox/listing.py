"""The inbox as a community manager reads it: what is waiting, what it is about, what to answer.

`list_inbox` gives one row per item: unanswered first, then newest first; each with its intent
(from the triggers of brand/replies.toml), when it was answered, the approved reply suggested
for it and the command that sends that reply. The CLI shows the rows (`cmbuild.cli.inbox_list`);
the preview draws them per intent.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from cmbuild import platforms
from cmbuild.check.replies import same_language
from cmbuild.inbox.classify import classifier
from cmbuild.inbox.compose import item_values
from cmbuild.load.replies import Approved, Intent, Wording
from cmbuild.model import Channel
from cmbuild.stores.inbox import InboxItem


@dataclass(frozen=True)
class InboxRow:
    """One item of the inbox, with what to answer it with."""

    item: InboxItem
    intent: Intent | None
    answered_at: datetime | None
    suggested: tuple[Approved, ...]  # the approved replies that fit, the best first
    command: str | None  # sends the first suggestion (None: nothing to suggest, or answered)


def list_inbox(
    items: Iterable[InboxItem],
    answered: Mapping[str, datetime],
    wording: Wording,
    channels: Mapping[str, Channel],
    today: date,
) -> list[InboxRow]:
    """Every item as a row: unanswered first, newest first within each group."""
    classify = classifier(wording).classify
    rows = []
    for item in items:
        intent = classify(item.text, item.language)
        channel = channels.get(item.channel)
        suggested = suggestions(item, intent, channel, today) if intent and channel else ()
        done = answered.get(item.id)
        command = reply_command(item, suggested[0]) if suggested and done is None else None
        rows.append(InboxRow(item, intent, done, suggested, command))
    rows.sort(key=lambda row: (row.answered_at is not None, -row.item.at.timestamp(), row.item.id))
    return rows


def suggestions(
    item: InboxItem, intent: Intent, channel: Channel, today: date
) -> tuple[Approved, ...]:
    """The intent's replies usable for this item: in force, in its language, for its channel.

    The channel's own replies come first, then private ones where the platform has direct
    messages (a complaint is better answered there), then the others in the order of the file.
    """
    language = item.language or channel.lang
    dm = platforms.get(channel.platform).direct_messages
    fitting = [
        reply
        for reply in intent.replies
        if not reply.expired(today)
        and reply.channel in (None, channel.name)
        and (language is None or same_language(language, reply.language))
        and (dm or not reply.private)
    ]
    fitting.sort(key=lambda reply: (reply.channel is None, not (dm and reply.private)))
    return tuple(fitting)


def reply_command(item: InboxItem, reply: Approved) -> str:
    """The `cmbuild reply` command that sends `reply` to `item` (values to give left as `...`)."""
    given = item_values(item)
    parts = ["cmbuild", "reply", item.id, "--with", reply.name]
    for name in reply.placeholders:
        if name not in given:
            parts += ["--var", f"{name}=..."]
    return shlex.join(parts)
