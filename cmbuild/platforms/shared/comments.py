"""Comments on Meta's Graph (Facebook Page posts, Instagram media): what the inbox readers and
reply senders of both platforms share.

- A node Graph says does not exist (code 100, subcode 33) was deleted: a post whose comments
  cannot be read any more, or an item that is not to be answered.
- Private replies (Messenger for a Page, Instagram Direct for a professional account) are one
  message to the author of a comment, `POST /{page-id or ig-user-id}/messages` with
  `recipient={"comment_id": ...}` and `message={"text": ...}`, possible once per comment and
  within 7 days of it. Sources: developers.facebook.com/docs/messenger-platform/discovery/
  private-replies and /docs/instagram-platform/private-replies.
- Graph takes no idempotency key: after a crash, an answer is found again by reading the replies
  under the comment and comparing the account and the text with what was sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from cmbuild.platforms.shared.graph import Graph, parse_time
from cmbuild.platforms.shared.publisher import PublishError, Receipt
from cmbuild.stores.inbox import InboxItem

MISSING = "subcode 33]"  # "Object with ID ... does not exist": deleted since
PRIVATE_WINDOW = timedelta(days=7)
_FIND_PAGES = 5


def gone(error: PublishError) -> bool:
    """Whether Graph's error says the node asked for does not exist (any more)."""
    return error.kind == "permanent" and MISSING in error.message


def check_private_window(item: InboxItem, label: str, now: datetime | None = None) -> None:
    """Refuse a private reply to a comment older than the 7 days Meta allows, saying so."""
    moment = now or datetime.now(UTC)
    if moment - item.at > PRIVATE_WINDOW:
        raise PublishError(
            f"{label} allows a private reply to a comment within 7 days of it only; "
            f"{item.id} is from {item.at.date().isoformat()}: answer it in public instead"
        )


def private_reply(graph: Graph, account: str, comment_id: str, text: str) -> Receipt:
    """One private message to the author of `comment_id`, from `account` (Page or IG user)."""
    answer = graph.post(
        "send the private reply",
        f"{account}/messages",
        {"recipient": {"comment_id": comment_id}, "message": {"text": text}},
    )
    message_id = answer.get("message_id")
    if not isinstance(message_id, str) or not message_id:
        # Sent, perhaps, but without a trace to record: only a look by hand can tell.
        raise PublishError(
            f"{graph.platform} answered the private reply without a message id", "ambiguous"
        )
    return Receipt(message_id, None)


def find_reply(
    replies: Iterable[Any],
    account: str,
    text: str,
    author_of: Callable[[Mapping[str, Any]], str],
    text_field: str,
    link: Callable[[Mapping[str, Any]], str | None],
) -> Receipt | None:
    """The first of `replies` written by `account` with exactly `text`, as a receipt."""
    for reply in replies:
        if not isinstance(reply, dict):
            continue
        if author_of(reply) == account and reply.get(text_field) == text:
            when = parse_time(reply.get("created_time") or reply.get("timestamp"))
            return Receipt(str(reply["id"]), link(reply), when)
    return None


def listed_replies(graph: Graph, path: str, fields: str) -> Iterable[Any]:
    """The replies under a comment, as far back as an answer just sent can be."""
    return graph.listed("read the comment's replies", path, {"fields": fields}, pages=_FIND_PAGES)


def ref(item: InboxItem, key: str) -> str:
    """The item's `refs[key]`, or an error saying the item cannot be answered without it."""
    try:
        return item.refs[key]
    except KeyError:
        raise PublishError(f"the item {item.id} has no {key} to answer under") from None


def still_there(graph: Graph, comment_id: str) -> bool:
    """Whether the comment `comment_id` is still on the platform."""
    try:
        graph.get("check the comment is still there", comment_id, {"fields": "id"})
    except PublishError as error:
        if gone(error):
            return False
        raise
    return True


def author_id(comment: Mapping[str, Any]) -> str:
    """The id of a comment's author (`from.id`), or "" when Graph did not give it."""
    author = comment.get("from")
    return str(author.get("id") or "") if isinstance(author, dict) else ""


def comment_time(comment: Mapping[str, Any], platform: str) -> datetime:
    """When a comment was written (Facebook `created_time`, Instagram `timestamp`)."""
    when = parse_time(comment.get("created_time") or comment.get("timestamp"))
    if when is None:
        raise PublishError(f"{platform} listed the comment {comment.get('id')} without its time")
    return when.astimezone(UTC).replace(microsecond=0)
