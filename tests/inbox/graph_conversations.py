"""The fake Graph server with comments (tests/inbox/graph_comments.py) and conversations: what the
Facebook and Instagram inbox readers and reply senders call for direct messages, each request
checked against the tables of Meta's facebook-business SDK (`Page.get_conversations`,
`IGUser.get_conversations`, `UnifiedThread.get_messages`, `Page.create_message`,
`IGUser.create_message`) and the rules of Meta's reference pages:

- developers.facebook.com/docs/graph-api/reference/page/conversations and
  /docs/messenger-platform/instagram/features/conversations: the conversations of `platform`,
  the most recently updated first, each with `updated_time` and its `messages` (newest first),
  read by field expansion or as `GET /{conversation-id}/messages`;
- developers.facebook.com/docs/messenger-platform/send-messages and /policy/policy-overview:
  `POST /{page-id or ig-user-id}/messages` with `recipient={"id": ...}`, `message={"text": ...}`,
  answered within 24 hours of the person's last message in the conversation, else error 10,
  subcode 2018278 ("This message is sent outside of allowed window").
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from facebook_business.adobjects.iguser import IGUser  # type: ignore[import-untyped, unused-ignore]
from facebook_business.adobjects.page import Page  # type: ignore[import-untyped, unused-ignore]
from facebook_business.adobjects.unifiedthread import UnifiedThread  # type: ignore[import-untyped, unused-ignore]

from tests.inbox.graph_comments import (
    EXPANDED,
    IG_USERNAME,
    PAGE_NAME,
    CommentingGraph,
    graph_time,
)
from tests.push.graph_fake import IG_USER_ID, PAGE_ID, GraphFailure
from tests.push.graph_tables import Table, sdk_table

_TIME = "%Y-%m-%dT%H:%M:%S+0000"
CONVERSATION_TABLES: dict[tuple[str, str, str], Table] = {
    ("GET", "page", "conversations"): sdk_table(Page, "get_conversations"),
    # The SDK parses IGUser.get_conversations as IGUser nodes; its items are threads, as the
    # Page's: their readable fields are those of Page.get_conversations (UnifiedThread).
    ("GET", "ig_user", "conversations"): replace(
        sdk_table(IGUser, "get_conversations"),
        fields=sdk_table(Page, "get_conversations").fields,
    ),
    # The SDK types a thread's messages as a bare object (no field list): the Message node's
    # fields are those of developers.facebook.com/docs/graph-api/reference/message.
    ("GET", "thread", "messages"): replace(
        sdk_table(UnifiedThread, "get_messages"),
        fields=frozenset({"id", "created_time", "from", "to", "message", "attachments", "tags"}),
    ),
}


class ConversingGraph(CommentingGraph):
    """The fake Graph server with comments, and conversations with the Page and the IG account."""

    expanded = EXPANDED | {
        (name, "messages"): ("GET", "thread", "messages")
        for name in ("Page.get_conversations", "IGUser.get_conversations")
    }

    def __init__(self) -> None:
        super().__init__()
        self.tables.update(CONVERSATION_TABLES)
        self._message_number = 0

    # What tests do: people write.

    def message(
        self,
        kind: str,
        sender: tuple[str, str],
        text: str,
        *,
        ago: timedelta = timedelta(minutes=5),
    ) -> str:
        """A message from `sender` (id, name) to the Page (`messenger`) or the IG account."""
        owner = PAGE_ID if kind == "messenger" else IG_USER_ID
        thread = f"t_{kind}_{sender[0]}"
        if thread not in self.nodes:
            state = {"platform": kind, "person": sender, "messages": []}
            self.nodes[thread] = ("thread", state)
            self.account_of[thread] = owner
        return self._add(thread, sender, text, datetime.now(UTC) - ago)

    def _add(self, thread: str, sender: tuple[str, str], text: str, at: datetime) -> str:
        self._message_number += 1
        message = {
            "id": f"m_t{self._message_number}",
            "message": text,
            "from": {"id": sender[0], "name": sender[1]},
            "created_time": graph_time(at),
        }
        self.nodes[thread][1]["messages"].append(message)
        return str(message["id"])

    # Serving.

    def do_get_page_conversations(
        self, page: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        return 200, self._threads(params)

    def do_get_ig_user_conversations(
        self, user: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        return 200, self._threads(params)

    def do_get_thread_messages(
        self, thread: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        """The conversation's messages, newest first, `limit` at a time, with cursors."""
        found = {m["id"]: m for m in state["messages"]}
        return 200, self._listing(found, params, "created_time", lambda i, m: m, newest_first=True)

    def do_post_page_messages(
        self, page: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        if "id" in json.loads(params["recipient"]):
            return self._send_message("messenger", (page, PAGE_NAME), params)
        return super().do_post_page_messages(page, state, params, files)

    def do_post_ig_user_messages(
        self, user: str, state: dict[str, Any], params: dict[str, str], files: dict[str, bytes]
    ) -> tuple[int, dict[str, Any]]:
        if "id" in json.loads(params["recipient"]):
            return self._send_message("instagram", (user, IG_USERNAME), params)
        return super().do_post_ig_user_messages(user, state, params, files)

    def _threads(self, params: dict[str, str]) -> dict[str, Any]:
        """The conversations of `platform`, the most recently updated first."""
        views = []
        for thread, state in self.of_kind("thread").items():
            if state["platform"] != params.get("platform", "MESSENGER").lower():
                continue
            messages = sorted(state["messages"], key=lambda m: m["created_time"], reverse=True)
            updated = messages[0]["created_time"]
            views.append({"id": thread, "updated_time": updated, "messages": messages})
        views.sort(key=lambda v: v["updated_time"], reverse=True)
        start = int(params.get("after", "0"))
        limit = int(params.get("limit", "25"))
        answer: dict[str, Any] = {
            "data": [self._expanded(v, params) for v in views[start : start + limit]]
        }
        if start + limit < len(views):
            answer["paging"] = {
                "cursors": {"before": str(start), "after": str(start + limit)},
                "next": "https://graph.example.test/next",
            }
        return answer

    def _send_message(
        self, kind: str, me: tuple[str, str], params: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        """A message in the conversation with `recipient.id`, within 24 hours of their last."""
        recipient = str(json.loads(params["recipient"])["id"])
        text = json.loads(params["message"]).get("text")
        thread = f"t_{kind}_{recipient}"
        if thread not in self.nodes or not isinstance(text, str):
            raise self.bad("(#100) No matching user found", subcode=2018001)
        messages = self.nodes[thread][1]["messages"]
        theirs = [m["created_time"] for m in messages if m["from"]["id"] == recipient]
        at = datetime.strptime(max(theirs), _TIME).replace(tzinfo=UTC)
        if datetime.now(UTC) - at > timedelta(hours=24):
            raise GraphFailure(
                10, "(#10) This message is sent outside of allowed window.", subcode=2018278
            )
        message_id = self._add(thread, me, text, datetime.now(UTC))
        return 200, {"recipient_id": recipient, "message_id": message_id}
