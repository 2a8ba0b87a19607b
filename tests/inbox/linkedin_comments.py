"""The LinkedIn fake (tests/platforms/linkedin/fake.py) with comments, as the Comments API page
documents them (learn.microsoft.com/linkedin/marketing/community-management/shares/comments-api,
li-lms-2026-05):

- `GET /rest/socialActions/{target}/comments` (target: a share, ugcPost or comment URN, encoded
  as Rest.li 2.0 asks), paged by `start` and `count`; each comment with `actor`, `commentUrn`,
  `id`, `created.time`, `message.text`, `object`, `parentComment` when nested, and
  `commentsSummary.aggregatedTotalComments`;
- `GET /rest/socialActions/{target}/comments/{comment id}` ("Get a Comment"), 404 once deleted;
- `POST /rest/socialActions/{target}/comments` ("Create a Comment"), the body checked against
  tests/inbox/data/linkedin-comment.schema.json (written from that page): a comment on a comment
  names it as `parentComment`, as its target; the actor must be one the token acts for (403).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from tests.platforms.linkedin.fake import TOKEN, FakeLinkedIn, _error
from tests.push.fake_http import Answer, Request

SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "linkedin-comment.schema.json").read_text(encoding="utf-8")
)
_ROUTE = re.compile(r"/rest/socialActions/([^/]+)/comments(?:/([^/]+))?")


class CommentingLinkedIn(FakeLinkedIn):
    """The LinkedIn fake, with comments on its posts and on their comments."""

    def __init__(self) -> None:
        super().__init__()
        self.comments: dict[str, dict[str, Any]] = {}  # comment urn -> the comment
        self._comment_id = 6800000000000000000

    def comment(
        self,
        post: str,
        text: str,
        *,
        actor: str = "urn:li:person:fan1",
        parent: str | None = None,
        ago_ms: int = 60_000,
    ) -> str:
        """A comment by `actor` on `post` (on the comment `parent`), written `ago_ms` ago."""
        self._comment_id += 1
        urn = f"urn:li:comment:({post},{self._comment_id})"
        now = int(time.time() * 1000) - ago_ms
        self.comments[urn] = {
            "actor": actor,
            "commentUrn": urn,
            "$URN": urn,
            "id": str(self._comment_id),
            "created": {"actor": actor, "time": now},
            "lastModified": {"actor": actor, "time": now},
            "message": {"text": text, "attributes": []},
            "object": post,
            **({"parentComment": parent} if parent else {}),
        }
        return urn

    def answer(self, request: Request) -> Answer:
        route = _ROUTE.fullmatch(request.path)
        if route is None:
            return super().answer(request)
        if request.header("Authorization") != f"Bearer {TOKEN}" or self.refuse_token:
            return super().answer(request)  # refused as every call is
        self._check_headers(request)
        if ":" in route.group(1):
            raise _error(400, f"the URN in {request.path} must be URL-encoded (Rest.li 2.0)")
        target = unquote(route.group(1))
        if target not in self.posts and target not in self.comments:
            raise _error(404, f"no share or comment {target}")
        if route.group(2):
            return self._one(target, unquote(route.group(2)), request)
        if request.method == "GET":
            return self._list_comments(target, request)
        if request.method == "POST":
            return self._create_comment(target, request)
        raise _error(405, f"{request.method} is not a method of socialActions/comments")

    def _nested(self, target: str) -> list[dict[str, Any]]:
        if target in self.comments:
            return [c for c in self.comments.values() if c.get("parentComment") == target]
        return [
            c for c in self.comments.values() if c["object"] == target and "parentComment" not in c
        ]

    def _view(self, comment: dict[str, Any]) -> dict[str, Any]:
        total = len(self._nested(comment["commentUrn"]))
        return {
            **comment,
            "commentsSummary": {"selectedComments": [], "aggregatedTotalComments": total},
        }

    def _one(self, target: str, comment_id: str, request: Request) -> Answer:
        if request.method != "GET":
            raise _error(405, "this fake reads a single comment only")
        found = next((c for c in self._nested(target) if c["id"] == comment_id), None)
        if found is None:
            raise _error(404, f"no comment {comment_id} on {target}")
        return Answer(200, self._view(found))

    def _list_comments(self, target: str, request: Request) -> Answer:
        query = request.query
        unknown = set(query) - {"start", "count"}
        if unknown:
            raise _error(
                400, f"socialActions/comments takes start and count, not {sorted(unknown)}"
            )
        start = int(query.get("start", ["0"])[0])
        count = int(query.get("count", ["10"])[0])
        if start < 0 or not 1 <= count <= 100:
            raise _error(400, "count is 1 to 100, start from 0")
        found = sorted(self._nested(target), key=lambda c: c["created"]["time"])
        page = [self._view(c) for c in found[start : start + count]]
        paging = {"start": start, "count": count, "links": [], "total": len(found)}
        return Answer(200, {"paging": paging, "elements": page})

    def _create_comment(self, target: str, request: Request) -> Answer:
        body = self._json(request, SCHEMA)
        if body["actor"] not in self.authors:
            raise _error(
                403, f"Not enough permissions to comment as {body['actor']}", "ACCESS_DENIED"
            )
        parent = body.get("parentComment")
        if target in self.comments and parent != target:
            raise _error(422, "a comment on a comment names it as parentComment")
        if target in self.posts and (parent is not None or body["object"] != target):
            raise _error(422, "a comment on a post has the post as object, and no parentComment")
        post = self.comments[target]["object"] if target in self.comments else target
        if body["object"] != post:
            raise _error(422, f"object must be {post}, what the comments are on")
        urn = self.comment(
            post, body["message"]["text"], actor=body["actor"], parent=parent, ago_ms=0
        )
        created = self._view(self.comments[urn])
        return Answer(201, created, {"x-restli-id": created["id"]})
