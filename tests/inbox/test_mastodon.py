"""The inbox on Mastodon, against mastodon_mock (its REST API, stateful) behind the gate that
refuses what Mastodon refuses: the brand (alice) publishes with `cmbuild push`; bob replies to the
post, replies to his own reply, mentions the brand and writes to it in a direct status. The
inbox stores each once, with its kind and the post it answers; the answers are read back from the
server, threaded under the item, addressed to bob, private where the item was; an answer is never
sent twice, even when the process dies between the send and the ledger's line."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmbuild.inbox.answer import Outgoing, send_answer
from cmbuild.inbox.fetch import InboxSettings, read_inbox
from cmbuild.load.config import load_channels
from cmbuild.push.report import Report
from cmbuild.push.retry import RetryPolicy
from cmbuild.push.session import PushSettings
from tests.platforms.mastodon.test_publisher import ENV, channels
from tests.push.fixtures import MASTODON_TOKEN, cli
from tests.push.mastodon_gate import MastodonGate
from tests.push.sites import ledger_lines, make_site, variant

NOW = "2026-12-01T09:00:00Z"
BOB = "bob_token"  # the mock's second seeded account


@pytest.fixture
def gate(mastodon: Any) -> Iterator[MastodonGate]:
    with MastodonGate(mastodon.base_url) as running:
        yield running


def site(tmp_path: Path, gate: MastodonGate) -> Path:
    post = variant("masto", "mastodon", "2026-12-01T08:00:00Z", text="Notre nouveauté")
    return make_site(tmp_path / "site", channels(gate.url), [post])


def read(root: Path, env: dict[str, str] = ENV) -> Any:
    return read_inbox(InboxSettings(root, environ=env, retry=RetryPolicy(sleep=lambda _: None)))


def answer(root: Path, item: str, text: str, name: str, private: bool = False) -> Any:
    settings = PushSettings(root=root, environ=ENV, retry=RetryPolicy(sleep=lambda _: None))
    channels_ = {c.name: c for c in load_channels(root)}
    outgoing = Outgoing(item, name, text, private, "fr")
    return send_answer(replace(settings, timeout=10.0), outgoing, channels_)


def published(root: Path) -> dict[str, Any]:
    (line,) = [line for line in ledger_lines(root) if line["kind"] == "published"]
    return line


def test_replies_mentions_and_direct_messages_are_read_once_and_answered_in_their_thread(
    tmp_path: Path, mastodon: Any, gate: MastodonGate, run_push: Callable[..., Report]
) -> None:
    root = site(tmp_path, gate)
    assert [r.outcome for r in run_push(root, NOW, ENV).rows] == ["published"]
    post = published(root)
    bob = mastodon.client(token=BOB)
    asked = bob.status_post("Où est ma commande ?", in_reply_to_id=post["remote_id"])
    bob.status_post("Et la facture ?", in_reply_to_id=asked["id"])
    bob.status_post("Bravo @alice !")
    private = bob.status_post("@alice mon numéro est le 42", visibility="direct")

    run = read(root)
    assert not run.failed, run.channels
    by_text = {item.text: item for item in run.contents.items}
    assert set(by_text) == {
        "Où est ma commande ?",
        "Et la facture ?",
        "Bravo @alice !",
        "@alice mon numéro est le 42",
    }
    reply = by_text["Où est ma commande ?"]
    assert (reply.kind, reply.variant, reply.remote_id) == (
        "reply",
        post["variant"],
        str(asked["id"]),
    )
    assert reply.refs == {"id": str(asked["id"]), "acct": "bob", "visibility": "public"}
    assert reply.author_handle == "bob" and reply.url
    assert by_text["Et la facture ?"].variant == post["variant"]  # the thread's post, deep down
    assert by_text["Et la facture ?"].answers == reply.id
    assert (by_text["Bravo @alice !"].kind, by_text["Bravo @alice !"].variant) == ("mention", None)
    dm = by_text["@alice mon numéro est le 42"]
    assert dm.kind == "dm" and dm.refs["visibility"] == "direct"
    assert run.answered == {}
    assert read(root).channels["masto"].written == 0  # read again: nothing new

    sent = answer(root, reply.id, "@bob Nous regardons, merci !", "first")
    assert sent.outcome == "sent", sent
    (threaded,) = bob.status_context(asked["id"])["descendants"][-1:]
    assert str(threaded["in_reply_to_id"]) == str(asked["id"])
    assert threaded["account"]["acct"] == "alice" and threaded["visibility"] == "public"
    assert bob.status_source(threaded["id"])["text"] == "@bob Nous regardons, merci !"
    assert gate.statuses[-1]["language"] == "fr"
    assert answer(root, reply.id, "@bob Encore ?", "first").outcome == "already sent"

    # A direct message is answered in a direct status, whatever the answer asked for.
    assert answer(root, dm.id, "@bob Bien reçu.", "dm").outcome == "sent"
    (to_dm,) = bob.status_context(private["id"])["descendants"]
    assert to_dm["visibility"] == "direct" and gate.statuses[-1]["visibility"] == "direct"
    after = read(root)
    assert {reply.id, dm.id} <= set(after.answered)
    # The brand's answer in the post's thread is read back (the one to the direct message is in
    # no thread of a ledger post: the ledger tells it was answered).
    (own,) = [i for i in after.contents.items if i.author_handle == "alice"]
    assert own.answers == reply.id and after.channels["masto"].written == 1


def asked(tmp_path: Path, mastodon: Any, gate: MastodonGate, push: Callable[..., Report]) -> Any:
    """The brand's post pushed, bob's reply under it, read into the inbox: (root, status, item)."""
    root = site(tmp_path, gate)
    push(root, NOW, ENV)
    bob = mastodon.client(token=BOB)
    status = bob.status_post("Une question", in_reply_to_id=published(root)["remote_id"])
    (item,) = read(root).contents.items
    return root, status, item


def test_a_sigkill_between_send_and_ledger_is_reconciled_and_sends_nothing_twice(
    tmp_path: Path, mastodon: Any, gate: MastodonGate, run_push: Callable[..., Report]
) -> None:
    root, status, item = asked(tmp_path, mastodon, gate, run_push)
    command = ("reply", item.id, "--text", "@bob Voici la réponse")
    killed = cli(root, *command, env={**os.environ, **ENV}, kill_after_send=1)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    again = cli(root, *command, env={**os.environ, **ENV})
    assert again.returncode == 0 and again.stdout.startswith("reconciled"), again.stdout
    bob = mastodon.client(token=BOB)
    assert len(bob.status_context(status["id"])["descendants"]) == 1
    kinds = [line["kind"] for line in ledger_lines(root) if line["variant"] == f"reply:{item.id}"]
    assert kinds == ["pending", "reconciled"]


def test_a_resend_with_the_same_idempotency_key_adds_nothing(
    tmp_path: Path, mastodon: Any, gate: MastodonGate, run_push: Callable[..., Report]
) -> None:
    from cmbuild.platforms.mastodon.reply import MastodonReply
    from cmbuild.platforms.shared.inbox import Answer
    from cmbuild.push.session import Session

    root, status, item = asked(tmp_path, mastodon, gate, run_push)
    settings = PushSettings(root=root, environ=ENV)
    session = Session(settings, {c.name: c for c in load_channels(root)}, None, Report("reply"))
    sender = MastodonReply(session.publisher("masto"))
    words = Answer("@bob Réponse", private=False, key="k" * 32)
    first, second = sender.send(item, words), sender.send(item, words)
    assert first.remote_id == second.remote_id
    bob = mastodon.client(token=BOB)
    assert len(bob.status_context(status["id"])["descendants"]) == 1
    assert sender.find(item, words) == first
    assert sender.find(item, replace(words, text="@bob Autre chose")) is None


def test_a_deleted_item_is_not_answered(
    tmp_path: Path, mastodon: Any, gate: MastodonGate, run_push: Callable[..., Report]
) -> None:
    root, status, item = asked(tmp_path, mastodon, gate, run_push)
    mastodon.client(token=BOB).status_delete(status["id"])
    assert answer(root, item.id, "@bob Trop tard", "late").outcome == "gone"
    assert len(gate.statuses) == 1  # the post only


def test_a_refused_token_names_the_variable_and_stores_nothing(
    tmp_path: Path, mastodon: Any, gate: MastodonGate, run_push: Callable[..., Report]
) -> None:
    root = site(tmp_path, gate)
    run_push(root, NOW, ENV)
    run = read(root, {"CMB_MASTODON_TOKEN": "revoked-token"})
    error = run.channels["masto"].error or ""
    assert run.failed and "CMB_MASTODON_TOKEN" in error and "revoked-token" not in error
    assert "nothing more is read from this channel" in error
    assert not (root / "state" / "inbox.jsonl").exists()
    assert MASTODON_TOKEN not in error


def test_cmbuild_reply_addresses_the_approved_reply_to_the_author_and_checks_it_so(
    tmp_path: Path,
    mastodon: Any,
    gate: MastodonGate,
    run_push: Callable[..., Report],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.helpers import cli as run
    from tests.inbox.test_wire import REPLIES

    root = site(tmp_path, gate)
    (root / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
    run_push(root, NOW, ENV)
    bob = mastodon.client(token=BOB)
    asked = bob.status_post("Où est ma commande ?", in_reply_to_id=published(root)["remote_id"])
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    listed = run("inbox", "--root", str(root))
    assert listed.code == 0, listed.err
    item = f"masto:{asked['id']}"
    shown = run(
        "reply", "--root", str(root), item, "--with", "suivi", "--var", "order=42", "--dry-run"
    )
    assert "@bob Bonjour Bob, votre commande 42 est en route." in shown.out, shown.out + shown.err
    sent = run("reply", "--root", str(root), item, "--with", "suivi", "--var", "order=42")
    assert sent.code == 0, sent.out + sent.err
    (threaded,) = bob.status_context(asked["id"])["descendants"]
    assert bob.status_source(threaded["id"])["text"] == (
        "@bob Bonjour Bob, votre commande 42 est en route."
    )


@settings(deadline=None)  # no assertion on time: the first example imports the sender
@given(
    handle=st.from_regex(r"[a-z][a-z0-9_]{0,10}(@[a-z]{1,8}\.social)?", fullmatch=True),
    text=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40),
)
def test_the_answer_names_its_author_exactly_once(handle: str, text: str) -> None:
    from cmbuild.platforms.mastodon.reply import MastodonReply

    sent = MastodonReply.address(handle, text, private=False)
    assert sent.endswith(text)
    assert sent in (text, f"@{handle} {text}")
    assert MastodonReply.address(handle, sent, private=True) == sent  # already named: unchanged
    assert MastodonReply.address(handle, f"Merci @{handle}, à bientôt", False).count("@") == (
        f"Merci @{handle}, à bientôt".count("@")
    )


def test_a_longer_handle_or_another_server_is_not_taken_for_the_author() -> None:
    from cmbuild.platforms.mastodon.reply import MastodonReply

    assert MastodonReply.address("bob", "@bobby merci", False) == "@bob @bobby merci"
    assert MastodonReply.address("bob", "@bob@other.social merci", False).startswith("@bob @bob@")
    assert MastodonReply.address("bob", "Merci @BOB.", False) == "Merci @BOB."


def test_a_followers_only_status_is_not_answered_in_public(
    tmp_path: Path, mastodon: Any, gate: MastodonGate, run_push: Callable[..., Report]
) -> None:
    root = site(tmp_path, gate)
    run_push(root, NOW, ENV)
    bob = mastodon.client(token=BOB)
    quiet = bob.status_post("@alice entre nous", visibility="private")
    (item,) = read(root).contents.items
    assert (item.kind, item.refs["visibility"]) == ("mention", "private")
    assert answer(root, item.id, "@bob Merci", "quiet").outcome == "sent"
    assert gate.statuses[-1]["visibility"] == "private"
    assert str(gate.statuses[-1]["in_reply_to_id"]) == str(quiet["id"])


def test_an_answer_is_in_the_approved_reply_s_language_from_reply_and_from_replies_files(
    tmp_path: Path,
    mastodon: Any,
    gate: MastodonGate,
    run_push: Callable[..., Report],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.helpers import cli as run
    from tests.inbox.test_wire import REPLIES

    root = site(tmp_path, gate)
    (root / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
    run_push(root, NOW, ENV)
    bob = mastodon.client(token=BOB)
    post = published(root)["remote_id"]
    first = bob.status_post("Where is my commande?", in_reply_to_id=post, language="en")
    second = bob.status_post("And my other commande?", in_reply_to_id=post, language="en")
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    assert run("inbox", "--root", str(root)).code == 0
    # The French approved reply is said to be French, whatever the item was written in.
    sent = run(
        "reply", "--root", str(root), f"masto:{first['id']}", "--with", "suivi", "--var", "order=1"
    )
    assert sent.code == 0, sent.out + sent.err
    assert gate.statuses[-1]["language"] == "fr"
    (root / "replies").mkdir()
    (root / "replies" / "bob.md").write_text(
        f"---\nin_reply_to: masto:{second['id']}\ntemplate: suivi\nvars:\n  order: 2\n---\n",
        encoding="utf-8",
    )
    pushed = run("push", "--root", str(root))
    assert pushed.code == 0, pushed.out + pushed.err
    assert "commande 2" in gate.statuses[-1]["status"] and gate.statuses[-1]["language"] == "fr"


def test_a_content_warning_is_part_of_what_was_said(
    tmp_path: Path, mastodon: Any, gate: MastodonGate, run_push: Callable[..., Report]
) -> None:
    root = site(tmp_path, gate)
    run_push(root, NOW, ENV)
    bob = mastodon.client(token=BOB)
    post = published(root)["remote_id"]
    bob.status_post(
        "Colis abîmé, je veux un remboursement", in_reply_to_id=post, spoiler_text="Plainte"
    )
    (item,) = read(root).contents.items
    assert item.text == "CW: Plainte\n\nColis abîmé, je veux un remboursement"


def test_a_reading_stopped_at_its_page_cap_says_the_older_mentions_were_not_read(
    tmp_path: Path,
    mastodon: Any,
    gate: MastodonGate,
    run_push: Callable[..., Report],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = site(tmp_path, gate)
    run_push(root, NOW, ENV)
    bob = mastodon.client(token=BOB)
    for number in range(3):
        bob.status_post(f"@alice question {number} sur la session")
    monkeypatch.setattr("cmbuild.platforms.mastodon.inbox._PAGE", 1)
    monkeypatch.setattr("cmbuild.platforms.mastodon.inbox._MAX_PAGES", 2)
    run = read(root)
    result = run.channels["masto"]
    assert result.error is None
    assert sorted(item.text for item in run.contents.items) == [
        "@alice question 1 sur la session",
        "@alice question 2 sur la session",
    ]
    (finding,) = result.findings
    assert finding.rule == "inbox-partly-read" and finding.channel == "masto"
    assert "more than 2 mentions and quotes" in finding.message
