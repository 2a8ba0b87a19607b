"""Collect and `cmbuild run` against the real Bluesky PDS (tests/peers/bluesky), behind a proxy
that counts the calls: one login per account for a whole scheduled run, none without work.

The PDS alone has no AppView: it cannot count likes (getPosts) or followers (getProfile), so
the exact counts are checked against the network with its AppView; here what is checked is the
session a run shares, and that the PDS's refusal to answer is reported, not recorded."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cmbuild.collect.run import CollectSettings
from cmbuild.push.retry import RetryPolicy
from cmbuild.push.session import PushSettings
from cmbuild.scheduled import run_steps
from tests.collect.helpers import store_lines
from tests.platforms.bluesky.peer import BlueskyPeer, FaultyProxy
from tests.push.sites import make_site, variant

pytestmark = pytest.mark.bluesky
_handles = itertools.count(1)

CHANNELS = """
[channels.bsky]
platform = "bluesky"
options = {{ service = "{url}" }}
credentials = {{ identifier = "CMB_BSKY_HANDLE", app_password = "CMB_BSKY_APP_PASSWORD" }}
"""


@pytest.fixture
def proxy(pds: BlueskyPeer) -> Iterator[FaultyProxy]:
    with FaultyProxy(pds.url) as running:
        yield running


def site(tmp_path: Path, pds: BlueskyPeer, proxy: FaultyProxy) -> tuple[Path, dict[str, str]]:
    handle = f"run{os.getpid()}x{next(_handles)}"
    _, app_password = pds.create_account(handle)
    root = tmp_path / "site"
    entries = [variant("bsky", "bluesky", "2026-12-01T08:00:00Z", slug="one")]
    make_site(root, CHANNELS.format(url=proxy.url), entries)
    return root, {"CMB_BSKY_HANDLE": f"{handle}.test", "CMB_BSKY_APP_PASSWORD": app_password}


def settings(
    root: Path, env: dict[str, str], now: datetime
) -> tuple[PushSettings, CollectSettings]:
    policy = RetryPolicy(attempts=1, sleep=lambda s: None)
    push = PushSettings(root=root, now=now, environ=env, retry=policy, timeout=10.0)
    collect = CollectSettings(root=root, now=now, environ=env, retry=policy, timeout=10.0)
    return push, collect


def test_a_run_logs_in_once_for_push_and_collect(
    tmp_path: Path, pds: BlueskyPeer, proxy: FaultyProxy
) -> None:
    root, env = site(tmp_path, pds, proxy)
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    report = run_steps(*settings(root, env, now))
    assert report.push is not None and [r.outcome for r in report.push.rows] == ["published"]
    assert report.collect is not None and "bsky" in report.collect.channels  # followers due
    assert proxy.calls.count("com.atproto.server.createSession") == 1
    assert "app.bsky.actor.getProfile" in proxy.calls
    # Without an AppView the PDS cannot answer: reported for the channel, nothing recorded.
    assert report.collect.channels["bsky"].error
    assert store_lines(root) == []


def test_a_run_with_nothing_to_do_never_logs_in(
    tmp_path: Path, pds: BlueskyPeer, proxy: FaultyProxy
) -> None:
    root, env = site(tmp_path, pds, proxy)
    early = datetime(2026, 11, 30, 9, tzinfo=UTC)  # the post is not due; nothing published yet
    push, collect = settings(root, env, early)
    report = run_steps(push, collect)
    assert report.push is not None and report.push.rows == []
    assert report.collect is not None and report.collect.channels == {}
    assert proxy.calls == []
    skipped = run_steps(replace(push, now=early + timedelta(days=2)), collect, skip=("push",))
    assert skipped.skipped == ["push"] and proxy.calls == []
