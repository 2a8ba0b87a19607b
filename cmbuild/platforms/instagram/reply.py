"""Answering on Instagram: a reply under the item's top-level comment, or a private reply.

- In public: `POST /{ig-comment-id}/replies` with `message`, under `refs.thread_id` (Instagram
  answers top-level comments only). Graph answers the new comment's `id`.
- In private: `POST /{ig-user-id}/messages` with `recipient={"comment_id": ...}` and
  `message={"text": ...}` (Instagram private replies: one per comment, within 7 days of it; the
  account needs `instagram_manage_messages`). Source: developers.facebook.com/docs/
  instagram-platform/private-replies.
- Graph takes no idempotency key. After a crash, `find` reads the replies under the thread
  (`GET /{ig-comment-id}/replies`) for the account's reply with the text sent. A private reply
  cannot be looked up (a comment does not say whether it has one): `find` says to look in the
  account's Instagram inbox, then `cmbuild resolve`.
"""

from __future__ import annotations

from cmbuild.platforms.instagram.publisher import InstagramPublisher
from cmbuild.platforms.shared.comments import CommentReply
from cmbuild.platforms.shared.graph import Graph
from cmbuild.platforms.shared.publisher import PublishError, Receipt
from cmbuild.stores.inbox import InboxItem


class InstagramReply(CommentReply[InstagramPublisher]):
    label = "Instagram"
    reply_edge = "replies"
    text_field = "text"
    reply_fields = "id,text,from,timestamp"

    @property
    def graph(self) -> Graph:
        return self.publisher.graph

    @property
    def account(self) -> str:
        return self.publisher.user_id

    def find_private(self, item: InboxItem) -> Receipt | None:
        raise PublishError(
            f"Instagram cannot tell whether the private reply to {item.id} went out: look in "
            "the account's Instagram inbox, then `cmbuild resolve`"
        )
