"""Answering on LinkedIn: a comment on the item's top-level comment, as the channel's author.

`POST /rest/socialActions/{comment urn}/comments` with `actor` (the page or member), `object`
(what the comments are on), `message.text` and `parentComment` (the top-level comment: LinkedIn
nests comments one level deep). LinkedIn answers 201 with the new comment. Comment text is plain
text with attributes, not the little text of posts: it is sent as it is.
Source: learn.microsoft.com/linkedin/marketing/community-management/shares/comments-api
(li-lms-2026-05). It needs `w_organization_social` (a page) or `w_member_social` (a member).

The API sends no direct messages: a private answer is the approved public reply instead (the
platform has no `direct_messages`). LinkedIn takes no idempotency key: after a crash, `find`
reads the comments under the thread for the author's comment with the text sent.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from cmbuild.platforms.linkedin.inbox import comments_path
from cmbuild.platforms.linkedin.publisher import LinkedInPublisher
from cmbuild.platforms.shared import http
from cmbuild.platforms.shared.comments import ref
from cmbuild.platforms.shared.inbox import Answer, ReplySender
from cmbuild.platforms.shared.publisher import PublishError, Receipt
from cmbuild.stores.inbox import InboxItem

_FIND_PAGE = 100
_FIND_PAGES = 5


class LinkedInReply(ReplySender[LinkedInPublisher]):
    can_find = True

    def send(self, item: InboxItem, answer: Answer) -> Receipt:
        if answer.private:
            raise PublishError("LinkedIn's API sends no direct messages: answer in public")
        thread = ref(item, "thread_urn")
        body = {
            "actor": self.publisher.author,
            "object": ref(item, "object"),
            "message": {"text": answer.text},
            "parentComment": thread,
        }
        created = self.publisher.write("answer the comment", comments_path(thread), body)
        data = http.json_object(created.body) or {}
        urn = data.get("commentUrn") or data.get("$URN")
        if not isinstance(urn, str) or not urn:
            raise PublishError("LinkedIn created the comment without giving its URN", "ambiguous")
        return Receipt(urn, item.url)

    def find(self, item: InboxItem, answer: Answer) -> Receipt | None:
        thread = ref(item, "thread_urn")
        for page in range(_FIND_PAGES):
            path = comments_path(thread, start=page * _FIND_PAGE, count=_FIND_PAGE)
            elements = self.publisher.read("read the comment's comments", path).get("elements")
            comments = [e for e in elements or () if isinstance(e, dict)]
            for comment in comments:
                if comment.get("actor") == self.publisher.author and _text(comment) == answer.text:
                    return Receipt(str(comment.get("commentUrn") or comment.get("$URN")), item.url)
            if len(comments) < _FIND_PAGE:
                return None
        raise PublishError(
            f"the thread has more than {_FIND_PAGE * _FIND_PAGES} comments: look for the answer "
            "by hand, then `cmbuild resolve`"
        )

    def exists(self, item: InboxItem) -> bool:
        target, comment_id = ref(item, "target"), ref(item, "comment_id")
        path = f"{comments_path(target)}/{quote(comment_id, safe='')}"
        try:
            self.publisher.read("check the comment is still there", path)
        except PublishError as error:
            if error.status == 404:
                return False
            raise
        return True


def _text(comment: dict[str, Any]) -> str | None:
    message = comment.get("message")
    text = message.get("text") if isinstance(message, dict) else None
    return text if isinstance(text, str) else None
