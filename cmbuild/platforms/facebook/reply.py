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

from typing import Any

from cmbuild.platforms.facebook.publisher import FacebookPublisher
from cmbuild.platforms.shared.comments import (
    author_id,
    check_private_window,
    find_reply,
    listed_replies,
    private_reply,
    ref,
    still_there,
)
from cmbuild.platforms.shared.inbox import Answer, ReplySender
from cmbuild.platforms.shared.publisher import PublishError, Receipt
from cmbuild.stores.inbox import InboxItem

_REPLY_FIELDS = "id,from,message,created_time,permalink_url"
_PRIVATE_FIELDS = "id,can_reply_privately,private_reply_conversation"


class FacebookReply(ReplySender[FacebookPublisher]):
    can_dm = True
    can_find = True

    def send(self, item: InboxItem, answer: Answer) -> Receipt:
        graph = self.publisher.graph
        if answer.private:
            check_private_window(item, "Facebook")
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
            return private_reply(
                graph, self.publisher.page_id, ref(item, "comment_id"), answer.text
            )
        thread = ref(item, "thread_id")
        created = graph.post("answer the comment", f"{thread}/comments", {"message": answer.text})
        found = created.get("id")
        if not isinstance(found, str) or not found:
            raise PublishError("Facebook answered the comment without its id", "ambiguous")
        return Receipt(found, _link(self._permalink(found)))

    def find(self, item: InboxItem, answer: Answer) -> Receipt | None:
        if answer.private:
            conversation = self._private_state(item).get("private_reply_conversation")
            if isinstance(conversation, dict) and conversation.get("id"):
                return Receipt(str(conversation["id"]), None)
            return None
        path = f"{ref(item, 'thread_id')}/comments"
        replies = listed_replies(self.publisher.graph, path, _REPLY_FIELDS)
        return find_reply(replies, self.publisher.page_id, answer.text, author_id, "message", _link)

    def exists(self, item: InboxItem) -> bool:
        return still_there(self.publisher.graph, ref(item, "comment_id"))

    def _private_state(self, item: InboxItem) -> dict[str, Any]:
        comment = ref(item, "comment_id")
        return self.publisher.graph.get(
            "read whether the comment can be answered privately",
            comment,
            {"fields": _PRIVATE_FIELDS},
        )

    def _permalink(self, comment_id: str) -> dict[str, Any]:
        """The new comment's address; once it is out, failing to read it must not fail the send."""
        try:
            return self.publisher.graph.get(
                "read the answer's address", comment_id, {"fields": "permalink_url"}
            )
        except PublishError:
            return {}


def _link(comment: Any) -> str | None:
    url = comment.get("permalink_url") if isinstance(comment, dict) else None
    return url if isinstance(url, str) and url else None
