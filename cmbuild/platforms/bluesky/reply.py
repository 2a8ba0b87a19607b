"""Answering on Bluesky: in public, a post threaded under the item (lexicon
app.bsky.feed.post#replyRef: `parent` is the item, `root` the top of its thread, each a strong
ref, uri and cid); in private, and always for an item of kind `dm`, a direct message
(`message.py`: `chat.bsky.convo.sendMessage`, in the item's conversation or the one with its
author). A conversation is never answered in public.

Like a post, a public answer is written with `com.atproto.repo.putRecord` under a record key
derived from its idempotency key: sending it again rewrites the same record, and after a crash
`getRecord` tells whether it went out. A direct message has no such key: after a crash the
conversation is read back for it, and only when it is not there is it sent again.
"""

from __future__ import annotations

from typing import Any

from atproto_client import models  # type: ignore[import-untyped]

from cmbuild.platforms.bluesky.message import find_message, send_message
from cmbuild.platforms.bluesky.publisher import BlueskyPublisher
from cmbuild.platforms.bluesky.record import COLLECTION, facets
from cmbuild.platforms.shared.inbox import Answer, ReplySender
from cmbuild.platforms.shared.publisher import PublishError, Receipt
from cmbuild.stores.inbox import InboxItem


class BlueskyReply(ReplySender[BlueskyPublisher]):
    can_dm = True
    can_find = True
    # A public answer rewrites its own record; a direct message is resent only once `find`
    # proved it absent (retry's `check`), never blindly.
    resend_is_safe = True

    def send(self, item: InboxItem, answer: Answer) -> Receipt:
        if answer.private or item.kind == "dm":  # a conversation is never answered in public
            return send_message(self.publisher, item, answer)
        refs = item.refs
        try:
            parent = {"uri": refs["uri"], "cid": refs["cid"]}
            root = {"uri": refs["root_uri"], "cid": refs["root_cid"]}
        except KeyError as missing:
            raise PublishError(f"the item {item.id} has no {missing} to thread under") from None
        record: dict[str, Any] = {
            "$type": COLLECTION,
            "text": answer.text,
            "createdAt": self.publisher.created_at(answer.key),
            "reply": {"root": root, "parent": parent},
        }
        if answer.language:
            record["langs"] = [answer.language]
        found = facets(answer.text, {})
        if found:
            record["facets"] = [facet.as_json() for facet in found]
        return self.publisher.put_post(record, answer.key, "answer")

    def find(self, item: InboxItem, answer: Answer) -> Receipt | None:
        if answer.private or item.kind == "dm":
            return find_message(self.publisher, item, answer)
        return self.publisher.find_post(answer.key)

    def exists(self, item: InboxItem) -> bool:
        if item.kind == "dm":  # a message is not a post; its author can still be written to
            return True
        params = models.AppBskyFeedGetPosts.Params(uris=[item.remote_id])
        answer = self.publisher.read(
            "check the item is still there", lambda api: api.app.bsky.feed.get_posts(params)
        )
        return any(str(post.uri) == item.remote_id for post in answer.posts)
