"""Bluesky's direct messages, read by the inbox when the channel sets
`read_direct_messages = true`: `chat.bsky.convo.listConvos` (100 a page, by cursor), then
`chat.bsky.convo.getMessages` of each conversation with something newer than the last reading
(newest first, 100 a page), through the account's server with the header
`atproto-proxy: did:web:api.bsky.chat#bsky_chat` (the chat service's DID, or the channel's
`chat_service`: the account's server resolves it and forwards the call with a service token).
The app password must be created with access to direct messages (a refusal says so).

A message from someone else is an item of kind `dm`; the brand's own messages are its answers:
each `answers` the latest item of its conversation before it. An item's `refs` hold the
`convo_id` (where an answer goes: `message.py`) and the `message_id`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from atproto_client import models  # type: ignore[import-untyped]

from cmbuild.platforms.bluesky.publisher import BlueskyPublisher
from cmbuild.platforms.shared.inbox import Since
from cmbuild.platforms.shared.publisher import PublishError
from cmbuild.stores.inbox import InboxItem, item_id

_PAGE = 100  # listConvos and getMessages: limit maximum 100
_MAX_PAGES = 20  # a first reading of a busy account stops there
_OVERLAP = timedelta(hours=1)  # read a little further back: duplicates are dropped by the store


def read_chats(publisher: BlueskyPublisher, since: Since | None) -> list[InboxItem]:
    """The direct messages since `since` (all of the last pages, when None), oldest first."""
    stop = since.at - _OVERLAP if since is not None else None
    items: list[InboxItem] = []
    try:
        for convo in _convos(publisher, stop):
            items += _conversation(publisher, convo, stop)
    except PublishError as error:
        if error.status not in (400, 401, 403):
            raise
        raise PublishError(
            f"Bluesky refused to read the direct messages (HTTP {error.status}): create the app "
            'password with "Allow access to your direct messages", or set '
            f"channels.{publisher.channel.name}.options.read_direct_messages = false",
            "config",
            status=error.status,
        ) from None
    return items


def _convos(publisher: BlueskyPublisher, stop: datetime | None) -> Iterator[Any]:
    cursor: str | None = None
    for _ in range(_MAX_PAGES):
        params = models.ChatBskyConvoListConvos.Params(limit=_PAGE, cursor=cursor)
        answer = publisher.chat("read the conversations", _call("list_convos", params))
        for convo in answer.convos:
            last = getattr(convo.last_message, "sent_at", None)
            if last is not None and (stop is None or chat_time(last) >= stop):
                yield convo
        cursor = answer.cursor
        if not cursor or not answer.convos:
            return


def _messages(publisher: BlueskyPublisher, convo_id: str, stop: datetime | None) -> list[Any]:
    found: list[Any] = []
    cursor: str | None = None
    for _ in range(_MAX_PAGES):
        answer = message_page(publisher, convo_id, cursor, "read the direct messages")
        for message in answer.messages:
            if getattr(message, "text", None) is None or getattr(message, "sender", None) is None:
                continue  # a deleted or system message: nothing to read
            if stop is not None and chat_time(message.sent_at) < stop:
                return found
            found.append(message)
        cursor = answer.cursor
        if not cursor or not answer.messages:
            break
    return found


def message_page(publisher: BlueskyPublisher, convo_id: str, cursor: str | None, what: str) -> Any:
    """One page of `chat.bsky.convo.getMessages` (newest first)."""
    params = models.ChatBskyConvoGetMessages.Params(convo_id=convo_id, limit=_PAGE, cursor=cursor)
    return publisher.chat(what, _call("get_messages", params))


def _conversation(publisher: BlueskyPublisher, convo: Any, stop: datetime | None) -> list[Any]:
    me = publisher.did
    members = {str(member.did): member for member in convo.members}
    messages = sorted(
        _messages(publisher, str(convo.id), stop), key=lambda m: (chat_time(m.sent_at), m.id)
    )
    latest: str | None = None
    items = []
    for message in messages:
        sender = str(message.sender.did)
        item = _item(publisher.channel.name, str(convo.id), message, members.get(sender))
        if sender == me:
            item = replace(item, answers=latest)
        else:
            latest = item.id
        items.append(item)
    return items


def _item(channel: str, convo_id: str, message: Any, member: Any) -> InboxItem:
    sender = str(message.sender.did)
    handle = str(getattr(member, "handle", None) or sender)
    remote = f"{convo_id}/{message.id}"
    return InboxItem(
        id=item_id(channel, remote),
        channel=channel,
        platform="bluesky",
        kind="dm",
        remote_id=remote,
        refs={"convo_id": convo_id, "message_id": str(message.id)},
        author_id=sender,
        author_handle=handle,
        author_name=str(getattr(member, "display_name", None) or handle),
        text=str(message.text),
        url=f"https://bsky.app/messages/{convo_id}",
        language=None,  # a chat message carries no language
        at=chat_time(message.sent_at),
    )


def _call(method: str, params: Any) -> Callable[[Any], Any]:
    return lambda api: getattr(api.chat.bsky.convo, method)(params)


def chat_time(value: Any) -> datetime:
    """A chat timestamp (ISO 8601) as a UTC time to the second."""
    at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).replace(microsecond=0)
