"""The Instagram inbox against the fake Graph server with comments (tests/inbox/graph_comments.py:
every request checked against the facebook-business SDK's tables, field expansion included): the
account publishes with `cmbuild push`, people comment and reply; the inbox stores each comment
once; answers go under the top-level comment, or privately, exactly once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from cmbuild.push.report import Report
from tests.inbox.graph_comments import IG_USERNAME, CommentingGraph
from tests.inbox.steps import (
    Commenters,
    answer,
    killed_after_send,
    private_once,
    read,
    threads_once,
)
from tests.platforms.instagram.test_publisher import ENV, ONLY
from tests.push.graph_fake import IG_TOKEN, IG_USER_ID, Fault
from tests.push.meta_site import PHOTO_AT, meta_site
from tests.push.s3peer import S3Peer
from tests.push.sites import ledger_lines


@pytest.fixture
def graph() -> Iterator[CommentingGraph]:
    with CommentingGraph() as running:
        yield running


@pytest.fixture
def account(
    basic: Path, graph: CommentingGraph, s3: S3Peer, run_push: Callable[..., Report]
) -> tuple[Path, str]:
    root = meta_site(basic, graph.url, s3)
    run_push(root, PHOTO_AT, ENV, channels=ONLY)
    ((media_id, _),) = graph.of_kind("ig_media").items()
    return root, media_id


def test_comments_and_replies_are_stored_once_and_answers_thread_under_them(
    account: tuple[Path, str], graph: CommentingGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, media_id = account

    def answers(top: str) -> list[str]:
        ours = graph.comments("ig_comment", parent_id=top, username=IG_USERNAME)
        return [c["text"] for c in ours.values()]

    people = Commenters(
        "instagram-test",
        ENV,
        lambda text: graph.ig_comment(media_id, text),
        lambda top, text: graph.ig_comment(
            media_id, text, username="bruno.p", user_id="178414999902", parent=top
        ),
        answers,
    )
    (published,) = [line for line in ledger_lines(root) if line["kind"] == "published"]
    question, reply = threads_once(root, people, monkeypatch)
    assert (question.variant, question.author_handle, reply.author_handle) == (
        published["variant"],
        "alice.martin",
        "bruno.p",
    )
    assert reply.refs == {
        "comment_id": reply.remote_id,
        "thread_id": question.remote_id,
        "media_id": media_id,
    }
    assert graph.rejected == []


def test_a_private_reply_goes_once_and_an_interrupted_one_is_left_to_check(
    account: tuple[Path, str], graph: CommentingGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, media_id = account
    angry = graph.ig_comment(media_id, "Je veux un remboursement")
    old = graph.ig_comment(media_id, "Toujours rien", ago=timedelta(days=8))
    items = {item.remote_id: item for item in read(root, ENV).contents.items}

    def delivered() -> str | None:
        private = graph.nodes[angry][1]["private"]
        return str(private["text"]) if private else None

    private_once(root, ENV, (items[angry], items[old]), delivered, "Activity already replied to")

    newer = graph.ig_comment(media_id, "Et ma facture ?")
    item = next(i for i in read(root, ENV).contents.items if i.remote_id == newer)
    killed_after_send(
        monkeypatch,
        lambda: answer(root, ENV, item.id, "Regardez vos messages.", "dm-3", private=True),
    )
    unsure = answer(root, ENV, item.id, "Regardez vos messages.", "dm-3", private=True)
    assert unsure.outcome == "failed" and "Instagram inbox" in unsure.detail
    assert [s.path for s in graph.seen].count(f"/{IG_USER_ID}/messages") == 3  # never resent
    assert graph.rejected == []


def test_a_deleted_comment_is_not_answered_and_faults_are_named(
    account: tuple[Path, str], graph: CommentingGraph
) -> None:
    root, media_id = account
    asked = graph.ig_comment(media_id, "Une question")
    graph.faults = [Fault("GET", "/comments", "server_error")]
    (item,) = read(root, ENV).contents.items
    del graph.nodes[asked]
    assert answer(root, ENV, item.id, "Bonjour !", "late").outcome == "gone"
    graph.faults = [Fault("GET", "/comments", "rate_limit")]
    waits: list[float] = []
    assert not read(root, ENV, waits).failed and waits == [60.0]
    graph.expired.add(IG_TOKEN)
    expired = read(root, ENV).channels["instagram-test"].error or ""
    assert "CMB_INSTAGRAM_TOKEN" in expired and IG_TOKEN not in expired


def test_the_newest_comments_are_read_and_a_post_with_more_says_so(
    account: tuple[Path, str], graph: CommentingGraph
) -> None:
    root, media_id = account
    oldest = graph.ig_comment(media_id, "Le tout premier", ago=timedelta(days=2))
    for number in range(1000):  # 20 pages of 50, newest first: the oldest one is left
        graph.ig_comment(media_id, f"Commentaire {number}", ago=timedelta(minutes=2000 - number))
    run = read(root, ENV)
    result = run.channels["instagram-test"]
    assert result.error is None and result.read == 1000
    assert oldest not in {i.remote_id for i in run.contents.items}
    (finding,) = result.findings
    assert finding.rule == "inbox-partly-read" and finding.channel == "instagram-test"
    (published,) = [line for line in ledger_lines(root) if line["kind"] == "published"]
    assert f"the post {published['variant']} ({published['url']})" in finding.message
    assert "the older ones, and new replies under them, were not read" in finding.message
    assert graph.rejected == []


def test_replies_beyond_the_expanded_page_are_read_from_the_comment(
    account: tuple[Path, str], graph: CommentingGraph
) -> None:
    """Graph shows an expanded `replies{...}` one page at a time: the rest are read from
    /{ig-comment-id}/replies, so a busy thread loses none."""
    root, media_id = account
    top = graph.ig_comment(media_id, "Quelqu'un y va ?", ago=timedelta(hours=3))
    for number in range(60):
        graph.ig_comment(
            media_id,
            f"Réponse {number}",
            username="bruno.p",
            user_id="178414999902",
            parent=top,
            ago=timedelta(minutes=120 - number),
        )
    run = read(root, ENV)
    result = run.channels["instagram-test"]
    assert result.error is None and result.findings == []
    replies = [i for i in run.contents.items if i.refs.get("thread_id") == top]
    texts = {i.text for i in replies if i.remote_id != top}
    assert texts == {f"Réponse {number}" for number in range(60)}
    assert graph.rejected == []
