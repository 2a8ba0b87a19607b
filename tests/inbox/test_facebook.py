"""The Facebook inbox against the fake Graph server with comments (tests/inbox/graph_comments.py:
every request checked against the facebook-business SDK's tables and Meta's reference pages): the
Page publishes with `cmbuild push`, people comment and reply; the inbox stores each comment once,
however often it is read; answers go under the right thread, or privately through Messenger,
exactly once, even when the process dies between the send and the ledger."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from cmbuild.push.report import Report
from tests.inbox.graph_comments import PAGE_NAME, CommentingGraph
from tests.inbox.steps import (
    Commenters,
    answer,
    killed_after_send,
    private_once,
    read,
    threads_once,
)
from tests.platforms.facebook.test_publisher import ENV, ONLY
from tests.push.graph_fake import PAGE_ID, PAGE_TOKEN, Fault, GraphFailure
from tests.push.meta_site import TEXT_AT, meta_site
from tests.push.sites import ledger_lines


@pytest.fixture
def graph() -> Iterator[CommentingGraph]:
    with CommentingGraph() as running:
        yield running


@pytest.fixture
def page(basic: Path, graph: CommentingGraph, run_push: Callable[..., Report]) -> tuple[Path, str]:
    root = meta_site(basic, graph.url, None)
    run_push(root, TEXT_AT, ENV, channels=ONLY)
    ((post_id, _),) = graph.of_kind("post").items()
    return root, post_id


def test_comments_and_replies_are_stored_once_and_answers_thread_under_them(
    page: tuple[Path, str], graph: CommentingGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, post_id = page

    def answers(top: str) -> list[str]:
        ours = graph.comments("comment", parent=top, **{"from": {"id": PAGE_ID, "name": PAGE_NAME}})
        return [c["message"] for c in ours.values()]

    people = Commenters(
        "facebook-test",
        ENV,
        lambda text: graph.comment(post_id, text),
        lambda top, text: graph.comment(post_id, text, author=("10002", "Bruno P"), parent=top),
        answers,
    )
    (published,) = [line for line in ledger_lines(root) if line["kind"] == "published"]
    question, reply = threads_once(root, people, monkeypatch)
    assert (question.variant, question.author_name, question.url) == (
        published["variant"],
        "Alice Martin",
        f"https://www.facebook.com/{post_id}?comment_id=1",
    )
    assert reply.refs == {
        "comment_id": reply.remote_id,
        "thread_id": question.remote_id,
        "post_id": post_id,
    }
    assert graph.rejected == []


def test_a_private_reply_goes_once_through_messenger_within_seven_days(
    page: tuple[Path, str], graph: CommentingGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, post_id = page
    angry = graph.comment(post_id, "Je veux un remboursement")
    old = graph.comment(post_id, "Toujours rien", ago=timedelta(days=8))
    items = {item.remote_id: item for item in read(root, ENV).contents.items}

    def delivered() -> str | None:
        private = graph.nodes[angry][1]["private"]
        return str(private["text"]) if private else None

    private_once(root, ENV, (items[angry], items[old]), delivered, "already has a private reply")
    assert [s.path for s in graph.seen].count(f"/{PAGE_ID}/messages") == 1

    newer = graph.comment(post_id, "Et ma facture ?")
    item = next(i for i in read(root, ENV).contents.items if i.remote_id == newer)
    killed_after_send(
        monkeypatch,
        lambda: answer(root, ENV, item.id, "Regardez vos messages.", "dm-3", private=True),
    )
    settled = answer(root, ENV, item.id, "Regardez vos messages.", "dm-3", private=True)
    assert settled.outcome == "reconciled", settled
    assert [s.path for s in graph.seen].count(f"/{PAGE_ID}/messages") == 2
    assert graph.rejected == []


def test_a_comment_deleted_before_the_answer_is_not_answered(
    page: tuple[Path, str], graph: CommentingGraph
) -> None:
    root, post_id = page
    asked = graph.comment(post_id, "Une question")
    (item,) = read(root, ENV).contents.items
    del graph.nodes[asked]
    gone = answer(root, ENV, item.id, "Bonjour !", "late")
    assert gone.outcome == "gone"
    assert graph.comments("comment", post=post_id) == {}


def test_faults_are_named_waited_out_or_retried(
    page: tuple[Path, str], graph: CommentingGraph
) -> None:
    root, post_id = page
    graph.comment(post_id, "Bonjour")
    graph.faults = [Fault("GET", "/comments", "rate_limit")]  # regain access in 1 minute
    waits: list[float] = []
    run = read(root, ENV, waits)
    assert not run.failed and waits == [60.0] and len(run.contents.items) == 1
    graph.faults = [Fault("GET", "/comments", "server_error")]
    assert not read(root, ENV).failed

    graph.refusals["/comments"] = GraphFailure(
        10, "(#10) Requires pages_read_user_content permission", status=403
    )
    refused = read(root, ENV).channels["facebook-test"].error or ""
    assert "lacks a permission" in refused and "CMB_FACEBOOK_PAGE_TOKEN" in refused
    graph.expired.add(PAGE_TOKEN)
    expired = read(root, ENV).channels["facebook-test"].error or ""
    assert "CMB_FACEBOOK_PAGE_TOKEN" in expired and PAGE_TOKEN not in expired
    assert "nothing more is read from this channel now" in expired
