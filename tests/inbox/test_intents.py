"""The intents cache: each stored item classified once; a changed trigger, text or language, or
an unreadable cache, classifies again, and the intents are always those the triggers give."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cmbuild.inbox.classify import Classifier
from cmbuild.inbox.intents import intents_of
from cmbuild.load.replies import load_replies
from tests.inbox.test_compose import ITEM, REPLIES


def names(found: list[Any]) -> list[str | None]:
    return [intent.name if intent is not None else None for intent in found]


def test_items_are_classified_once_then_read_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
    items = [ITEM, replace(ITEM, id="bluesky-cmb:hello", text="Bonjour !")]
    calls: list[str] = []
    classify = Classifier.classify

    def counted(self: Classifier, text: str, language: str | None) -> Any:
        calls.append(text)
        return classify(self, text, language)

    monkeypatch.setattr(Classifier, "classify", counted)
    cache = tmp_path / "output" / ".cmbuild" / "inbox-intents.json"
    expected = names(intents_of(items, load_replies(tmp_path), None))
    assert expected == ["complaint", None] and len(calls) == 2
    assert names(intents_of(items, load_replies(tmp_path), cache)) == expected
    assert len(calls) == 4 and cache.is_file()
    written = cache.read_bytes()
    assert names(intents_of(items, load_replies(tmp_path), cache)) == expected
    assert len(calls) == 4 and cache.read_bytes() == written  # all cached, nothing rewritten
    edited = [items[0], replace(items[1], text="Je veux un remboursement")]
    assert names(intents_of(edited, load_replies(tmp_path), cache)) == ["complaint"] * 2
    assert calls[4:] == ["Je veux un remboursement"]  # only the changed text
    # Other triggers: every item is classified again.
    (tmp_path / "brand" / "replies.toml").write_text(
        REPLIES.replace("remboursement", "rembourser"), encoding="utf-8"
    )
    intents_of(edited, load_replies(tmp_path), cache)
    assert len(calls) == 7
    cache.write_bytes(b"{not json")
    assert names(intents_of(items, load_replies(tmp_path), cache)) == expected
    assert len(calls) == 9
