"""An answer file checked against the inbox and the wording: what `cmbuild push` would send."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from cmbuild.errors import did_you_mean
from cmbuild.inbox.compose import Composed, compose
from cmbuild.load.answers import Answer
from cmbuild.load.replies import Wording
from cmbuild.model import Channel, Charter, Finding
from cmbuild.stores.inbox import InboxItem


def compose_answer(
    answer: Answer,
    items: Mapping[str, InboxItem],
    wording: Wording,
    channels: Mapping[str, Channel],
    *,
    charter: Charter,
    today: date,
) -> Composed:
    """The answer as it would be sent, with every finding located in its file."""
    item = items.get(answer.in_reply_to)
    channel = channels.get(item.channel) if item is not None else None
    if item is None or channel is None:
        shown = (
            "no item" if item is None else f"item of channel {item.channel}, not in channels.toml,"
        )
        error = Finding(
            "reply.not-in-inbox",
            "error",
            f"in_reply_to {answer.in_reply_to!r}: {shown} in the inbox"
            f"{did_you_mean(answer.in_reply_to, items) if item is None else ''}",
            answer.source,
            answer.line_of("in_reply_to"),
            hint="copy the item's id from `cmbuild inbox`; run `cmbuild inbox` to read new items",
        )
        return Composed("", bool(answer.private), None, (error,))
    line = answer.line_of("template") or answer.line_of("text") or answer.line_of("in_reply_to")
    return compose(
        item,
        answer.template,
        answer.text,
        dict(answer.vars),
        wording,
        channel,
        charter=charter,
        today=today,
        private=answer.private,
        where=(answer.source, line),
    )
