"""Collect from X: `GET /2/tweets` with public metrics, and private ones before day 30, against
the fake checked against X's OpenAPI description (tests/collect/x_fake.py, the fixtures in
conftest.py)."""

from __future__ import annotations

from pathlib import Path

from tests.collect.helpers import after, run_collect, store_lines
from tests.collect.x_fake import ReadingX
from tests.platforms.x.test_publisher import ENV


def test_public_and_private_figures_are_read_in_one_call_checked_against_the_spec(
    x_root: Path, x: ReadingX
) -> None:
    report = run_collect(x_root, after(x_root, 25), ENV)
    assert not report.failed, report.channels
    assert x.rejected == []
    tweets = [q for q in x.reads if "ids" in q]
    assert len(tweets) == 1 and sorted(tweets[0]["ids"]) == sorted(x.posts)
    assert tweets[0]["tweet.fields"] == ["public_metrics", "non_public_metrics", "organic_metrics"]
    posts = [line for line in store_lines(x_root) if line["variant"]]
    assert [line["age_hours"] for line in posts] == [24, 24]
    assert posts[0]["metrics"] == {
        "likes": 7,
        "reposts": 2,
        "replies": 1,
        "quotes": 0,
        "bookmarks": 1,
        "impressions": 420,
        "link_clicks": 12,
        "profile_clicks": None,  # X gave no user_profile_clicks in non_public_metrics
        "organic_impressions": 380,
    }
    (account,) = [line for line in store_lines(x_root) if line["variant"] is None]
    assert account["metrics"] == {"followers": 1530}


def test_after_day_30_only_public_figures_are_asked_and_private_ones_are_absent(
    x_root: Path, x: ReadingX
) -> None:
    run_collect(x_root, after(x_root, 24 * 31), ENV)
    assert x.rejected == []
    (tweets,) = [q for q in x.reads if "ids" in q]
    assert tweets["tweet.fields"] == ["public_metrics"]
    posts = [line for line in store_lines(x_root) if line["variant"]]
    assert [line["age_hours"] for line in posts] == [672, 672]
    assert posts[0]["metrics"]["likes"] == 7
    assert posts[0]["metrics"]["link_clicks"] is None


def test_a_token_that_may_not_read_private_figures_gets_the_public_ones(
    x_root: Path, x: ReadingX
) -> None:
    x.faults = [(403, {})]
    report = run_collect(x_root, after(x_root, 2), ENV)
    assert not report.failed, report.channels
    fields = [q["tweet.fields"] for q in x.reads if "ids" in q]
    assert fields == [["public_metrics"]]  # the refused private call never reached the spec check
    posts = [line for line in store_lines(x_root) if line["variant"]]
    assert [p["metrics"]["impressions"] for p in posts] == [420, 420]
    assert [p["metrics"]["organic_impressions"] for p in posts] == [None, None]


def test_a_rate_limit_is_waited_out_as_retry_after_says_and_a_server_error_retried(
    x_root: Path, x: ReadingX
) -> None:
    x.faults = [(429, {"Retry-After": "7"}), (503, {})]
    waits: list[float] = []
    report = run_collect(x_root, after(x_root, 2), ENV, waits)
    assert not report.failed, report.channels
    assert waits[0] == 7.0 and len(waits) == 2
    assert len([line for line in store_lines(x_root) if line["variant"]]) == 2


def test_servers_that_keep_failing_stop_the_channel_and_nothing_is_written(
    x_root: Path, x: ReadingX
) -> None:
    x.faults = [(500, {})] * 10
    report = run_collect(x_root, after(x_root, 2), ENV)
    assert "gave up after 4 attempts" in (report.channels["x-test"].error or "")
    assert store_lines(x_root) == []
    x.faults = []
    assert run_collect(x_root, after(x_root, 2), ENV).written == 3  # two posts and the account


def test_a_deleted_post_comes_back_as_gone_and_a_refused_token_names_its_variable(
    x_root: Path, x: ReadingX
) -> None:
    gone = sorted(x.posts)[0]
    del x.posts[gone]
    run_collect(x_root, after(x_root, 2), ENV)
    metrics = {
        line["remote_id"]: line["metrics"] for line in store_lines(x_root) if line["variant"]
    }
    assert metrics[gone] == {"gone": 1}
    x.refuse_token = True
    report = run_collect(x_root, after(x_root, 25), ENV)
    error = report.channels["x-test"].error or ""
    assert "CMB_X_TOKEN" in error and ENV["CMB_X_TOKEN"] not in error


def test_a_channel_cmbuild_cannot_read_yet_is_named_and_fails_nothing(
    x_root: Path, x: ReadingX
) -> None:
    import json

    with (x_root / "channels.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[channels.news]\nplatform = "newsletter"\n')
    line = {
        "kind": "published",
        "variant": "0123456789abcdef0123",
        "channel": "news",
        "platform": "newsletter",
        "content_hash": "sha256:0",
        "idempotency_key": "k",
        "remote_id": "<id@example.test>",
        "published_at": "2026-12-01T08:00:00Z",
        "at": "2026-12-01T08:00:00Z",
    }
    with (x_root / "state" / "ledger.jsonl").open("a", encoding="utf-8") as ledger:
        ledger.write(json.dumps(line) + "\n")
    report = run_collect(x_root, after(x_root, 2), ENV)
    assert not report.failed and report.unread == ["news"]
    assert {line["channel"] for line in store_lines(x_root)} == {"x-test"}
