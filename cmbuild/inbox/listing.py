"""The inbox as a community manager reads it: what is waiting, what it is about, what to answer.

`list_inbox` gives one row per item: unanswered first, then newest first; each with its intent
(from the triggers of brand/replies.toml), when it was answered, the approved reply suggested
for it and the command that sends that reply. The CLI shows the rows (`cmbuild.cli.inbox_list`);
the preview draws them per intent.

Over a large inbox: intents come from the cache of `cmbuild.inbox.intents` (an item is classified
once, not at every listing), the suggestions are worked out once per intent, channel and
language, and a row's `command` only when it is asked for (the rows shown, the alerts); the
cycle collector is paused while the rows are made (see `cmbuild.stores.inbox_cache`).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from pathlib import Path

from cmbuild import platforms
from cmbuild.check.replies import same_language
from cmbuild.inbox.compose import item_values
from cmbuild.inbox.intents import intents_of
from cmbuild.load.replies import Approved, Intent, Wording
from cmbuild.model import Channel
from cmbuild.stores.inbox import InboxItem
from cmbuild.stores.inbox_cache import collector_paused


@dataclass(frozen=True)
class InboxRow:
    """One item of the inbox, with what to answer it with."""

    item: InboxItem
    intent: Intent | None
    answered_at: datetime | None
    suggested: tuple[Approved, ...]  # the approved replies that fit, the best first

    @cached_property
    def command(self) -> str | None:
        """The command that sends the first suggestion (None: nothing to suggest, or answered)."""
        if not self.suggested or self.answered_at is not None:
            return None
        return reply_command(self.item, self.suggested[0])


def list_inbox(
    items: Sequence[InboxItem],
    answered: Mapping[str, datetime],
    wording: Wording,
    channels: Mapping[str, Channel],
    today: date,
    *,
    cache: Path | None = None,
) -> list[InboxRow]:
    """Every item as a row: unanswered first, newest first within each group.

    `cache`: where the items' intents are kept between listings (None: classify them all)."""
    with collector_paused():  # one row per item: many objects, none in a cycle
        fitting: dict[tuple[str, str, str | None], tuple[Approved, ...]] = {}
        rows = []
        for item, intent in zip(items, intents_of(items, wording, cache), strict=True):
            suggested: tuple[Approved, ...] = ()
            channel = channels.get(item.channel)
            if intent is not None and channel is not None:
                key = (intent.name, channel.name, item.language)
                if key not in fitting:
                    fitting[key] = suggestions(item, intent, channel, today)
                suggested = fitting[key]
            rows.append(InboxRow(item, intent, answered.get(item.id), suggested))
        rows.sort(key=_order)
    return rows


def _order(row: InboxRow) -> tuple[bool, float, str]:
    return row.answered_at is not None, -row.item.at.timestamp(), row.item.id


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
