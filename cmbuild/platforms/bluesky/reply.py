"""Answering on Bluesky: a post threaded under the item (lexicon app.bsky.feed.post#replyRef:
`parent` is the item, `root` the top of its thread, each a strong ref, uri and cid).

Like a post, the answer is written with `com.atproto.repo.putRecord` under a record key derived
from its idempotency key: sending it again rewrites the same record, and after a crash
`getRecord` tells whether it went out. Bluesky's direct messages (`chat.bsky.*`) go through a
separate chat service: the inbox reads them (`chat.py`), but cmbuild answers in public
only here, and refuses to answer a `dm` item.
"""

from __future__ import annotations

from typing import Any

from atproto_client import models  # type: ignore[import-untyped]

from cmbuild.platforms.bluesky.publisher import BlueskyPublisher
from cmbuild.platforms.bluesky.record import COLLECTION, facets
from cmbuild.platforms.shared.inbox import Answer, ReplySender
from cmbuild.platforms.shared.publisher import PublishError, Receipt
from cmbuild.stores.inbox import InboxItem


class BlueskyReply(ReplySender[BlueskyPublisher]):
    can_find = True
    resend_is_safe = True

    def send(self, item: InboxItem, answer: Answer) -> Receipt:
        refs = item.refs
        if item.kind == "dm":  # a direct message is never answered in public
            raise PublishError(
                f"the item {item.id} is a Bluesky direct message: cmbuild cannot answer it in "
                "the chat yet; answer it in the Bluesky app",
                "permanent",
            )
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
        del item
        return self.publisher.find_post(answer.key)

    def exists(self, item: InboxItem) -> bool:
        params = models.AppBskyFeedGetPosts.Params(uris=[item.remote_id])
        answer = self.publisher.read(
            "check the item is still there", lambda api: api.app.bsky.feed.get_posts(params)
        )
        return any(str(post.uri) == item.remote_id for post in answer.posts)
