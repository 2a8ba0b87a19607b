"""Instagram's inbox: the comments on the account's media of the ledger, and their replies.

`GET /{ig-media-id}/comments` lists a media's top-level comments (`id`, `text`, `username`,
`timestamp`, `from`), newest first, paged by cursors; their replies come with them through field
expansion (`replies{...}`, each with its `parent_id`). The edge takes no `since`: every comment of
the ledger's recent posts is read again, and the store drops what it already holds. Replies the
account itself wrote are read too (`from.id` is the account's): they tell which comments were
already answered. Sources: developers.facebook.com/docs/instagram-platform/reference/ig-media/
comments and /ig-comment (fields; replies); /docs/graph-api/guides/field-expansion.

An item's `refs`: `comment_id` (the comment itself: a private reply goes to its author),
`thread_id` (the top-level comment an answer goes under: Instagram answers top-level comments
only) and `media_id`.

With `read_direct_messages = true` (the token's `instagram_manage_messages`), the account's
Direct conversations are read too (`cmbuild.platforms.shared.conversations`), kind `dm`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cmbuild.platforms.instagram.publisher import InstagramPublisher
from cmbuild.platforms.shared.comments import Said, comment_item, post_comments
from cmbuild.platforms.shared.conversations import read_conversations
from cmbuild.platforms.shared.inbox import InboxReader, Published, Since
from cmbuild.stores.inbox import InboxItem

COMMENT_FIELDS = "id,text,username,timestamp,from,parent_id"
FIELDS = f"{COMMENT_FIELDS},replies{{{COMMENT_FIELDS}}}"
_PARAMS = {"fields": FIELDS, "limit": 50}


class InstagramInbox(InboxReader[InstagramPublisher]):
    api = (
        "GET /{ig-media-id}/comments (replies by field expansion); "
        "GET /{ig-user-id}/conversations (platform=instagram, by option)"
    )

    def read(self, posts: Sequence[Published], since: Since | None) -> list[InboxItem]:
        found: dict[str, InboxItem] = {}
        for post in posts:
            for comment in post_comments(self.publisher.graph, post, _PARAMS):
                item = self._item(comment, post, None)
                found.setdefault(item.id, item)
                for reply in _replies(comment):
                    answer = self._item(reply, post, item.remote_id)
                    found.setdefault(answer.id, answer)
        # The comments edge has no `since` (the store drops what it holds); conversations do.
        if self.publisher.option("read_direct_messages") == "True":
            graph, user, channel = (
                self.publisher.graph,
                self.publisher.user_id,
                self.publisher.channel,
            )
            for item in read_conversations(graph, user, channel.name, "instagram", since):
                found.setdefault(item.id, item)
        return sorted(found.values(), key=lambda i: (i.at, i.id))

    def account_id(self) -> str:
        return self.publisher.user_id

    def _item(self, comment: dict[str, Any], post: Published, parent: str | None) -> InboxItem:
        parent = parent or (str(comment["parent_id"]) if comment.get("parent_id") else None)
        username = str(comment.get("username") or "")
        # Instagram shows usernames only, and gives comments no address of their own.
        said = Said(str(comment.get("text") or ""), username, username, None)
        return comment_item(self.publisher.channel.name, "instagram", comment, post, parent, said)


def _replies(comment: dict[str, Any]) -> list[dict[str, Any]]:
    replies = comment.get("replies")
    data = replies.get("data") if isinstance(replies, dict) else None
    return [reply for reply in data or () if isinstance(reply, dict) and reply.get("id")]
