"""Collect from a Facebook Page: `GET /{page-post-id}/insights` and the Page's followers, against
the fake Graph server (tests/push/graph_fake.py: the SDK's PagePost.get_insights table, the metric
names of Meta's Page Insights reference)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cmbuild.push.report import Report
from tests.collect.helpers import after, run_collect, store_lines
from tests.platforms.facebook.test_publisher import ENV, ONLY
from tests.push.graph_fake import PAGE_ID, PAGE_TOKEN, FakeGraph, Fault
from tests.push.meta_site import TEXT_AT, meta_site
from tests.push.s3peer import S3Peer

INSIGHTS = {
    "post_impressions": 1200,
    "post_impressions_unique": 830,
    "post_clicks": 44,
    "post_reactions_by_type_total": {"like": 19, "love": 4, "wow": 1},
}
FIGURES = {"impressions": 1200, "reach": 830, "clicks": 44, "reactions": 24}


@pytest.fixture
def posted(
    basic: Path, graph: FakeGraph, s3: S3Peer, run_push: Callable[..., Report]
) -> tuple[Path, str]:
    root = meta_site(basic, graph.url, s3)
    run_push(root, TEXT_AT, ENV, channels=ONLY)
    ((post_id, post),) = graph.of_kind("post").items()
    post["insights"] = dict(INSIGHTS)
    graph.nodes[PAGE_ID][1]["followers"] = 5120
    return root, post_id


def test_a_page_posts_insights_and_the_pages_followers_are_read(
    posted: tuple[Path, str], graph: FakeGraph
) -> None:
    root, post_id = posted
    report = run_collect(root, after(root, 25), ENV, channels=ONLY)
    assert not report.failed, report.channels
    assert graph.rejected == []
    lines = store_lines(root)
    (post,) = [line for line in lines if line["variant"]]
    assert post["metrics"] == FIGURES and post["remote_id"] == post_id
    (account,) = [line for line in lines if line["variant"] is None]
    assert account["metrics"] == {"followers": 5120}


def test_an_impression_metric_meta_retired_is_absent_and_the_rest_kept(
    posted: tuple[Path, str], graph: FakeGraph
) -> None:
    root, post_id = posted
    del graph.nodes[post_id][1]["insights"]["post_impressions"]
    report = run_collect(root, after(root, 2), ENV, channels=ONLY)
    assert not report.failed, report.channels
    (post,) = [line for line in store_lines(root) if line["variant"]]
    assert post["metrics"] == {**FIGURES, "impressions": None}


def test_a_deleted_post_is_gone(posted: tuple[Path, str], graph: FakeGraph) -> None:
    root, post_id = posted
    del graph.nodes[post_id]
    report = run_collect(root, after(root, 2), ENV, channels=ONLY)
    assert report.channels["facebook-test"].gone == 1
    (post,) = [line for line in store_lines(root) if line["variant"]]
    assert post["metrics"] == {"gone": 1}


def test_a_page_rate_limit_is_waited_out_as_graph_says(
    posted: tuple[Path, str], graph: FakeGraph
) -> None:
    root, _ = posted
    graph.faults = [Fault("GET", "/insights", "rate_limit")]  # regain access in 1 minute
    waits: list[float] = []
    report = run_collect(root, after(root, 2), ENV, waits, channels=ONLY)
    assert not report.failed, report.channels
    assert waits == [60.0]
    assert [line["metrics"] for line in store_lines(root) if line["variant"]] == [FIGURES]


def test_an_expired_page_token_stops_the_channel_and_names_its_variable(
    posted: tuple[Path, str], graph: FakeGraph
) -> None:
    root, _ = posted
    graph.expired.add(PAGE_TOKEN)
    report = run_collect(root, after(root, 2), ENV, channels=ONLY)
    error = report.channels["facebook-test"].error or ""
    assert "CMB_FACEBOOK_PAGE_TOKEN" in error and PAGE_TOKEN not in error
    assert store_lines(root) == []
