"""Conversations on Meta's Graph (a Page's Messenger inbox, an Instagram account's Direct inbox):
read by the inbox when the channel sets `read_direct_messages = true`, answered by message.

- Reading: `GET /{page-id}/conversations?platform=messenger` (Facebook) or
  `GET /{ig-user-id}/conversations?platform=instagram` (Instagram), newest conversation first,
  each with its latest messages by field expansion (`messages{id,message,from,created_time}`),
  paged by cursors, until a conversation not updated since the newest stored item (at most
  `_MAX_PAGES` pages: a reading stopped there says so, and where to read the rest).
  Facebook needs the Page token's `pages_messaging` permission, Instagram
  `instagram_manage_messages` (a refusal says so). Sources: developers.facebook.com/docs/
  graph-api/reference/page/conversations, /docs/messenger-platform/instagram/features/
  conversations and Meta's SDK tables (`Page.get_conversations`, `IGUser.get_conversations`,
  `UnifiedThread.get_messages`).
- A message from someone else is an item of kind `dm`; the account's own messages are its
  answers: each `answers` the latest item of its conversation before it. An item's `refs` hold
  `message_id`, `conversation_id` and `recipient_id` (the sender's page-scoped id: where an
  answer goes).
- Answering: `POST /{page-id or ig-user-id}/messages` with `recipient={"id": ...}`,
  `message={"text": ...}` and `messaging_type=RESPONSE`, within 24 hours of the person's LAST
  message in the conversation, not of the item answered: Meta's standard messaging window
  ("Businesses have up to 24 hours to respond to a user"), opened again by each message the
  person sends. Sources: developers.facebook.com/docs/messenger-platform/policy/policy-overview
  (standard messaging; message tags) and /docs/messenger-platform/send-messages. So before
  sending, the conversation's newest messages are read (`GET /{conversation-id}/messages`) for
  the person's last one: a message written since the last inbox reading counts too. Outside the
  window cmbuild says so before sending, and what to do instead: cmbuild sends no message tag
  (Meta's HUMAN_AGENT tag lets a person answer by hand within 7 days, under its own app review),
  so the answer is written by hand in the platform's inbox, or waits until the person writes
  again. Graph's own refusal (code 10, subcode 2018278) is said the same way.
- Exactly once: Graph takes no idempotency key; an answer cut off by a crash is looked for in its
  conversation (`find_message`): the account's message with the same text since the pending line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from cmbuild.model import Finding
from cmbuild.platforms.shared.graph import Graph, Params, Reach, parse_time
from cmbuild.platforms.shared.inbox import Answer, Since, partly_read
from cmbuild.platforms.shared.publisher import PublishError, Receipt
from cmbuild.stores.inbox import InboxItem, item_id

MESSAGE_FIELDS = "id,message,from,created_time"
FIELDS = f"id,updated_time,messages{{{MESSAGE_FIELDS}}}"
WINDOW = timedelta(hours=24)
_OUTSIDE = "subcode 2018278]"  # "This message is sent outside of allowed window"
_PAGE = 25
_MAX_PAGES = 20
_FIND_PAGES = 5  # a conversation's last 125 messages: an answer cut off by a crash is among them
# The platform's clock and ours may differ: an answer is looked for from a little before its
# pending line, so a clock a few seconds behind cannot make it look unsent (and sent twice).
CLOCK_MARGIN = timedelta(minutes=5)
# What each platform's conversations need: the `platform` parameter, the permission, the inbox.
_KINDS = {
    "facebook": (
        "MESSENGER",
        "pages_messaging",
        "the Page's Messenger inbox (Meta Business Suite)",
    ),
    "instagram": ("INSTAGRAM", "instagram_manage_messages", "the account's Instagram inbox"),
}


def read_conversations(
    graph: Graph,
    account: str,
    channel: str,
    platform: str,
    since: Since | None,
    findings: list[Finding],
) -> list[InboxItem]:
    """The messages of the account's conversations updated since `since`, oldest first.

    A reading that stops at its page cap adds a finding to `findings`, saying what is left.
    """
    items: list[InboxItem] = []
    reach = Reach()
    try:
        for conversation in _conversations(graph, account, platform, since, reach):
            items.extend(_items(channel, platform, account, conversation))
    except PublishError as error:
        if error.kind != "auth" or "lacks a permission" not in error.message:
            raise
        permission = _KINDS[platform][1]
        raise PublishError(
            f"{graph.platform} refused to read the conversations: the token needs the "
            f"{permission} permission (give it to the app and renew the token), or set "
            f"channels.{channel}.options.read_direct_messages = false",
            "config",
            status=error.status,
        ) from None
    if reach.cut:
        findings.append(_cut(graph.platform, channel, platform))
    return sorted(items, key=lambda i: (i.at, i.id))


def _conversations(
    graph: Graph, account: str, platform: str, since: Since | None, reach: Reach
) -> Iterator[dict[str, Any]]:
    params = {"platform": _KINDS[platform][0], "fields": FIELDS, "limit": _PAGE}
    path = f"{account}/conversations"
    listed = graph.listed("read the conversations", path, params, pages=_MAX_PAGES, reach=reach)
    for conversation in listed:
        if not isinstance(conversation, dict) or not conversation.get("id"):
            continue
        updated = parse_time(conversation.get("updated_time"))
        if since is not None and updated is not None and updated < since.at:
            return  # newest first: the rest was read before
        yield conversation


def _cut(label: str, channel: str, platform: str) -> Finding:
    """What a reading of conversations stopped at its cap leaves: the less recent ones."""
    count = _MAX_PAGES * _PAGE
    return partly_read(
        channel,
        f"{label} has more conversations updated since the last reading than the {count} "
        "most recent ones read now: the others were not read, and the next readings start "
        "after them",
        f"read them in {_KINDS[platform][2]}",
    )


def _items(
    channel: str, platform: str, account: str, conversation: Mapping[str, Any]
) -> list[InboxItem]:
    box = conversation.get("messages")
    listed = box.get("data") if isinstance(box, dict) else None
    messages = [m for m in listed or () if isinstance(m, dict) and m.get("id")]
    messages.sort(key=lambda m: (_time(m, graph_label(platform)), str(m["id"])))
    latest: str | None = None  # the conversation's latest item so far
    items = []
    for message in messages:
        sender = message.get("from")
        sender_id = str(sender.get("id") or "") if isinstance(sender, dict) else ""
        mine = sender_id == account
        item = _item(channel, platform, conversation, message, latest if mine else None)
        if not mine:
            latest = item.id
        items.append(item)
    return items


def _item(
    channel: str,
    platform: str,
    conversation: Mapping[str, Any],
    message: Mapping[str, Any],
    answers: str | None,
) -> InboxItem:
    message_id = str(message["id"])
    sender = message.get("from")
    known = sender if isinstance(sender, dict) else {}
    sender_id = str(known.get("id") or "")
    handle = str(known.get("username") or known.get("name") or sender_id)
    return InboxItem(
        id=item_id(channel, message_id),
        channel=channel,
        platform=platform,
        kind="dm",
        remote_id=message_id,
        refs={
            "message_id": message_id,
            "conversation_id": str(conversation["id"]),
            "recipient_id": sender_id,
        },
        author_id=sender_id,
        author_handle=handle,
        author_name=str(known.get("name") or handle),
        text=str(message.get("message") or ""),
        url=None,  # Graph gives a message no address
        language=None,
        at=_time(message, graph_label(platform)),
        answers=answers,
    )


def send_message(
    graph: Graph, account: str, item: InboxItem, text: str, now: datetime | None = None
) -> Receipt:
    """The answer to the `dm` item: a message to its sender, in the same conversation."""
    inbox = _KINDS[item.platform][2]
    recipient = item.refs.get("recipient_id")
    if not recipient:
        raise PublishError(f"the item {item.id} has no sender to write to")
    last = last_message_at(graph, item, recipient)
    if (now or datetime.now(UTC)) - last > WINDOW:
        raise PublishError(_late(graph.platform, item, last, inbox), "permanent")
    params: Params = {
        "recipient": {"id": recipient},
        "message": {"text": text},
        "messaging_type": "RESPONSE",
    }
    try:
        answer = graph.post("send the message", f"{account}/messages", params)
    except PublishError as error:
        if _OUTSIDE in error.message:
            raise PublishError(_late(graph.platform, item, last, inbox), "permanent") from None
        raise
    message_id = answer.get("message_id")
    if not isinstance(message_id, str) or not message_id:
        raise PublishError(f"{graph.platform} answered the message without its id", "ambiguous")
    return Receipt(message_id, None)


def last_message_at(graph: Graph, item: InboxItem, sender: str) -> datetime:
    """When `sender` last wrote in the item's conversation: the window opens again from there.

    The conversation's newest messages are read now (a message sent since the last inbox
    reading counts); the item's own time is the floor, should they all be the account's own.
    """
    latest = item.at
    conversation = item.refs.get("conversation_id")
    if not conversation:
        return latest
    params = {"fields": "id,from,created_time", "limit": _PAGE}
    path = f"{conversation}/messages"
    for message in graph.listed("read the conversation", path, params, pages=1):
        if not isinstance(message, dict):
            continue
        author = message.get("from")
        if not isinstance(author, dict) or str(author.get("id") or "") != sender:
            continue
        when = parse_time(message.get("created_time"))
        if when is not None:
            latest = max(latest, when.astimezone(UTC).replace(microsecond=0))
    return latest


def find_message(graph: Graph, account: str, item: InboxItem, answer: Answer) -> Receipt | None:
    """The answer to the `dm` item, cut off by a crash, if it is in the conversation: a message
    from the account with exactly its text, written since its pending line (less a margin for
    the two clocks). None only when the whole conversation since then was read without it."""
    inbox = _KINDS[item.platform][2]
    unsure = f"look in {inbox}, then `cmbuild resolve`"
    conversation = item.refs.get("conversation_id")
    if answer.pending_at is None or not conversation:
        raise PublishError(
            f"cmbuild cannot tell whether the answer to {item.id} went out: {unsure}"
        )
    since = answer.pending_at - CLOCK_MARGIN
    reach = Reach()
    params = {"fields": MESSAGE_FIELDS, "limit": _PAGE}
    listed = graph.listed(
        "look the message up", f"{conversation}/messages", params, pages=_FIND_PAGES, reach=reach
    )
    for message in listed:
        if not isinstance(message, dict) or not message.get("id"):
            continue
        author = message.get("from")
        mine = isinstance(author, dict) and str(author.get("id") or "") == account
        when = parse_time(message.get("created_time"))
        if mine and message.get("message") == answer.text and when is not None and when >= since:
            return Receipt(str(message["id"]), None, when.astimezone(UTC).replace(microsecond=0))
    if reach.cut:  # Graph documents no order for these messages: what was not read may hold it
        raise PublishError(
            f"the conversation of {item.id} has more than {_FIND_PAGES * _PAGE} messages: "
            f"cmbuild cannot tell whether the answer went out; {unsure}"
        )
    return None


def _late(label: str, item: InboxItem, last: datetime, inbox: str) -> str:
    return (
        f"{label} lets the account answer a message within 24 hours of the person's last "
        f"message only: {item.author_handle or item.author_id} last wrote in this conversation "
        f"on {last.isoformat()}, so {item.id} cannot be answered from cmbuild any more. "
        f"Answer it by hand in {inbox} (cmbuild sends no message tag; Meta's HUMAN_AGENT tag "
        "lets a person answer within 7 days), or wait until they write again"
    )


def graph_label(platform: str) -> str:
    return platform.capitalize()


def _time(message: Mapping[str, Any], label: str) -> datetime:
    when = parse_time(message.get("created_time"))
    if when is None:
        raise PublishError(f"{label} listed the message {message.get('id')} without its time")
    return when.astimezone(UTC).replace(microsecond=0)
