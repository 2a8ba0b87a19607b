"""Facebook's inbox: the comments on the Page's posts of the ledger, replies to comments included.

`GET /{post-id}/comments` with `filter=stream` lists every comment of a post, replies included,
each with its `parent` when it is a reply, in chronological order, paged by cursors; `since`
(a unix time) leaves out what the last reading stored, an hour of overlap aside. A reading
stops after `MAX_PAGES` pages of a post's comments: the rest, newer, is said in a finding, with
the `--since` that reads it (the next reading starts from the channel's newest item, which may
be past them). Comments the
Page itself wrote are read too: their `parent` tells which comment the Page already answered.
Reading who wrote a comment (`from`) needs `pages_read_user_content` besides
`pages_read_engagement`; without it Graph leaves `from` out and the item has no author.
Source: developers.facebook.com/docs/graph-api/reference/object/comments.

With `read_direct_messages = true` (the token's `pages_messaging`), the Page's Messenger
conversations are read too (`cmbuild.platforms.shared.conversations`), as items of kind `dm`.

An item's `refs`: `comment_id` (the comment itself: a private reply goes to its author),
`thread_id` (the top-level comment an answer goes under: Facebook threads comments one level
deep, so an answer to a reply goes under the reply's own top-level comment) and `post_id`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, timedelta
from typing import Any

from cmbuild.platforms.facebook.publisher import FacebookPublisher
from cmbuild.platforms.shared.comments import (
    MAX_PAGES,
    Said,
    author_id,
    comment_item,
    named,
    post_comments,
)
from cmbuild.platforms.shared.conversations import read_conversations
from cmbuild.platforms.shared.graph import Reach
from cmbuild.platforms.shared.inbox import InboxReader, Published, Since, partly_read
from cmbuild.stores.inbox import InboxItem

FIELDS = "id,from,message,created_time,parent,permalink_url"
_PAGE = 100
_OVERLAP = timedelta(hours=1)


class FacebookInbox(InboxReader[FacebookPublisher]):
    api = (
        "GET /{post-id}/comments (filter=stream, since); "
        "GET /{page-id}/conversations (platform=messenger, by option)"
    )

    def read(self, posts: Sequence[Published], since: Since | None) -> list[InboxItem]:
        self.findings = []
        found: dict[str, InboxItem] = {}
        for post in posts:
            for item in self._post_items(post, since):
                found.setdefault(item.id, item)
        if self.publisher.option("read_direct_messages") == "True":
            graph, page, channel = (
                self.publisher.graph,
                self.publisher.page_id,
                self.publisher.channel,
            )
            conversations = read_conversations(
                graph, page, channel.name, "facebook", since, self.findings
            )
            for item in conversations:
                found.setdefault(item.id, item)
        return sorted(found.values(), key=lambda i: (i.at, i.id))

    def account_id(self) -> str:
        return self.publisher.page_id

    def _post_items(self, post: Published, since: Since | None) -> list[InboxItem]:
        """The post's comments since `since`, oldest first; a cut reading said in a finding."""
        params: dict[str, Any] = {"filter": "stream", "fields": FIELDS, "limit": _PAGE}
        if since is not None:
            params["since"] = int((since.at - _OVERLAP).timestamp())
        reach = Reach()
        listed = post_comments(self.publisher.graph, post, params, reach)
        items = [self._item(comment, post) for comment in listed]
        if reach.cut and items:
            last = max(i.at for i in items).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            channel = self.publisher.channel.name
            self.findings.append(
                partly_read(
                    channel,
                    f"Facebook: the post {named(post)} has more new comments than the "
                    f"{MAX_PAGES * _PAGE} read now (up to {last}): the later ones were not read",
                    f"read them with `cmbuild inbox --channel {channel} --since {last}`",
                )
            )
        return items

    def _item(self, comment: dict[str, Any], post: Published) -> InboxItem:
        parent = comment.get("parent")
        parent_id = str(parent["id"]) if isinstance(parent, dict) and parent.get("id") else None
        author = comment.get("from")
        name = author.get("name") if isinstance(author, dict) else None
        url = comment.get("permalink_url")
        said = Said(
            text=str(comment.get("message") or ""),
            handle=author_id(comment),  # Facebook shows names, not handles
            name=str(name or ""),
            url=url if isinstance(url, str) and url else None,
        )
        return comment_item(self.publisher.channel.name, "facebook", comment, post, parent_id, said)
