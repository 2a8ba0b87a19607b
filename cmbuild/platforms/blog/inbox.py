"""WordPress's inbox: the approved comments on the channel's published posts.

`GET /wp/v2/comments?post=<id>&after=<date>` for each post of the ledger (the REST API lists
approved comments only unless asked for others, so a comment waiting for moderation, in the spam
or in the trash is not read), oldest first, 100 a page. Each comment keeps its `parent`, so
threads are known; a comment written by the site's own user (`GET /wp/v2/users/me`, the channel's
login) is the brand's answer to its parent.

`after` is compared with the comment's date in the site's time zone, so the reading goes back a
day before the newest stored item (more than any time zone's offset): the store drops the
duplicates. WordPress has no private messages.

An item's `refs`: `post` (the post's id) and `comment` (the comment's id): a reply is a comment on
that post whose `parent` is that comment.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from cmbuild.platforms.blog.wordpress import WordPressPublisher
from cmbuild.platforms.shared.inbox import InboxReader, Published, Since
from cmbuild.platforms.shared.publisher import PublishError
from cmbuild.stores.inbox import InboxItem, item_id
from cmbuild.text.html import read_html

_PAGE = 100  # /wp/v2/comments: per_page maximum 100
_MAX_PAGES = 50  # a first reading of a busy post stops there; the next one goes on
_OVERLAP = timedelta(days=1)


class WordPressInbox(InboxReader[WordPressPublisher]):
    api = "GET /wp/v2/comments (post, after, parent), GET /wp/v2/users/me"

    def __init__(self, publisher: WordPressPublisher) -> None:
        super().__init__(publisher)
        self._me: str | None = None

    def read(self, posts: Sequence[Published], since: Since | None) -> list[InboxItem]:
        variants = {post.remote_id: post.variant for post in posts}
        found: dict[str, InboxItem] = {}
        for post in posts:
            if not post.remote_id.isdigit():
                continue  # not a WordPress post id (published before the channel moved)
            for comment in self._comments(post.remote_id, since):
                item = self._item(comment, variants)
                found.setdefault(item.id, item)
        return sorted(found.values(), key=lambda i: (i.at, i.id))

    def account_id(self) -> str:
        if self._me is None:
            me = self.publisher.call("read the site's own user", "GET", "/wp/v2/users/me")
            if not (isinstance(me, dict) and isinstance(me.get("id"), int)):
                raise PublishError("WordPress answered /wp/v2/users/me without the user's id")
            self._me = str(me["id"])
        return self._me

    def _comments(self, post: str, since: Since | None) -> Iterator[dict[str, Any]]:
        query = {"post": post, "per_page": str(_PAGE), "orderby": "date", "order": "asc"}
        if since is not None:
            query["after"] = (since.at - _OVERLAP).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        for page in range(1, _MAX_PAGES + 1):
            try:
                answer = self.publisher.call(
                    "read the post's comments",
                    "GET",
                    "/wp/v2/comments",
                    query={**query, "page": str(page)},
                    repeatable=True,
                )
            except PublishError as error:
                if error.status == 400 and "rest_comment_invalid_page_number" in error.message:
                    return  # the previous page was the last, and full
                if error.status == 404 and "rest_post_invalid_id" in error.message:
                    return  # the post was deleted since: no comments to read
                raise
            comments = (
                [c for c in answer if isinstance(c, dict)] if isinstance(answer, list) else []
            )
            yield from comments
            if len(comments) < _PAGE:
                return

    def _item(self, comment: dict[str, Any], variants: dict[str, str]) -> InboxItem:
        number, post = str(comment.get("id")), str(comment.get("post"))
        parent = comment.get("parent")
        channel = self.publisher.channel.name
        name = html.unescape(str(comment.get("author_name") or "")) or "anonymous"
        content = comment.get("content")
        rendered = str(content.get("rendered") or "") if isinstance(content, dict) else ""
        link = comment.get("link")
        return InboxItem(
            id=item_id(channel, number),
            channel=channel,
            platform="blog",
            kind="comment",
            remote_id=number,
            refs={"post": post, "comment": number},
            author_id=str(comment.get("author") or 0),  # 0: a visitor without an account
            author_handle=name,
            author_name=name,
            text=read_html(rendered).readable,
            url=link if isinstance(link, str) else None,
            language=None,  # WordPress does not say
            at=_time(comment.get("date_gmt")),
            variant=variants.get(post),
            answers=item_id(channel, str(parent)) if parent else None,
        )


def _time(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=UTC, microsecond=0)
    except ValueError:
        raise PublishError(f"WordPress gave a comment without a date ({value!r})") from None
