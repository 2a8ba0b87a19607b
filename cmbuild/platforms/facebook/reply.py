"""Answering on Facebook: a comment under the item's thread, or a Messenger private reply.

- In public: `POST /{comment-id}/comments` with `message`, under the item's top-level comment
  (`refs.thread_id`), as the Page. Graph answers the new comment's `id`.
- In private: `POST /{page-id}/messages` with `recipient={"comment_id": ...}` and
  `message={"text": ...}` (Messenger private replies: one per comment, within 7 days of it). The
  comment's `can_reply_privately` and `private_reply_conversation` fields are read first: a
  comment that can no longer be answered privately is said so, and not sent.
  Source: developers.facebook.com/docs/messenger-platform/discovery/private-replies.
- Graph takes no idempotency key. After a crash, `find` reads the replies under the thread
  (`GET /{comment-id}/comments`) for the Page's comment with the text sent, or, for a private
  reply, the comment's `private_reply_conversation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cmbuild.platforms.facebook.publisher import FacebookPublisher
from cmbuild.platforms.shared.comments import CommentReply, ref
from cmbuild.platforms.shared.graph import Graph
from cmbuild.platforms.shared.publisher import PublishError, Receipt
from cmbuild.stores.inbox import InboxItem

_PRIVATE_FIELDS = "id,can_reply_privately,private_reply_conversation"


class FacebookReply(CommentReply[FacebookPublisher]):
    label = "Facebook"
    reply_edge = "comments"
    text_field = "message"
    reply_fields = "id,from,message,created_time,permalink_url"

    @property
    def graph(self) -> Graph:
        return self.publisher.graph

    @property
    def account(self) -> str:
        return self.publisher.page_id

    def check_private(self, item: InboxItem) -> None:
        state = self._private_state(item)
        if state.get("private_reply_conversation"):
            raise PublishError(
                f"{item.id} already has a private reply (Facebook allows one per comment): "
                "answer it in public, or in the Page's Messenger inbox"
            )
        if state.get("can_reply_privately") is False:
            raise PublishError(
                f"Facebook no longer lets the Page answer {item.id} privately (once, within "
                "7 days of the comment, to an author who allows it): answer it in public"
            )

    def find_private(self, item: InboxItem) -> Receipt | None:
        conversation = self._private_state(item).get("private_reply_conversation")
        if isinstance(conversation, dict) and conversation.get("id"):
            return Receipt(str(conversation["id"]), None)
        return None

    def link(self, reply: Mapping[str, Any], item: InboxItem) -> str | None:
        url = reply.get("permalink_url")
        if isinstance(url, str) and url:
            return url
        try:  # a new comment: once it is out, failing to read its address must not fail it
            read = self.graph.get(
                "read the answer's address", str(reply["id"]), {"fields": "permalink_url"}
            )
        except PublishError:
            return None
        url = read.get("permalink_url")
        return url if isinstance(url, str) and url else None

    def _private_state(self, item: InboxItem) -> dict[str, Any]:
        return self.graph.get(
            "read whether the comment can be answered privately",
            ref(item, "comment_id"),
            {"fields": _PRIVATE_FIELDS},
        )
