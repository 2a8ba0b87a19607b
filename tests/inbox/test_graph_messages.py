"""Facebook Page (Messenger) and Instagram Direct conversations against the fake Graph server
(tests/inbox/graph_comments.py: `Page.get_conversations`, `IGUser.get_conversations`,
`UnifiedThread.get_messages` and `create_message` checked against the facebook-business SDK's
tables): with `read_direct_messages = true` each message from someone else is a `dm` item, read
once however often the inbox reads; an answer goes to the sender, in the same conversation,
within the 24-hour window; a token without the messaging permission is named."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from cmbuild.push.report import Report
from tests.inbox.graph_comments import PAGE_NAME, CommentingGraph
from tests.inbox.steps import answer, read
from tests.platforms.facebook.test_publisher import ENV, ONLY
from tests.platforms.instagram.test_publisher import ENV as IG_ENV
from tests.platforms.instagram.test_publisher import ONLY as IG_ONLY
from tests.push.graph_fake import IG_USER_ID, PAGE_ID, GraphFailure
from tests.push.meta_site import PHOTO_AT, TEXT_AT, meta_site
from tests.push.s3peer import S3Peer

ALICE = ("7001", "Alice Martin")


@pytest.fixture
def graph() -> Iterator[CommentingGraph]:
    with CommentingGraph() as running:
        yield running


@pytest.fixture
def page(basic: Path, graph: CommentingGraph, run_push: Callable[..., Report]) -> Path:
    root = meta_site(basic, graph.url, None)
    run_push(root, TEXT_AT, ENV, channels=ONLY)
    channels = root / "channels.toml"
    text = channels.read_text(encoding="utf-8")
    opted = text.replace(
        f'options = {{ page_id = "{PAGE_ID}", api_base = "{graph.url}" }}',
        f'options = {{ page_id = "{PAGE_ID}", api_base = "{graph.url}", '
        "read_direct_messages = true }",
    )
    assert opted != text
    channels.write_text(opted, encoding="utf-8")
    return root


def test_messages_are_read_once_and_answered_in_their_conversation(
    page: Path, graph: CommentingGraph
) -> None:
    graph.message("messenger", ALICE, "Bonjour, ma commande ?", ago=timedelta(hours=2))
    asked = graph.message("messenger", ALICE, "Numéro 1234", ago=timedelta(hours=1))
    first = read(page, ENV)
    assert not first.failed, first.channels["facebook-test"].error
    items = {i.remote_id: i for i in first.contents.items if i.kind == "dm"}
    item = items[asked]
    assert (item.author_name, item.text, item.refs["recipient_id"]) == (
        ALICE[1],
        "Numéro 1234",
        ALICE[0],
    )
    assert len(items) == 2
    again = read(page, ENV)
    assert not again.failed and again.channels["facebook-test"].written == 0

    sent = answer(page, ENV, item.id, "Elle part demain.", "dm-1")
    assert sent.outcome == "sent", sent
    (thread,) = graph.of_kind("thread").values()
    last = thread["messages"][-1]
    assert (last["from"]["name"], last["message"]) == (PAGE_NAME, "Elle part demain.")
    assert graph.rejected == []
    # The Page's own message, read back, answers the latest item of its conversation.
    mine = [i for i in read(page, ENV).contents.items if i.author_id == PAGE_ID]
    assert [i.answers for i in mine] == [item.id]


def test_past_the_24_hour_window_the_answer_is_refused_saying_so(
    page: Path, graph: CommentingGraph
) -> None:
    graph.message("messenger", ALICE, "Toujours rien", ago=timedelta(hours=30))
    (item,) = [i for i in read(page, ENV).contents.items if i.kind == "dm"]
    late = answer(page, ENV, item.id, "Désolés.", "late")
    assert late.outcome != "sent"
    assert "within 24 hours" in late.detail, late
    assert [s.path for s in graph.seen].count(f"/{PAGE_ID}/messages") == 0


def test_a_token_without_pages_messaging_is_named(page: Path, graph: CommentingGraph) -> None:
    graph.message("messenger", ALICE, "Bonjour")
    graph.refusals["/conversations"] = GraphFailure(
        10, "(#10) Requires pages_messaging permission", status=403
    )
    error = read(page, ENV).channels["facebook-test"].error or ""
    assert "pages_messaging" in error and "read_direct_messages = false" in error


def test_instagram_direct_messages_are_read_and_answered_in_their_conversation(
    basic: Path, graph: CommentingGraph, s3: S3Peer, run_push: Callable[..., Report]
) -> None:
    root = meta_site(basic, graph.url, s3)
    run_push(root, PHOTO_AT, IG_ENV, channels=IG_ONLY)
    channels = root / "channels.toml"
    marker = f'ig_user_id = "{IG_USER_ID}"\n'
    text = channels.read_text(encoding="utf-8")
    channels.write_text(text.replace(marker, marker + "read_direct_messages = true\n"), "utf-8")
    asked = graph.message("instagram", ("17841499990001", "alice.martin"), "Dispo en M ?")
    first = read(root, IG_ENV)
    assert not first.failed, first.channels["instagram-test"].error
    (item,) = [i for i in first.contents.items if i.kind == "dm"]
    assert (item.remote_id, item.channel) == (asked, "instagram-test")
    assert read(root, IG_ENV).channels["instagram-test"].written == 0
    sent = answer(root, IG_ENV, item.id, "Oui, en stock.", "ig-dm")
    assert sent.outcome == "sent", sent
    (thread,) = graph.of_kind("thread").values()
    assert thread["messages"][-1]["from"]["id"] == IG_USER_ID
    assert [s.path for s in graph.seen].count(f"/{IG_USER_ID}/messages") == 1
    assert graph.rejected == []
