"""The Threads publisher through `cmbuild push`, against the fake Graph server (Threads tables
written from Meta's reference pages, see graph_tables.py), images hosted on a real S3 server."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from cmbuild.push.report import Report
from cmbuild.push.retract import retract
from cmbuild.push.session import PushSettings
from tests.push.fake_http import call
from tests.push.fixtures import cli
from tests.push.graph_fake import THREADS_TOKEN, FakeGraph, Fault
from tests.push.meta_site import (
    ALBUM_AT,
    ALT,
    ENV_NAMES,
    PHOTO_AT,
    TEXT_AT,
    meta_site,
    sent,
    variant,
)
from tests.push.s3peer import KEY_ID, SECRET, S3Peer
from tests.push.servers import environ
from tests.push.sites import kinds, ledger_lines

ENV = {
    ENV_NAMES["threads_token"]: THREADS_TOKEN,
    "CMB_MEDIA_KEY_ID": KEY_ID,
    "CMB_MEDIA_SECRET": SECRET,
}
ONLY = ("threads-test",)


@pytest.fixture
def meta(basic: Path, graph: FakeGraph, s3: S3Peer) -> Path:
    return meta_site(basic, graph.url, s3)


def test_a_text_post_is_a_text_container_then_published(
    meta: Path, graph: FakeGraph, run_push: Callable[..., Report]
) -> None:
    entry = variant(meta, "threads-test", "meta-texte")
    report = run_push(meta, TEXT_AT, ENV, channels=ONLY)
    assert graph.rejected == []
    assert sent(report) == ["published"]
    ((container_id, container),) = graph.of_kind("threads_container").items()
    ((media_id, media),) = graph.of_kind("threads_media").items()
    assert graph.calls() == [
        ("POST", "/me/threads"),  # `me`: the token's own account, no user id to configure
        ("GET", f"/{container_id}"),
        ("GET", f"/{container_id}"),
        ("POST", "/me/threads_publish"),
        ("GET", f"/{media_id}"),
    ]
    assert container["params"] == {
        "media_type": "TEXT",
        "text": entry["text"],
        "access_token": THREADS_TOKEN,
    }
    assert media["text"] == entry["text"]
    assert ledger_lines(meta)[-1]["url"] == f"https://www.example.test/p/{media_id}/"


def test_an_image_post_carries_the_hosted_image_and_its_alt_text(
    meta: Path, graph: FakeGraph, s3: S3Peer, run_push: Callable[..., Report]
) -> None:
    entry = variant(meta, "threads-test", "meta-photo")
    report = run_push(meta, PHOTO_AT, ENV, channels=ONLY)
    assert graph.rejected == []
    assert sent(report) == ["published"]
    ((_, container),) = graph.of_kind("threads_container").items()
    params = container["params"]
    assert params["media_type"] == "IMAGE"
    assert params["text"] == entry["text"]
    assert params["alt_text"] == ALT
    assert params["image_url"].startswith(f"{s3.public_url}/img/")
    sha = entry["media"][0]["sha256"]
    assert hashlib.sha256(graph.fetched[params["image_url"]]).hexdigest() == sha


def test_several_images_make_a_carousel(
    meta: Path, graph: FakeGraph, run_push: Callable[..., Report]
) -> None:
    entry = variant(meta, "threads-test", "meta-album")
    report = run_push(meta, ALBUM_AT, ENV, channels=ONLY)
    assert graph.rejected == []
    assert sent(report) == ["published"]
    *children, carousel = graph.of_kind("threads_container").values()
    assert [c["params"]["is_carousel_item"] for c in children] == ["true", "true"]
    assert [c["sha256"] for c in children] == [m["sha256"] for m in entry["media"]]
    assert carousel["params"]["media_type"] == "CAROUSEL"
    assert carousel["params"]["text"] == entry["text"]


def test_images_without_a_media_host_are_a_configuration_error(
    basic: Path, graph: FakeGraph, run_push: Callable[..., Report]
) -> None:
    root = meta_site(basic, graph.url, None)
    report = run_push(root, PHOTO_AT, ENV, channels=ONLY)
    (row,) = [r for r in report.rows if r.outcome != "missed"]
    assert row.outcome == "failed"
    assert "channels.threads-test.options.media_bucket is not set" in row.detail
    assert graph.seen == []


def test_a_server_error_on_publishing_is_retried(
    meta: Path, graph: FakeGraph, run_push: Callable[..., Report]
) -> None:
    graph.faults = [Fault("POST", "/threads_publish", "server_error")]
    report = run_push(meta, TEXT_AT, ENV, channels=ONLY)
    assert sent(report) == ["published"]
    assert len(graph.of_kind("threads_media")) == 1


def test_an_expired_token_names_its_variable(meta: Path, graph: FakeGraph) -> None:
    graph.expired.add(THREADS_TOKEN)
    result = cli(meta, "push", "--now", TEXT_AT, "--channel", "threads-test", env=environ(**ENV))
    assert result.returncode == 1
    assert "CMB_THREADS_TOKEN (channels.threads-test.credentials.token)" in result.stdout
    assert THREADS_TOKEN not in result.stdout + result.stderr


def test_a_crash_after_publishing_is_reconciled_by_the_next_push(
    meta: Path, graph: FakeGraph
) -> None:
    graph.busy_looks = 0  # a real push waits between looks: keep this one short
    entry = variant(meta, "threads-test", "meta-texte")
    crashed = cli(
        meta,
        "push",
        "--now",
        TEXT_AT,
        "--channel",
        "threads-test",
        env=environ(**ENV),
        kill_after_send=1,
    )
    assert crashed.returncode < 0
    result = cli(meta, "push", "--now", TEXT_AT, "--channel", "threads-test", env=environ(**ENV))
    assert result.returncode == 0, result.stdout + result.stderr
    assert kinds(meta) == [("pending", entry["id"]), ("reconciled", entry["id"])]
    listing = [s for s in graph.seen if s.method == "GET" and s.path == "/me/threads"]
    assert listing[0].params["fields"] == "id,text,timestamp,permalink"
    assert len(graph.of_kind("threads_media")) == 1


def test_retract_deletes_the_post(
    meta: Path, graph: FakeGraph, run_push: Callable[..., Report]
) -> None:
    entry = variant(meta, "threads-test", "meta-texte")
    run_push(meta, TEXT_AT, ENV, channels=ONLY)
    ((media_id, _),) = graph.of_kind("threads_media").items()
    report = retract(PushSettings(root=meta, environ=ENV), "portes", "wrong date")
    assert [r.outcome for r in report.rows] == ["retracted"]
    assert graph.calls()[-1] == ("DELETE", f"/{media_id}")
    assert graph.of_kind("threads_media") == {}
    assert kinds(meta)[-1] == ("retracted", entry["id"])


def test_the_fake_refuses_what_the_threads_reference_does_not_list(graph: FakeGraph) -> None:
    def post(**params: str) -> int:
        body = urllib.parse.urlencode({**params, "access_token": THREADS_TOKEN}).encode()
        request = urllib.request.Request(f"{graph.url}/v1.0/me/threads", data=body)
        status, answer = call(request)
        if status < 400:
            json.loads(answer)  # a success answers JSON
        return status

    assert post(media_type="TEXT", text="hi", caption="Instagram's name") == 400
    assert post(media_type="POLL", text="hi") == 400  # not a media_type
    assert post(media_type="TEXT", text="hi", reply_control="friends") == 400
    assert post(media_type="TEXT", text="x" * 501) == 400
    assert post(text="hi") == 400  # media_type is required
    assert post(media_type="TEXT", text="hi", reply_control="everyone") == 200
    assert len(graph.rejected) == 5
