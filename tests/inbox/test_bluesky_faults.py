"""Faults as in push, against the real Bluesky network (its PDS and AppView) behind a proxy that
answers scripted faults (tests/platforms/bluesky/peer.py FaultyProxy): reading the inbox and
answering an item each meet 401/403 (the variables named, no secret shown), 429 with Retry-After
(waited as the server asks, or given up when it asks too long), 5xx, a timeout, and an item
deleted before the answer (not sent, said). Every answer is read back on the server: once each.
A real SIGKILL between the send and the ledger's line, through the CLI: the next run reconciles
it, whether it is `cmbuild reply` or `cmbuild push` sending a replies/ file.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
from tests.collect.test_bluesky_appview import name, refs
from tests.inbox.test_wire import REPLIES, write_answer
from tests.platforms.bluesky.appview import Account, BlueskyNetwork
from tests.platforms.bluesky.peer import FaultyProxy
from tests.push.fixtures import Sleeps, cli
from tests.push.servers import environ
from tests.push.sites import ledger_lines, make_site, variant

pytestmark = pytest.mark.appview
NOW = "2026-12-01T09:00:00Z"
NOTIFICATIONS = "app.bsky.notification.listNotifications"
PUT = "com.atproto.repo.putRecord"


@dataclass
class Scene:
    root: Path
    brand: Account
    fan: Any  # the fan's client
    proxy: FaultyProxy
    network: BlueskyNetwork

    def ask(self, text: str) -> Any:
        """The fan answers the brand's post; the AppView indexes it."""
        (sent,) = [line for line in ledger_lines(self.root) if line["kind"] == "published"]
        post = refs(self.fan, sent["remote_id"])
        made = self.fan.send_post(
            text, reply_to=models.AppBskyFeedPost.ReplyRef(parent=post, root=post)
        )
        self.network.process_all()
        return made

    def replies_to(self, uri: str) -> list[str]:
        self.network.process_all()
        thread = self.fan.get_post_thread(uri).thread
        return sorted(r.post.record.text for r in thread.replies or [])


@pytest.fixture
def scene(
    tmp_path: Path, bluesky_network: BlueskyNetwork, run_push: Callable[..., Report]
) -> Iterator[Scene]:
    brand = bluesky_network.make_account(name("brand"))
    fan = bluesky_network.client(bluesky_network.make_account(name("fan")))
    with FaultyProxy(bluesky_network.pds_url) as proxy:
        channels = (
            '[channels.bsky]\nplatform = "bluesky"\n'
            f'options = {{ service = "{proxy.url}" }}\n'
            'credentials = { identifier = "CMB_BLUESKY_HANDLE", '
            'app_password = "CMB_BLUESKY_APP_PASSWORD" }\n'
        )
        entry = variant("bsky", "bluesky", NOW, text="Notre nouveauté")
        root = make_site(tmp_path / "site", channels, [entry])
        (root / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
        assert [r.outcome for r in run_push(root, NOW, brand.env).rows] == ["published"]
        yield Scene(root, brand, fan, proxy, bluesky_network)


def read(scene: Scene, sleeps: Sleeps, timeout: float = 10.0) -> Any:
    settings = InboxSettings(
        scene.root, environ=scene.brand.env, timeout=timeout, retry=RetryPolicy(sleep=sleeps)
    )
    return read_inbox(settings)


def answer(scene: Scene, sleeps: Sleeps, item: str, text: str, timeout: float = 10.0) -> Any:
    settings = PushSettings(
        root=scene.root, environ=scene.brand.env, timeout=timeout, retry=RetryPolicy(sleep=sleeps)
    )
    channels = {c.name: c for c in load_channels(scene.root)}
    return send_answer(settings, Outgoing(item, text, text), channels)


def test_reading_waits_for_retry_after_retries_server_errors_and_names_refused_credentials(
    scene: Scene, sleeps: Sleeps
) -> None:
    asked = scene.ask("Où est ma commande ?")
    scene.proxy.faults[NOTIFICATIONS] = [("status", 429, {"Retry-After": "3"})]
    run = read(scene, sleeps)
    assert not run.failed, run.channels
    assert sleeps == [3.0] and run.channels["bsky"].written == 1
    assert [i.remote_id for i in run.contents.items] == [asked.uri]

    sleeps.clear()
    scene.proxy.faults[NOTIFICATIONS] = [("status", 503, {})] * 4
    run = read(scene, sleeps)
    error = run.channels["bsky"].error or ""
    assert run.failed and error.startswith("gave up after 4 attempts: cannot read the notif")
    assert "server error (HTTP 503" in error and sleeps == [2.0, 4.0, 8.0]

    sleeps.clear()
    scene.proxy.faults[NOTIFICATIONS] = [("status", 429, {"Retry-After": "3600"})]
    error = read(scene, sleeps).channels["bsky"].error or ""
    assert "asks to wait 3600 s, longer than a reading waits: the next one will try again" in error
    assert sleeps == []

    # No answer within the timeout: a reading is harmless to repeat, so it is repeated.
    scene.proxy.faults[NOTIFICATIONS] = [("delay", 2.5)]
    run = read(scene, sleeps, timeout=1.0)
    assert not run.failed, run.channels
    assert scene.proxy.calls.count(NOTIFICATIONS) >= 2

    password = scene.brand.app_password
    for status in (401, 403):
        scene.proxy.faults[NOTIFICATIONS] = [("status", status, {})]
        run = read(scene, sleeps)
        error = run.channels["bsky"].error or ""
        assert f"HTTP {status}" in error and "CMB_BLUESKY_APP_PASSWORD" in error, error
        assert "nothing more is read from this channel now" in error
        assert password not in error and password not in repr(run)
    assert len(run.contents.items) == 1  # stored once, whatever the faults


def test_an_answer_meets_each_fault_and_is_on_the_server_once(scene: Scene, sleeps: Sleeps) -> None:
    asked = scene.ask("Où est ma commande ?")
    read(scene, sleeps)
    item = inbox.item_id("bsky", asked.uri)

    scene.proxy.faults[PUT] = [("status", 429, {"Retry-After": "2"})]
    assert answer(scene, sleeps, item, "Réponse après 429").outcome == "sent"
    assert sleeps == [2.0]
    scene.proxy.faults[PUT] = [("status", 502, {}), ("status", 500, {})]
    assert answer(scene, sleeps, item, "Réponse après 5xx").outcome == "sent"
    # The server carries the answer out but says nothing in time: looked up, not sent again.
    scene.proxy.faults[PUT] = [("delay", 2.5)]
    puts = scene.proxy.calls.count(PUT)
    assert answer(scene, sleeps, item, "Réponse sans écho", timeout=1.0).outcome == "sent"
    assert scene.proxy.calls.count(PUT) == puts + 1
    assert "com.atproto.repo.getRecord" in scene.proxy.calls

    password = scene.brand.app_password
    for status in (401, 403):
        scene.proxy.faults[PUT] = [("status", status, {})]
        sent = answer(scene, sleeps, item, f"Refusé {status}")
        assert sent.outcome == "failed" and f"HTTP {status}" in sent.detail
        assert "CMB_BLUESKY_APP_PASSWORD" in sent.detail and password not in sent.detail
        assert ledger_lines(scene.root)[-1]["code"] == "auth"
    scene.proxy.faults[PUT] = [("status", 429, {"Retry-After": "900"})]
    late = answer(scene, sleeps, item, "Trop tôt")
    assert late.outcome == "failed" and "asks to wait 900 s" in late.detail
    assert ledger_lines(scene.root)[-1]["code"] == "transient"  # recorded, as a push does
    assert password not in (scene.root / "state" / "ledger.jsonl").read_text(encoding="utf-8")

    assert scene.replies_to(asked.uri) == [
        "Réponse après 429",
        "Réponse après 5xx",
        "Réponse sans écho",
    ]


def test_an_item_deleted_before_the_answer_is_not_answered(scene: Scene, sleeps: Sleeps) -> None:
    asked = scene.ask("Finalement non")
    read(scene, sleeps)
    item = inbox.item_id("bsky", asked.uri)
    scene.fan.delete_post(asked.uri)
    scene.network.process_all()
    puts = scene.proxy.calls.count(PUT)
    sent = answer(scene, sleeps, item, "Trop tard")
    assert (sent.outcome, sent.detail) == (
        "gone",
        "the item was deleted on the platform: not answered",
    )
    assert scene.proxy.calls.count(PUT) == puts  # nothing was sent
    last = ledger_lines(scene.root)[-1]
    assert (last["kind"], last["code"], last["in_reply_to"]) == ("failed", "gone", item)


def test_a_sigkill_between_send_and_ledger_is_reconciled_never_sent_twice(
    scene: Scene, sleeps: Sleeps
) -> None:
    asked = scene.ask("Où est ma commande ?")
    other = scene.ask("Et la mienne ?")
    read(scene, sleeps)
    env = environ(**scene.brand.env)
    item = inbox.item_id("bsky", asked.uri)
    args = ("reply", item, "--text", "Nous regardons, merci !")
    killed = cli(scene.root, *args, env=env, kill_after_send=1)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    assert [(line["kind"], line["variant"]) for line in ledger_lines(scene.root)][-1] == (
        "pending",
        f"reply:{item}",
    )
    again = cli(scene.root, *args, env=env)
    assert again.returncode == 0 and again.stdout.startswith(f"reconciled: reply:{item}"), (
        again.stdout + again.stderr
    )
    assert cli(scene.root, *args, env=env).stdout.startswith(f"already sent: reply:{item}")
    assert scene.replies_to(asked.uri) == ["Nous regardons, merci !"]

    # The same through `cmbuild push` and a replies/ file.
    write_answer(
        scene.root,
        "la-mienne",
        f"in_reply_to: '{inbox.item_id('bsky', other.uri)}'\ntext: Elle arrive !\n",
    )
    killed = cli(scene.root, "push", env=env, kill_after_send=1)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    pushed = cli(scene.root, "push", env=env)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert "reconciled" in pushed.stdout and "replies/la-mienne.md  already sent" in pushed.stdout
    assert "replies/la-mienne.md  already sent" in cli(scene.root, "push", env=env).stdout
    assert scene.replies_to(other.uri) == ["Elle arrive !"]
