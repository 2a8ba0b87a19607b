"""The fake Graph server (tests/push/graph_fake.py) with comments: what the Facebook and Instagram
inbox readers and reply senders call, each request checked like the others against the tables of
Meta's facebook-business SDK (`PagePost.get_comments`, `Comment.create_comment`,
`Page.create_message`, `IGMedia.get_comments`, `IGComment.create_reply`, `IGUser.create_message`)
and the rules of Meta's reference pages:

- developers.facebook.com/docs/graph-api/reference/object/comments: `filter=stream` lists every
  comment, replies included (each with its `parent`), `toplevel` (the default) the top-level
  ones; chronological order; `since`; a reply goes under a comment (`POST /{comment-id}/comments`
  with `message`).
- developers.facebook.com/docs/messenger-platform/discovery/private-replies and
  /docs/instagram-platform/private-replies: `POST /{page-id or ig-user-id}/messages` with
  `recipient={"comment_id": ...}` and `message={"text": ...}`; one private reply per comment
  (error 10900, "Activity already replied to") and within 7 days of it (error 10903, "This
  activity can't be replied to"); the answer is `recipient_id` and `message_id`.
- developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-media/comments
  and /ig-comment/replies: top-level comments of a media, newest first ("version 3.2+ ... reverse
  chronological order"), no time filter, replies to top-level comments only;
  /docs/graph-api/guides/field-expansion: `replies{id,text}` reads an edge inside a field list.

The conversations (Messenger, Instagram Direct) are in tests/inbox/graph_conversations.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from facebook_business.adobjects.comment import Comment  # type: ignore[import-untyped, unused-ignore]
from facebook_business.adobjects.igcomment import IGComment  # type: ignore[import-untyped, unused-ignore]
from facebook_business.adobjects.igmedia import IGMedia  # type: ignore[import-untyped, unused-ignore]
from facebook_business.adobjects.iguser import IGUser  # type: ignore[import-untyped, unused-ignore]
from facebook_business.adobjects.page import Page  # type: ignore[import-untyped, unused-ignore]
from facebook_business.adobjects.pagepost import PagePost  # type: ignore[import-untyped, unused-ignore]

from tests.push.graph_fake import IG_USER_ID, PAGE_ID, FakeGraph, GraphFailure, Seen
from tests.push.graph_tables import Table, sdk_table

PAGE_NAME = "Test Brand"
IG_USERNAME = "testbrand"
_TIME = "%Y-%m-%dT%H:%M:%S+0000"
_EXPANDED = 25  # the items an expanded edge shows before its next page (Graph's default limit)
_MESSAGES = ("recipient", "message")  # what the private replies pages require
COMMENT_TABLES: dict[tuple[str, str, str], Table] = {
    ("GET", "post", "comments"): sdk_table(PagePost, "get_comments"),
    ("GET", "comment", ""): sdk_table(Comment, "api_get"),
    ("GET", "comment", "comments"): sdk_table(Comment, "get_comments"),
    ("POST", "comment", "comments"): sdk_table(Comment, "create_comment"),
    ("POST", "page", "messages"): sdk_table(Page, "create_message", required=_MESSAGES),
    ("GET", "ig_media", "comments"): sdk_table(IGMedia, "get_comments"),
    ("GET", "ig_comment", ""): sdk_table(IGComment, "api_get"),
    ("GET", "ig_comment", "replies"): sdk_table(IGComment, "get_replies"),
    ("POST", "ig_comment", "replies"): sdk_table(IGComment, "create_reply", required=("message",)),
    ("POST", "ig_user", "messages"): sdk_table(IGUser, "create_message", required=_MESSAGES),
}
# An edge read inside a field list (field expansion): the table of its own listing.
EXPANDED: dict[tuple[str, str], tuple[str, str, str]] = {
    (name, "replies"): ("GET", "ig_comment", "replies")
    for name in ("IGMedia.get_comments", "IGComment.api_get", "IGComment.get_replies")
}


def graph_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime(_TIME)


def split_fields(value: str) -> list[tuple[str, str | None]]:
    """`a,b{c,d}` as [("a", None), ("b", "c,d")]: top-level names, with their expansions."""
    found: list[tuple[str, str | None]] = []
    depth, start = 0, 0
    for index, char in enumerate(value + ","):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            piece = value[start:index]
            name, _, inner = piece.partition("{")
            found.append((name, inner[:-1] if inner else None))
            start = index + 1
    return found


class CommentingGraph(FakeGraph):
    """The fake Graph server, with comments on Page posts and Instagram media."""

    expanded = EXPANDED  # what `validate` checks a field expansion against

    def __init__(self) -> None:
        super().__init__()
        self.tables.update(COMMENT_TABLES)
        self.refusals: dict[str, GraphFailure] = {}  # path suffix -> the next answer there
        self._comment_number = 0

    # What tests do: people comment.

    def comment(
        self,
        post: str,
        text: str,
        *,
        author: tuple[str, str] = ("10001", "Alice Martin"),
        parent: str | None = None,
        ago: timedelta = timedelta(minutes=5),
    ) -> str:
        """A comment on the Page post `post` (under `parent`), written `ago`."""
        self._comment_number += 1
        state = {
            "post": post,
            "from": {"id": author[0], "name": author[1]},
            "message": text,
            "created_time": graph_time(datetime.now(UTC) - ago),
            "parent": parent,
            "private": None,
        }
        return self._new_node("comment", state, f"{post.partition('_')[2]}_{self._comment_number}")

    def ig_comment(
        self,
        media: str,
        text: str,
        *,
        username: str = "alice.martin",
        user_id: str = "17841499990001",
        parent: str | None = None,
        ago: timedelta = timedelta(minutes=5),
    ) -> str:
        """A comment on the Instagram media `media` (a reply under `parent`), written `ago`."""
        self._comment_number += 1
        state = {
            "media": media,
            "from": {"id": user_id, "username": username},
            "username": username,
            "text": text,
            "timestamp": graph_time(datetime.now(UTC) - ago),
            "parent_id": parent,
            "private": None,
        }
        return self._new_node("ig_comment", state, f"1789{self._comment_number:013d}")

    def _new_node(self, kind: str, state: dict[str, Any], node_id: str) -> str:
        owner = PAGE_ID if kind == "comment" else IG_USER_ID
        self.nodes[node_id] = (kind, state)
        self.account_of[node_id] = owner  # the account whose post it is reads it
        return node_id

    def comments(self, kind: str, **where: Any) -> dict[str, dict[str, Any]]:
        return {
            i: s
            for i, s in self.of_kind(kind).items()
            if all(s.get(k) == v for k, v in where.items())
        }

    # Serving.

    def answer(self, seen: Seen, fault: Any) -> tuple[int, dict[str, Any]]:
        for suffix in list(self.refusals):
            if seen.path.endswith(suffix):
                raise self.refusals.pop(suffix)
        return super().answer(seen, fault)

    def validate(self, table: Table, seen: Seen) -> None:
        """Field expansions are checked against their edge's table; the rest as FakeGraph does."""
        given = seen.params.get("fields")
        if given is None:
            super().validate(table, seen)
            return
        plain = []
        for name, inner in split_fields(given):
            if inner is None:
                plain.append(name)
                continue
            edge = self.expanded.get((table.name, name))
            if edge is None:
                raise self.bad(f"(#100) {name} cannot be expanded on node type ({table.node})")
            super().validate(self.tables[edge], Seen("GET", seen.path, {"fields": inner}))
        params = {**seen.params, "fields": ",".join(plain or ["id"])}
        super().validate(table, Seen(seen.method, seen.path, params, seen.files))

    # Facebook.

    def do_get_post_comments(
        self, post: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        found = self.comments("comment", post=post)
        if params.get("filter", "toplevel") == "toplevel":
            found = {i: c for i, c in found.items() if c["parent"] is None}
        return 200, self._listing(found, params, "created_time", self._fb_view)

    def do_get_comment_comments(
        self, comment: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        found = self.comments("comment", parent=comment)
        return 200, self._listing(found, params, "created_time", self._fb_view)

    def do_get_comment_node(
        self, comment: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        return 200, _fields(self._fb_view(comment, state), params)

    def do_post_comment_comments(
        self, comment: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        message = params.get("message", "")
        if not message.strip():
            raise self.bad("(#100) Missing message or attachment")
        # Comments are threaded one level deep: a reply to a reply joins its thread.
        top = state["parent"] or comment
        node = self.comment(state["post"], message, author=(PAGE_ID, PAGE_NAME), parent=top)
        self.nodes[node][1]["created_time"] = graph_time(datetime.now(UTC))
        return 200, {"id": node}

    def do_post_page_messages(
        self, page: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        return self._private_reply("comment", params)

    def _fb_view(self, comment: str, state: dict[str, Any]) -> dict[str, Any]:
        number = comment.partition("_")[2]
        parent = state["parent"]
        private = state["private"]
        return {
            **state,
            "id": comment,
            "parent": {"id": parent} if parent else None,
            "permalink_url": f"https://www.facebook.com/{state['post']}?comment_id={number}",
            "can_reply_privately": private is None and _fresh(state["created_time"]),
            "private_reply_conversation": {"id": private["conversation"]} if private else None,
        }

    # Instagram.

    def do_get_ig_media_comments(
        self, media: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        found = self.comments("ig_comment", media=media, parent_id=None)
        return 200, self._listing(found, params, "timestamp", self._ig_view, newest_first=True)

    def do_get_ig_comment_replies(
        self, comment: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        found = self.comments("ig_comment", parent_id=comment)
        return 200, self._listing(found, params, "timestamp", self._ig_view)

    def do_get_ig_comment_node(
        self, comment: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        return 200, self._expanded(self._ig_view(comment, state), params)

    def do_post_ig_comment_replies(
        self, comment: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        if state["parent_id"] is not None:
            raise self.bad("(#100) Replies can only be made to top-level comments")
        message = params.get("message", "")
        if not message.strip():
            raise self.bad("(#100) The parameter message is required")
        node = self.ig_comment(
            state["media"], message, username=IG_USERNAME, user_id=IG_USER_ID, parent=comment
        )
        self.nodes[node][1]["timestamp"] = graph_time(datetime.now(UTC))
        return 200, {"id": node}

    def do_post_ig_user_messages(
        self, user: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        return self._private_reply("ig_comment", params)

    def _ig_view(self, comment: str, state: dict[str, Any]) -> dict[str, Any]:
        view = {**state, "id": comment}
        replies = self.comments("ig_comment", parent_id=comment)
        view["replies"] = [self._ig_view(i, r) for i, r in sorted(replies.items())]
        return view

    # Both.

    def _private_reply(self, kind: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        recipient = json.loads(params["recipient"])
        message = json.loads(params["message"])
        if set(recipient) != {"comment_id"} or not isinstance(message.get("text"), str):
            raise self.bad('(#100) recipient must be {"comment_id": ...}, message {"text": ...}')
        found = self.nodes.get(str(recipient["comment_id"]))
        if found is None or found[0] != kind:
            raise self.bad(f"(#100) No matching comment {recipient['comment_id']}", subcode=33)
        state = found[1]
        if state["private"] is not None:
            raise GraphFailure(10900, "Activity already replied to")
        if not _fresh(state.get("created_time") or state["timestamp"]):
            raise GraphFailure(10903, "This activity can't be replied to")
        self._comment_number += 1
        number = self._comment_number
        state["private"] = {"text": message["text"], "conversation": f"t_{number}"}
        return 200, {"recipient_id": state["from"]["id"], "message_id": f"m_{number}"}

    def _listing(
        self,
        found: dict[str, dict[str, Any]],
        params: dict[str, str],
        order: str,
        view: Any,
        *,
        newest_first: bool = False,
    ) -> dict[str, Any]:
        """Chronological (or newest first), `limit` at a time, `since` as a unix time, with
        cursors."""
        since = int(params.get("since", "0"))
        kept = [
            (i, c)
            for i, c in found.items()
            if datetime.strptime(c[order], _TIME).replace(tzinfo=UTC).timestamp() >= since
        ]
        kept.sort(key=lambda pair: (pair[1][order], pair[0]), reverse=newest_first)
        start = int(params.get("after", "0"))
        limit = int(params.get("limit", "25"))
        page = [view(i, c) for i, c in kept[start : start + limit]]  # only what is shown
        answer: dict[str, Any] = {"data": [self._expanded(i, params) for i in page]}
        if start + limit < len(kept):
            answer["paging"] = {
                "cursors": {"before": str(start), "after": str(start + limit)},
                "next": "https://graph.example.test/next",
            }
        return answer

    def _expanded(self, node: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
        shown: dict[str, Any] = {}
        for name, inner in split_fields(params.get("fields", "id")):
            value = node.get(name)
            if inner is not None and isinstance(value, list):
                value = _expansion(value, inner)
            if value is not None:
                shown[name] = value
        return shown


def _expansion(nodes: list[dict[str, Any]], inner: str) -> dict[str, Any]:
    """An expanded edge is paged like the edge itself: its first `_EXPANDED` items, and a
    cursor to the rest (read from the edge's own path)."""
    shown: dict[str, Any] = {"data": [_fields(v, {"fields": inner}) for v in nodes[:_EXPANDED]]}
    if len(nodes) > _EXPANDED:
        after = str(_EXPANDED)
        shown["paging"] = {"cursors": {"after": after}, "next": "https://graph.example.test/next"}
    return shown


def _fields(node: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    wanted = params.get("fields", "id").split(",")
    return {name: node[name] for name in wanted if node.get(name) is not None}


def _fresh(created: str) -> bool:
    """Within the 7 days a private reply is allowed in."""
    at = datetime.strptime(created, _TIME).replace(tzinfo=UTC)
    return datetime.now(UTC) - at <= timedelta(days=7)
