"""Instagram's inbox: the comments on the account's media of the ledger, and their replies.

`GET /{ig-media-id}/comments` lists a media's top-level comments (`id`, `text`, `username`,
`timestamp`, `from`), newest first ("Requests made using version 3.2+ will have results returned
in reverse chronological order"), at most 50 a page, paged by cursors; their replies come with
them through field expansion (`replies{...}`, each with its `parent_id`). Replies the account
itself wrote are read too (`from.id` is the account's): they tell which comments were already
answered. Sources: developers.facebook.com/docs/instagram-platform/instagram-graph-api/
reference/ig-media/comments (Reading: limitations) and /ig-comment (fields; replies);
/docs/graph-api/guides/field-expansion.

Why every reading pages the comments again, not only down to the last reading: the edge takes no
`since` (none in Meta's SDK table for `IGMedia.get_comments`, none on the reference page), and
its order is that of the top-level comments alone: a new reply under an older comment is listed
with that comment, where its own time puts it. Stopping at the `since` point would leave such
replies (people answering the brand's answer, say) unread. So each post of the ledger's last 30
days is read again, at most `MAX_PAGES` pages (1,000 top-level comments, the newest), and the
store drops what it holds; a post with more says so in a finding: its oldest comments, and new
replies under them, were not read.

An item's `refs`: `comment_id` (the comment itself: a private reply goes to its author),
`thread_id` (the top-level comment an answer goes under: Instagram answers top-level comments
only) and `media_id`.

With `read_direct_messages = true` (the token's `instagram_manage_messages`), the account's
Direct conversations are read too (`cmbuild.platforms.shared.conversations`), kind `dm`, from
where the last reading stopped (conversations are listed by their last update).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cmbuild.platforms.instagram.publisher import InstagramPublisher
from cmbuild.platforms.shared.comments import MAX_PAGES, Said, comment_item, named, post_comments
from cmbuild.platforms.shared.conversations import read_conversations
from cmbuild.platforms.shared.graph import Reach, next_cursor
from cmbuild.platforms.shared.inbox import InboxReader, Published, Since, partly_read
from cmbuild.stores.inbox import InboxItem

COMMENT_FIELDS = "id,text,username,timestamp,from,parent_id"
FIELDS = f"{COMMENT_FIELDS},replies{{{COMMENT_FIELDS}}}"
_PAGE = 50  # the most the edge gives at once
_PARAMS = {"fields": FIELDS, "limit": _PAGE}


class InstagramInbox(InboxReader[InstagramPublisher]):
    api = (
        "GET /{ig-media-id}/comments (replies by field expansion); "
        "GET /{ig-user-id}/conversations (platform=instagram, by option)"
    )

    def read(self, posts: Sequence[Published], since: Since | None) -> list[InboxItem]:
        self.findings = []
        found: dict[str, InboxItem] = {}
        for post in posts:
            for item in self._post_items(post):
                found.setdefault(item.id, item)
        if self.publisher.option("read_direct_messages") == "True":
            graph, user, channel = (
                self.publisher.graph,
                self.publisher.user_id,
                self.publisher.channel,
            )
            conversations = read_conversations(
                graph, user, channel.name, "instagram", since, self.findings
            )
            for item in conversations:
                found.setdefault(item.id, item)
        return sorted(found.values(), key=lambda i: (i.at, i.id))

    def _post_items(self, post: Published) -> list[InboxItem]:
        """Every comment of `post` and their replies (see the module's docstring for why)."""
        reach = Reach()
        items = []
        for comment in post_comments(self.publisher.graph, post, _PARAMS, reach):
            item = self._item(comment, post, None)
            items.append(item)
            replies = self._replies(comment, post)
            items.extend(self._item(reply, post, item.remote_id) for reply in replies)
        if reach.cut:
            self.findings.append(
                partly_read(
                    self.publisher.channel.name,
                    f"Instagram: the post {named(post)} has more than the "
                    f"{MAX_PAGES * _PAGE} top-level comments read now (the newest): the older "
                    "ones, and new replies under them, were not read",
                    "read them in the Instagram app",
                )
            )
        return items

    def account_id(self) -> str:
        return self.publisher.user_id

    def _item(self, comment: dict[str, Any], post: Published, parent: str | None) -> InboxItem:
        parent = parent or (str(comment["parent_id"]) if comment.get("parent_id") else None)
        username = str(comment.get("username") or "")
        # Instagram shows usernames only, and gives comments no address of their own.
        said = Said(str(comment.get("text") or ""), username, username, None)
        return comment_item(self.publisher.channel.name, "instagram", comment, post, parent, said)

    def _replies(self, comment: dict[str, Any], post: Published) -> list[dict[str, Any]]:
        """The replies expanded with `comment`, and, when the expansion has a next page, the
        rest of them read from `/{ig-comment-id}/replies` from its cursor (Graph pages an
        expanded edge like any other: /docs/graph-api/guides/field-expansion)."""
        expanded = comment.get("replies")
        if not isinstance(expanded, dict):
            return []
        found = _kept(expanded.get("data"))
        after = next_cursor(expanded)
        if after is None:
            return found
        reach = Reach()
        params = {"fields": COMMENT_FIELDS, "limit": _PAGE, "after": after}
        path = f"/{comment['id']}/replies"
        rest = self.publisher.graph.listed(
            "read the comment's replies", path, params, pages=MAX_PAGES, reach=reach
        )
        found.extend(_kept(list(rest)))
        if reach.cut:
            self.findings.append(
                partly_read(
                    self.publisher.channel.name,
                    f"Instagram: the comment {comment['id']} on the post {named(post)} has more "
                    f"than the {len(found)} replies read now: the rest were not read",
                    "read them in the Instagram app",
                )
            )
        return found


def _kept(data: Any) -> list[dict[str, Any]]:
    return [reply for reply in data or () if isinstance(reply, dict) and reply.get("id")]
