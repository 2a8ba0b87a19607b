"""The collect tests' fixtures: an X channel with two posts pushed to the reading X fake."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cmbuild.push.report import Report
from tests.collect.x_fake import ReadingX
from tests.inbox.x_fake import InboxX
from tests.platforms.x.test_publisher import ENV
from tests.push.sites import make_site, variant

CHANNELS = """
[channels.x-test]
platform = "x"
options = {{ api_base = "{url}" }}
credentials = {{ token = "CMB_X_TOKEN" }}
"""
PUBLIC = {
    "retweet_count": 2,
    "reply_count": 1,
    "like_count": 7,
    "quote_count": 0,
    "bookmark_count": 1,
    "impression_count": 420,
}


@pytest.fixture
def x() -> Iterator[ReadingX]:
    # With the inbox's operations: `cmbuild run` reads the X inbox after collecting.
    with InboxX() as running:
        yield running


@pytest.fixture
def x_root(tmp_path: Path, x: ReadingX, run_push: Callable[..., Report]) -> Path:
    root = tmp_path / "site"
    entries = [
        variant("x-test", "x", "2026-12-01T08:00:00Z", slug="one"),
        variant("x-test", "x", "2026-12-01T08:10:00Z", slug="two"),
    ]
    make_site(root, CHANNELS.format(url=x.url), entries)
    run_push(root, "2026-12-01T09:00:00Z", ENV)
    assert len(x.posts) == 2
    for post_id in x.posts:
        x.figures[post_id] = {
            "public_metrics": PUBLIC,
            "non_public_metrics": {"impression_count": 400, "url_link_clicks": 12},
            "organic_metrics": {
                "impression_count": 380,
                "retweet_count": 2,
                "reply_count": 1,
                "like_count": 6,
                "user_profile_clicks": 3,
            },
        }
    x.followers = 1530
    return root
