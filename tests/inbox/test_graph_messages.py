"""Facebook Page (Messenger) and Instagram Direct conversations against the fake Graph server
(tests/inbox/graph_conversations.py: `Page.get_conversations`, `IGUser.get_conversations`,
`UnifiedThread.get_messages` and `create_message` checked against the facebook-business SDK's
tables): with `read_direct_messages = true` each message from someone else is a `dm` item, read
once however often the inbox reads; an answer goes to the sender, in the same conversation,
within 24 hours of the person's last message there (not of the item answered); a token without
the messaging permission is named; a reading stopped at its page cap says so."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from cmbuild.push.report import Report
from tests.inbox.graph_comments import PAGE_NAME
from tests.inbox.graph_conversations import ConversingGraph
from tests.inbox.steps import answer, killed_after_send, read
from tests.platforms.facebook.test_publisher import ENV, ONLY
from tests.platforms.instagram.test_publisher import ENV as IG_ENV
from tests.platforms.instagram.test_publisher import ONLY as IG_ONLY
from tests.push.graph_fake import IG_USER_ID, PAGE_ID, GraphFailure
from tests.push.meta_site import PHOTO_AT, TEXT_AT, meta_site
from tests.push.s3peer import S3Peer

ALICE = ("7001", "Alice Martin")


@pytest.fixture
def graph() -> Iterator[ConversingGraph]:
    with ConversingGraph() as running:
        yield running


@pytest.fixture
def page(basic: Path, graph: ConversingGraph, run_push: Callable[..., Report]) -> Path:
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
    page: Path, graph: ConversingGraph
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
    page: Path, graph: ConversingGraph
) -> None:
    graph.message("messenger", ALICE, "Toujours rien", ago=timedelta(hours=30))
    (item,) = [i for i in read(page, ENV).contents.items if i.kind == "dm"]
    late = answer(page, ENV, item.id, "Désolés.", "late")
    assert late.outcome != "sent"
    assert "within 24 hours of the person's last message" in late.detail, late
    assert "by hand in the Page's Messenger inbox" in late.detail
    assert "HUMAN_AGENT" in late.detail
    assert [s.path for s in graph.seen].count(f"/{PAGE_ID}/messages") == 0
    assert graph.rejected == []


def test_the_window_runs_from_the_persons_last_message_not_the_item_answered(
    page: Path, graph: ConversingGraph
) -> None:
    graph.message("messenger", ALICE, "Ma commande ?", ago=timedelta(hours=30))
    graph.message("messenger", ALICE, "Toujours là ?", ago=timedelta(hours=2))
    items = [i for i in read(page, ENV).contents.items if i.kind == "dm"]
    oldest = min(items, key=lambda i: i.at)
    sent = answer(page, ENV, oldest.id, "Elle arrive demain.", "from-last")
    assert sent.outcome == "sent", sent
    assert graph.rejected == []


def test_a_message_written_since_the_last_reading_opens_the_window_again(
    page: Path, graph: ConversingGraph
) -> None:
    graph.message("messenger", ALICE, "Ma commande ?", ago=timedelta(hours=30))
    (item,) = [i for i in read(page, ENV).contents.items if i.kind == "dm"]
    graph.message("messenger", ALICE, "Vous êtes là ?", ago=timedelta(minutes=10))  # not read
    sent = answer(page, ENV, item.id, "Oui, elle arrive.", "reopened")
    assert sent.outcome == "sent", sent
    assert f"/t_messenger_{ALICE[0]}/messages" in [s.path for s in graph.seen]
    assert graph.rejected == []


def test_more_conversations_than_the_cap_are_said_not_read(
    page: Path, graph: ConversingGraph
) -> None:
    for number in range(501):  # 20 pages of 25, and one more
        person = (f"80{number:03d}", f"Person {number}")
        graph.message("messenger", person, "Bonjour", ago=timedelta(minutes=1000 - number))
    run = read(page, ENV)
    result = run.channels["facebook-test"]
    assert result.error is None
    assert len([i for i in run.contents.items if i.kind == "dm"]) == 500
    (finding,) = result.findings
    assert finding.rule == "inbox-partly-read" and finding.channel == "facebook-test"
    assert "more conversations updated since the last reading than the 500" in finding.message
    assert finding.hint == "read them in the Page's Messenger inbox (Meta Business Suite)"
    assert graph.rejected == []


def test_a_token_without_pages_messaging_is_named(page: Path, graph: ConversingGraph) -> None:
    graph.message("messenger", ALICE, "Bonjour")
    graph.refusals["/conversations"] = GraphFailure(
        10, "(#10) Requires pages_messaging permission", status=403
    )
    error = read(page, ENV).channels["facebook-test"].error or ""
    assert "pages_messaging" in error and "read_direct_messages = false" in error


def test_instagram_direct_messages_are_read_and_answered_in_their_conversation(
    basic: Path, graph: ConversingGraph, s3: S3Peer, run_push: Callable[..., Report]
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


def test_an_answer_cut_off_by_a_crash_is_found_in_the_conversation_and_not_sent_twice(
    page: Path, graph: ConversingGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = graph.message("messenger", ALICE, "Ma commande ?", ago=timedelta(hours=1))
    item = next(i for i in read(page, ENV).contents.items if i.remote_id == asked)
    killed_after_send(monkeypatch, lambda: answer(page, ENV, item.id, "Elle part demain.", "c1"))
    settled = answer(page, ENV, item.id, "Elle part demain.", "c1")
    assert settled.outcome == "reconciled", settled
    again = answer(page, ENV, item.id, "Elle part demain.", "c1")
    assert again.outcome == "already sent", again
    (thread,) = graph.of_kind("thread").values()
    assert [m["message"] for m in thread["messages"]].count("Elle part demain.") == 1
    assert graph.rejected == []


def test_a_crash_before_the_message_left_sends_it_once(
    page: Path, graph: ConversingGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = graph.message("messenger", ALICE, "Ma commande ?", ago=timedelta(hours=1))
    item = next(i for i in read(page, ENV).contents.items if i.remote_id == asked)

    def killed(*args: object, **kwargs: object) -> None:
        raise SystemExit("killed after the pending line, before the send")

    with monkeypatch.context() as patched:
        patched.setattr("cmbuild.platforms.shared.comments.send_message", killed)
        with pytest.raises(SystemExit):
            answer(page, ENV, item.id, "Elle part demain.", "c2")
    sent = answer(page, ENV, item.id, "Elle part demain.", "c2")
    assert sent.outcome == "sent", sent  # the conversation was read: it was not there
    (thread,) = graph.of_kind("thread").values()
    assert [m["message"] for m in thread["messages"]].count("Elle part demain.") == 1
