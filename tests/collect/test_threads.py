"""Collect from Threads: `GET /{threads-media-id}/insights` and the account's followers, against
the fake Graph server, whose Threads tables come from Meta's Threads insights reference."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cmbuild.push.report import Report
from tests.collect.helpers import after, run_collect, store_lines
from tests.platforms.threads.test_publisher import ENV, ONLY
from tests.push.graph_fake import THREADS_USER_ID, FakeGraph
from tests.push.meta_site import TEXT_AT, meta_site
from tests.push.s3peer import S3Peer

FIGURES = {"views": 150, "likes": 12, "replies": 3, "reposts": 1, "quotes": 0, "shares": 2}


def test_threads_posts_and_followers_are_read_and_a_deleted_post_is_gone(
    basic: Path, graph: FakeGraph, s3: S3Peer, run_push: Callable[..., Report]
) -> None:
    root = meta_site(basic, graph.url, s3)
    run_push(root, TEXT_AT, ENV, channels=ONLY)
    ((media_id, media),) = graph.of_kind("threads_media").items()
    media["insights"] = dict(FIGURES)
    graph.nodes[THREADS_USER_ID][1]["followers"] = 321
    report = run_collect(root, after(root, 2), ENV, channels=ONLY)
    assert not report.failed, report.channels
    assert graph.rejected == []
    lines = store_lines(root)
    (post,) = [line for line in lines if line["variant"]]
    assert post["metrics"] == FIGURES
    (account,) = [line for line in lines if line["variant"] is None]
    assert account["metrics"] == {"followers": 321}

    del graph.nodes[media_id]
    later = run_collect(root, after(root, 25), ENV, channels=ONLY)
    assert later.channels["threads-test"].gone == 1
    assert [line["metrics"] for line in store_lines(root) if line["variant"]][-1] == {"gone": 1}
