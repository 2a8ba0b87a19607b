"""LinkedIn's inbox: the comments on the page's (or member's) posts of the ledger, and the
comments on those comments.

`GET /rest/socialActions/{post urn}/comments` lists a post's comments, `start` and `count` at a
time (Rest.li paging); a comment with comments of its own (`commentsSummary`) has them read with
`GET /rest/socialActions/{comment urn}/comments`. Each comment has its `actor` (the URN of a
member or an organization: the API gives no names), `message.text`, `created.time` (milliseconds)
and, nested, its `parentComment`. Comments the author of the channel wrote are read too: they
tell which comments were already answered. Reading needs `r_organization_social` (a page) or
`r_member_social` (a member).
Source: learn.microsoft.com/linkedin/marketing/community-management/shares/comments-api
(li-lms-2026-05).

Why every reading pages the comments again: that page documents `start` and `count` only (no
time filter, no sort parameter) and says nothing of the order comments are listed in, so there
is no point past which the rest is known to be older. Each post of the ledger's last 30 days is
read again, at most `_MAX_PAGES` pages of `_PAGE` (and as much of each comment's comments), and
the store drops what it already holds. A list longer than that (`paging.total`, or a full last
page) is said in a finding naming the post: what was not read may be new.

An item's `refs`: `comment_urn` (the comment), `comment_id` (its id, as "Get a Comment" takes it),
`target` (where it was listed: the post, or its parent comment), `thread_urn` (the top-level
comment an answer goes under: LinkedIn nests comments one level deep) and `object` (what the
comments are on, as LinkedIn names it in the comment).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from cmbuild.model import Finding
from cmbuild.platforms.linkedin.publisher import LinkedInPublisher
from cmbuild.platforms.shared.inbox import InboxReader, Published, Since, partly_read
from cmbuild.platforms.shared.publisher import PublishError
from cmbuild.stores.inbox import InboxItem, item_id

_PAGE = 50
_MAX_PAGES = 20


def comments_path(target: str, **query: int) -> str:
    """The comments of `target` (a post or comment URN, encoded as Rest.li 2.0 asks)."""
    path = f"/rest/socialActions/{quote(target, safe='')}/comments"
    return f"{path}?{urlencode(query)}" if query else path


class LinkedInInbox(InboxReader[LinkedInPublisher]):
    api = "GET /rest/socialActions/{urn}/comments"

    def read(self, posts: Sequence[Published], since: Since | None) -> list[InboxItem]:
        del since  # no time filter, no documented order: see the module's docstring
        self.findings = []
        found: dict[str, InboxItem] = {}
        for post in posts:
            for comment in self._comments(post.remote_id, post):
                item = self._item(comment, post, None)
                found.setdefault(item.id, item)
                if _has_comments(comment):
                    for nested in self._comments(item.remote_id, post):
                        answer = self._item(nested, post, item.remote_id)
                        found.setdefault(answer.id, answer)
        return sorted(found.values(), key=lambda i: (i.at, i.id))

    def account_id(self) -> str:
        return self.publisher.author

    def _comments(self, target: str, post: Published) -> Iterator[dict[str, Any]]:
        """The comments on `target` (the post, or one of its comments), `_MAX_PAGES` at most."""
        for page in range(_MAX_PAGES):
            path = comments_path(target, start=page * _PAGE, count=_PAGE)
            try:
                answer = self.publisher.read("read the comments", path)
            except PublishError as error:
                if error.status == 404:
                    return  # the post (or comment) was deleted since
                raise
            elements = answer.get("elements")
            if not isinstance(elements, list):
                raise PublishError("LinkedIn listed the comments without `elements`")
            yield from (e for e in elements if isinstance(e, dict))
            if not _more(answer, page * _PAGE + len(elements), len(elements)):
                return
        self.findings.append(self._cut(target, post))

    def _cut(self, target: str, post: Published) -> Finding:
        where = "" if target == post.remote_id else f"the comment {target} on "
        return partly_read(
            self.publisher.channel.name,
            f"LinkedIn: {where}the post {post.variant} ({post.url or post.remote_id}) has more "
            f"than the {_MAX_PAGES * _PAGE} comments read now: the others were not read, and "
            "LinkedIn does not say in what order it lists them (some may be new)",
            "read them on the post in LinkedIn",
        )

    def _item(self, comment: dict[str, Any], post: Published, parent: str | None) -> InboxItem:
        channel = self.publisher.channel.name
        urn = str(comment.get("commentUrn") or comment.get("$URN") or "")
        if not urn:
            raise PublishError("LinkedIn listed a comment without its URN")
        parent = parent or (str(comment["parentComment"]) if comment.get("parentComment") else None)
        message = comment.get("message")
        text = message.get("text") if isinstance(message, dict) else None
        actor = str(comment.get("actor") or "")
        return InboxItem(
            id=item_id(channel, urn),
            channel=channel,
            platform="linkedin",
            kind="reply" if parent else "comment",
            remote_id=urn,
            refs={
                "comment_urn": urn,
                "comment_id": str(comment.get("id") or ""),
                "target": parent or post.remote_id,
                "thread_urn": parent or urn,
                "object": str(comment.get("object") or post.remote_id),
            },
            author_id=actor,
            author_handle=actor,
            author_name="",  # the API names the actor by URN only
            text=str(text or ""),
            url=post.url,
            language=None,
            at=_created(comment),
            variant=post.variant,
            answers=item_id(channel, parent) if parent else None,
        )


def _more(answer: dict[str, Any], read: int, listed: int) -> bool:
    """Whether the list goes on after the `read` comments: `paging.total` says, or a full page."""
    paging = answer.get("paging")
    total = paging.get("total") if isinstance(paging, dict) else None
    if isinstance(total, int):
        return total > read and listed > 0
    return listed >= _PAGE


def _has_comments(comment: dict[str, Any]) -> bool:
    summary = comment.get("commentsSummary")
    if not isinstance(summary, dict) or "aggregatedTotalComments" not in summary:
        return True  # not said: look
    total = summary.get("aggregatedTotalComments")
    return not isinstance(total, int) or total > 0


def _created(comment: dict[str, Any]) -> datetime:
    created = comment.get("created")
    time = created.get("time") if isinstance(created, dict) else None
    if not isinstance(time, int):
        raise PublishError(f"LinkedIn listed the comment {comment.get('id')} without its time")
    return datetime.fromtimestamp(time / 1000, UTC).replace(microsecond=0)
