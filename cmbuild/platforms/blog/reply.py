"""Answering on WordPress: a comment on the same post whose `parent` is the item
(`POST /wp/v2/comments` with `post`, `parent` and `content`), written as the channel's user.

WordPress takes no idempotency key: as for a post, the key is kept in an HTML comment at the end
of the content (WordPress keeps it as sent, no theme shows it). `find` lists the site user's
comments under the item (`parent`, `author`) and looks for it, so an interrupted send is found
after a crash, never sent twice. WordPress has no private messages: a private approved reply
is answered with the intent's public one (said by `cmbuild reply`).
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from cmbuild.platforms.blog.inbox import WordPressInbox
from cmbuild.platforms.blog.wordpress import WordPressPublisher
from cmbuild.platforms.blog.wpcontent import marker, with_marker
from cmbuild.platforms.shared.inbox import Answer, ReplySender
from cmbuild.platforms.shared.publisher import PublishError, Receipt
from cmbuild.stores.inbox import InboxItem


class WordPressReply(ReplySender[WordPressPublisher]):
    can_find = True

    def send(self, item: InboxItem, answer: Answer) -> Receipt:
        post, parent = _refs(item)
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in answer.text.split("\n\n") if p)
        body = {"post": post, "parent": parent, "content": with_marker(paragraphs, answer.key)}
        try:
            created = self.publisher.call(
                "post the answer", "POST", "/wp/v2/comments", json_body=body
            )
        except PublishError as error:
            # The same comment again (same user, parent and text): the first one went out.
            found = self.find(item, answer) if error.status == 409 else None
            if found is None:
                raise
            return found
        return _receipt(created)

    def find(self, item: InboxItem, answer: Answer) -> Receipt | None:
        post, parent = _refs(item)
        me = WordPressInbox(self.publisher).account_id()
        query = {
            "post": str(post),
            "parent": str(parent),
            "author": me,
            "status": "all",
            "context": "edit",
            "per_page": "100",
        }
        found = self.publisher.call(
            "look for an interrupted answer", "GET", "/wp/v2/comments", query=query, repeatable=True
        )
        wanted = marker(answer.key)
        for comment in found if isinstance(found, list) else []:
            content = comment.get("content") if isinstance(comment, dict) else None
            if isinstance(content, dict) and wanted in str(content.get("raw") or ""):
                return _receipt(comment)
        return None

    def exists(self, item: InboxItem) -> bool:
        try:
            comment = self.publisher.call(
                "check the comment is still there",
                "GET",
                f"/wp/v2/comments/{_refs(item)[1]}",
                query={"context": "edit"},
                repeatable=True,
            )
        except PublishError as error:
            if error.status in (404, 410):
                return False
            raise
        return isinstance(comment, dict) and comment.get("status") == "approved"


def _refs(item: InboxItem) -> tuple[int, int]:
    try:
        return int(item.refs["post"]), int(item.refs["comment"])
    except (KeyError, ValueError):
        raise PublishError(f"the item {item.id} has no WordPress post and comment id") from None


def _receipt(comment: Any) -> Receipt:
    if not (isinstance(comment, dict) and isinstance(comment.get("id"), int)):
        raise PublishError("WordPress answered without the comment's id")
    published = None
    try:
        published = datetime.fromisoformat(str(comment.get("date_gmt"))).replace(tzinfo=UTC)
    except ValueError:
        published = None
    link = comment.get("link")
    return Receipt(str(comment["id"]), link if isinstance(link, str) else None, published)
