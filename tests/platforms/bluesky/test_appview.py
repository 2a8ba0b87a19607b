"""What a post published by `cmbuild push` gathers on the real Bluesky network, read back from its
AppView (tests/platforms/bluesky/appview.py): the counts a metrics collector will record.

Alice publishes through `cmbuild push` (the other authors through push in this process); bob and
carol like, repost, quote and reply with the official Python client; once the AppView has indexed
it all (`process_all`), `getPosts` and `getProfile` give the exact figures. One network serves the
module. Run only these with `pytest -m appview`.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from atproto import models

from cmbuild.push.report import Report
from tests.platforms.bluesky import appview
from tests.platforms.bluesky.appview import Account, BlueskyNetwork
from tests.push.fixtures import cli
from tests.push.servers import environ
from tests.push.sites import ledger_lines, make_site, variant

pytestmark = pytest.mark.appview

NOW = "2026-12-01T09:00:00Z"


def bluesky_site(root: Path, network: BlueskyNetwork, text: str) -> Path:
    """A content repository with one Bluesky channel on the network and one variant due NOW."""
    channels = (
        '[channels.bsky]\nplatform = "bluesky"\n'
        f'options = {{ service = "{network.pds_url}" }}\n'
        'credentials = { identifier = "CMB_BLUESKY_HANDLE", '
        'app_password = "CMB_BLUESKY_APP_PASSWORD" }\n'
    )
    return make_site(root, channels, [variant("bsky", "bluesky", NOW, text=text)])


def published_uri(root: Path) -> str:
    (published,) = [line for line in ledger_lines(root) if line["kind"] == "published"]
    return str(published["remote_id"])


@pytest.fixture
def push(tmp_path: Path, bluesky_network: BlueskyNetwork, run_push: Callable[..., Report]) -> Any:
    """Publish one post saying `text` as `author` (cmbuild's push, in this process); its URI."""

    def publish(author: Account, text: str) -> str:
        root = bluesky_site(tmp_path / "site", bluesky_network, text)
        report = run_push(root, NOW, author.env)
        assert [r.outcome for r in report.rows] == ["published"]
        return published_uri(root)

    return publish


@pytest.fixture(scope="module")
def fans(bluesky_network: BlueskyNetwork) -> tuple[Any, Any]:
    """Bob's and carol's clients, logged in once for the module: they react to others' posts."""
    bob, carol = bluesky_network.make_account("bob"), bluesky_network.make_account("carol")
    return bluesky_network.client(bob), bluesky_network.client(carol)


def strong_ref(client: Any, uri: str) -> Any:
    """The post's URI and CID, from the author's PDS (the AppView may not have indexed it yet)."""
    did, _, rkey = uri.removeprefix("at://").split("/")
    return models.create_strong_ref(client.get_post(rkey, profile_identify=did))


def reply(client: Any, parent: Any, root: Any, text: str) -> Any:
    ref = models.AppBskyFeedPost.ReplyRef(parent=parent, root=root)
    return models.create_strong_ref(client.send_post(text, reply_to=ref))


def quote(client: Any, subject: Any, text: str) -> None:
    client.send_post(text, embed=models.AppBskyEmbedRecord.Main(record=subject))


def counts(client: Any, uri: str) -> dict[str, int]:
    (post,) = client.get_posts([uri]).posts
    return {
        "likes": post.like_count,
        "reposts": post.repost_count,
        "replies": post.reply_count,
        "quotes": post.quote_count,
    }


def test_a_pushed_post_shows_exactly_the_likes_reposts_replies_and_quotes_it_got(
    tmp_path: Path, bluesky_network: BlueskyNetwork, fans: tuple[Any, Any]
) -> None:
    alice = bluesky_network.make_account("alice")
    root = bluesky_site(tmp_path / "site", bluesky_network, "La session d’hiver ouvre ! 🎉")
    result = cli(root, "push", "--now", NOW, env=environ(**alice.env))
    assert result.returncode == 0, result.stdout + result.stderr
    uri = published_uri(root)
    as_bob, as_carol = fans
    post = strong_ref(as_bob, uri)

    bluesky_network.process_all()
    assert counts(as_bob, uri) == {"likes": 0, "reposts": 0, "replies": 0, "quotes": 0}

    as_bob.like(post.uri, post.cid)
    as_carol.like(post.uri, post.cid)
    as_bob.repost(post.uri, post.cid)
    bobs_reply = reply(as_bob, post, post, "Bravo !")
    reply(as_carol, post, post, "J’y serai.")
    reply(as_carol, post, post, "Et mes collègues aussi.")
    reply(as_carol, bobs_reply, post, "Moi aussi")  # a reply to a reply: not the post's
    quote(as_carol, post, "À ne pas manquer")
    bluesky_network.process_all()

    expected = {"likes": 2, "reposts": 1, "replies": 3, "quotes": 1}
    assert counts(as_bob, uri) == expected
    assert counts(bluesky_network.client(alice), uri) == expected  # the author sees the same


def test_a_new_account_is_known_to_the_appview_at_once(bluesky_network: BlueskyNetwork) -> None:
    zoe = bluesky_network.make_account("zoe")
    url = f"{bluesky_network.appview_url}/xrpc/app.bsky.actor.getProfile?actor={zoe.did}"
    with urllib.request.urlopen(url, timeout=10) as answer:
        profile = json.load(answer)
    assert (profile["did"], profile["handle"], profile["followersCount"]) == (
        zoe.did,
        zoe.handle,
        0,
    )


def test_an_undone_like_and_repost_no_longer_count(
    bluesky_network: BlueskyNetwork, push: Any, fans: tuple[Any, Any]
) -> None:
    uri = push(bluesky_network.make_account("dora"), "Nouvelle date pour l’atelier")
    as_bob, _ = fans
    post = strong_ref(as_bob, uri)
    like = as_bob.like(post.uri, post.cid)
    repost = as_bob.repost(post.uri, post.cid)
    bluesky_network.process_all()
    assert counts(as_bob, uri) == {"likes": 1, "reposts": 1, "replies": 0, "quotes": 0}

    as_bob.unlike(like.uri)
    as_bob.unrepost(repost.uri)
    bluesky_network.process_all()
    assert counts(as_bob, uri) == {"likes": 0, "reposts": 0, "replies": 0, "quotes": 0}


def test_the_profile_counts_followers_and_posts(
    bluesky_network: BlueskyNetwork, push: Any, fans: tuple[Any, Any]
) -> None:
    frank = bluesky_network.make_account("frank")
    push(frank, "Bienvenue sur notre compte")
    as_bob, as_carol = fans
    as_bob.follow(frank.did)
    carols_follow = as_carol.follow(frank.did)
    bluesky_network.process_all()

    profile = as_bob.get_profile(frank.did)
    assert (profile.followers_count, profile.follows_count, profile.posts_count) == (2, 0, 1)
    assert as_bob.get_profile(frank.handle).followers_count == 2  # by handle as by DID

    as_carol.unfollow(carols_follow.uri)
    bluesky_network.process_all()
    assert as_bob.get_profile(frank.did).followers_count == 1


def test_a_post_deleted_on_the_network_is_no_longer_returned(
    bluesky_network: BlueskyNetwork, push: Any, fans: tuple[Any, Any]
) -> None:
    ines = bluesky_network.make_account("ines")
    uri = push(ines, "Un message retiré ensuite")
    as_bob, _ = fans
    bluesky_network.process_all()
    assert [p.uri for p in as_bob.get_posts([uri]).posts] == [uri]

    bluesky_network.client(ines).delete_post(uri)
    bluesky_network.process_all()
    assert as_bob.get_posts([uri]).posts == []


def test_every_service_of_the_network_listens_on_127_0_0_1_only(
    bluesky_network: BlueskyNetwork,
) -> None:
    assert bluesky_network.process is not None
    listening = listening_addresses(bluesky_network.process.pid)
    ports = {
        int(url.rsplit(":", 1)[1]) for url in (bluesky_network.pds_url, bluesky_network.appview_url)
    }
    assert ports <= {port for _, port in listening}
    assert {host for host, _ in listening} == {"127.0.0.1"}


def listening_addresses(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket process `pid` listens on, from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # 0A: LISTEN
                address, port = local.split(":")
                found.add((_address(address), int(port, 16)))
    return found


def _address(hexadecimal: str) -> str:
    if len(hexadecimal) == 8:  # IPv4, little-endian
        return ".".join(str(int(hexadecimal[i : i + 2], 16)) for i in (6, 4, 2, 0))
    return hexadecimal  # IPv6: left as /proc gives it, never 127.0.0.1


def test_a_missing_network_is_a_skip_naming_the_install_locally_and_a_failure_in_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(appview, "PEER", tmp_path)
    reason = appview.unavailable()
    assert reason == f"the Bluesky network (AppView) is not installed (run {tmp_path / 'install'})"

    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="is not installed"):
        appview._missing(reason)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run in CI: the Bluesky network"):
        appview._missing(reason)
