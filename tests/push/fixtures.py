"""Fixtures for push tests: the peers several modules share (the Mastodon mock, the Bluesky PDS,
WordPress, the S3 media host, the fake Graph server), a push runner with a pinned clock."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from cmbuild.push.apply import push
from cmbuild.push.report import Report
from cmbuild.push.retry import RetryPolicy
from cmbuild.push.session import PushSettings
from tests.platforms.blog.wordpress_peer import WordPress
from tests.platforms.bluesky.peer import BlueskyPeer
from tests.push.graph_fake import FakeGraph
from tests.push.s3peer import S3Peer, serve

REPOSITORY = Path(__file__).resolve().parents[2]  # where `tests` can be imported from
MASTODON_TOKEN = "alice_token"  # the mock's seeded account (mastodon_mock.testing.seed)


class Sleeps(list[float]):
    """An injectable sleep that records what it was asked to wait, and does not wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def run_push(sleeps: Sleeps) -> Callable[..., Report]:
    """Push `root` at `now`, in-process, with a recording sleep and short timeouts."""

    def run(root: Path, now: str, environ: dict[str, str] | None = None, **options: Any) -> Report:
        settings = PushSettings(
            root=root,
            now=datetime.fromisoformat(now),
            timeout=options.pop("timeout", 5.0),
            retry=RetryPolicy(sleep=sleeps),
            environ=environ or {},
        )
        return push(replace(settings, **options))

    return run


@pytest.fixture(scope="session")
def mastodon_server() -> Iterator[Any]:
    """mastodon_mock's stateful server, in a thread on 127.0.0.1 and a free port."""
    from mastodon_mock.testing.server import MockServer

    with MockServer(host="127.0.0.1") as server:
        yield server


@pytest.fixture
def mastodon(mastodon_server: Any) -> Iterator[Any]:
    """The Mastodon mock, reset to its seed state (no statuses) for this test."""
    request = urllib.request.Request(
        f"{mastodon_server.base_url}/api/v1/_mock/reset", method="POST"
    )
    with urllib.request.urlopen(request, timeout=10):
        pass
    yield mastodon_server


@pytest.fixture(scope="session")
def pds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BlueskyPeer]:
    """One PDS for the whole session: it takes seconds to start, and each test has its account."""
    from tests.platforms.bluesky.peer import unavailable

    reason = unavailable()
    if reason is None:
        try:
            with BlueskyPeer(tmp_path_factory.mktemp("pds")) as peer:
                yield peer
            return
        except RuntimeError as error:
            reason = str(error)
    if os.environ.get("CI"):
        pytest.fail(f"the Bluesky tests cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WordPress]:
    """One WordPress for the whole session (it takes seconds to install); tests clean it up."""
    from tests.platforms.blog.wordpress_peer import unavailable

    reason = unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the WordPress tests cannot run in CI: {reason}")
        pytest.skip(reason)
    with WordPress(tmp_path_factory.mktemp("wordpress")) as running:
        yield running


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Peer]:
    """A real S3 server (SeaweedFS) for a test module's media hosts."""
    yield from serve(tmp_path_factory)


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    """The fake Graph server (Facebook, Instagram, Threads), fresh for each test."""
    with FakeGraph() as running:
        yield running


def statuses(server: Any) -> list[dict[str, Any]]:
    """The statuses of the seeded account, as the server has them."""
    client = server.client(token=MASTODON_TOKEN)
    me = client.account_verify_credentials()
    found = client.account_statuses(me["id"], limit=40)
    return [dict(s) for s in found]


def cli(
    root: Path, *args: str, env: dict[str, str] | None = None, kill_after_send: int | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `cmbuild ARGS` in a subprocess in `root` (bounded in time).

    With `kill_after_send=N` the process kills itself right after the Nth send (tests/crashing.py).
    """
    command = [sys.executable, "-m", "cmbuild"]
    if kill_after_send is not None:
        command = [sys.executable, "-m", "tests.crashing", str(kill_after_send)]
        env = {**(os.environ if env is None else env), "PYTHONPATH": str(REPOSITORY)}
    return subprocess.run(
        [*command, *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
