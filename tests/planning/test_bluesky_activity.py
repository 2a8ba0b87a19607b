"""Against the real Bluesky network with its AppView: likes and reposts made at known hours of
past weeks (their records' `createdAt`, which the AppView sorts notifications by) are read by
`cmbuild collect` from app.bsky.notification.listNotifications into state/activity/, once each,
and `cmbuild slots` counts them in the audience-activity part of those very hours."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from atproto import models

from cmbuild.push.report import Report
from tests.collect.helpers import after, run_collect
from tests.collect.test_bluesky_appview import name, refs, site
from tests.helpers import cli
from tests.planning.history import local_times
from tests.platforms.bluesky.appview import BlueskyNetwork

pytestmark = pytest.mark.appview
WED_21 = 2 * 24 + 21  # Wednesday 21:00, Europe/Paris


def backdated(client: Any, collection: str, subject: Any, at: str) -> None:
    record = {"$type": collection, "subject": subject.model_dump(by_alias=True), "createdAt": at}
    client.com.atproto.repo.create_record(
        models.ComAtprotoRepoCreateRecord.Data(
            repo=client.me.did, collection=collection, record=record
        )
    )


def test_interactions_at_known_hours_reach_the_activity_score(
    tmp_path: Path, bluesky_network: BlueskyNetwork, run_push: Callable[..., Report]
) -> None:
    brand = bluesky_network.make_account(name("brand"))
    fans = [bluesky_network.client(bluesky_network.make_account(name(f"fan{i}"))) for i in (1, 2)]
    root = site(tmp_path / "site", bluesky_network)
    (root / "channels.toml").write_text(
        '[defaults]\ntimezone = "Europe/Paris"\n\n' + (root / "channels.toml").read_text()
    )
    report = run_push(root, "2026-12-01T09:00:00Z", brand.env)
    assert [r.outcome for r in report.rows] == ["published", "published"]
    now = after(root, 1)
    brand_client = bluesky_network.client(brand)
    hours = local_times(WED_21, 6, "Europe/Paris", end=now)
    expected = []
    for at in hours:
        post = brand_client.send_post("Un post d'archive")
        subject = refs(brand_client, post.uri)
        stamp = at.isoformat().replace("+00:00", "Z")
        for fan in fans:
            backdated(fan, "app.bsky.feed.like", subject, stamp)
            backdated(fan, "app.bsky.feed.repost", subject, stamp)
            expected += [stamp, stamp]
    bluesky_network.process_all()

    collected = run_collect(root, now, brand.env)
    assert not collected.failed, collected.channels
    assert collected.channels["bsky"].interactions == len(expected)
    lines = [
        json.loads(line)
        for path in sorted((root / "state" / "activity").glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]
    assert sorted(line["at"] for line in lines) == sorted(expected)
    assert {line["kind"] for line in lines} == {"like", "repost"}
    assert all(line["api"] == "app.bsky.notification.listNotifications" for line in lines)
    assert len({line["key"] for line in lines}) == len(lines)
    assert run_collect(root, after(root, 25), brand.env).channels["bsky"].interactions == 0

    run = cli("slots", "-C", str(root), "--json", "--now", now.isoformat())
    assert run.code == 0, run.err
    (bsky,) = json.loads(run.out)["channels"]
    assert bsky["interactions"] == len(expected)
    by_hour = {slot["at"]: slot for slot in bsky["slots"]}
    assert by_hour["Wed 21:00"]["interactions"] == len(expected)
    assert sum(slot["interactions"] for slot in bsky["slots"]) == len(expected)
    # The audience's part: Wed 21:00 well above the channel's rate (1), every other hour under.
    assert by_hour["Wed 21:00"]["activity"] > 3
    assert all(s["activity"] < 1 for s in bsky["slots"] if s["at"] != "Wed 21:00")
