"""Mastodon through Mastodon.py, against mastodon_mock (a stateful mock of the REST API)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cmbuild.errors import InputErrors
from cmbuild.push.report import Report
from cmbuild.push.retract import retract
from cmbuild.push.session import PushSettings
from tests.push.fixtures import MASTODON_TOKEN, statuses
from tests.push.mastodon_gate import MastodonGate
from tests.push.sites import add_to_channel, image, kinds, ledger_lines, make_site, variant

ENV = {"CMB_MASTODON_TOKEN": MASTODON_TOKEN}


def channels(url: str) -> str:
    return f"""
[defaults]
timezone = "UTC"

[channels.masto]
platform = "mastodon"
options = {{ instance = "{url}" }}
credentials = {{ token = "CMB_MASTODON_TOKEN" }}
"""


def site(tmp_path: Path, server: Any, **kwargs: Any) -> tuple[Path, list[dict[str, Any]]]:
    root = tmp_path / "site"
    root.mkdir()
    entries = [
        variant("masto", "mastodon", "2026-12-01T08:00:00Z", slug="one", media=[image(root)]),
        variant("masto", "mastodon", "2026-12-01T08:30:00Z", slug="two", campaign="other"),
        variant("masto", "mastodon", "2026-12-03T08:00:00Z", slug="later"),
    ]
    make_site(root, channels(server.base_url), entries)
    return root, entries


def test_push_posts_due_statuses_with_alt_text_once(
    tmp_path: Path, mastodon: Any, run_push: Callable[..., Report]
) -> None:
    root, (one, two, _) = site(tmp_path, mastodon)
    report = run_push(root, "2026-12-01T09:00:00Z", ENV)
    assert [(r.outcome, r.variant) for r in report.rows] == [
        ("published", one["id"]),
        ("published", two["id"]),
    ]
    posted = sorted(statuses(mastodon), key=lambda s: s["id"])
    assert len(posted) == 2
    source = mastodon.client(token=MASTODON_TOKEN).status_source(posted[0]["id"])
    assert source["text"] == one["text"]
    assert [m["description"] for m in posted[0]["media_attachments"]] == ["A single pixel"]
    assert posted[1]["media_attachments"] == []
    published = [line for line in ledger_lines(root) if line["kind"] == "published"]
    assert [line["remote_id"] for line in published] == [str(s["id"]) for s in posted]
    assert all(line["url"] for line in published)

    again = run_push(root, "2026-12-01T12:00:00Z", ENV)
    assert again.rows == []
    assert len(statuses(mastodon)) == 2


def test_the_idempotency_key_makes_a_repeated_post_a_no_op(tmp_path: Path, mastodon: Any) -> None:
    from cmbuild.platforms.mastodon.publisher import MastodonPublisher
    from cmbuild.platforms.shared.publisher import PublisherContext
    from cmbuild.push.apply import inputs

    root, (one, _, _) = site(tmp_path, mastodon)
    entries, found_channels = inputs(PushSettings(root=root))
    context = PublisherContext(
        found_channels["masto"], {"token": MASTODON_TOKEN}, root, timeout=5.0, sleep=lambda s: None
    )
    publisher = MastodonPublisher(context)
    entry = next(e for e in entries if e.id == one["id"])
    first = publisher.publish(entry, ())
    second = publisher.publish(entry, ())
    assert first.remote_id == second.remote_id
    assert len(statuses(mastodon)) == 1


def test_a_halted_campaign_posts_nothing_and_the_others_go_out(
    tmp_path: Path, mastodon: Any
) -> None:
    from tests.push.fixtures import cli
    from tests.push.servers import environ

    root, (one, two, _) = site(tmp_path, mastodon)
    halted = cli(root, "halt", "--campaign", "launch", "--reason", "price is wrong")
    assert halted.returncode == 0, halted.stderr
    result = cli(root, "push", "--now", "2026-12-01T09:00:00Z", env=environ(**ENV))
    assert result.returncode == 0, result.stderr
    assert "halted (campaign launch) since" in result.stdout
    assert "price is wrong" in result.stdout
    assert [s["content"] for s in statuses(mastodon)] == [f"<p>{two['text']}</p>"]
    assert [k for k, v in kinds(root)] == ["pending", "published"]
    assert {v for _, v in kinds(root)} == {two["id"]}
    del one


def test_retract_deletes_the_campaign_posts_and_records_it(
    tmp_path: Path, mastodon: Any, run_push: Callable[..., Report]
) -> None:
    root, (one, two, later) = site(tmp_path, mastodon)
    run_push(root, "2026-12-01T09:00:00Z", ENV)
    assert len(statuses(mastodon)) == 2

    report = retract(PushSettings(root=root, environ=ENV), "launch", "wrong price")
    assert [(r.outcome, r.variant) for r in report.rows] == [("retracted", one["id"])]
    remaining = statuses(mastodon)
    assert [s["id"] for s in remaining] == [
        next(
            line["remote_id"]
            for line in ledger_lines(root)
            if line["variant"] == two["id"] and line["kind"] == "published"
        )
    ]
    assert kinds(root)[-1] == ("retracted", one["id"])
    # The campaign is halted too: its later post does not go out.
    after = run_push(root, "2026-12-03T08:05:00Z", ENV)
    assert [(r.outcome, r.variant) for r in after.rows] == [("skipped", later["id"])]
    assert "wrong price" in after.rows[0].detail
    assert len(statuses(mastodon)) == 1


def test_a_refused_token_stops_the_channel_and_names_the_variable(
    tmp_path: Path, mastodon: Any, run_push: Callable[..., Report]
) -> None:
    root, (one, two, _) = site(tmp_path, mastodon)
    report = run_push(root, "2026-12-01T09:00:00Z", {"CMB_MASTODON_TOKEN": "revoked-token"})
    assert [(r.outcome, r.variant) for r in report.rows] == [
        ("failed", one["id"]),
        ("failed", two["id"]),
    ]
    assert "renew CMB_MASTODON_TOKEN (channels.masto.credentials.token)" in report.rows[0].detail
    assert report.rows[1].detail.startswith("not attempted: ")
    assert "revoked-token" not in str(ledger_lines(root))
    assert statuses(mastodon) == []


def test_an_unreachable_instance_is_a_connection_error_naming_it(
    tmp_path: Path, run_push: Callable[..., Report]
) -> None:
    import socket

    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        instance = f"http://127.0.0.1:{closed.getsockname()[1]}"
        root = tmp_path / "site"
        root.mkdir()
        media = [image(root)]  # Mastodon.py checks the server's version before an upload
        entries = [variant("masto", "mastodon", "2026-12-01T08:00:00Z", media=media)]
        make_site(root, channels(instance), entries)
        report = run_push(root, "2026-12-01T09:00:00Z", ENV)
    [row] = report.rows
    assert row.outcome == "failed"
    assert f"cannot reach the Mastodon instance {instance}" in row.detail
    assert "RecursionError" not in row.detail and "unexpected error" not in row.detail
    # Nothing reached the server: a plain failure, sent again at the next push.
    assert [line["kind"] for line in ledger_lines(root)] == ["pending", "failed"]
    assert "the next push checks" not in row.detail


@pytest.fixture
def gate(mastodon: Any) -> Iterator[MastodonGate]:
    with MastodonGate(mastodon.base_url) as running:
        yield running


def test_statuses_go_out_with_the_channel_visibility_and_the_post_language(
    tmp_path: Path, gate: MastodonGate, mastodon: Any, run_push: Callable[..., Report]
) -> None:
    french = variant("masto", "mastodon", "2026-12-01T08:00:00Z", slug="fr")
    french["lang"] = "fr"
    english = variant("quiet", "mastodon", "2026-12-01T08:10:00Z", slug="en")
    quiet = (
        '\n[channels.quiet]\nplatform = "mastodon"\n'
        'credentials = { token = "CMB_MASTODON_TOKEN" }\n'
        f'options = {{ instance = "{gate.url}", visibility = "unlisted" }}\n'
    )
    root = make_site(tmp_path / "site", channels(gate.url) + quiet, [french, english])
    report = run_push(root, "2026-12-01T09:00:00Z", ENV)
    assert [r.outcome for r in report.rows] == ["published", "published"]
    assert [(s["visibility"], s["language"]) for s in gate.statuses] == [
        ("public", "fr"),
        ("unlisted", "en"),
    ]
    posted = {s["content"]: s for s in statuses(mastodon)}
    assert posted[f"<p>{french['text']}</p>"]["visibility"] == "public"
    assert posted[f"<p>{french['text']}</p>"]["language"] == "fr"
    assert posted[f"<p>{english['text']}</p>"]["visibility"] == "unlisted"
    assert gate.rejected == []


def test_the_gate_refuses_what_mastodon_refuses(gate: MastodonGate) -> None:
    import urllib.parse
    import urllib.request

    from tests.push.fake_http import call

    def post(**fields: str) -> int:
        request = urllib.request.Request(
            f"{gate.url}/api/v1/statuses",
            data=urllib.parse.urlencode({"status": "hi", **fields}).encode(),
            headers={"Authorization": f"Bearer {MASTODON_TOKEN}"},
            method="POST",
        )
        return call(request)[0]

    assert post(visibility="loud") == 422
    assert post(language="english") == 422
    assert post(language="fr-FR") == 422
    assert gate.rejected == [
        "Visibility is not included in the list",
        "Language is not a valid ISO 639 code",
        "Language is not a valid ISO 639 code",
    ]
    assert post(visibility="unlisted", language="fr") == 200


def test_an_unknown_visibility_is_a_configuration_error_before_anything_is_sent(
    tmp_path: Path, gate: MastodonGate, run_push: Callable[..., Report]
) -> None:
    root = make_site(
        tmp_path / "site",
        channels(gate.url),
        [variant("masto", "mastodon", "2026-12-01T08:00:00Z")],
    )
    add_to_channel(root, f'instance = "{gate.url}"', ', visibility = "loud"')
    # The channel's options model refuses it when channels.toml is read, before any send.
    with pytest.raises(InputErrors) as raised:
        run_push(root, "2026-12-01T09:00:00Z", ENV)
    assert (
        "channels.masto.options.visibility: expected one of 'public', 'unlisted', 'private' or"
        in str(raised.value)
    )
    assert gate.statuses == [] and gate.rejected == []
