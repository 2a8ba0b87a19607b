"""A push killed between a send and its ledger line, then run again: every post exactly once."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

from tests.platforms.blog.test_publisher import channels as blog_channels
from tests.platforms.mastodon.test_publisher import channels as mastodon_channels
from tests.push.fixtures import MASTODON_TOKEN, cli, statuses
from tests.push.servers import environ
from tests.push.sites import kinds, make_site, variant

NOW = "2026-12-01T09:00:00Z"


def test_mastodon_push_killed_after_a_send_recovers_without_duplicate(
    tmp_path: Path, mastodon: Any
) -> None:
    entries = [
        variant("masto", "mastodon", f"2026-12-01T0{hour}:00:00Z", slug=f"post-{hour}")
        for hour in (5, 6, 7, 8)
    ]
    root = make_site(tmp_path / "site", mastodon_channels(mastodon.base_url), entries)
    env = environ(CMB_MASTODON_TOKEN=MASTODON_TOKEN)

    killed = cli(root, "push", "--now", NOW, env=env, kill_after_send=2)
    assert killed.returncode == -signal.SIGKILL
    ids = [e["id"] for e in entries]
    # The second post went out, but the push died before recording it.
    assert kinds(root) == [
        ("pending", ids[0]),
        ("published", ids[0]),
        ("pending", ids[1]),
    ]
    assert len(statuses(mastodon)) == 2

    again = cli(root, "push", "--now", NOW, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reconciled" in again.stdout
    # Four posts: each counted once, the reconciled one not also as "already published".
    assert again.stdout.splitlines()[-1] == "2 published, 1 reconciled, 1 already published"
    texts = sorted(s["content"] for s in statuses(mastodon))
    assert len(texts) == 4 == len(set(texts))  # all four, none twice
    assert kinds(root)[3:] == [
        ("reconciled", ids[1]),
        ("pending", ids[2]),
        ("published", ids[2]),
        ("pending", ids[3]),
        ("published", ids[3]),
    ]
    assert cli(root, "push", "--now", NOW, env=env).stdout.strip().endswith("4 already published")
    assert len(statuses(mastodon)) == 4


def test_blog_push_killed_after_a_send_recovers_from_the_page_marker(tmp_path: Path) -> None:
    entries = [
        variant(
            "blog",
            "blog",
            f"2026-12-01T0{h}:00:00Z",
            slug=f"article-{h}",
            text_format="html",
            text=f"<html><head><title>{h}</title></head><body>Article {h}</body></html>",
        )
        for h in (6, 7)
    ]
    root = make_site(tmp_path / "site", blog_channels(), entries)
    killed = cli(root, "push", "--now", NOW, env=environ(), kill_after_send=1)
    assert killed.returncode == -signal.SIGKILL
    assert kinds(root) == [("pending", entries[0]["id"])]

    again = cli(root, "push", "--now", NOW)
    assert again.returncode == 0, again.stdout + again.stderr
    assert [k for k, _ in kinds(root)] == ["pending", "reconciled", "pending", "published"]
    assert sorted(p.name for p in (root / "site").glob("*.html")) == [
        "article-6.html",
        "article-7.html",
    ]
