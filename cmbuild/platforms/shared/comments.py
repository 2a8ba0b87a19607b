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

from abc import abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TypeVar

from cmbuild.platforms.shared.conversations import find_message, send_message
from cmbuild.platforms.shared.graph import Graph, Reach, parse_time
from cmbuild.platforms.shared.inbox import Answer, Published, ReplySender
from cmbuild.platforms.shared.publisher import Publisher, PublishError, Receipt
from cmbuild.stores.inbox import InboxItem, item_id

P = TypeVar("P", bound=Publisher)

MISSING = "subcode 33]"  # "Object with ID ... does not exist": deleted since
PRIVATE_WINDOW = timedelta(days=7)
_FIND_PAGES = 5
MAX_PAGES = 20  # of a post's comments read at once; a reading stopped there says so


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


def post_comments(
    graph: Graph, post: Published, params: Mapping[str, Any], reach: Reach | None = None
) -> Iterator[Any]:
    """The comments of `post` as Graph lists them (none once the post is deleted).

    At most `MAX_PAGES` pages: `reach.cut` says when some were left, for the reader to say.
    """
    path = f"{post.remote_id}/comments"
    try:
        yield from graph.listed(
            "read the post's comments", path, params, pages=MAX_PAGES, reach=reach
        )
    except PublishError as error:
        if not gone(error):
            raise


def named(post: Published) -> str:
    """The post as a finding names it: its variant, and where it is."""
    return f"{post.variant} ({post.url or post.remote_id})"


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


@dataclass(frozen=True)
class Said:
    """What a Graph comment says, in the names of the inbox (each platform names it its way)."""

    text: str
    handle: str
    name: str
    url: str | None


def comment_item(
    channel: str,
    platform: str,
    comment: Mapping[str, Any],
    post: Published,
    parent: str | None,
    said: Said,
) -> InboxItem:
    """The inbox item of a comment on `post` (a reply when `parent`, its top-level comment).

    `refs`: `comment_id`, `thread_id` (where an answer goes) and the post's id (`post_id` on
    Facebook, `media_id` on Instagram).
    """
    remote_id = str(comment["id"])
    refs_key = "media_id" if platform == "instagram" else "post_id"
    return InboxItem(
        id=item_id(channel, remote_id),
        channel=channel,
        platform=platform,
        kind="reply" if parent else "comment",
        remote_id=remote_id,
        refs={"comment_id": remote_id, "thread_id": parent or remote_id, refs_key: post.remote_id},
        author_id=author_id(comment),
        author_handle=said.handle,
        author_name=said.name,
        text=said.text,
        url=said.url or post.url,
        language=None,
        at=comment_time(comment, platform.capitalize()),
        variant=post.variant,
        answers=item_id(channel, parent) if parent else None,
    )


class CommentReply(ReplySender[P]):
    """Answering a Graph comment: under its thread, or privately to its author, once."""

    can_dm = True
    can_find = True
    label: ClassVar[str]  # "Facebook"
    reply_edge: ClassVar[str]  # the edge of a comment that takes replies: "comments", "replies"
    text_field: ClassVar[str]  # what a comment's text is called: "message", "text"
    reply_fields: ClassVar[str]  # what `find` reads of each reply

    @property
    @abstractmethod
    def graph(self) -> Graph:
        """The channel's Graph session."""

    @property
    @abstractmethod
    def account(self) -> str:
        """The id answers are written as (the Page, the Instagram account)."""

    def check_private(self, item: InboxItem) -> None:
        """Refuse, saying why, a private reply the platform would not take (beyond 7 days)."""

    def find_private(self, item: InboxItem) -> Receipt | None:
        raise PublishError(f"{self.label} cannot look a private reply up: check by hand")

    def link(self, reply: Mapping[str, Any], item: InboxItem) -> str | None:
        """The address of an answer, as far as the platform gives one."""
        del reply
        return item.url

    def send(self, item: InboxItem, answer: Answer) -> Receipt:
        if item.kind == "dm":  # a conversation is answered in it, never in public
            return send_message(self.graph, self.account, item, answer.text)
        if answer.private:
            check_private_window(item, self.label)
            self.check_private(item)
            return private_reply(self.graph, self.account, ref(item, "comment_id"), answer.text)
        path = f"{ref(item, 'thread_id')}/{self.reply_edge}"
        created = self.graph.post("answer the comment", path, {"message": answer.text})
        found = created.get("id")
        if not isinstance(found, str) or not found:
            raise PublishError(f"{self.label} answered the comment without its id", "ambiguous")
        return Receipt(found, self.link({"id": found}, item))

    def find(self, item: InboxItem, answer: Answer) -> Receipt | None:
        if item.kind == "dm":
            return find_message(self.graph, self.account, item, answer)
        if answer.private:
            return self.find_private(item)
        path = f"{ref(item, 'thread_id')}/{self.reply_edge}"
        for reply in listed_replies(self.graph, path, self.reply_fields):
            if not isinstance(reply, dict):
                continue
            if author_id(reply) == self.account and reply.get(self.text_field) == answer.text:
                when = parse_time(reply.get("created_time") or reply.get("timestamp"))
                return Receipt(str(reply["id"]), self.link(reply, item), when)
        return None

    def exists(self, item: InboxItem) -> bool:
        if item.kind == "dm":  # a message is not a comment; its sender can still be written to
            return True
        return still_there(self.graph, ref(item, "comment_id"))
