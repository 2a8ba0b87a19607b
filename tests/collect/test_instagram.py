"""Collect from Instagram: `GET /{ig-media-id}/insights` against the fake Graph server, which
checks every metric name against `IGMedia.get_insights` of Meta's facebook-business SDK."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cmbuild.push.report import Report
from tests.collect.helpers import after, run_collect, store_lines
from tests.platforms.instagram.test_publisher import ENV, ONLY
from tests.push.graph_fake import IG_USER_ID, FakeGraph
from tests.push.meta_site import PHOTO_AT, meta_site
from tests.push.s3peer import S3Peer

FIGURES = {
    "views": 812,
    "reach": 540,
    "likes": 31,
    "comments": 4,
    "saved": 9,
    "shares": 2,
    "total_interactions": 46,
    "profile_visits": 12,
    "follows": 3,
}


@pytest.fixture
def published(
    basic: Path, graph: FakeGraph, s3: S3Peer, run_push: Callable[..., Report]
) -> tuple[Path, str]:
    root = meta_site(basic, graph.url, s3)
    run_push(root, PHOTO_AT, ENV, channels=ONLY)
    ((media_id, _),) = graph.of_kind("ig_media").items()
    graph.nodes[IG_USER_ID][1]["followers"] = 2048
    return root, media_id


def test_every_metric_is_read_with_names_meta_documents(
    published: tuple[Path, str], graph: FakeGraph
) -> None:
    root, media_id = published
    graph.nodes[media_id][1]["insights"] = dict(FIGURES)
    report = run_collect(root, after(root, 25), ENV, channels=ONLY)
    assert not report.failed, report.channels
    assert graph.rejected == []
    lines = store_lines(root)
    (post,) = [line for line in lines if line["variant"]]
    assert post["metrics"] == FIGURES and post["remote_id"] == media_id
    (account,) = [line for line in lines if line["variant"] is None]
    assert account["metrics"] == {"followers": 2048}


def test_a_metric_no_longer_served_is_recorded_as_absent_and_the_rest_kept(
    published: tuple[Path, str], graph: FakeGraph
) -> None:
    root, media_id = published
    graph.nodes[media_id][1]["insights"] = {k: v for k, v in FIGURES.items() if k != "views"}
    run_collect(root, after(root, 2), ENV, channels=ONLY)
    (post,) = [line for line in store_lines(root) if line["variant"]]
    assert post["metrics"]["views"] is None
    assert post["metrics"]["likes"] == 31 and post["metrics"]["reach"] == 540


def test_a_deleted_media_is_gone(published: tuple[Path, str], graph: FakeGraph) -> None:
    root, media_id = published
    del graph.nodes[media_id]
    report = run_collect(root, after(root, 2), ENV, channels=ONLY)
    assert report.channels["instagram-test"].gone == 1
    (post,) = [line for line in store_lines(root) if line["variant"]]
    assert post["metrics"] == {"gone": 1}
