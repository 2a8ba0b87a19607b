"""The LinkedIn inbox against the LinkedIn fake with comments (tests/inbox/linkedin_comments.py:
requests checked against the Comments API page): the page publishes with `cmbuild push`, members
comment and answer each other; the inbox stores each comment once; answers are comments on the
top-level comment (`parentComment`), exactly once; LinkedIn has no direct messages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cmbuild.push.report import Report
from tests.collect.test_linkedin import page_site
from tests.inbox.linkedin_comments import CommentingLinkedIn
from tests.inbox.steps import Commenters, answer, read, threads_once
from tests.platforms.linkedin.fake import AUTHOR, TOKEN
from tests.platforms.linkedin.test_publisher import ALL_DUE, CHANNEL, ENV
from tests.push.fake_http import Fault
from tests.push.sites import ledger_lines


@pytest.fixture
def fake() -> Iterator[CommentingLinkedIn]:
    with CommentingLinkedIn() as running:
        yield running


@pytest.fixture
def page(
    tmp_path: Path, fake: CommentingLinkedIn, run_push: Callable[..., Report]
) -> tuple[Path, str, str]:
    root = page_site(tmp_path / "site", fake)
    run_push(root, ALL_DUE, ENV)
    published = [line for line in ledger_lines(root) if line["kind"] == "published"]
    first = published[0]
    return root, first["remote_id"], first["variant"]


def test_comments_and_nested_ones_are_stored_once_and_answers_nest_under_them(
    page: tuple[Path, str, str], fake: CommentingLinkedIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, post, variant = page

    def answers(top: str) -> list[str]:
        ours = fake.comments.values()
        return [
            c["message"]["text"]
            for c in ours
            if c["actor"] == AUTHOR and c.get("parentComment") == top
        ]

    people = Commenters(
        CHANNEL,
        ENV,
        lambda text: fake.comment(post, text),
        lambda top, text: fake.comment(post, text, actor="urn:li:person:fan2", parent=top),
        answers,
    )
    question, reply = threads_once(root, people, monkeypatch)
    assert (question.variant, question.author_id, reply.author_id) == (
        variant,
        "urn:li:person:fan1",
        "urn:li:person:fan2",
    )
    assert (reply.refs["thread_urn"], reply.refs["target"]) == (question.remote_id,) * 2
    assert (question.refs["target"], question.refs["object"]) == (post, post)
    assert fake.rejected == []


def test_a_private_answer_is_refused_a_deleted_comment_not_answered(
    page: tuple[Path, str, str], fake: CommentingLinkedIn
) -> None:
    root, post, _ = page
    asked = fake.comment(post, "Une question")
    (item,) = read(root, ENV).contents.items
    private = answer(root, ENV, item.id, "En privé", "dm", private=True)
    assert private.outcome == "failed" and "no direct messages" in private.detail
    del fake.comments[asked]
    assert answer(root, ENV, item.id, "Bonjour !", "late").outcome == "gone"
    assert [c for c in fake.comments.values() if c["actor"] == AUTHOR] == []


def test_faults_are_named_waited_out_or_retried(
    page: tuple[Path, str, str], fake: CommentingLinkedIn
) -> None:
    root, post, _ = page
    fake.comment(post, "Bonjour")
    fake.faults = [Fault("GET", "/rest/socialActions/", 429, {"Retry-After": "30"})]
    waits: list[float] = []
    run = read(root, ENV, waits)
    assert not run.failed and waits == [30.0] and len(run.contents.items) == 1
    fake.faults = [Fault("GET", "/rest/socialActions/", 503)]
    assert not read(root, ENV).failed
    fake.faults = [Fault("GET", "/rest/socialActions/", 403, body={"status": 403})]
    refused = read(root, ENV).channels[CHANNEL].error or ""
    assert "CMB_LINKEDIN_TOKEN" in refused and "403" in refused
    fake.refuse_token = True
    expired = read(root, ENV).channels[CHANNEL].error or ""
    assert "CMB_LINKEDIN_TOKEN" in expired and TOKEN not in expired


def test_a_post_with_more_comments_than_a_reading_takes_says_so(
    page: tuple[Path, str, str], fake: CommentingLinkedIn
) -> None:
    root, post, variant = page
    for number in range(1000):  # exactly 20 pages of 50: all read, nothing to say
        fake.comment(post, f"Commentaire {number}", ago_ms=3_000_000 - number * 1000)
    whole = read(root, ENV).channels[CHANNEL]
    assert (whole.error, whole.read, whole.findings) == (None, 1000, [])
    fake.comment(post, "Un de plus")
    run = read(root, ENV)
    (finding,) = run.channels[CHANNEL].findings
    assert finding.rule == "inbox-partly-read" and finding.channel == CHANNEL
    assert f"the post {variant}" in finding.message and "more than the 1000" in finding.message
    assert "does not say in what order" in finding.message
    assert fake.rejected == []
