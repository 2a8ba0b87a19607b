"""The Bluesky publisher against the real Bluesky PDS (tests/peers/bluesky), on 127.0.0.1.

What was sent is read back from the server itself (`com.atproto.repo.listRecords`,
`com.atproto.sync.getBlob`), so the assertions are about what Bluesky holds, not what we meant.
Run only these with `pytest -m bluesky`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cmbuild.build import build
from cmbuild.push.report import Report
from cmbuild.push.retract import retract
from cmbuild.push.session import PushSettings
from tests.platforms.bluesky.peer import BlueskyPeer, FaultyProxy, XrpcError
from tests.push.fixtures import Sleeps, cli
from tests.push.servers import environ
from tests.push.sites import add_to_channel, kinds, ledger_lines, make_site, variant

pytestmark = pytest.mark.bluesky

NOW = "2026-12-01T09:00:00Z"
ALT = "Une salle de formation lumineuse."
TEXT_IN_POST = 'bluesky-test:\n    text: "La session d’hiver ouvre ses portes ! 🎉"'
TEXT_WITH_TAG = 'bluesky-test:\n    text: "La session d’hiver ouvre ses portes ! 🎉 #FormationCM"'
_handles = itertools.count(1)


@dataclass(frozen=True)
class Account:
    handle: str
    did: str
    app_password: str

    @property
    def env(self) -> dict[str, str]:
        return {"CMB_BLUESKY_HANDLE": self.handle, "CMB_BLUESKY_APP_PASSWORD": self.app_password}


@pytest.fixture
def account(pds: BlueskyPeer) -> Account:
    handle = f"cmb{os.getpid()}x{next(_handles)}"
    did, app_password = pds.create_account(handle)
    return Account(f"{handle}.test", did, app_password)


def configure(root: Path, service: str) -> None:
    """Point the bluesky-test channel of tests/sites/basic at `service`, with a hashtag to mark."""
    add_to_channel(
        root,
        '[channels.bluesky-test]\nplatform = "bluesky"\n',
        f'options = {{ service = "{service}" }}\n'
        'credentials = { identifier = "CMB_BLUESKY_HANDLE", '
        'app_password = "CMB_BLUESKY_APP_PASSWORD" }\n',
    )
    post = root / "posts" / "2026-12-01-lancement.md"
    source = post.read_text(encoding="utf-8")
    assert TEXT_IN_POST in source
    post.write_text(source.replace(TEXT_IN_POST, TEXT_WITH_TAG), encoding="utf-8")
    build(root, jobs=1)


def bluesky_variant(root: Path) -> dict[str, Any]:
    manifest = json.loads((root / "output" / "manifest.json").read_text(encoding="utf-8"))
    variants = manifest["variants"]
    (found,) = [v for v in variants if v["channel"] == "bluesky-test" and v["publishable"]]
    return dict(found)


def without_type(facet: dict[str, Any]) -> dict[str, Any]:
    """A facet without the `$type` of itself and its index, which a writer may leave out."""
    index = {k: v for k, v in facet["index"].items() if k != "$type"}
    return {"index": index, "features": facet["features"]}


@pytest.fixture
def bsky_site(basic: Path, pds: BlueskyPeer) -> Path:
    configure(basic, pds.url)
    return basic


def test_a_built_post_arrives_with_facets_language_and_its_image(
    bsky_site: Path, pds: BlueskyPeer, account: Account, run_push: Callable[..., Report]
) -> None:
    entry = bluesky_variant(bsky_site)
    report = run_push(bsky_site, NOW, account.env, channels=("bluesky-test",))
    assert [(r.outcome, r.variant) for r in report.rows] == [("published", entry["id"])]

    (post,) = pds.posts(account.did)
    record = post["value"]
    text = entry["text"]
    assert record["text"] == text
    assert record["langs"] == ["fr"]
    raw = text.encode()
    url = re.search(r"https://\S+", text)
    assert url is not None
    link_start = raw.index(url.group().encode())
    tag_start = raw.index(b"#FormationCM")
    assert [without_type(facet) for facet in record["facets"]] == [
        {
            "index": {"byteStart": tag_start, "byteEnd": tag_start + len(b"#FormationCM")},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "FormationCM"}],
        },
        {
            "index": {"byteStart": link_start, "byteEnd": len(raw)},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url.group()}],
        },
    ]
    (image,) = record["embed"]["images"]
    assert record["embed"]["$type"] == "app.bsky.embed.images"
    assert image["alt"] == ALT
    (media,) = entry["media"]
    assert (image["aspectRatio"]["width"], image["aspectRatio"]["height"]) == (
        media["width"],
        media["height"],
    )
    cid = image["image"]["ref"]["$link"]
    blob = pds.xrpc("com.atproto.sync.getBlob", raw=True, did=account.did, cid=cid)
    assert hashlib.sha256(blob).hexdigest() == media["sha256"]
    assert blob == (bsky_site / "output" / media["path"]).read_bytes()

    (published,) = [line for line in ledger_lines(bsky_site) if line["kind"] == "published"]
    assert published["remote_id"] == post["uri"]
    rkey = post["uri"].rsplit("/", 1)[1]
    assert published["url"] == f"https://bsky.app/profile/{account.did}/post/{rkey}"

    again = run_push(bsky_site, "2026-12-01T10:00:00Z", account.env, channels=("bluesky-test",))
    assert again.rows == []
    assert len(pds.posts(account.did)) == 1


def test_sending_the_same_variant_again_rewrites_the_same_post(
    bsky_site: Path, pds: BlueskyPeer, account: Account
) -> None:
    from cmbuild.platforms.bluesky.publisher import BlueskyPublisher
    from cmbuild.platforms.shared.publisher import Lookup, PublisherContext
    from cmbuild.push.apply import inputs

    entries, channels = inputs(PushSettings(root=bsky_site))
    credentials = {"identifier": account.handle, "app_password": account.app_password}
    context = PublisherContext(
        channels["bluesky-test"], credentials, bsky_site, timeout=5.0, sleep=lambda s: None
    )
    entry = next(e for e in entries if e.channel == "bluesky-test")
    first = BlueskyPublisher(context).publish(entry, ())
    # A new publisher, as after a crash: another session, another `createdAt`, the same post.
    second = BlueskyPublisher(context).publish(entry, ())
    assert first.remote_id == second.remote_id
    assert [p["uri"] for p in pds.posts(account.did)] == [first.remote_id]

    publisher = BlueskyPublisher(context)
    since = datetime.now(UTC)
    found = publisher.find(Lookup(entry.idempotency_key, entry.id, None, since))
    assert found is not None and found.remote_id == first.remote_id
    assert publisher.find(Lookup("never-sent", entry.id, None, since)) is None


def test_a_push_killed_after_the_send_reconciles_without_a_second_post(
    bsky_site: Path, pds: BlueskyPeer, account: Account
) -> None:
    entry = bluesky_variant(bsky_site)
    env = environ(**account.env)
    args = ("push", "--now", NOW, "--channel", "bluesky-test")
    killed = cli(bsky_site, *args, env=env, kill_after_send=1)
    assert killed.returncode == -signal.SIGKILL
    assert kinds(bsky_site) == [("pending", entry["id"])]
    (post,) = pds.posts(account.did)

    again = cli(bsky_site, *args, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reconciled" in again.stdout
    assert kinds(bsky_site)[1:] == [("reconciled", entry["id"])]
    assert ledger_lines(bsky_site)[-1]["remote_id"] == post["uri"]
    assert [p["uri"] for p in pds.posts(account.did)] == [post["uri"]]


@pytest.fixture
def proxy(pds: BlueskyPeer) -> Iterator[FaultyProxy]:
    with FaultyProxy(pds.url) as running:
        yield running


@pytest.fixture
def proxied_site(basic: Path, proxy: FaultyProxy) -> Path:
    configure(basic, proxy.url)
    return basic


def test_an_answer_lost_after_the_post_was_made_is_looked_up_not_sent_again(
    proxied_site: Path,
    proxy: FaultyProxy,
    pds: BlueskyPeer,
    account: Account,
    run_push: Callable[..., Report],
) -> None:
    proxy.faults["com.atproto.repo.putRecord"] = [("drop",)]
    report = run_push(proxied_site, NOW, account.env, channels=("bluesky-test",))
    assert [r.outcome for r in report.rows] == ["published"]
    assert proxy.calls.count("com.atproto.repo.putRecord") == 1
    assert "com.atproto.repo.getRecord" in proxy.calls
    (post,) = pds.posts(account.did)
    assert ledger_lines(proxied_site)[-1]["remote_id"] == post["uri"]


def test_a_server_error_is_retried_after_what_retry_after_asks(
    proxied_site: Path,
    proxy: FaultyProxy,
    pds: BlueskyPeer,
    account: Account,
    run_push: Callable[..., Report],
    sleeps: Sleeps,
) -> None:
    proxy.faults["com.atproto.repo.putRecord"] = [("status", 503, {"Retry-After": "3"})]
    report = run_push(proxied_site, NOW, account.env, channels=("bluesky-test",))
    assert [r.outcome for r in report.rows] == ["published"]
    assert sleeps == [3.0]
    assert len(pds.posts(account.did)) == 1


def test_the_servers_login_rate_limit_is_reported_for_the_next_push(
    bsky_site: Path,
    pds: BlueskyPeer,
    account: Account,
    run_push: Callable[..., Report],
    sleeps: Sleeps,
) -> None:
    # The PDS allows 30 logins per account per 5 minutes: use them up, as a loop gone wrong would
    # (in parallel: each refused password costs the server a third of a second).
    def refused_login(_: int) -> int:
        try:
            pds.xrpc(
                "com.atproto.server.createSession",
                {"identifier": account.handle, "password": "not-it"},
            )
        except XrpcError as error:
            return error.status
        return 200

    with ThreadPoolExecutor(max_workers=10) as pool:
        assert set(pool.map(refused_login, range(30))) == {401}
    report = run_push(bsky_site, NOW, account.env, channels=("bluesky-test",))
    (row,) = report.rows
    assert row.outcome == "failed"
    assert "rate limited (HTTP 429" in row.detail and "the next push will try again" in row.detail
    assert sleeps == []  # the server asks for minutes: a push does not wait that long
    assert ledger_lines(bsky_site)[-1]["code"] == "transient"
    assert pds.posts(account.did) == []


def test_a_wrong_app_password_names_the_variable_and_is_never_shown(
    bsky_site: Path, pds: BlueskyPeer, account: Account
) -> None:
    wrong = "abcd-efgh-ijkl-mnop"
    env = environ(CMB_BLUESKY_HANDLE=account.handle, CMB_BLUESKY_APP_PASSWORD=wrong)
    result = cli(bsky_site, "push", "--now", NOW, "--channel", "bluesky-test", env=env)
    assert result.returncode == 1, result.stderr
    output = " ".join((result.stdout + result.stderr).split())
    assert "CMB_BLUESKY_APP_PASSWORD (channels.bluesky-test.credentials.app_password)" in output
    assert "Invalid identifier or password" in output
    assert wrong not in output
    assert wrong not in (bsky_site / "state" / "ledger.jsonl").read_text(encoding="utf-8")
    assert ledger_lines(bsky_site)[-1]["code"] == "auth"
    assert pds.posts(account.did) == []


def test_a_text_over_3000_bytes_is_refused_by_the_server_as_permanent(
    tmp_path: Path, pds: BlueskyPeer, account: Account, run_push: Callable[..., Report]
) -> None:
    text = "é" * 1500 + "!"  # 3001 bytes, 1501 graphemes: only the byte limit is broken
    channels = (
        '[channels.bsky]\nplatform = "bluesky"\n'
        f'options = {{ service = "{pds.url}" }}\n'
        'credentials = { identifier = "CMB_BLUESKY_HANDLE", '
        'app_password = "CMB_BLUESKY_APP_PASSWORD" }\n'
    )
    root = make_site(tmp_path / "site", channels, [variant("bsky", "bluesky", NOW, text=text)])
    report = run_push(root, NOW, account.env)
    (row,) = report.rows
    assert row.outcome == "failed"
    assert "HTTP 400" in row.detail and "maximum 3000, got 3001" in row.detail
    assert ledger_lines(root)[-1]["code"] == "permanent"
    assert pds.posts(account.did) == []


def test_retract_deletes_the_post(
    bsky_site: Path, pds: BlueskyPeer, account: Account, run_push: Callable[..., Report]
) -> None:
    entry = bluesky_variant(bsky_site)
    run_push(bsky_site, NOW, account.env, channels=("bluesky-test",))
    assert len(pds.posts(account.did)) == 1
    report = retract(PushSettings(root=bsky_site, environ=account.env), "hiver", "wrong date")
    assert [(r.outcome, r.variant) for r in report.rows if r.channel == "bluesky-test"] == [
        ("retracted", entry["id"])
    ]
    assert pds.posts(account.did) == []
    assert kinds(bsky_site)[-1] == ("retracted", entry["id"])


# Accents, an emoji and a ZWJ family before the mentions: their byte offsets are not their
# character offsets. `@nobody.test` is a handle no account has.
MENTIONING = "Été à Bordeaux 🎉👩‍👩‍👧 : merci @bob.test, bienvenue à @nobody.test ! (@Bob.test)"


@pytest.fixture(scope="session")
def alice_and_bob(pds: BlueskyPeer) -> tuple[Account, Account]:
    """Two accounts of the session's PDS: alice posts, bob is mentioned."""
    accounts = []
    for name in ("alice", "bob"):
        did, app_password = pds.create_account(name)
        accounts.append(Account(f"{name}.test", did, app_password))
    return accounts[0], accounts[1]


def mention_site(root: Path, service: str, texts: list[str]) -> Path:
    channels = (
        '[channels.bsky]\nplatform = "bluesky"\n'
        f'options = {{ service = "{service}" }}\n'
        'credentials = { identifier = "CMB_BLUESKY_HANDLE", '
        'app_password = "CMB_BLUESKY_APP_PASSWORD" }\n'
    )
    variants = [
        variant("bsky", "bluesky", NOW, slug=f"mention-{n}", text=text)
        for n, text in enumerate(texts)
    ]
    return make_site(root, channels, variants)


def mentions_of(pds: BlueskyPeer, did: str, text: str) -> list[tuple[str, str]]:
    """The mention facets of `did`'s post `text`: (the bytes they cover, the DID they name)."""
    (record,) = [p["value"] for p in pds.posts(did) if p["value"]["text"] == text]
    raw = text.encode()
    found = []
    for facet in record.get("facets", []):
        (feature,) = facet["features"]
        if feature["$type"] == "app.bsky.richtext.facet#mention":
            index = facet["index"]
            found.append((raw[index["byteStart"] : index["byteEnd"]].decode(), feature["did"]))
    return found


def test_a_mention_links_to_the_account_and_an_unknown_handle_stays_plain_text(
    tmp_path: Path,
    pds: BlueskyPeer,
    proxy: FaultyProxy,
    alice_and_bob: tuple[Account, Account],
    run_push: Callable[..., Report],
) -> None:
    alice, bob = alice_and_bob
    again = "Encore merci @bob.test 🙏"
    root = mention_site(tmp_path / "site", proxy.url, [MENTIONING, again])
    report = run_push(root, NOW, alice.env)
    assert [r.outcome for r in report.rows] == ["published", "published"]

    assert MENTIONING.encode().index(b"@bob.test") != MENTIONING.index("@bob.test")
    assert mentions_of(pds, alice.did, MENTIONING) == [
        ("@bob.test", bob.did),
        ("@Bob.test", bob.did),
    ]
    assert mentions_of(pds, alice.did, again) == [("@bob.test", bob.did)]
    # Each handle is asked for once in the push, the unknown one too; neither post failed for it.
    assert proxy.calls.count("com.atproto.identity.resolveHandle") == 2


def test_a_server_error_while_resolving_a_mention_is_retried_not_sent_without_it(
    tmp_path: Path,
    pds: BlueskyPeer,
    proxy: FaultyProxy,
    account: Account,
    alice_and_bob: tuple[Account, Account],
    run_push: Callable[..., Report],
    sleeps: Sleeps,
) -> None:
    _, bob = alice_and_bob
    text = "Avec @bob.test"
    proxy.faults["com.atproto.identity.resolveHandle"] = [("status", 503, {"Retry-After": "2"})]
    root = mention_site(tmp_path / "site", proxy.url, [text])
    report = run_push(root, NOW, account.env)
    assert [r.outcome for r in report.rows] == ["published"]
    assert sleeps == [2.0]
    assert mentions_of(pds, account.did, text) == [("@bob.test", bob.did)]
