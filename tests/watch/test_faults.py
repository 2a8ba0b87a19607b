"""Faults of a source during `cmbuild watch`: named, recorded, never fatal for the other sources.

The listener's own answers to each fault are in test_feed.py; here the whole command: the other
source is still read and matched, the failing one's error is kept in state/watch/sources.json,
and one that asked to wait (Retry-After) is not read again before that time.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.push.fixtures import cli
from tests.push.servers import environ
from tests.watch.feeds import FeedServer
from tests.watch.test_watch_cli import ENV, NOW, _site, _watch_toml


def _two_sources(feeds: FeedServer, path: str, interval: str = "15m") -> str:
    toml = _watch_toml(f"{feeds.url}{path}", "json://127.0.0.1:9/x", auto_halt=False)
    toml = toml.replace('interval = "15m"', f'interval = "{interval}"')
    return toml + f'\n[[sources]]\nkind = "feed"\nname = "blog"\nurl = "{feeds.url}/atom"\n'


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/status/401", "refused access (HTTP 401)"),
        ("/status/429", "slow down (HTTP 429)"),
        ("/status/503", "failing (HTTP 503)"),
        ("/huge", "larger than 10 MB"),
        ("/to-file", "not a web address"),
    ],
)
def test_a_failing_source_is_named_recorded_and_the_other_is_read(
    tmp_path: Path, path: str, says: str
) -> None:
    with FeedServer() as feeds:
        root = _site(tmp_path, "http://127.0.0.1:9", _two_sources(feeds, path))
        result = cli(root, "watch", "--now", NOW, env=environ(**ENV))
    assert result.returncode == 0, result.stderr
    assert "source sud-ouest: " in result.stderr and says in result.stderr
    assert "1 source(s) read, 1 new item(s)" in result.stdout
    state = json.loads((root / "state" / "watch" / "sources.json").read_text(encoding="utf-8"))
    assert says in state["sources"]["sud-ouest"]["error"]
    assert state["sources"]["blog"]["error"] is None
    assert state["succeeded_at"] is None  # max_watch_age does not count this watch


def test_a_source_that_asks_to_wait_is_not_read_again_before_then(tmp_path: Path) -> None:
    with FeedServer() as feeds:
        root = _site(tmp_path, "http://127.0.0.1:9", _two_sources(feeds, "/status/429", "1m"))
        first = cli(root, "watch", "--now", NOW, env=environ(**ENV))
        assert "not read again before 2026-12-01T09:02:00Z, as it asked" in first.stderr
        cli(root, "watch", "--now", "2026-12-01T09:01:00Z", env=environ(**ENV))
        assert [r[0] for r in feeds.requests].count("/status/429") == 1
        cli(root, "watch", "--now", "2026-12-01T09:02:00Z", env=environ(**ENV))
    assert [r[0] for r in feeds.requests].count("/status/429") == 2


@pytest.mark.parametrize(
    "content",
    [b'{"sources": {"sud-ouest": {"last_read": ', b"\xff\xfe not utf-8", b'{"sources": [1]}'],
)
def test_an_unreadable_sources_file_is_named_not_a_crash(tmp_path: Path, content: bytes) -> None:
    with FeedServer() as feeds:
        root = _site(tmp_path, "http://127.0.0.1:9", _two_sources(feeds, "/rss"))
        (root / "state" / "watch").mkdir(parents=True)
        (root / "state" / "watch" / "sources.json").write_bytes(content)
        result = cli(root, "watch", "--now", NOW, env=environ(**ENV))
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: state/watch/sources.json: "), result.stderr
    assert "move the file away" in result.stderr
    assert (root / "state" / "watch" / "sources.json").read_bytes() == content  # left as it is


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("sources.sud-ouest.last_read", "yesterday", "'yesterday' is not a time"),
        ("sources.sud-ouest.retry_at", "2026-13-01T09:00:00Z", "is not a time"),
        ("sources.sud-ouest.last_read", "2026-12-01T08:00:00", "has no time zone"),
        ("sources.sud-ouest.last_ok", 1764576000, "1764576000 is not a time"),
        ("watched_at", "", "'' is not a time"),
        ("succeeded_at", ["2026-12-01T08:00:00Z"], "is not a time"),
    ],
)
def test_a_damaged_time_in_the_sources_file_is_named_with_its_key(
    tmp_path: Path, key: str, value: object, says: str
) -> None:
    state: dict[str, object] = {
        "watched_at": "2026-12-01T08:00:00Z",
        "succeeded_at": "2026-12-01T08:00:00Z",
        "sources": {
            "sud-ouest": {
                "last_read": "2026-12-01T08:00:00Z",
                "last_ok": "2026-12-01T08:00:00Z",
                "error": None,
                "cursor": {},
                "retry_at": None,
            }
        },
    }
    *parents, last = key.split(".")
    table = state
    for name in parents:
        table = table[name]  # type: ignore[assignment]
    table[last] = value
    content = json.dumps(state, indent=2).encode()
    with FeedServer() as feeds:
        root = _site(tmp_path, "http://127.0.0.1:9", _two_sources(feeds, "/rss"))
        (root / "state" / "watch").mkdir(parents=True)
        (root / "state" / "watch" / "sources.json").write_bytes(content)
        result = cli(root, "watch", "--now", NOW, env=environ(**ENV))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: state/watch/sources.json: "), result.stderr
    assert f"sources.json: {key}: " in result.stderr, result.stderr
    assert says in result.stderr, result.stderr
    assert "2026-12-01T09:00:00Z" in result.stderr  # what a time looks like
    assert (root / "state" / "watch" / "sources.json").read_bytes() == content  # left as it is
