"""The X fake of the collect tests (every request, query parameter and answer checked against
X's OpenAPI description, tests/push/data/x-openapi.json), with what the inbox needs: the brand's
mentions timeline (`GET /2/users/:id/mentions`, `since_id`, pages of `max_results`, the authors
in `includes.users`), answers under a post that must exist, and direct messages
(`POST /2/dm_conversations/with/:participant_id/messages`, which lands in the one-to-one
conversation `<lower id>-<higher id>`), read back with `GET /2/dm_events` (newest first, pages of
`max_results` with a `pagination_token`, senders in `includes.users`). `post_faults` answer the next
POSTs instead, as `faults` do the next GETs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.collect.x_fake import ReadingX
from tests.push.fake_http import read_body, send_json
from tests.push.openapi_fake import Invalid

BRAND_ID = "2244994945"  # ReadingX's /2/users/me
BRAND = {"id": BRAND_ID, "name": "Test Brand", "username": "TestBrand"}
START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # the first mention's time, one a minute


class InboxX(ReadingX):
    def __init__(self) -> None:
        super().__init__()
        self.mentions: list[dict[str, Any]] = []  # the brand's mentions timeline, oldest first
        self.said_posts: list[dict[str, Any]] = []  # every post said, the brand's answers included
        self.users: dict[str, dict[str, str]] = {}
        self.messages: list[tuple[str, str]] = []  # (participant id, text) of each DM sent
        self.post_faults: list[tuple[int, dict[str, str]]] = []
        self.refuse_search = False  # a plan without recent search: 403 client-not-enrolled
        self.dm_events: list[dict[str, Any]] = []  # every direct message, oldest first
        self.refuse_dm_read = False  # a token without dm.read: 403

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        if self.refuse_dm_read and handler.path.startswith("/2/dm_events"):
            send_json(handler, 403, {"title": "Forbidden", "type": "about:blank"})
            return
        if self.refuse_search and handler.path.startswith("/2/tweets/search/recent"):
            problem = {
                "title": "Client Forbidden",
                "type": "about:blank",
                "reason": "client-not-enrolled",
            }
            send_json(handler, 403, problem)
            return
        if handler.command == "POST" and self.post_faults:
            read_body(handler)
            status, headers = self.post_faults.pop(0)
            send_json(handler, status, {"title": "Injected", "type": "about:blank"}, headers)
            return
        super().handle(handler)

    def said(self, user: str, text: str, mentioning: bool = True, **fields: Any) -> str:
        """`user` (a username) posts `text`, in the brand's mentions timeline if `mentioning`
        (else only in its thread, found by conversation search); its id."""
        known = {u["username"]: i for i, u in self.users.items()}
        user_id = BRAND_ID if user == "TestBrand" else known.get(user) or str(1000 + len(known))
        if user_id != BRAND_ID:
            self.users[user_id] = {"id": user_id, "name": user.title(), "username": user}
        post_id = fields.pop("post_id", None) or self.new_id()
        post = {"id": post_id, "text": text, "author_id": user_id, "lang": "fr"}
        at = START + timedelta(minutes=len(self.said_posts))
        post["created_at"] = at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        post["edit_history_tweet_ids"] = [post_id]
        parent = fields.pop("reply_to", None)
        # conversation_id: the thread's first post (a reply's parent's, or the parent itself)
        roots = {p["id"]: p["conversation_id"] for p in self.said_posts}
        post["conversation_id"] = roots.get(parent, parent) if parent else post_id
        if parent:
            post["referenced_tweets"] = [{"type": "replied_to", "id": parent}]
        post.update(fields)
        self.said_posts.append(post)
        if mentioning:
            self.mentions.append(post)
        self.posts.setdefault(post_id, {"text": text})
        return post_id

    def wrote(self, user: str, text: str, group: str | None = None) -> str:
        """`user` (a username) sends the brand a direct message (in the group conversation
        `group`, else in their one-to-one conversation); its event id."""
        known = {u["username"]: i for i, u in self.users.items()}
        user_id = known.get(user) or str(1000 + len(known))
        self.users[user_id] = {"id": user_id, "name": user.title(), "username": user}
        return self._dm(user_id, user_id, text, group)

    def _dm(self, sender: str, participant: str, text: str, group: str | None = None) -> str:
        event_id = self.new_id()
        low, high = sorted((participant, BRAND_ID), key=int)
        at = START + timedelta(minutes=len(self.said_posts) + len(self.dm_events))
        self.dm_events.append(
            {
                "id": event_id,
                "event_type": "MessageCreate",
                "text": text,
                "sender_id": sender,
                "dm_conversation_id": group or f"{low}-{high}",
                "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            }
        )
        return event_id

    def _events(self) -> dict[str, Any]:
        query = self.reads[-1]
        if query.get("event_types") != ["MessageCreate"]:
            raise Invalid(400, f"the fake lists MessageCreate events only, not {query}")
        newest = list(reversed(self.dm_events))
        size = int(query.get("max_results", ["100"])[0])
        start = int(query.get("pagination_token", ["0"])[0])
        page = newest[start : start + size]
        if not page:
            return {"meta": {"result_count": 0}}
        answer: dict[str, Any] = {"data": page, "meta": {"result_count": len(page)}}
        if query.get("expansions") == ["sender_id"]:
            senders = sorted({e["sender_id"] for e in page})
            answer["includes"] = {"users": [self._user(s) for s in senders]}
        if start + size < len(newest):
            answer["meta"]["next_token"] = f"{start + size:016d}"  # PaginationToken32: 16 long
        return answer

    def carry_out(
        self, method: str, template: str, params: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any]]:
        if template == "/2/users/{id}/mentions":
            return 200, self._timeline(params["id"])
        if template == "/2/dm_conversations/with/{participant_id}/messages":
            participant = params["participant_id"]
            self.messages.append((participant, body["text"]))
            event = self._dm(BRAND_ID, participant, body["text"])
            conversation = self.dm_events[-1]["dm_conversation_id"]
            return 201, {"data": {"dm_conversation_id": conversation, "dm_event_id": event}}
        if template == "/2/dm_events":
            return 200, self._events()
        if template == "/2/tweets/search/recent":
            return 200, self._search()
        if template == "/2/tweets" and method == "POST" and "reply" in body:
            parent = body["reply"]["in_reply_to_tweet_id"]
            if parent not in self.posts:
                raise Invalid(400, f"the post {parent} to answer does not exist")
            status, created = super().carry_out(method, template, params, body)
            answer = created["data"]["id"]
            self.said("TestBrand", body["text"], False, post_id=answer, reply_to=parent)
            return status, created
        return super().carry_out(method, template, params, body)

    def _search(self) -> dict[str, Any]:
        query = self.reads[-1]
        (words,) = query["query"]
        if not words.startswith("conversation_id:"):
            raise Invalid(400, f"the fake searches conversations only, not {words!r}")
        found = [p for p in reversed(self.said_posts) if p["conversation_id"] == words[16:]]
        if not found:
            return {"meta": {"result_count": 0}}
        authors = sorted({p["author_id"] for p in found})
        return {
            "data": found,
            "includes": {"users": [self._user(a) for a in authors]},
            "meta": {"result_count": len(found), "newest_id": found[0]["id"]},
        }

    def _user(self, user_id: str) -> dict[str, str]:
        return BRAND if user_id == BRAND_ID else self.users[user_id]

    def _timeline(self, user_id: str) -> dict[str, Any]:
        if user_id != BRAND_ID:
            raise Invalid(400, f"mentions of {user_id}, not of the brand")
        query = self.reads[-1]
        since = int(query.get("since_id", ["0"])[0])
        newest = [p for p in reversed(self.mentions) if int(p["id"]) > since]
        size = int(query.get("max_results", ["10"])[0])
        start = int(query.get("pagination_token", ["0"])[0], 36)
        page = newest[start : start + size]
        if not page:
            return {"meta": {"result_count": 0}}
        authors = {p["author_id"] for p in page}
        answer: dict[str, Any] = {
            "data": page,
            "includes": {"users": [self._user(a) for a in sorted(authors)]},
            "meta": {"result_count": len(page), "newest_id": page[0]["id"]},
        }
        if start + size < len(newest):
            answer["meta"]["next_token"] = _base36(start + size)
        return answer


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if number == 0:
            return text
