"""Failures against a local HTTP server misbehaving on cue: retries, timeouts, auth, isolation."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from cmbuild.push.report import Report
from tests.push.fixtures import Sleeps
from tests.push.servers import Fault, FaultServer
from tests.push.sites import kinds, ledger_lines, make_site, variant

ENV = {
    "CMB_HOOK_SECRET": "s3cret-hook",
    "CMB_OTHER_SECRET": "other-hook",
    "CMB_MASTODON_TOKEN": "tok-1",
}
NOW = "2026-12-01T09:00:00Z"


def channels(url: str, other_url: str = "", mastodon_url: str = "") -> str:
    text = f"""
[defaults]
timezone = "UTC"

[channels.hook]
platform = "x"
options = {{ publisher = "webhook", webhook_url = "{url}/hook" }}
credentials = {{ webhook_secret = "CMB_HOOK_SECRET" }}
"""
    if other_url:
        text += f"""
[channels.other]
platform = "threads"
options = {{ publisher = "webhook", webhook_url = "{other_url}/hook" }}
credentials = {{ webhook_secret = "CMB_OTHER_SECRET" }}
"""
    if mastodon_url:
        text += f"""
[channels.masto]
platform = "mastodon"
options = {{ instance = "{mastodon_url}" }}
credentials = {{ token = "CMB_MASTODON_TOKEN" }}
"""
    return text


def one_due(tmp_path: Path, server: FaultServer) -> tuple[Path, dict[str, str]]:
    entry = variant("hook", "x", "2026-12-01T08:00:00Z")
    return make_site(tmp_path / "site", channels(server.url), [entry]), entry


def test_429_waits_as_long_as_retry_after_says_then_publishes(
    tmp_path: Path, run_push: Callable[..., Report], sleeps: Sleeps
) -> None:
    with FaultServer([Fault(429, {"Retry-After": "7"}, b'{"error": "slow down"}')]) as server:
        root, _ = one_due(tmp_path, server)
        report = run_push(root, NOW, ENV)
    assert [r.outcome for r in report.rows] == ["published"]
    assert sleeps == [7.0]
    assert len(server.seen) == 2
    assert len({s.headers["Idempotency-Key"] for s in server.seen}) == 1
    assert ledger_lines(root)[-1]["remote_id"] == "remote-1"
    assert ledger_lines(root)[-1]["url"] == "https://example.test/p/1"


def test_a_retry_after_longer_than_a_push_waits_gives_up_at_once(
    tmp_path: Path, run_push: Callable[..., Report], sleeps: Sleeps
) -> None:
    with FaultServer([Fault(429, {"Retry-After": "3600"})]) as server:
        root, entry = one_due(tmp_path, server)
        report = run_push(root, NOW, ENV)
    assert [r.outcome for r in report.rows] == ["failed"]
    assert "asks to wait 3600 s" in report.rows[0].detail
    assert (sleeps, len(server.seen)) == ([], 1)
    assert kinds(root) == [("pending", entry["id"]), ("failed", entry["id"])]


def test_500_then_success_backs_off_and_publishes(
    tmp_path: Path, run_push: Callable[..., Report], sleeps: Sleeps
) -> None:
    with FaultServer([Fault(500), Fault(503)]) as server:
        root, _ = one_due(tmp_path, server)
        report = run_push(root, NOW, ENV)
    assert [r.outcome for r in report.rows] == ["published"]
    assert sleeps == [2.0, 4.0]
    assert len(server.seen) == 3


def test_a_server_that_keeps_failing_is_tried_a_bounded_number_of_times(
    tmp_path: Path, run_push: Callable[..., Report], sleeps: Sleeps
) -> None:
    with FaultServer([Fault(502)] * 10) as server:
        root, _ = one_due(tmp_path, server)
        report = run_push(root, NOW, ENV)
    assert [r.outcome for r in report.rows] == ["failed"]
    assert report.rows[0].detail.startswith("gave up after 4 attempts: HTTP 502")
    assert (len(server.seen), sleeps) == (4, [2.0, 4.0, 8.0])


@pytest.mark.parametrize("fault", [Fault(action="timeout", delay=1.0), Fault(action="drop")])
def test_no_answer_is_retried_with_the_same_idempotency_key(
    fault: Fault, tmp_path: Path, run_push: Callable[..., Report], sleeps: Sleeps
) -> None:
    with FaultServer([fault]) as server:
        root, entry = one_due(tmp_path, server)
        report = run_push(root, NOW, ENV, timeout=0.3)
    assert [r.outcome for r in report.rows] == ["published"]
    assert len(server.seen) == 2
    keys = {s.headers["Idempotency-Key"] for s in server.seen}
    assert keys == {f"{entry['id']}-{entry['content_hash'][7:]}"}
    assert server.seen[0].body == server.seen[1].body


def test_401_stops_the_channel_names_the_variable_and_the_others_go_on(
    tmp_path: Path, run_push: Callable[..., Report], sleeps: Sleeps
) -> None:
    entries = [
        variant("hook", "x", "2026-12-01T08:00:00Z", slug="a"),
        variant("other", "threads", "2026-12-01T08:10:00Z", slug="b"),
        variant("hook", "x", "2026-12-01T08:20:00Z", slug="c"),
    ]
    with (
        FaultServer([Fault(401, body=b'{"error": "token expired"}')] * 3) as refusing,
        FaultServer() as fine,
    ):
        root = make_site(tmp_path / "site", channels(refusing.url, fine.url), entries)
        report = run_push(root, NOW, ENV)
    outcomes = [(r.outcome, r.channel) for r in report.rows]
    assert outcomes == [("failed", "hook"), ("published", "other"), ("failed", "hook")]
    assert (
        "renew CMB_HOOK_SECRET (channels.hook.credentials.webhook_secret)" in report.rows[0].detail
    )
    assert report.rows[2].detail.startswith("not attempted: ")
    assert len(refusing.seen) == 1  # never retried, never tried again for the next post
    assert sleeps == []
    assert report.failed


def test_mastodon_rate_limit_honours_retry_after_through_the_library(
    tmp_path: Path, run_push: Callable[..., Report], sleeps: Sleeps
) -> None:
    mastodon_status = json.dumps(
        {"id": "109", "url": "https://masto.example/@a/109", "created_at": "2026-12-01T09:00:00Z"}
    ).encode()
    script = [Fault(429, {"Retry-After": "5"}), Fault(200, body=mastodon_status)]
    with FaultServer(script) as server:
        entry = variant("masto", "mastodon", "2026-12-01T08:00:00Z")
        root = make_site(tmp_path / "site", channels(server.url, mastodon_url=server.url), [entry])
        report = run_push(root, NOW, ENV)
    assert [(r.outcome, r.detail) for r in report.rows] == [
        ("published", "https://masto.example/@a/109")
    ]
    assert sleeps == [5.0]
    assert [s.path for s in server.seen] == ["/api/v1/statuses"] * 2
    assert server.seen[0].headers["Authorization"] == "Bearer tok-1"
