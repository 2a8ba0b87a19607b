"""The generic webhook against Debian's `webhook` receiver, which checks the HMAC signature."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cmbuild.push.report import Report
from cmbuild.stores.halts import Halt, add_halt
from tests.push.servers import WebhookReceiver
from tests.push.sites import image, kinds, make_site, variant

SECRET = "hook-secret-5f1e"


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[WebhookReceiver]:
    folder = tmp_path / "receiver"
    folder.mkdir()
    with WebhookReceiver(folder, SECRET) as running:
        yield running


def channels(url: str) -> str:
    return f"""
[defaults]
timezone = "UTC"

[channels.hook-x]
platform = "x"
options = {{ publisher = "webhook", webhook_url = "{url}" }}
credentials = {{ webhook_secret = "CMB_HOOK_SECRET" }}

[channels.hook-li]
platform = "linkedin"
options = {{ publisher = "webhook", webhook_url = "{url}" }}
credentials = {{ webhook_secret = "CMB_HOOK_SECRET" }}
"""


ENV = {"CMB_HOOK_SECRET": SECRET}


def test_push_publishes_exactly_the_due_variants_once(
    tmp_path: Path, receiver: WebhookReceiver, run_push: Callable[..., Report]
) -> None:
    root = tmp_path / "site"
    root.mkdir()
    first = variant("hook-x", "x", "2026-12-01T08:00:00Z", media=[image(root)])
    second = variant(
        "hook-li",
        "linkedin",
        "2026-12-01T08:30:00Z",
        text="Merci à @[Cité](urn:li:organization:1) (2026)",
    )
    later = variant("hook-x", "x", "2026-12-02T08:00:00Z", slug="later")
    make_site(root, channels(receiver.url), [later, second, first])

    report = run_push(root, "2026-12-01T09:00:00Z", ENV)
    assert [(r.outcome, r.variant) for r in report.rows] == [
        ("published", first["id"]),
        ("published", second["id"]),
    ]
    received = receiver.requests()  # only requests whose signature checked out get here
    assert [r["key"] for r in received] == [
        f"{first['id']}-{first['content_hash'][7:]}",
        f"{second['id']}-{second['content_hash'][7:]}",
    ]
    assert {r["event"] for r in received} == {"publish"}
    assert received[0]["payload"]["variant"]["text"] == first["text"]
    assert received[0]["payload"]["media"][0]["alt"] == "A single pixel"
    # LinkedIn's API text has its reserved characters escaped, the mention kept.
    assert received[1]["payload"]["api_text"] == r"Merci à @[Cité](urn:li:organization:1) \(2026\)"
    assert kinds(root) == [
        ("pending", first["id"]),
        ("published", first["id"]),
        ("pending", second["id"]),
        ("published", second["id"]),
    ]

    again = run_push(root, "2026-12-01T10:00:00Z", ENV)
    assert again.rows == []
    assert again.counts["already published"] == 2
    assert len(receiver.requests()) == 2
    assert len(kinds(root)) == 4


def test_a_wrong_secret_is_refused_by_the_receiver_and_reported(
    tmp_path: Path, receiver: WebhookReceiver, run_push: Callable[..., Report]
) -> None:
    entry = variant("hook-x", "x", "2026-12-01T08:00:00Z")
    root = make_site(tmp_path / "site", channels(receiver.url), [entry])
    report = run_push(root, "2026-12-01T09:00:00Z", {"CMB_HOOK_SECRET": "not-the-secret"})
    # The receiver answers a bad signature with 500: retried, then reported; nothing recorded.
    assert [r.outcome for r in report.rows] == ["failed"]
    assert "HTTP 500" in report.rows[0].detail
    assert receiver.requests() == []
    assert kinds(root) == [("pending", entry["id"]), ("failed", entry["id"])]


def test_a_halted_campaign_publishes_nothing_and_says_why(
    tmp_path: Path, receiver: WebhookReceiver, run_push: Callable[..., Report]
) -> None:
    kept = variant("hook-x", "x", "2026-12-01T08:00:00Z", campaign="other", slug="kept")
    held = variant("hook-li", "linkedin", "2026-12-01T08:00:00Z", campaign="launch")
    root = make_site(tmp_path / "site", channels(receiver.url), [kept, held])
    halt = Halt("campaign", "launch", "wrong date in the posts", "2026-12-01T07:00:00Z")
    add_halt(root / "state" / "halt.toml", "state/halt.toml", halt)

    report = run_push(root, "2026-12-01T09:00:00Z", ENV)
    assert {(r.outcome, r.variant, r.detail) for r in report.rows} == {
        ("published", kept["id"], f"{kept['id']}-{kept['content_hash'][7:]}"),
        (
            "skipped",
            held["id"],
            "halted (campaign launch) since 2026-12-01T07:00:00Z: wrong date in the posts",
        ),
    }
    assert [r["payload"]["variant"]["id"] for r in receiver.requests()] == [kept["id"]]


def test_retract_sends_a_signed_retract_event(
    tmp_path: Path, receiver: WebhookReceiver, run_push: Callable[..., Report]
) -> None:
    from cmbuild.push.retract import retract
    from cmbuild.push.session import PushSettings

    entry = variant("hook-x", "x", "2026-12-01T08:00:00Z")
    root = make_site(tmp_path / "site", channels(receiver.url), [entry])
    run_push(root, "2026-12-01T09:00:00Z", ENV)
    report = retract(PushSettings(root=root, environ=ENV), "launch", "typo")
    assert [r.outcome for r in report.rows] == ["retracted"]
    events = receiver.requests()
    assert [e["event"] for e in events] == ["publish", "retract"]
    assert events[1]["payload"]["remote_id"] == f"{entry['id']}-{entry['content_hash'][7:]}"
    assert kinds(root)[-1] == ("retracted", entry["id"])
