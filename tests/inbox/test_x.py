"""The inbox on X, against the fake checked against X's OpenAPI description (tests/inbox/x_fake.py):
the brand publishes with `cmbuild push`; people reply, reply deeper in the thread, quote and
mention it. The inbox stores each once (the next reading asks only what came after, `since_id`);
an answer goes under the item with `reply.in_reply_to_tweet_id`, a private one as a direct
message to its author (a direct message in its own conversation, one-to-one or group); faults
are named (401, 403 on a DM), waited out (429 Retry-After). An interrupted send:
tests/inbox/test_x_answers.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cmbuild.inbox.answer import Outgoing, send_answer
from cmbuild.inbox.fetch import InboxSettings, read_inbox
from cmbuild.load.config import load_channels
from cmbuild.push.report import Report
from cmbuild.push.retry import RetryPolicy
from cmbuild.push.session import PushSettings
from tests.collect.conftest import CHANNELS
from tests.inbox.x_fake import InboxX
from tests.platforms.x.test_publisher import ENV, TOKEN
from tests.push.sites import ledger_lines, make_site, variant

NOW = "2026-12-01T09:00:00Z"


@pytest.fixture
def x() -> Iterator[InboxX]:
    with InboxX() as running:
        yield running


@pytest.fixture
def root(tmp_path: Path, x: InboxX, run_push: Callable[..., Report]) -> Path:
    entries = [variant("x-test", "x", "2026-12-01T08:00:00Z", slug="one")]
    site = make_site(tmp_path / "site", CHANNELS.format(url=x.url), entries)
    run_push(site, NOW, ENV)
    assert len(x.posts) == 1
    return site


def post_of(root: Path) -> dict[str, Any]:
    (line,) = [line for line in ledger_lines(root) if line["kind"] == "published"]
    return line


def read(root: Path, waits: list[float] | None = None, env: dict[str, str] = ENV) -> Any:
    policy = RetryPolicy(sleep=(waits if waits is not None else []).append)
    return read_inbox(InboxSettings(root, environ=env, retry=policy))


def answer(root: Path, item: str, text: str, name: str, private: bool = False) -> Any:
    settings = PushSettings(root=root, environ=ENV, retry=RetryPolicy(sleep=lambda _: None))
    outgoing = Outgoing(item, name, text, private)
    return send_answer(settings, outgoing, {c.name: c for c in load_channels(root)})


def test_replies_quotes_and_mentions_are_read_once_and_answered_under_the_item(
    root: Path, x: InboxX
) -> None:
    post = post_of(root)
    asked = x.said("marie", "@TestBrand Où est ma commande ?", reply_to=post["remote_id"])
    deeper = x.said("paul", "@marie @TestBrand Moi aussi", reply_to=asked)
    deeper_item = f"x-test:{deeper}"
    quote = x.said(
        "lea",
        "Regardez ça @TestBrand",
        referenced_tweets=[{"type": "quoted", "id": post["remote_id"]}],
    )
    x.said("paul", "Bravo @TestBrand !")

    run = read(root)
    assert not run.failed, run.channels
    assert x.rejected == []
    (timeline,) = [q for q in x.reads if "max_results" in q]
    assert timeline["expansions"] == ["author_id"] and "since_id" not in timeline
    assert set(timeline["tweet.fields"]) >= {"created_at", "conversation_id", "referenced_tweets"}
    items = {item.remote_id: item for item in run.contents.items}
    reply = items[asked]
    assert (reply.kind, reply.variant, reply.author_handle, reply.language) == (
        "reply",
        post["variant"],
        "marie",
        "fr",
    )
    assert reply.refs == {"id": asked, "conversation_id": post["remote_id"], "author_id": "1000"}
    assert reply.url == f"https://x.com/marie/status/{asked}"
    assert items[deeper].variant == post["variant"] and items[deeper].answers == reply.id
    assert deeper_item in {i.id for i in run.contents.items}
    assert (items[quote].kind, items[quote].variant) == ("quote", post["variant"])
    assert [i.kind for i in run.contents.items].count("mention") == 1

    again = read(root)
    assert again.channels["x-test"].written == 0
    newest = max(items, key=int)
    assert [q.get("since_id") for q in x.reads if "max_results" in q][-1] == [newest]

    sent = answer(root, reply.id, "Nous regardons, merci !", "first")
    assert sent.outcome == "sent", sent
    (answered,) = [p for p in x.posts.values() if "reply" in p]
    assert answered == {"text": "Nous regardons, merci !", "reply": {"in_reply_to_tweet_id": asked}}
    assert answer(root, reply.id, "Encore ?", "first").outcome == "already sent"
    assert reply.id in read(root).answered


def test_a_private_answer_is_a_direct_message_to_the_author(root: Path, x: InboxX) -> None:
    asked = x.said("marie", "@TestBrand mon colis ?", reply_to=post_of(root)["remote_id"])
    (item,) = read(root).contents.items
    sent = answer(root, item.id, "Écrivez-nous votre numéro de commande.", "dm", private=True)
    assert sent.outcome == "sent", sent
    assert x.messages == [("1000", "Écrivez-nous votre numéro de commande.")]
    assert not [p for p in x.posts.values() if "reply" in p]
    assert item.remote_id == asked and x.rejected == []


def test_a_refused_direct_message_is_named_and_not_taken_for_a_refused_token(
    root: Path, x: InboxX
) -> None:
    x.said("marie", "@TestBrand mon colis ?", reply_to=post_of(root)["remote_id"])
    (item,) = read(root).contents.items
    x.post_faults = [(403, {})]
    sent = answer(root, item.id, "Écrivez-nous.", "dm", private=True)
    assert sent.outcome == "failed" and "refused the direct message to @marie" in sent.detail
    assert "renew" not in sent.detail and x.messages == []


def test_a_refused_token_names_its_variable_and_stores_nothing(root: Path, x: InboxX) -> None:
    x.said("marie", "@TestBrand ?", reply_to=post_of(root)["remote_id"])
    x.refuse_token = True
    run = read(root)
    error = run.channels["x-test"].error or ""
    assert run.failed and "CMB_X_TOKEN" in error and TOKEN not in error
    assert "nothing more is read from this channel" in error
    assert not (root / "state" / "inbox.jsonl").exists()


def test_rate_limits_are_waited_out_as_retry_after_says(root: Path, x: InboxX) -> None:
    x.said("marie", "@TestBrand ?", reply_to=post_of(root)["remote_id"])
    x.faults = [(429, {"Retry-After": "7"}), (503, {})]
    waits: list[float] = []
    run = read(root, waits)
    assert not run.failed, run.channels
    assert waits[0] == 7.0 and len(waits) == 2 and run.channels["x-test"].written == 1
    (item,) = run.contents.items
    x.post_faults = [(429, {"Retry-After": "11"})]
    settings = PushSettings(root=root, environ=ENV, retry=RetryPolicy(sleep=waits.append))
    outgoing = Outgoing(item.id, "later", "Merci !")
    sent = send_answer(settings, outgoing, {c.name: c for c in load_channels(root)})
    assert sent.outcome == "sent" and waits[-1] == 11.0
    assert len([p for p in x.posts.values() if "reply" in p]) == 1


def test_a_deleted_item_is_not_answered(root: Path, x: InboxX) -> None:
    asked = x.said("marie", "@TestBrand ?", reply_to=post_of(root)["remote_id"])
    (item,) = read(root).contents.items
    del x.posts[asked]
    assert answer(root, item.id, "Trop tard", "late").outcome == "gone"
    assert not [p for p in x.posts.values() if "reply" in p] and x.rejected == []


def test_a_long_timeline_is_read_page_by_page(root: Path, x: InboxX) -> None:
    for number in range(130):
        x.said(f"fan{number % 7}", f"@TestBrand message {number}")
    run = read(root)
    assert run.channels["x-test"].written == 130 and x.rejected == []
    assert len([q for q in x.reads if "max_results" in q]) == 2


def searching(root: Path) -> None:
    """Turn the channel's conversation search on (channels.toml, options)."""
    toml = root / "channels.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("options = {", "options = { conversation_search = true,"), "utf-8")


def test_conversation_search_reads_replies_that_no_longer_name_the_brand(
    root: Path, x: InboxX
) -> None:
    searching(root)
    post = post_of(root)
    asked = x.said("marie", "@TestBrand Où est ma commande ?", reply_to=post["remote_id"])
    aside = x.said("paul", "Pareil pour moi", False, reply_to=asked)
    first = read(root)
    assert not first.failed, first.channels
    assert x.rejected == []
    items = {i.remote_id: i for i in first.contents.items}
    assert set(items) == {asked, aside}
    assert (items[aside].variant, items[aside].answers) == (post["variant"], f"x-test:{asked}")
    (search,) = [q for q in x.reads if "query" in q]
    assert search["query"] == [f"conversation_id:{post['remote_id']}"]

    assert answer(root, f"x-test:{aside}", "Nous regardons.", "aside").outcome == "sent"
    after = read(root)
    own = [i for i in after.contents.items if i.author_id == "2244994945"]
    assert [i.answers for i in own] == [f"x-test:{aside}"]  # the brand's answer, read back
    assert f"x-test:{aside}" in after.answered


def test_a_plan_without_recent_search_is_named(root: Path, x: InboxX) -> None:
    searching(root)
    x.said("marie", "@TestBrand ?", reply_to=post_of(root)["remote_id"])
    x.refuse_search = True
    run = read(root)
    error = run.channels["x-test"].error or ""
    assert "X refused recent search (HTTP 403)" in error and "conversation_search = false" in error


def reading_messages(root: Path) -> None:
    """Turn the channel's direct messages on (channels.toml, options)."""
    toml = root / "channels.toml"
    text = toml.read_text(encoding="utf-8")
    on = text.replace("options = {", "options = { read_direct_messages = true,")
    toml.write_text(on, "utf-8")


def test_direct_messages_are_read_once_and_answered_in_their_conversation(
    root: Path, x: InboxX
) -> None:
    reading_messages(root)
    first = x.wrote("marie", "Bonjour, ma commande n'est pas arrivée")
    second = x.wrote("marie", "Numéro 1234")
    x.wrote("paul", "Vous livrez en Belgique ?")
    run = read(root)
    assert not run.failed, run.channels
    assert x.rejected == []
    (query,) = [q for q in x.reads if "event_types" in q]
    assert query["event_types"] == ["MessageCreate"] and query["expansions"] == ["sender_id"]
    assert set(query["dm_event.fields"]) >= {"text", "sender_id", "dm_conversation_id"}
    dms = {i.remote_id: i for i in run.contents.items if i.kind == "dm"}
    assert set(dms) == {first, second, x.dm_events[2]["id"]}
    item = dms[second]
    conversation = "1000-2244994945"  # the one-to-one conversation: lower id first
    assert item.refs == {"id": second, "conversation_id": conversation, "author_id": "1000"}
    assert (item.author_handle, item.text, item.answers) == ("marie", "Numéro 1234", None)

    assert read(root).channels["x-test"].written == 0

    sent = answer(root, item.id, "Merci, nous regardons.", "dm")  # not --private: still a DM
    assert sent.outcome == "sent", sent
    assert x.messages == [("1000", "Merci, nous regardons.")]
    assert x.dm_events[-1]["dm_conversation_id"] == conversation
    assert not [p for p in x.posts.values() if "reply" in p]
    after = read(root)
    own = [i for i in after.contents.items if i.author_id == "2244994945"]
    assert [(i.kind, i.answers) for i in own] == [("dm", item.id)]  # the answer, read back
    assert item.id in after.answered and after.channels["x-test"].written == 1


def test_direct_messages_are_read_page_by_page_until_the_newest_stored(
    root: Path, x: InboxX
) -> None:
    reading_messages(root)
    for number in range(130):
        x.wrote(f"fan{number % 7}", f"message {number}")
    assert read(root).channels["x-test"].written == 130
    assert len([q for q in x.reads if "event_types" in q]) == 2
    x.wrote("marie", "encore un")
    again = read(root)
    assert again.channels["x-test"].written == 1 and x.rejected == []
    assert len([q for q in x.reads if "event_types" in q]) == 3  # the first page was enough


def test_direct_messages_are_not_read_unless_the_channel_asks(root: Path, x: InboxX) -> None:
    x.wrote("marie", "Bonjour")
    run = read(root)
    assert not run.failed and not [q for q in x.reads if "event_types" in q]


def test_a_message_in_a_group_conversation_is_answered_in_that_conversation(
    root: Path, x: InboxX
) -> None:
    reading_messages(root)
    group = "1582838923430539264"
    x.wrote("marie", "Bonjour à tous", group=group)
    (item,) = read(root).contents.items
    assert item.refs["conversation_id"] == group
    sent = answer(root, item.id, "Bonjour !", "group")
    assert sent.outcome == "sent", sent
    assert x.seen[-1][:2] == ("POST", f"/2/dm_conversations/{group}/messages")
    assert x.messages == [(group, "Bonjour !")] and x.dm_events[-1]["dm_conversation_id"] == group
    assert x.dm_events[-1]["sender_id"] == "2244994945" and x.rejected == []
    assert not [p for p in x.posts.values() if "reply" in p]
    after = read(root)
    assert item.id in after.answered  # the answer, read back in the group's events


def test_a_token_without_dm_read_is_named(root: Path, x: InboxX) -> None:
    reading_messages(root)
    x.wrote("marie", "Bonjour")
    x.refuse_dm_read = True
    run = read(root)
    error = run.channels["x-test"].error or ""
    assert run.failed and "X refused to read the direct messages (HTTP 403)" in error
    assert "dm.read" in error and "read_direct_messages = false" in error
    assert TOKEN not in error
