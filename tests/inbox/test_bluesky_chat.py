"""Bluesky direct messages (`cmbuild.platforms.bluesky.chat`): the dev-env network has no chat
service, so the chat namespace is a stand-in that checks every request against the lexicons the
`atproto` package ships (its generated Params models validate them) and answers with responses
built from the same models (ChatBskyConvoListConvos.Response, ChatBskyConvoGetMessages.Response).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from atproto import models

from cmbuild.platforms.bluesky.chat import read_chats
from cmbuild.platforms.shared.inbox import Since
from cmbuild.platforms.shared.publisher import PublishError

BRAND, FAN = "did:plc:brand", "did:plc:fan"


def _message(mid: str, sender: str, text: str, at: str) -> dict[str, Any]:
    return {
        "$type": "chat.bsky.convo.defs#messageView",
        "id": mid,
        "rev": mid,
        "sender": {"did": sender},
        "text": text,
        "sentAt": at,
    }


@dataclass
class Convo:
    """chat.bsky.convo.*: requests validated, responses built from the lexicon models."""

    messages: list[dict[str, Any]]
    calls: list[str] = field(default_factory=list)
    status: int | None = None

    def list_convos(self, params: Any) -> Any:
        models.ChatBskyConvoListConvos.Params.model_validate(params.model_dump())
        self.calls.append("listConvos")
        members = [
            {"did": BRAND, "handle": "brand.test"},
            {"did": FAN, "handle": "fan.test", "displayName": "Fan"},
        ]
        convo = {"id": "c1", "members": members, "muted": False, "rev": "1", "unreadCount": 1}
        convo["lastMessage"] = self.messages[0]
        return models.ChatBskyConvoListConvos.Response.model_validate({"convos": [convo]})

    def get_messages(self, params: Any) -> Any:
        checked = models.ChatBskyConvoGetMessages.Params.model_validate(params.model_dump())
        assert checked.convo_id == "c1"
        self.calls.append("getMessages")
        return models.ChatBskyConvoGetMessages.Response.model_validate({"messages": self.messages})


@dataclass
class Publisher:
    convo: Convo
    did: str = BRAND
    channel: Any = field(default_factory=lambda: SimpleNamespace(name="bsky"))

    def chat(self, what: str, call: Any, *, repeatable: bool = True) -> Any:
        del what, repeatable
        if self.convo.status is not None:
            raise PublishError("refused", status=self.convo.status)
        return call(SimpleNamespace(chat=SimpleNamespace(bsky=SimpleNamespace(convo=self.convo))))


MESSAGES = [  # newest first, as getMessages gives them
    _message("m3", BRAND, "Bonjour, elle part demain.", "2026-12-01T10:05:00Z"),
    _message("m2", FAN, "Où est ma commande ?", "2026-12-01T10:00:00Z"),
    _message("m1", FAN, "Bonjour", "2026-11-20T09:00:00Z"),
]


def test_messages_become_dm_items_and_the_brands_own_answer_the_latest_before() -> None:
    items = read_chats(Publisher(Convo(MESSAGES)), None)  # type: ignore[arg-type]
    assert [(i.kind, i.text, i.author_handle) for i in items] == [
        ("dm", "Bonjour", "fan.test"),
        ("dm", "Où est ma commande ?", "fan.test"),
        ("dm", "Bonjour, elle part demain.", "brand.test"),
    ]
    assert items[2].answers == items[1].id and items[1].answers is None
    assert items[1].refs == {"convo_id": "c1", "message_id": "m2"}


def test_a_second_reading_stops_at_what_was_stored() -> None:
    since = Since(datetime(2026, 12, 1, 10, 5, tzinfo=UTC), "c1/m3")
    items = read_chats(Publisher(Convo(MESSAGES)), since)  # type: ignore[arg-type]
    assert [i.refs["message_id"] for i in items] == ["m2", "m3"]  # the hour of overlap only


def test_a_refusal_says_how_to_allow_direct_messages() -> None:
    with pytest.raises(PublishError) as refused:
        read_chats(Publisher(Convo(MESSAGES, status=401)), None)  # type: ignore[arg-type]
    assert "Allow access to your direct messages" in refused.value.message
    assert "read_direct_messages = false" in refused.value.message
    assert refused.value.kind == "config"
