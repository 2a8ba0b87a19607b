"""compose(): an answer from the approved wording, checked before anything is sent."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from cmbuild.inbox.compose import Composed, compose
from cmbuild.load.replies import Wording, load_replies
from cmbuild.model import BannedExpression, Channel, Charter, RequiredText, Utm
from cmbuild.stores.inbox import InboxItem

REPLIES = """\
[intents.complaint]
triggers.fr = ["remboursement"]

[[reply]]
name = "plainte-dm"
intent = "complaint"
language = "fr"
private = true
text = "Bonjour {first_name}, votre commande {order} est suivie."
approved_by = "Claire"
valid_until = 2027-06-30

[[reply]]
name = "plainte-public"
intent = "complaint"
language = "fr"
text = "Bonjour {first_name}, écrivez-nous à contact@example.org. #Marque"
approved_by = "Claire"
"""
CHARTER = Charter(
    banned=(BannedExpression("gratuit", suggest="offert"),),
    required=(RequiredText("#Marque", platforms=("bluesky",)),),
)
TODAY = date(2027, 1, 15)
ITEM = InboxItem(
    id="bluesky-cmb:at://did:plc:abc/app.bsky.feed.post/1",
    channel="bluesky-cmb",
    platform="bluesky",
    kind="reply",
    remote_id="at://did:plc:abc/app.bsky.feed.post/1",
    refs={},
    author_id="did:plc:abc",
    author_handle="marie.bsky.social",
    author_name="Marie Dupont",
    text="Je veux un remboursement",
    url=None,
    language="fr",
    at=datetime(2027, 1, 14, tzinfo=UTC),
)


def channel(name: str, platform: str) -> Channel:
    return Channel(name, platform, f"{platform}.j2", None, "fr", None, Utm(source=platform))


@pytest.fixture
def wording(tmp_path: Path) -> Wording:
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
    return load_replies(tmp_path)


def answer(wording: Wording, template: str | None, platform: str = "x", **kw: object) -> Composed:
    values = kw.pop("values", {"order": "A-42"})
    text = kw.pop("text", None)
    return compose(
        ITEM,
        template,
        text,  # type: ignore[arg-type]
        values,  # type: ignore[arg-type]
        wording,
        channel(f"{platform}-cmb", platform),
        charter=CHARTER,
        today=kw.pop("today", TODAY),  # type: ignore[arg-type]
        private=kw.pop("private", None),  # type: ignore[arg-type]
    )


def rules(composed: Composed) -> list[tuple[str, str]]:
    return [(f.rule, f.severity) for f in composed.findings]


def test_a_private_reply_in_a_direct_message(wording: Wording) -> None:
    done = answer(wording, "plainte-dm", "x")
    assert done.text == "Bonjour Marie, votre commande A-42 est suivie."
    assert done.private and done.sendable and done.findings == ()
    assert done.approved is not None and done.approved.name == "plainte-dm"


def test_no_direct_message_falls_back_to_the_public_reply_and_says_so(wording: Wording) -> None:
    done = answer(wording, "plainte-dm", "linkedin")  # LinkedIn's API sends no messages
    assert not done.private and done.approved is not None
    assert done.approved.name == "plainte-public" and done.sendable
    assert done.text == "Bonjour Marie, écrivez-nous à contact@example.org. #Marque"
    assert rules(done) == [("reply.public-fallback", "warning"), ("reply.var-unused", "warning")]
    assert "'plainte-public' is sent instead of 'plainte-dm'" in done.findings[0].message
    assert "order=A-42" in done.findings[1].message  # the public reply does not say it


def test_a_public_reply_asked_private_where_there_is_no_dm_says_it_goes_public(
    wording: Wording,
) -> None:
    done = answer(wording, "plainte-public", "linkedin", private=True, values={})
    assert not done.private and done.approved is not None
    assert done.approved.name == "plainte-public" and done.sendable
    (finding,) = done.findings
    assert finding.rule == "reply.public-fallback"
    assert "the approved reply 'plainte-public' is sent in public" in finding.message
    assert "instead of" not in finding.message


def test_a_placeholder_never_given_is_an_error(wording: Wording) -> None:
    done = answer(wording, "plainte-dm", values={})
    assert rules(done) == [("reply.placeholder-missing", "error")] and not done.sendable
    assert "{order}" in done.findings[0].message and "--var order=" in (done.findings[0].hint or "")


def test_an_expired_reply_is_an_error(wording: Wording) -> None:
    done = answer(wording, "plainte-dm", today=date(2027, 7, 1))
    assert rules(done) == [("reply.expired", "error")] and "2027-06-30" in done.findings[0].message


def test_an_unknown_template_gets_a_suggestion(wording: Wording) -> None:
    done = answer(wording, "plainte-publique")
    assert rules(done) == [("reply.unknown-template", "error")]
    assert done.findings[0].hint == "did you mean 'plainte-public'?"


def test_free_text_not_approved_names_the_closest(wording: Wording) -> None:
    done = answer(
        wording, None, text="Bonjour Marie, écrivez-nous vite à contact@example.org", values={}
    )
    assert rules(done) == [("reply.not-approved", "warning")] and done.approved is None
    assert "'plainte-public'" in done.findings[0].message
    same = answer(
        wording, None, text="Bonjour Marie,  écrivez-nous à contact@example.org. #Marque", values={}
    )
    assert same.findings == () and same.approved is not None


def test_free_text_is_checked_by_the_charter_and_the_platform(wording: Wording) -> None:
    done = answer(wording, None, "bluesky", text="C'est gratuit " + "très " * 60)
    found = rules(done)
    assert ("charter.banned-wording", "error") in found
    assert ("charter.required-text", "warning") in found
    assert any(rule.startswith("platform.") and sev == "error" for rule, sev in found)


def test_a_value_the_answer_does_not_use_is_said_not_dropped(wording: Wording) -> None:
    done = answer(wording, "plainte-dm", values={"order": "A-42", "ordre": "A-43"})
    assert rules(done) == [("reply.var-unused", "warning")] and done.sendable
    assert "ordre=A-43" in done.findings[0].message and "A-43" not in done.text
    free = answer(wording, None, text="Votre commande {order} arrive.")
    assert ("reply.var-unused", "warning") in rules(free)
    assert free.text == "Votre commande {order} arrive."  # free words are sent as written


def test_an_item_without_an_author_name_leaves_first_name_to_give(wording: Wording) -> None:
    nameless = replace(ITEM, author_name="", author_handle="")
    done = compose(
        nameless,
        "plainte-dm",
        None,
        {"order": "A-42"},
        wording,
        channel("x-cmb", "x"),
        charter=CHARTER,
        today=TODAY,
    )
    assert rules(done) == [("reply.placeholder-missing", "error")] and not done.sendable
    assert "{first_name}" in done.findings[0].message
    assert "--var first_name=" in (done.findings[0].hint or "")
    given = compose(
        nameless,
        "plainte-dm",
        None,
        {"order": "A-42", "first_name": "Marie"},
        wording,
        channel("x-cmb", "x"),
        charter=CHARTER,
        today=TODAY,
    )
    assert given.sendable and given.text.startswith("Bonjour Marie,")
