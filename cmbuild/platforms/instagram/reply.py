"""Answering on Instagram: a reply under the item's top-level comment, or a private reply.

- In public: `POST /{ig-comment-id}/replies` with `message`, under `refs.thread_id` (Instagram
  answers top-level comments only). Graph answers the new comment's `id`.
- In private: `POST /{ig-user-id}/messages` with `recipient={"comment_id": ...}` and
  `message={"text": ...}` (Instagram private replies: one per comment, within 7 days of it; the
  account needs `instagram_manage_messages`). Source: developers.facebook.com/docs/
  instagram-platform/private-replies.
- Graph takes no idempotency key. After a crash, `find` reads the replies under the thread
  (`GET /{ig-comment-id}/replies`) for the account's reply with the text sent. A private reply
  cannot be looked up (the comment does not say whether it has one): `find` says to check the
  account's Instagram inbox, then `cmbuild resolve`.
"""

from __future__ import annotations

from typing import Any

from cmbuild.platforms.instagram.publisher import InstagramPublisher
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

_REPLY_FIELDS = "id,text,from,timestamp"


class InstagramReply(ReplySender[InstagramPublisher]):
    can_dm = True
    can_find = True

    def send(self, item: InboxItem, answer: Answer) -> Receipt:
        graph = self.publisher.graph
        if answer.private:
            check_private_window(item, "Instagram")
            return private_reply(
                graph, self.publisher.user_id, ref(item, "comment_id"), answer.text
            )
        thread = ref(item, "thread_id")
        created = graph.post("answer the comment", f"{thread}/replies", {"message": answer.text})
        found = created.get("id")
        if not isinstance(found, str) or not found:
            raise PublishError("Instagram answered the reply without its id", "ambiguous")
        return Receipt(found, item.url)

    def find(self, item: InboxItem, answer: Answer) -> Receipt | None:
        if answer.private:
            raise PublishError(
                "Instagram cannot tell whether a private reply went out: look in the account's "
                "Instagram inbox, then `cmbuild resolve`"
            )
        path = f"{ref(item, 'thread_id')}/replies"
        replies = listed_replies(self.publisher.graph, path, _REPLY_FIELDS)

        def link(reply: Any) -> str | None:
            del reply
            return item.url

        return find_reply(replies, self.publisher.user_id, answer.text, author_id, "text", link)

    def exists(self, item: InboxItem) -> bool:
        return still_there(self.publisher.graph, ref(item, "comment_id"))
