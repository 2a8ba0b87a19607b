"""Collect against mastodon_mock: posts published by `cmbuild push`, favourited, boosted and
answered by another account, then read back with the counts the server keeps."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cmbuild.push.report import Report
from tests.collect.helpers import after, published, run_collect, store_lines
from tests.platforms.mastodon.test_publisher import ENV, site

BOB = "bob_token"  # the mock's second seeded account


def test_collect_records_exactly_the_interactions_and_adds_nothing_the_second_time(
    tmp_path: Path, mastodon: Any, run_push: Callable[..., Report]
) -> None:
    root, (one, two, _) = site(tmp_path, mastodon)
    run_push(root, "2026-12-01T09:00:00Z", ENV)
    ids = {line["variant"]: line for line in _published_lines(root)}
    bob = mastodon.client(token=BOB)
    first = ids[one["id"]]["remote_id"]
    bob.status_favourite(first)
    bob.status_reblog(first)
    bob.status_post("Bravo !", in_reply_to_id=first)
    bob.status_favourite(ids[two["id"]]["remote_id"])
    bob.account_follow(bob.account_lookup("alice")["id"])

    now = after(root, 1.5)
    report = run_collect(root, now, ENV)
    assert not report.failed, report.channels
    lines = store_lines(root)
    posts = {line["variant"]: line for line in lines if line["variant"]}
    assert posts[one["id"]]["metrics"] == {
        "favourites": 1,
        "reblogs": 1,
        "replies": 1,
        "quotes": None,  # the mock, like servers before 4.5, does not count quotes
    }
    assert posts[two["id"]]["metrics"]["favourites"] == 1
    assert posts[two["id"]]["metrics"]["reblogs"] == 0
    assert {line["age_hours"] for line in posts.values()} == {1}
    assert all(line["remote_id"] == ids[v]["remote_id"] for v, line in posts.items())
    (account,) = [line for line in lines if line["variant"] is None]
    assert account["metrics"]["followers"] == 1
    assert account["age_hours"] is None

    again = run_collect(root, now, ENV)
    assert again.written == 0
    assert store_lines(root) == lines


def test_the_next_age_is_read_once_it_is_reached_and_missed_ones_are_not_guessed(
    tmp_path: Path, mastodon: Any, run_push: Callable[..., Report]
) -> None:
    root, _ = site(tmp_path, mastodon)
    run_push(root, "2026-12-01T09:00:00Z", ENV)
    run_collect(root, after(root, 1), ENV)
    run_collect(root, after(root, 20), ENV)  # no new age reached: nothing read
    run_collect(root, after(root, 24 * 8), ENV)  # 24 h was missed: the 7-day reading is taken
    ages = [line["age_hours"] for line in store_lines(root) if line["variant"]]
    assert ages == [1, 1, 168, 168]


def test_a_deleted_post_is_recorded_as_gone_and_never_asked_for_again(
    tmp_path: Path, mastodon: Any, run_push: Callable[..., Report]
) -> None:
    root, (one, two, _) = site(tmp_path, mastodon)
    run_push(root, "2026-12-01T09:00:00Z", ENV)
    ids = {line["variant"]: line["remote_id"] for line in _published_lines(root)}
    mastodon.client(token="alice_token").status_delete(ids[one["id"]])

    report = run_collect(root, after(root, 1), ENV)
    assert report.channels["masto"].gone == 1
    posts = {line["variant"]: line for line in store_lines(root) if line["variant"]}
    assert posts[one["id"]]["metrics"] == {"gone": 1}
    assert posts[two["id"]]["metrics"]["favourites"] == 0

    run_collect(root, after(root, 30), ENV)
    later = [line["variant"] for line in store_lines(root) if line["variant"]]
    assert later.count(one["id"]) == 1 and later.count(two["id"]) == 2


def test_a_refused_token_stops_the_channel_naming_the_variable_to_renew(
    tmp_path: Path, mastodon: Any, run_push: Callable[..., Report]
) -> None:
    root, _ = site(tmp_path, mastodon)
    run_push(root, "2026-12-01T09:00:00Z", ENV)
    report = run_collect(root, after(root, 1), {"CMB_MASTODON_TOKEN": "revoked-token"})
    error = report.channels["masto"].error or ""
    assert "CMB_MASTODON_TOKEN" in error and "revoked-token" not in error
    assert "nothing more is read from this channel" in error
    # Public posts are readable without a token (as on a real server); the account is not.
    lines = store_lines(root)
    assert report.failed and [line["variant"] for line in lines if line["variant"] is None] == []
    assert published(root)  # and the ledger is untouched


def _published_lines(root: Path) -> list[dict[str, Any]]:
    from tests.push.sites import ledger_lines

    return [line for line in ledger_lines(root) if line["kind"] == "published"]


def test_missing_credentials_are_named_and_nothing_is_read(
    tmp_path: Path, mastodon: Any, run_push: Callable[..., Report]
) -> None:
    root, _ = site(tmp_path, mastodon)
    run_push(root, "2026-12-01T09:00:00Z", ENV)
    report = run_collect(root, after(root, 1), {})
    assert "CMB_MASTODON_TOKEN" in (report.channels["masto"].error or "")
    assert store_lines(root) == []
