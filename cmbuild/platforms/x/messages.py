"""X's direct messages, read by the inbox when the channel sets `read_direct_messages = true`:
`GET /2/dm_events` (event_types=MessageCreate, the sender expanded in `includes.users`), newest
first, 100 a page (`pagination_token`), until the events older than the newest stored item.
It needs the token's `dm.read` scope (a 403 says so). Source: docs.x.com "Get DM events" and the
OpenAPI description (operation getDirectMessagesEvents).

A message from someone else is an item of kind `dm`; the brand's own messages are its answers:
each `answers` the latest item of its conversation before it (read in the same pages). An item's
`refs` hold the event `id`, its `dm_conversation_id` (where a group conversation is answered,
`POST /2/dm_conversations/:id/messages`) and its `author_id` (the sender: where an answer in a
one-to-one conversation goes, `POST /2/dm_conversations/with/:participant_id/messages`).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from cmbuild.platforms.shared.inbox import Since
from cmbuild.platforms.shared.publisher import PublishError
from cmbuild.platforms.x.publisher import XPublisher
from cmbuild.stores.inbox import InboxItem, item_id

_PAGE = 100
_MAX_PAGES = 20  # a first reading of a busy account stops there (X keeps 30 days of events)
_QUERY = {
    "event_types": "MessageCreate",
    "dm_event.fields": "id,text,created_at,sender_id,dm_conversation_id",
    "expansions": "sender_id",
    "user.fields": "name,username",
    "max_results": str(_PAGE),
}


def read_messages(publisher: XPublisher, me: str, since: Since | None) -> list[InboxItem]:
    """The direct messages since `since` (all of the last pages, when None), oldest first."""
    events: list[tuple[dict[str, Any], dict[str, Any]]] = []
    try:
        for event, users in _pages(publisher, since):
            events.append((event, users))
    except PublishError as error:
        if error.status != 403:
            raise
        raise PublishError(
            "X refused to read the direct messages (HTTP 403): the token needs the dm.read "
            "scope (authorize the app again with it), or set "
            f"channels.{publisher.channel.name}.options.read_direct_messages = false",
            "config",
            status=403,
        ) from None
    events.sort(key=lambda pair: (x_time(pair[0].get("created_at")), int(pair[0]["id"])))
    latest: dict[str, str] = {}  # conversation -> its latest item so far
    items = []
    for event, users in events:
        conversation = str(event.get("dm_conversation_id") or "")
        sender = str(event.get("sender_id") or "")
        answers = latest.get(conversation) if sender == me else None
        item = _item(publisher.channel.name, event, users.get(sender) or {}, answers)
        if sender != me:
            latest[conversation] = item.id
        items.append(item)
    return items


def _pages(
    publisher: XPublisher, since: Since | None
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    query = dict(_QUERY)
    for _ in range(_MAX_PAGES):
        path = f"/2/dm_events?{urllib.parse.urlencode(query)}"
        answer = publisher.call("read the direct messages", "GET", path)
        users = {
            str(user["id"]): user
            for user in (answer.get("includes") or {}).get("users") or []
            if isinstance(user, dict) and user.get("id")
        }
        older = False
        for event in answer.get("data") or []:
            if isinstance(event, dict) and event.get("id") and event.get("created_at"):
                older = older or (since is not None and x_time(event["created_at"]) < since.at)
                yield event, users
        token = (answer.get("meta") or {}).get("next_token")
        if not token or older:
            return
        query["pagination_token"] = str(token)


def _item(
    channel: str, event: dict[str, Any], user: dict[str, Any], answers: str | None
) -> InboxItem:
    event_id = str(event["id"])
    sender = str(event.get("sender_id") or "")
    conversation = str(event.get("dm_conversation_id") or "")
    handle = str(user.get("username") or sender)
    return InboxItem(
        id=item_id(channel, event_id),
        channel=channel,
        platform="x",
        kind="dm",
        remote_id=event_id,
        refs={"id": event_id, "conversation_id": conversation, "author_id": sender},
        author_id=sender,
        author_handle=handle,
        author_name=str(user.get("name") or handle),
        text=str(event.get("text") or ""),
        url=f"https://x.com/messages/{conversation}" if conversation else None,
        language=None,  # X gives a DM event no language
        at=x_time(event.get("created_at")),
        answers=answers,
    )


def x_time(value: Any) -> datetime:
    """An X timestamp (ISO 8601, `Z`) as a UTC time to the second."""
    at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).replace(microsecond=0)
