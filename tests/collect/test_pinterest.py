"""Collect from Pinterest: `GET /v5/pins/{pin_id}/analytics` and `GET /v5/user_account`, against
the fake that checks every request and answer against Pinterest's OpenAPI description
(tests/platforms/pinterest/fake.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from cmbuild.push.report import Report
from tests.collect.helpers import after, published, run_collect, store_lines
from tests.platforms.pinterest.fake import TOKEN, FakePinterest, Fault
from tests.platforms.pinterest.test_publisher import CHANNEL, ENV, NOW, site

ONLY = (CHANNEL,)
ANALYTICS = {
    "IMPRESSION": 940,
    "SAVE": 17,
    "PIN_CLICK": 41,
    "OUTBOUND_CLICK": 23,
    "PROFILE_VISIT": 6,
    "USER_FOLLOW": 2,
    "TOTAL_COMMENTS": 3,
    "TOTAL_REACTIONS": 12,
}
FIGURES = {
    "impressions": 940,
    "saves": 17,
    "pin_clicks": 41,
    "outbound_clicks": 23,
    "profile_visits": 6,
    "follows": 2,
    "comments": 3,
    "reactions": 12,
}


@pytest.fixture
def fake() -> Iterator[FakePinterest]:
    with FakePinterest() as running:
        yield running


@pytest.fixture
def pinned(basic: Path, fake: FakePinterest, run_push: Callable[..., Report]) -> tuple[Path, str]:
    root = site(basic, fake)
    run_push(root, NOW, ENV, channels=ONLY)
    ((pin_id, _),) = fake.pins.items()
    fake.analytics[pin_id] = dict(ANALYTICS)
    fake.follower_count = 612
    return root, pin_id


def analytics_queries(fake: FakePinterest) -> list[dict[str, str]]:
    return [query for _, path, query, _ in fake.seen if path.endswith("/analytics")]


def test_a_pins_figures_since_its_day_and_the_followers_are_read_as_the_spec_says(
    pinned: tuple[Path, str], fake: FakePinterest
) -> None:
    root, pin_id = pinned
    now = after(root, 24 * 7)
    report = run_collect(root, now, ENV, channels=ONLY)
    assert not report.failed, report.channels
    assert fake.rejected == []
    (query,) = analytics_queries(fake)
    (day,) = {moment.astimezone(UTC).date() for moment in published(root).values()}
    assert query["start_date"] == day.isoformat()
    assert query["end_date"] == now.astimezone(UTC).date().isoformat()
    assert sorted(query["metric_types"].split(",")) == sorted(ANALYTICS)
    lines = store_lines(root)
    (post,) = [line for line in lines if line["variant"]]
    assert post["metrics"] == FIGURES and post["remote_id"] == pin_id
    assert post["age_hours"] == 168
    (account,) = [line for line in lines if line["variant"] is None]
    assert account["metrics"] == {"followers": 612}


def test_a_metric_pinterest_no_longer_gives_is_absent_and_the_rest_kept(
    pinned: tuple[Path, str], fake: FakePinterest
) -> None:
    root, pin_id = pinned
    del fake.analytics[pin_id]["OUTBOUND_CLICK"], fake.analytics[pin_id]["TOTAL_COMMENTS"]
    report = run_collect(root, after(root, 2), ENV, channels=ONLY)
    assert not report.failed, report.channels
    (post,) = [line for line in store_lines(root) if line["variant"]]
    assert post["metrics"]["outbound_clicks"] is None and post["metrics"]["comments"] is None
    assert post["metrics"]["impressions"] == 940 and post["metrics"]["reactions"] == 12


def test_a_deleted_pin_is_gone(pinned: tuple[Path, str], fake: FakePinterest) -> None:
    root, pin_id = pinned
    del fake.pins[pin_id]
    report = run_collect(root, after(root, 2), ENV, channels=ONLY)
    assert report.channels[CHANNEL].gone == 1 and fake.rejected == []
    (post,) = [line for line in store_lines(root) if line["variant"]]
    assert post["metrics"] == {"gone": 1}


def test_a_rate_limit_is_waited_out_as_retry_after_says(
    pinned: tuple[Path, str], fake: FakePinterest
) -> None:
    root, _ = pinned
    fake.faults = [Fault(429, {"Retry-After": "11"})]
    waits: list[float] = []
    report = run_collect(root, after(root, 2), ENV, waits, channels=ONLY)
    assert not report.failed, report.channels
    assert waits == [11.0]
    assert [line["metrics"] for line in store_lines(root) if line["variant"]] == [FIGURES]


def test_a_refused_token_stops_the_channel_and_names_its_variable(
    pinned: tuple[Path, str], fake: FakePinterest
) -> None:
    root, _ = pinned
    fake.refuse_token = True
    report = run_collect(root, after(root, 2), ENV, channels=ONLY)
    error = report.channels[CHANNEL].error or ""
    assert "CMB_PINTEREST_TOKEN" in error and TOKEN not in error
    assert store_lines(root) == []


def test_past_90_days_only_comments_and_reactions_are_kept_not_90_days_as_totals(
    pinned: tuple[Path, str], fake: FakePinterest
) -> None:
    root, _ = pinned
    now = after(root, 24 * 95)
    report = run_collect(root, now, ENV, channels=ONLY)  # the 28-day reading, read late
    assert not report.failed and fake.rejected == []
    (query,) = analytics_queries(fake)
    assert query["start_date"] == (now.astimezone(UTC).date() - timedelta(days=90)).isoformat()
    (post,) = [line for line in store_lines(root) if line["variant"]]
    kept = {"comments": 3, "reactions": 12}
    assert post["metrics"] == {name: kept.get(name) for name in FIGURES}
