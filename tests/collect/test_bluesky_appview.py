"""Against the real Bluesky network with its AppView: push a post with `cmbuild push`, have other
accounts like, repost, quote and reply, let the AppView index it, then `cmbuild collect` must
record exactly those counts (and the followers); a second collect at the same time adds nothing;
a post deleted on the network is recorded as gone."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from atproto import models

from cmbuild.push.report import Report
from tests.collect.helpers import after, run_collect, store_lines
from tests.platforms.bluesky.appview import BlueskyNetwork
from tests.push.sites import ledger_lines, make_site, variant

pytestmark = pytest.mark.appview
NOW = "2026-12-01T09:00:00Z"
_names = itertools.count(1)


def name(prefix: str) -> str:
    return f"{prefix}{os.getpid() % 10000}n{next(_names)}"


def site(root: Path, network: BlueskyNetwork) -> Path:
    channels = (
        '[channels.bsky]\nplatform = "bluesky"\n'
        f'options = {{ service = "{network.pds_url}" }}\n'
        'credentials = { identifier = "CMB_BLUESKY_HANDLE", '
        'app_password = "CMB_BLUESKY_APP_PASSWORD" }\n'
    )
    entries = [
        variant("bsky", "bluesky", NOW, slug="one", text="Premier post mesuré"),
        variant("bsky", "bluesky", NOW, slug="two", text="Second post mesuré"),
    ]
    return make_site(root, channels, entries)


def refs(client: Any, uri: str) -> Any:
    did, _, rkey = uri.removeprefix("at://").split("/")
    return models.create_strong_ref(client.get_post(rkey, profile_identify=did))


def test_collect_records_exactly_what_the_appview_counts(
    tmp_path: Path, bluesky_network: BlueskyNetwork, run_push: Callable[..., Report]
) -> None:
    brand = bluesky_network.make_account(name("brand"))
    bob = bluesky_network.client(bluesky_network.make_account(name("bob")))
    carol = bluesky_network.client(bluesky_network.make_account(name("carol")))
    root = site(tmp_path / "site", bluesky_network)
    report = run_push(root, NOW, brand.env)
    assert [r.outcome for r in report.rows] == ["published", "published"]
    uris = {
        line["variant"]: line["remote_id"]
        for line in ledger_lines(root)
        if line["kind"] == "published"
    }
    one, two = sorted(uris.values(), key=lambda u: u)  # any order: counted per URI below
    first = refs(bob, one)
    bob.like(first.uri, first.cid)
    carol.like(first.uri, first.cid)
    bob.repost(first.uri, first.cid)
    carol.send_post("Je cite", embed=models.AppBskyEmbedRecord.Main(record=first))
    reply = models.AppBskyFeedPost.ReplyRef(parent=first, root=first)
    bob.send_post("Bravo", reply_to=reply)
    second = refs(carol, two)
    carol.like(second.uri, second.cid)
    bob.follow(brand.did)
    carol.follow(brand.did)
    bluesky_network.process_all()

    now = after(root, 1)
    collected = run_collect(root, now, brand.env)
    assert not collected.failed, collected.channels
    lines = store_lines(root)
    by_uri = {line["remote_id"]: line for line in lines if line["variant"]}
    assert by_uri[one]["metrics"] | {"bookmarks": None} == {
        "likes": 2,
        "reposts": 1,
        "replies": 1,
        "quotes": 1,
        "bookmarks": None,
    }
    assert (by_uri[two]["metrics"]["likes"], by_uri[two]["metrics"]["reposts"]) == (1, 0)
    assert all(line["api"] == "app.bsky.feed.getPosts" for line in by_uri.values())
    (account,) = [line for line in lines if line["variant"] is None]
    assert account["metrics"]["followers"] == 2

    assert run_collect(root, now, brand.env).written == 0
    assert store_lines(root) == lines

    brand_client = bluesky_network.client(brand)
    brand_client.delete_post(two)
    bluesky_network.process_all()
    later = run_collect(root, after(root, 25), brand.env)
    assert later.channels["bsky"].gone == 1
    newest = [line for line in store_lines(root) if line["remote_id"] == two][-1]
    assert newest["metrics"] == {"gone": 1} and newest["age_hours"] == 24
