"""Collect from a LinkedIn page: `organizationalEntityShareStatistics` for its posts and
`networkSizes` for its followers, against the fake that checks the parameters the Microsoft Learn
pages document (tests/platforms/linkedin/fake.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from cmbuild.push.report import Report
from tests.collect.helpers import after, run_collect, store_lines
from tests.platforms.linkedin.fake import AUTHOR, TOKEN, FakeLinkedIn
from tests.platforms.linkedin.test_publisher import ALL_DUE, CHANNEL, ENV, POSTS, TEMPLATE
from tests.push.built_site import built_site, jpeg
from tests.push.fake_http import Fault

STATISTICS = {
    "uniqueImpressionsCount": 310,
    "shareCount": 2,
    "engagement": 0.0421,
    "clickCount": 9,
    "likeCount": 5,
    "impressionCount": 380,
    "commentCount": 0,
}
FIGURES = {
    "impressions": 380,
    "unique_impressions": 310,
    "clicks": 9,
    "likes": 5,
    "comments": 0,
    "shares": 2,
    "engagement": 0.0421,
}


@pytest.fixture
def fake() -> Iterator[FakeLinkedIn]:
    with FakeLinkedIn() as running:
        yield running


def page_site(root: Path, fake: FakeLinkedIn, author: str = AUTHOR) -> Path:
    channels = f"""
[defaults]
timezone = "Europe/Paris"

[channels.{CHANNEL}]
platform = "linkedin"
credentials = {{ token = "CMB_LINKEDIN_TOKEN" }}
options = {{ author = "{author}", api_base = "{fake.url}" }}
"""
    images = {"salle.jpg": jpeg(1200, 627, (200, 120, 40)), "cour.jpg": jpeg(1200, 627, (4, 9, 2))}
    return built_site(root, channels, {"linkedin.j2": TEMPLATE}, POSTS, images)


@pytest.fixture
def page(tmp_path: Path, fake: FakeLinkedIn, run_push: Callable[..., Report]) -> Path:
    root = page_site(tmp_path / "site", fake)
    run_push(root, ALL_DUE, ENV)
    assert len(fake.posts) > 1
    for urn in fake.posts:
        fake.statistics[urn] = dict(STATISTICS)
    fake.followers = 1204
    fake.seen.clear()
    return root


def posts_read(root: Path) -> dict[str, dict[str, object]]:
    return {line["remote_id"]: line["metrics"] for line in store_lines(root) if line["variant"]}


def test_the_pages_posts_are_read_in_one_call_and_its_followers(
    page: Path, fake: FakeLinkedIn
) -> None:
    report = run_collect(page, after(page, 25), ENV)
    assert not report.failed, report.channels
    assert fake.rejected == []
    (call,) = [r for r in fake.seen if r.path == "/rest/organizationalEntityShareStatistics"]
    assert "organizationalEntity=urn%3Ali%3Aorganization%3A" in call.raw_query
    assert unquote(call.raw_query).count("urn:li:share:") == len(fake.posts)
    assert posts_read(page) == {urn: FIGURES for urn in fake.posts}
    (account,) = [line for line in store_lines(page) if line["variant"] is None]
    assert account["metrics"] == {"followers": 1204}


def test_a_statistic_linkedin_no_longer_gives_is_absent_and_a_deleted_post_gone(
    page: Path, fake: FakeLinkedIn
) -> None:
    first, second, *_ = sorted(fake.posts)
    del fake.statistics[first]["clickCount"]
    del fake.posts[second]
    report = run_collect(page, after(page, 2), ENV)
    assert not report.failed, report.channels
    (looked_up,) = fake.rejected  # the deleted post, looked up after the statistics left it out
    assert looked_up.startswith(f"GET /rest/posts/{quote(second, safe='')}: ")
    assert report.channels[CHANNEL].gone == 1
    read = posts_read(page)
    assert read[first] == {**FIGURES, "clicks": None}
    assert read[second] == {"gone": 1}


def test_a_rate_limit_is_waited_out_as_retry_after_says(page: Path, fake: FakeLinkedIn) -> None:
    body = {"status": 429, "message": "Resource level throttle limit"}
    fake.faults = [
        Fault("GET", "/rest/organizationalEntityShareStatistics", 429, {"Retry-After": "9"}, body)
    ]
    waits: list[float] = []
    report = run_collect(page, after(page, 2), ENV, waits)
    assert not report.failed, report.channels
    assert waits == [9.0]
    assert set(map(str, posts_read(page).values())) == {str(FIGURES)}


def test_a_refused_token_stops_the_channel_and_names_its_variable(
    page: Path, fake: FakeLinkedIn
) -> None:
    fake.refuse_token = True
    report = run_collect(page, after(page, 2), ENV)
    error = report.channels[CHANNEL].error or ""
    assert "CMB_LINKEDIN_TOKEN" in error and TOKEN not in error
    assert store_lines(page) == []


def test_a_members_posts_are_read_through_member_post_analytics(
    tmp_path: Path, run_push: Callable[..., Report]
) -> None:
    member = "urn:li:person:8h2Kx0"
    with FakeLinkedIn(authors=(member,)) as fake:
        root = page_site(tmp_path / "site", fake, member)
        run_push(root, ALL_DUE, ENV)
        first, *others = sorted(fake.posts)
        for urn in fake.posts:
            counts = {"IMPRESSION": 120, "MEMBERS_REACHED": 95, "REACTION": 7, "COMMENT": 2}
            fake.member_statistics[urn] = {**counts, "RESHARE": 1}
        del fake.member_statistics[first]["MEMBERS_REACHED"]  # not answered: absent
        fake.seen.clear()
        report = run_collect(root, after(root, 2), ENV)
    assert not report.failed, report.channels
    figures = posts_read(root)
    assert sorted(figures) == sorted(fake.posts)
    expected = {
        "impressions": 120, "unique_impressions": 95, "likes": 7, "comments": 2, "shares": 1,
        "clicks": None, "engagement": None,
    }  # fmt: skip
    assert figures[first] == {**expected, "unique_impressions": None}
    assert all(figures[urn] == expected for urn in others)
    assert [line for line in store_lines(root) if line["variant"] is None] == []
    assert {r.path for r in fake.seen} == {"/rest/memberCreatorPostAnalytics"}
    assert len(fake.seen) == 5 * len(fake.posts)  # one metric a call
    assert not fake.rejected, fake.rejected


def test_a_members_deleted_post_is_gone(tmp_path: Path, run_push: Callable[..., Report]) -> None:
    member = "urn:li:person:8h2Kx0"
    with FakeLinkedIn(authors=(member,)) as fake:
        root = page_site(tmp_path / "site", fake, member)
        run_push(root, ALL_DUE, ENV)
        deleted, *_ = sorted(fake.posts)
        del fake.posts[deleted]
        fake.seen.clear()
        report = run_collect(root, after(root, 2), ENV)
    assert not report.failed, report.channels
    assert posts_read(root)[deleted] == {"gone": 1}
