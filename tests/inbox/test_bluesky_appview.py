"""Against the real Bluesky network with its AppView: the brand publishes with `cmbuild push`,
another account replies to the post and mentions the brand; the inbox stores both (once, however
often it is read); `cmbuild reply`'s library answers the reply, and the answer is read back from
the server threaded under it (root: the brand's post, parent: the reply). An answer is never sent
twice, even when the process dies between the send and the ledger's line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from atproto import models

from cmbuild.inbox.answer import Outgoing, send_answer
from cmbuild.inbox.fetch import InboxSettings, read_inbox
from cmbuild.load.config import load_channels
from cmbuild.push.report import Report
from cmbuild.push.retry import RetryPolicy
from cmbuild.push.session import PushSettings
from tests.collect.test_bluesky_appview import name, refs
from tests.inbox.crash import die_after_send
from tests.platforms.bluesky.appview import BlueskyNetwork
from tests.push.sites import ledger_lines, make_site, variant

pytestmark = pytest.mark.appview
NOW = "2026-12-01T09:00:00Z"


def site(root: Path, network: BlueskyNetwork) -> Path:
    channels = (
        '[channels.bsky]\nplatform = "bluesky"\n'
        f'options = {{ service = "{network.pds_url}" }}\n'
        'credentials = { identifier = "CMB_BLUESKY_HANDLE", '
        'app_password = "CMB_BLUESKY_APP_PASSWORD" }\n'
    )
    return make_site(root, channels, [variant("bsky", "bluesky", NOW, text="Notre nouveauté")])


def read(root: Path, env: dict[str, str]) -> Any:
    return read_inbox(InboxSettings(root, environ=env, retry=RetryPolicy(sleep=lambda _: None)))


def answer(root: Path, env: dict[str, str], item: str, text: str, name: str) -> Any:
    settings = PushSettings(root=root, environ=env, retry=RetryPolicy(sleep=lambda _: None))
    channels = {c.name: c for c in load_channels(root)}
    return send_answer(replace(settings, timeout=10.0), Outgoing(item, name, text), channels)


def test_inbox_stores_the_reply_and_mention_and_the_answer_threads_under_it(
    tmp_path: Path,
    bluesky_network: BlueskyNetwork,
    run_push: Callable[..., Report],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    brand = bluesky_network.make_account(name("brand"))
    fan = bluesky_network.client(bluesky_network.make_account(name("fan")))
    root = site(tmp_path / "site", bluesky_network)
    assert [r.outcome for r in run_push(root, NOW, brand.env).rows] == ["published"]
    (sent_post,) = [line for line in ledger_lines(root) if line["kind"] == "published"]
    post_uri = sent_post["remote_id"]
    post = refs(fan, post_uri)
    asked = fan.send_post(
        "Où est ma commande ?", reply_to=models.AppBskyFeedPost.ReplyRef(parent=post, root=post)
    )
    mention_text = f"Bravo @{brand.handle} !"
    fan.send_post(mention_text, facets=_mention(mention_text, brand.handle, brand.did))
    bluesky_network.process_all()

    run = read(root, brand.env)
    assert not run.failed, run.channels
    by_text = {item.text: item for item in run.contents.items}
    reply = by_text["Où est ma commande ?"]
    assert (reply.kind, reply.variant, reply.remote_id) == (
        "reply",
        sent_post["variant"],
        asked.uri,
    )
    assert reply.refs["root_uri"] == post_uri and reply.refs["cid"] == asked.cid
    assert by_text[mention_text].kind == "mention"
    assert run.answered == {}
    assert read(root, brand.env).channels["bsky"].written == 0  # read again: nothing new

    sent = answer(root, brand.env, reply.id, "Nous regardons, merci !", "first")
    assert sent.outcome == "sent", sent
    bluesky_network.process_all()
    thread = fan.get_post_thread(asked.uri).thread
    (threaded,) = thread.replies
    assert threaded.post.record.text == "Nous regardons, merci !"
    assert threaded.post.record.reply.parent.uri == asked.uri
    assert threaded.post.record.reply.root.uri == post_uri
    assert answer(root, brand.env, reply.id, "Encore ?", "first").outcome == "already sent"
    after = read(root, brand.env)
    assert reply.id in after.answered

    # The process dies after the send, before the ledger's `published` line.
    undo = die_after_send(monkeypatch)
    with pytest.raises(SystemExit):
        answer(root, brand.env, reply.id, "Un complément", "second")
    undo()
    assert answer(root, brand.env, reply.id, "Un complément", "second").outcome == "reconciled"
    bluesky_network.process_all()
    texts = [r.post.record.text for r in fan.get_post_thread(asked.uri).thread.replies]
    assert sorted(texts) == ["Nous regardons, merci !", "Un complément"]  # once each


def _mention(text: str, handle: str, did: str) -> list[Any]:
    start = text.encode().index(f"@{handle}".encode())
    end = start + len(f"@{handle}".encode())
    return [
        models.AppBskyRichtextFacet.Main(
            index=models.AppBskyRichtextFacet.ByteSlice(byte_start=start, byte_end=end),
            features=[models.AppBskyRichtextFacet.Mention(did=did)],
        )
    ]


def test_refused_credentials_name_the_variable_and_store_nothing(
    tmp_path: Path, bluesky_network: BlueskyNetwork
) -> None:
    brand = bluesky_network.make_account(name("brand"))
    root = site(tmp_path / "site", bluesky_network)
    env = {**brand.env, "CMB_BLUESKY_APP_PASSWORD": "wrong-wrong-wrong-wrong"}
    settings = InboxSettings(
        root, channels=("bsky",), environ=env, retry=RetryPolicy(sleep=lambda _: None)
    )
    run = read_inbox(settings)
    assert run.failed and run.channels["bsky"].written == 0
    error = run.channels["bsky"].error or ""
    assert "CMB_BLUESKY_APP_PASSWORD" in error and "wrong-wrong" not in error
    assert not (root / "state" / "inbox.jsonl").exists()


def test_the_cli_lists_answers_with_an_approved_reply_and_pushes_a_reply_file_once(
    tmp_path: Path,
    bluesky_network: BlueskyNetwork,
    run_push: Callable[..., Report],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cmbuild.stores import inbox
    from tests.helpers import cli
    from tests.inbox.test_wire import REPLIES, write_answer

    brand = bluesky_network.make_account(name("brand"))
    fan = bluesky_network.client(bluesky_network.make_account(name("fan")))
    root = site(tmp_path / "site", bluesky_network)
    (root / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
    assert [r.outcome for r in run_push(root, NOW, brand.env).rows] == ["published"]
    (sent_post,) = [line for line in ledger_lines(root) if line["kind"] == "published"]
    post = refs(fan, sent_post["remote_id"])
    under = models.AppBskyFeedPost.ReplyRef(parent=post, root=post)
    asked = fan.send_post("Où est ma commande ?", reply_to=under, langs=["fr"])
    angry = fan.send_post("Je veux un remboursement", reply_to=under, langs=["fr"])
    bluesky_network.process_all()
    for key, value in brand.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SUPPORT_URL", raising=False)

    listed = cli("inbox", "--root", str(root))
    assert listed.code == 0, listed.err
    question = inbox.item_id("bsky", asked.uri)
    complaint = inbox.item_id("bsky", angry.uri)
    assert f"send it: cmbuild reply {question} --with suivi --var order=..." in listed.out
    assert "[complaint]" in listed.out and "SUPPORT_URL is not set" in listed.err

    sent = cli("reply", "--root", str(root), question, "--with", "suivi", "--var", "order=42")
    assert sent.code == 0 and sent.out.startswith(f"sent: reply:{question}"), sent.out + sent.err
    write_answer(root, "plainte-1", f"in_reply_to: '{complaint}'\ntemplate: plainte\n")
    assert "replies/plainte-1.md  to send" in cli("plan", "--root", str(root)).out
    pushed = cli("push", "--root", str(root))
    assert pushed.code == 0 and "replies/plainte-1.md  sent: " in pushed.out, pushed.out
    again = cli("push", "--root", str(root))
    assert again.code == 0 and "replies/plainte-1.md  already sent" in again.out
    bluesky_network.process_all()
    who = fan.me.handle  # no display name: {first_name} is the handle
    for uri, text in (
        (asked.uri, f"Bonjour {who}, votre commande 42 est en route."),
        (angry.uri, f"Bonjour {who}, nous sommes désolés : écrivez-nous à contact@example.org."),
    ):
        (threaded,) = fan.get_post_thread(uri).thread.replies
        assert threaded.post.record.reply.parent.uri == uri
        assert threaded.post.record.text == text
    waiting = cli("inbox", "--root", str(root), "--no-fetch")
    assert "0 waiting for an answer" in waiting.out.replace("2 items, ", "")
