"""The X fake of the collect tests (every request, query parameter and answer checked against
X's OpenAPI description, tests/push/data/x-openapi.json), with what the inbox needs: the brand's
mentions timeline (`GET /2/users/:id/mentions`, `since_id`, pages of `max_results`, the authors
in `includes.users`), answers under a post that must exist, and direct messages
(`POST /2/dm_conversations/with/:participant_id/messages`, which lands in the one-to-one
conversation `<lower id>-<higher id>`; `POST /2/dm_conversations/:id/messages` in a group
conversation the brand is in), read back with `GET /2/dm_events` and, one conversation's,
`GET /2/dm_conversations/:id/dm_events` or `.../with/:participant_id/dm_events` (newest first,
pages of `max_results` with a `pagination_token`, senders in `includes.users`). The brand's own
posts are read back with `GET /2/users/:id/tweets` (`start_time`, pages, only the `tweet.fields`
asked for). What the brand sends is given back as X gives it: a reply starts with the mention of
whom it answers, links become t.co links and `&`, `<`, `>` HTML entities; it is dated by the
clock (never before the fake's own dates), as the ledger's lines are. `post_faults` answer the
next POSTs instead, as `faults` do the next GETs and `timeline_faults` the next reads of the
brand's posts."""

from __future__ import annotations

import hashlib
import html
import re
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
        self.timeline_faults: list[tuple[int, dict[str, str]]] = []  # GET /2/users/:id/tweets

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        if self.timeline_faults and re.match(r"/2/users/\d+/tweets\b", handler.path):
            status, headers = self.timeline_faults.pop(0)
            send_json(handler, status, {"title": "Injected", "type": "about:blank"}, headers)
            return
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
        at = fields.pop("at", None) or START + timedelta(minutes=len(self.said_posts))
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

    def clock(self) -> datetime:
        """When the brand sends something: now, but never before what the fake said already."""
        after = START + timedelta(minutes=len(self.said_posts) + len(self.dm_events))
        return max(datetime.now(UTC).replace(microsecond=0), after)

    def _dm(
        self,
        sender: str,
        participant: str,
        text: str,
        group: str | None = None,
        at: datetime | None = None,
    ) -> str:
        event_id = self.new_id()
        low, high = sorted((participant, BRAND_ID), key=int)
        at = at or START + timedelta(minutes=len(self.said_posts) + len(self.dm_events))
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

    def _events(self, conversation: str | None = None) -> dict[str, Any]:
        query = self.reads[-1]
        if query.get("event_types") != ["MessageCreate"]:
            raise Invalid(400, f"the fake lists MessageCreate events only, not {query}")
        events = [e for e in self.dm_events if conversation in (None, e["dm_conversation_id"])]
        if conversation is not None and not events:
            raise Invalid(400, f"the brand is in no conversation {conversation}")
        fields = set(query.get("dm_event.fields", [])) | {"id", "event_type", "text"}
        newest = [{k: v for k, v in e.items() if k in fields} for e in reversed(events)]
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
        if template.endswith("/messages"):
            return 201, self._send_dm(params, body["text"])
        if template == "/2/dm_events":
            return 200, self._events()
        if template == "/2/dm_conversations/{id}/dm_events":
            return 200, self._events(params["id"])
        if template == "/2/dm_conversations/with/{participant_id}/dm_events":
            low, high = sorted((params["participant_id"], BRAND_ID), key=int)
            return 200, self._events(f"{low}-{high}")
        if template == "/2/users/{id}/tweets":
            return 200, self._own_posts(params["id"])
        if template == "/2/tweets/search/recent":
            return 200, self._search()
        if template == "/2/tweets" and method == "POST" and "reply" in body:
            parent = body["reply"]["in_reply_to_tweet_id"]
            if parent not in self.posts:
                raise Invalid(400, f"the post {parent} to answer does not exist")
            status, created = super().carry_out(method, template, params, body)
            answer = created["data"]["id"]
            author = next(p["author_id"] for p in self.said_posts if p["id"] == parent)
            text = f"@{self._user(author)['username']} {as_x_gives(body['text'])}"
            at = self.clock()
            self.said("TestBrand", text, False, post_id=answer, reply_to=parent, at=at)
            return status, created
        return super().carry_out(method, template, params, body)

    def _send_dm(self, params: dict[str, str], text: str) -> dict[str, Any]:
        if "participant_id" in params:
            participant, group = params["participant_id"], None
        else:
            group = params["dm_conversation_id"]
            senders = {e["sender_id"] for e in self.dm_events if e["dm_conversation_id"] == group}
            if not senders:
                raise Invalid(400, f"the brand is in no conversation {group}")
            participant = group
        self.messages.append((participant, text))
        event = self._dm(BRAND_ID, participant, as_x_gives(text), group, self.clock())
        conversation = self.dm_events[-1]["dm_conversation_id"]
        return {"data": {"dm_conversation_id": conversation, "dm_event_id": event}}

    def _own_posts(self, user_id: str) -> dict[str, Any]:
        if user_id != BRAND_ID:
            raise Invalid(400, f"the posts of {user_id}, not of the brand")
        query = self.reads[-1]
        start = query.get("start_time", ["1970-01-01T00:00:00Z"])[0]
        since = datetime.fromisoformat(start.replace("Z", "+00:00"))
        fields = set(query.get("tweet.fields", [])) | {"id", "text", "edit_history_tweet_ids"}
        newest = [
            {k: v for k, v in p.items() if k in fields}
            for p in reversed(self.said_posts)
            if p["author_id"] == BRAND_ID
            and datetime.fromisoformat(p["created_at"].replace("Z", "+00:00")) >= since
        ]
        size = int(query.get("max_results", ["10"])[0])
        begin = int(query.get("pagination_token", ["0"])[0], 36)
        page = newest[begin : begin + size]
        if not page:
            return {"meta": {"result_count": 0}}
        answer: dict[str, Any] = {"data": page, "meta": {"result_count": len(page)}}
        if begin + size < len(newest):
            answer["meta"]["next_token"] = _base36(begin + size)
        return answer

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


def as_x_gives(text: str) -> str:
    """`text` as X gives it back: each link a t.co link, `&`, `<` and `>` as HTML entities."""

    def wrapped(link: re.Match[str]) -> str:
        return "https://t.co/" + hashlib.sha256(link[0].encode()).hexdigest()[:10]

    linked = re.sub(r"(?:https?://)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?:/\S*)?", wrapped, text)
    return html.escape(linked, quote=False)
