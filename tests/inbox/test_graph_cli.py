"""`cmbuild inbox` and `cmbuild reply` through the CLI on Facebook and LinkedIn: the comments read
are listed with their intent and the approved reply suggested; the answer sent from it is on the
platform under the comment; reading again adds nothing and the item is answered. On LinkedIn,
which has no direct messages, a private answer is the approved public reply, and it says so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from cmbuild.push.report import Report
from cmbuild.stores import inbox
from tests.helpers import cli
from tests.inbox.graph_comments import CommentingGraph
from tests.inbox.linkedin_comments import CommentingLinkedIn
from tests.inbox.test_facebook import graph, page
from tests.inbox.test_linkedin import fake
from tests.inbox.test_linkedin import page as linkedin_page
from tests.inbox.test_wire import REPLIES
from tests.platforms.facebook.test_publisher import ENV as FACEBOOK_ENV
from tests.platforms.linkedin.fake import AUTHOR
from tests.platforms.linkedin.test_publisher import ENV as LINKEDIN_ENV
from tests.push.graph_fake import PAGE_ID

__all__ = ["fake", "graph", "linkedin_page", "page"]


def _environment(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SUPPORT_URL", raising=False)


def test_facebook_comments_are_listed_with_intents_and_answered_from_the_cli(
    page: tuple[Path, str], graph: CommentingGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, post_id = page
    (root / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
    asked = graph.comment(post_id, "Où est ma commande ?")
    graph.comment(post_id, "Je veux un remboursement", author=("10002", "Bruno Petit"))
    _environment(monkeypatch, FACEBOOK_ENV)

    listed = cli("inbox", "--root", str(root), "--channel", "facebook-test")
    assert listed.code == 0, listed.err
    question = inbox.item_id("facebook-test", asked)
    assert f"send it: cmbuild reply {question} --with suivi --var order=..." in listed.out
    assert "[question]" in listed.out and "[complaint]" in listed.out
    assert "2 items, 2 waiting for an answer" in listed.out

    sent = cli("reply", "--root", str(root), question, "--with", "suivi", "--var", "order=42")
    assert sent.code == 0 and sent.out.startswith(f"sent: reply:{question}"), sent.out + sent.err
    (ours,) = graph.comments("comment", parent=asked).values()
    assert ours["from"]["id"] == PAGE_ID
    assert ours["message"] == "Bonjour Alice, votre commande 42 est en route."
    again = cli("inbox", "--root", str(root), "--channel", "facebook-test")
    assert "2 items, 1 waiting for an answer" in again.out, again.out  # the answer left out
    assert graph.rejected == []


def test_linkedin_private_answer_is_the_approved_public_reply_and_says_so(
    linkedin_page: tuple[Path, str, str],
    fake: CommentingLinkedIn,
    monkeypatch: pytest.MonkeyPatch,
    run_push: Callable[..., Report],
) -> None:
    root, post, _ = linkedin_page
    (root / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
    angry = fake.comment(post, "Je veux un remboursement")
    _environment(monkeypatch, LINKEDIN_ENV)
    listed = cli("inbox", "--root", str(root))
    assert listed.code == 0 and "[complaint]" in listed.out, listed.out + listed.err
    complaint = inbox.item_id("linkedin-test", angry)
    sent = cli(
        "reply", "--root", str(root), complaint, "--with", "plainte", "--private",
        "--var", "first_name=Claire",
    )  # fmt: skip
    assert sent.code == 0, sent.out + sent.err
    assert "LinkedIn has no direct messages" in sent.err and "(public reply)" in sent.out
    (ours,) = [c for c in fake.comments.values() if c["actor"] == AUTHOR]
    assert ours["parentComment"] == angry
    assert ours["message"]["text"].startswith("Bonjour Claire, nous sommes désolés")
    assert fake.rejected == []


def test_a_post_with_more_new_comments_than_a_reading_takes_says_so_and_how_to_read_on(
    page: tuple[Path, str], graph: CommentingGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, post_id = page
    for number in range(2001):  # 20 pages of 100, and one more
        graph.comment(post_id, f"Commentaire {number}", ago=timedelta(minutes=3000 - number))
    _environment(monkeypatch, FACEBOOK_ENV)
    first = cli("inbox", "--root", str(root), "--limit", "1")
    assert first.code == 0, first.out + first.err
    assert "facebook-test: 2000 items new" in first.out
    warning = next(line for line in first.out.splitlines() if "warning:" in line)
    assert "has more new comments than the 2000 read now" in warning, first.out
    command = warning.partition("`")[2].partition("`")[0]
    assert command.startswith("cmbuild inbox --channel facebook-test --since "), warning
    rest = cli(*command.split()[1:], "--root", str(root), "--limit", "1")
    assert rest.code == 0, rest.out + rest.err
    assert "facebook-test: 1 items new" in rest.out and "warning:" not in rest.out
    assert len(inbox.read_items(root / "state" / "inbox.jsonl", "inbox").items) == 2001
    assert graph.rejected == []
