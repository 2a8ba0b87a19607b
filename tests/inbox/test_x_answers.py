"""An answer on X cut off between X and the ledger, through the CLI against the fake checked
against X's OpenAPI description (tests/inbox/x_fake.py, which gives the brand's posts back as X
does: the mention of whom it answers first, t.co links, HTML entities). X takes no idempotency
key: the next run reads the brand's own posts (or the conversation's messages) since the send
began. Found: recorded with its id, never sent twice. Proven absent: sent. In doubt (the read
failed, the brand answered with other words, the send too recent to be listed): left pending,
named, to check on X and `cmbuild resolve`."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cmbuild.inbox.fetch import InboxSettings, read_inbox
from cmbuild.push.report import Report
from cmbuild.push.retry import RetryPolicy
from cmbuild.stores.inbox import InboxItem
from tests.collect.conftest import CHANNELS
from tests.inbox.test_wire import write_answer
from tests.inbox.x_fake import BRAND_ID, InboxX
from tests.platforms.x.test_publisher import ENV
from tests.push.fixtures import cli
from tests.push.sites import ledger_lines, make_site, variant

NOW = "2026-12-01T09:00:00Z"
WORDS = "Nous regardons : suivi sur example.org/suivi & merci !"


@pytest.fixture
def x() -> Iterator[InboxX]:
    with InboxX() as running:
        yield running


@pytest.fixture
def root(tmp_path: Path, x: InboxX, run_push: Callable[..., Report]) -> Path:
    entries = [variant("x-test", "x", "2026-12-01T08:00:00Z", slug="one")]
    site = make_site(tmp_path / "site", CHANNELS.format(url=x.url), entries)
    run_push(site, NOW, ENV)
    return site


def asked(root: Path, x: InboxX, *users: str) -> list[InboxItem]:
    """Each of `users` answers the brand's post; the inbox read: their items."""
    (post,) = [line for line in ledger_lines(root) if line["kind"] == "published"]
    ids = [x.said(user, f"@TestBrand {user} ?", reply_to=post["remote_id"]) for user in users]
    run = read_inbox(InboxSettings(root, environ=ENV, retry=RetryPolicy(sleep=lambda _: None)))
    assert not run.failed, run.channels
    by_id = {i.remote_id: i for i in run.contents.items}
    return [by_id[i] for i in ids]


def run(root: Path, *args: str, kill: bool = False) -> Any:
    return cli(root, *args, env={**os.environ, **ENV}, kill_after_send=1 if kill else None)


def answers(x: InboxX, item: InboxItem) -> list[str]:
    """The brand's posts under `item`, as X gives them back."""
    return [
        p["text"]
        for p in x.said_posts
        if p["author_id"] == BRAND_ID and p.get("referenced_tweets")
        if p["referenced_tweets"][0]["id"] == item.remote_id
    ]


def kinds(root: Path, variant: str) -> list[str]:
    return [line["kind"] for line in ledger_lines(root) if line["variant"] == variant]


def test_a_sigkill_after_the_send_is_found_on_x_and_never_sent_twice(root: Path, x: InboxX) -> None:
    item, other = asked(root, x, "marie", "paul")
    command = ("reply", item.id, "--text", WORDS)
    killed = run(root, *command, kill=True)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    assert kinds(root, f"reply:{item.id}") == ["pending"]
    (given,) = answers(x, item)
    assert given.startswith("@marie ") and "https://t.co/" in given and "&amp;" in given

    again = run(root, *command)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.startswith(f"reconciled: reply:{item.id}"), again.stdout
    assert run(root, *command).stdout.startswith(f"already sent: reply:{item.id}")
    assert len(answers(x, item)) == 1 and x.rejected == []
    (timeline,) = [q for q in x.reads if "start_time" in q]
    assert set(timeline["tweet.fields"]) == {"referenced_tweets", "created_at"}
    pending, reconciled = [
        line for line in ledger_lines(root) if line["variant"] == f"reply:{item.id}"
    ]
    assert reconciled["kind"] == "reconciled"
    assert reconciled["remote_id"] == x.said_posts[-1]["id"]
    start = datetime.fromisoformat(timeline["start_time"][0].replace("Z", "+00:00"))
    assert start == datetime.fromisoformat(pending["at"]) - timedelta(minutes=5)

    # The same through `cmbuild push` and a replies/ file.
    write_answer(root, "paul", f"in_reply_to: '{other.id}'\ntext: Elle arrive !\n")
    killed = run(root, "push", kill=True)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    pushed = run(root, "push")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert "replies/paul.md  reconciled: https://x.com/i/web/status/" in pushed.stdout
    assert "replies/paul.md  already sent" in run(root, "push").stdout
    assert answers(x, other) == ["@paul Elle arrive !"]


def test_a_sigkill_after_a_direct_message_is_found_in_its_conversation(
    root: Path, x: InboxX
) -> None:
    toml = root / "channels.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("options = {", "options = { read_direct_messages = true,"))
    x.wrote("marie", "Bonjour, ma commande ?")
    x.wrote("paul", "Bonjour à tous", group="1582838923430539264")
    run_read = read_inbox(InboxSettings(root, environ=ENV, retry=RetryPolicy(sleep=lambda _: None)))
    one, group = sorted(run_read.contents.items, key=lambda i: i.author_handle)
    for item in (one, group):
        command = ("reply", item.id, "--text", "Voir https://example.org/aide")
        assert run(root, *command, kill=True).returncode == -signal.SIGKILL
        again = run(root, *command)
        assert again.stdout.startswith(f"reconciled: reply:{item.id}"), again.stdout + again.stderr
    conversations = [q for q in x.reads if "event_types" in q and "expansions" not in q]
    assert len(conversations) == 2 and x.rejected == []
    paths = {p for _, p, _ in x.seen if p.endswith("/dm_events") and p != "/2/dm_events"}
    assert paths == {
        "/2/dm_conversations/with/1000/dm_events",
        "/2/dm_conversations/1582838923430539264/dm_events",
    }
    assert len(x.messages) == 2  # one each: none sent twice


def test_a_crash_when_the_posts_cannot_be_read_stays_pending_and_says_so(
    root: Path, x: InboxX
) -> None:
    (item,) = asked(root, x, "marie")
    command = ("reply", item.id, "--text", WORDS)
    assert run(root, *command, kill=True).returncode == -signal.SIGKILL
    x.timeline_faults = [(429, {"Retry-After": "900"})]
    again = run(root, *command)
    said = again.stdout + again.stderr
    assert again.returncode != 0, said
    assert "an earlier send was interrupted and cannot be checked" in said
    assert "cannot read the account's posts" in said and "HTTP 429" in said
    assert f"cmbuild resolve reply:{item.id}" in said
    assert kinds(root, f"reply:{item.id}") == ["pending"] and len(answers(x, item)) == 1

    # The brand's answer there in other words (edited by hand): a doubt, never an absence.
    x.said_posts[-1]["text"] = "@marie Autre chose"
    doubt = run(root, *command)
    assert doubt.returncode != 0 and "with other words (https://x.com/i/web/status/" in doubt.stdout
    assert kinds(root, f"reply:{item.id}") == ["pending"] and len(answers(x, item)) == 1


def pending(root: Path, item: InboxItem, at: datetime) -> None:
    """The ledger line of a run killed after it, before its answer reached X."""
    line = {
        "kind": "pending",
        "variant": f"reply:{item.id}",
        "channel": item.channel,
        "platform": "x",
        "content_hash": "0" * 64,
        "idempotency_key": "0" * 32,
        "at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "in_reply_to": item.id,
    }
    with (root / "state" / "ledger.jsonl").open("a", encoding="utf-8") as ledger:
        ledger.write(json.dumps(line) + "\n")


def test_an_answer_proven_absent_is_sent_and_one_too_recent_to_tell_waits(
    root: Path, x: InboxX
) -> None:
    early, late = asked(root, x, "marie", "paul")
    pending(root, early, datetime.now(UTC) - timedelta(minutes=10))
    sent = run(root, "reply", early.id, "--text", WORDS)
    assert sent.returncode == 0 and sent.stdout.startswith(f"sent: reply:{early.id}"), sent.stdout
    assert len(answers(x, early)) == 1 and kinds(root, f"reply:{early.id}")[-1] == "published"

    # A pending line dated after now (a clock set wrong): X may not list it yet, so no verdict.
    pending(root, late, datetime.now(UTC) + timedelta(hours=1))
    waits = run(root, "reply", late.id, "--text", WORDS)
    assert waits.returncode != 0 and "X may not list it yet" in waits.stdout + waits.stderr
    assert answers(x, late) == [] and kinds(root, f"reply:{late.id}") == ["pending"]
