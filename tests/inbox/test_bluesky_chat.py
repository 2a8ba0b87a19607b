"""Bluesky direct messages, read and answered over HTTP through the real PDS.

Bluesky's chat service is not open source and the dev-env network has none, so
tests/inbox/bsky_chat_service.py plays it on 127.0.0.1, validating every request and response
against the chat.bsky.convo lexicons. The rest is real: the brand logs in on the dev-env PDS,
whose chat proxy resolves the channel's `chat_service` (did:web:localhost%3A<port>) over http and
forwards each call with a service token the fake verifies against the PLC directory; the fan
writes through the same PDS with the official client. The PDS's own refusal of an app password
made without access to direct messages is met for real too.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
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
from cmbuild.stores import inbox
from tests.collect.test_bluesky_appview import name
from tests.inbox.bsky_chat_service import ChatService
from tests.inbox.test_wire import REPLIES
from tests.platforms.bluesky.appview import Account, BlueskyNetwork
from tests.push.fixtures import Sleeps, cli
from tests.push.servers import environ
from tests.push.sites import ledger_lines, make_site, variant

pytestmark = pytest.mark.appview
SEND = "chat.bsky.convo.sendMessage"
NOW = "2026-12-01T09:00:00Z"


@dataclass
class Scene:
    root: Path
    brand: Account
    env: dict[str, str]  # the brand's channel credentials: an app password with chat access
    network: BlueskyNetwork
    chat: ChatService

    def fan(self, allow: str | None = "all") -> tuple[Account, Any]:
        """A new account and its client; `allow`: its chat declaration (None: none written)."""
        account = self.network.make_account(name("fan"))
        client = self.network.client(account)
        if allow is not None:
            declare(client, account.did, allow)
        return account, client

    def write(self, client: Any, to: str, text: str) -> str:
        """The fan writes to `to` in the chat, through the PDS; the conversation's id."""
        chat = client.with_proxy("bsky_chat", self.chat.did)
        params = models.ChatBskyConvoGetConvoForMembers.Params(members=[to])
        convo = chat.chat.bsky.convo.get_convo_for_members(params).convo.id
        message = models.ChatBskyConvoDefs.MessageInput(text=text)
        chat.chat.bsky.convo.send_message(
            models.ChatBskyConvoSendMessage.Data(convo_id=convo, message=message)
        )
        return str(convo)


def declare(client: Any, did: str, allow: str) -> None:
    record = {"$type": "chat.bsky.actor.declaration", "allowIncoming": allow}
    client.com.atproto.repo.put_record(
        models.ComAtprotoRepoPutRecord.Data(
            repo=did, collection="chat.bsky.actor.declaration", rkey="self", record=record
        )
    )


def chat_password(network: BlueskyNetwork, account: Account, privileged: bool) -> str:
    """An app password of `account`, with access to direct messages or not."""
    session = network.xrpc(
        "com.atproto.server.createSession",
        {"identifier": account.handle, "password": account.password},
    )
    made = network.xrpc(
        "com.atproto.server.createAppPassword",
        {"name": f"chat-{privileged}", "privileged": privileged},
        token=session["accessJwt"],
    )
    return str(made["password"])


@pytest.fixture
def scene(
    tmp_path: Path, bluesky_network: BlueskyNetwork, run_push: Callable[..., Report]
) -> Iterator[Scene]:
    brand = bluesky_network.make_account(name("brand"))
    declare(bluesky_network.client(brand), brand.did, "all")
    env = {**brand.env, "CMB_BLUESKY_APP_PASSWORD": chat_password(bluesky_network, brand, True)}
    with ChatService(bluesky_network.plc_url, bluesky_network.pds_url) as chat:
        channels = (
            '[channels.bsky]\nplatform = "bluesky"\n'
            f'options = {{ service = "{bluesky_network.pds_url}", '
            f'chat_service = "{chat.did}", read_direct_messages = true }}\n'
            'credentials = { identifier = "CMB_BLUESKY_HANDLE", '
            'app_password = "CMB_BLUESKY_APP_PASSWORD" }\n'
        )
        entry = variant("bsky", "bluesky", NOW, text="Notre nouveauté")
        root = make_site(tmp_path / "site", channels, [entry])
        (root / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
        # The inbox reads a channel once something was published there.
        assert [r.outcome for r in run_push(root, NOW, env).rows] == ["published"]
        yield Scene(root, brand, env, bluesky_network, chat)
        assert chat.rejected == []  # every request the PDS forwarded was a lexicon's


def read(scene: Scene, sleeps: Sleeps, env: dict[str, str] | None = None) -> Any:
    settings = InboxSettings(
        scene.root, environ=env or scene.env, timeout=10.0, retry=RetryPolicy(sleep=sleeps)
    )
    return read_inbox(settings)


def answer(scene: Scene, sleeps: Sleeps, item: str, text: str, private: bool = False) -> Any:
    settings = PushSettings(
        root=scene.root, environ=scene.env, timeout=10.0, retry=RetryPolicy(sleep=sleeps)
    )
    channels = {c.name: c for c in load_channels(scene.root)}
    return send_answer(settings, Outgoing(item, item, text, private=private), channels)


def dm_item(scene: Scene, run: Any, text: str) -> str:
    (found,) = [i for i in run.contents.items if i.kind == "dm" and i.text == text]
    return str(found.id)


def test_a_message_is_read_answered_in_its_conversation_once_and_its_answer_read_back(
    scene: Scene, sleeps: Sleeps
) -> None:
    fan, client = scene.fan()
    convo = scene.write(client, scene.brand.did, "Où est ma commande ?")
    run = read(scene, sleeps)
    assert not run.failed, run.channels
    item = dm_item(scene, run, "Où est ma commande ?")
    stored = inbox.read_items(scene.root / "state" / "inbox.jsonl", "inbox").by_id()[item]
    assert (stored.author_handle, stored.refs["convo_id"]) == (fan.handle, convo)

    # A 429 is waited out; a message kept but its answer lost is looked up, not sent again.
    scene.chat.faults[SEND] = [("status", 429, {"Retry-After": "2"}), ("drop",)]
    sent = answer(scene, sleeps, item, "Elle part demain, https://example.org/suivi")
    assert sent.outcome == "sent", sent.detail
    assert sent.detail == f"https://bsky.app/messages/{convo}" and 2.0 in sleeps
    assert scene.chat.calls.count(SEND) == 3 and "chat.bsky.convo.getMessages" in scene.chat.calls
    assert answer(scene, sleeps, item, "Elle part demain").outcome == "already sent"
    assert scene.chat.messages_from(scene.brand.did) == [
        "Elle part demain, https://example.org/suivi"
    ]
    (facet,) = scene.chat.convos[convo].messages[-1]["facets"]
    assert facet["features"][0]["uri"] == "https://example.org/suivi"

    again = read(scene, sleeps)
    (mine,) = [i for i in again.contents.items if i.author_id == scene.brand.did]
    assert mine.answers == item  # the brand's own message answers the fan's


def test_a_private_answer_to_a_mention_opens_the_conversation_or_names_the_refusal(
    scene: Scene, sleeps: Sleeps
) -> None:
    open_fan = scene.fan("all")
    closed_fan = scene.fan("none")
    shy_fan = scene.fan(None)  # no declaration: only accounts they follow (Bluesky's default)
    for fan, client in (open_fan, closed_fan, shy_fan):
        inbox_item = item_from(scene, fan, client)
        sent = answer(scene, sleeps, inbox_item, "Nous vous écrivons en privé", private=True)
        if fan is open_fan[0]:
            assert sent.outcome == "sent", sent.detail
            assert sent.detail.startswith("https://bsky.app/messages/convo")
            continue
        assert sent.outcome == "failed"
        assert f"@{fan.handle} does not accept direct messages from the brand" in sent.detail
        assert "answer in public" in sent.detail
        why = (
            "they accept direct messages from no one"  # their profile's associated.chat
            if fan is closed_fan[0]
            else "the chat service says: recipient requires incoming messages to come from "
            "someone they follow"
        )
        assert why in sent.detail, sent.detail
        assert ledger_lines(scene.root)[-1]["code"] == "permanent"
    assert scene.chat.messages_from(scene.brand.did) == ["Nous vous écrivons en privé"]


def item_from(scene: Scene, fan: Account, client: Any) -> str:
    """The fan's post about the brand, stored in the inbox as its reading stores a mention."""
    post = client.send_post(f"@{scene.brand.handle} une question")
    scene.network.process_all()
    item = inbox.InboxItem(
        id=inbox.item_id("bsky", post.uri),
        channel="bsky",
        platform="bluesky",
        kind="mention",
        remote_id=post.uri,
        refs={"uri": post.uri, "cid": post.cid, "root_uri": post.uri, "root_cid": post.cid},
        author_id=fan.did,
        author_handle=fan.handle,
        author_name=fan.handle,
        text=f"@{scene.brand.handle} une question",
        url=None,
        language="fr",
        at=datetime.now(UTC).replace(microsecond=0),
    )
    inbox.append_items(scene.root / "state" / "inbox.jsonl", [item])
    return item.id


def test_a_sigkill_between_the_message_and_the_ledger_is_reconciled_never_sent_twice(
    scene: Scene, sleeps: Sleeps
) -> None:
    _, client = scene.fan()
    scene.write(client, scene.brand.did, "Bonjour, une commande ?")
    item = dm_item(scene, read(scene, sleeps), "Bonjour, une commande ?")
    env = environ(**scene.env)
    args = ("reply", item, "--text", "Nous regardons, merci !")
    killed = cli(scene.root, *args, env=env, kill_after_send=1)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    assert ledger_lines(scene.root)[-1]["kind"] == "pending"
    again = cli(scene.root, *args, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.startswith(f"reconciled: reply:{item}"), again.stdout
    assert cli(scene.root, *args, env=env).stdout.startswith(f"already sent: reply:{item}")
    assert scene.chat.messages_from(scene.brand.did) == ["Nous regardons, merci !"]


def test_an_app_password_without_direct_messages_is_named_for_reading_and_answering(
    scene: Scene, sleeps: Sleeps
) -> None:
    _, client = scene.fan()
    scene.write(client, scene.brand.did, "Vous êtes là ?")
    item = dm_item(scene, read(scene, sleeps), "Vous êtes là ?")
    plain = chat_password(scene.network, scene.brand, False)
    scene.env = {**scene.env, "CMB_BLUESKY_APP_PASSWORD": plain}
    error = read(scene, sleeps).channels["bsky"].error or ""
    assert "Allow access to your direct messages" in error, error
    sent = answer(scene, sleeps, item, "Oui !")
    assert sent.outcome == "failed" and "Allow access to your direct messages" in sent.detail
    assert plain not in sent.detail and plain not in error
    assert scene.chat.messages_from(scene.brand.did) == []
