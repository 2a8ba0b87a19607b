"""The Instagram publisher through `cmbuild push`: images go to a real S3 server (SeaweedFS),
the fake Graph server downloads them from there as Instagram would, and checks every request
against the IGUser tables of Meta's facebook-business SDK."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from cmbuild.platforms.shared.mediahost import HostSettings, MediaHost
from cmbuild.platforms.shared.publisher import MediaFile, PublishError
from cmbuild.push.report import Report
from cmbuild.push.retract import retract
from cmbuild.push.session import PushSettings
from tests.push.fixtures import Sleeps, cli
from tests.push.graph_fake import IG_TOKEN, IG_USER_ID, FakeGraph, Fault
from tests.push.meta_site import (
    ALBUM_AT,
    ALT,
    ENV_NAMES,
    PHOTO_AT,
    SECOND_ALT,
    meta_site,
    sent,
    variant,
)
from tests.push.s3peer import KEY_ID, SECRET, S3Peer
from tests.push.servers import environ
from tests.push.sites import kinds, ledger_lines

ENV = {ENV_NAMES["ig_token"]: IG_TOKEN, "CMB_MEDIA_KEY_ID": KEY_ID, "CMB_MEDIA_SECRET": SECRET}
ONLY = ("instagram-test",)


@pytest.fixture
def meta(basic: Path, graph: FakeGraph, s3: S3Peer) -> Path:
    return meta_site(basic, graph.url, s3)


def test_an_image_is_hosted_fetched_by_instagram_and_published_with_alt_text(
    meta: Path, graph: FakeGraph, s3: S3Peer, run_push: Callable[..., Report], sleeps: Sleeps
) -> None:
    entry = variant(meta, "instagram-test", "meta-photo")
    report = run_push(meta, PHOTO_AT, ENV, channels=ONLY)
    assert graph.rejected == []
    assert sent(report) == ["published"]
    ((container_id, container),) = graph.of_kind("ig_container").items()
    ((media_id, media),) = graph.of_kind("ig_media").items()
    assert graph.calls() == [
        ("POST", f"/{IG_USER_ID}/media"),
        ("GET", f"/{container_id}"),  # IN_PROGRESS
        ("GET", f"/{container_id}"),  # FINISHED
        ("POST", f"/{IG_USER_ID}/media_publish"),
        ("GET", f"/{media_id}"),  # its permalink
    ]
    assert 2.0 in sleeps  # waited between the two looks
    sha = entry["media"][0]["sha256"]
    params = container["params"]
    assert params["image_url"] == f"{s3.public_url}/img/{sha}.jpg"
    assert params["caption"] == entry["text"]
    assert params["alt_text"] == ALT
    assert hashlib.sha256(graph.fetched[params["image_url"]]).hexdigest() == sha
    assert hashlib.sha256(s3.read(f"img/{sha}.jpg")).hexdigest() == sha
    assert media["caption"] == entry["text"]
    (published,) = [line for line in ledger_lines(meta) if line["kind"] == "published"]
    assert published["remote_id"] == media_id
    assert published["url"] == f"https://www.example.test/p/{media_id}/"


def test_several_images_make_a_carousel(
    meta: Path, graph: FakeGraph, s3: S3Peer, run_push: Callable[..., Report]
) -> None:
    entry = variant(meta, "instagram-test", "meta-album")
    report = run_push(meta, ALBUM_AT, ENV, channels=ONLY)
    assert graph.rejected == []
    assert sent(report) == ["published"]
    containers = list(graph.of_kind("ig_container").items())
    *children, (carousel_id, carousel) = containers
    assert [c["params"]["is_carousel_item"] for _, c in children] == ["true", "true"]
    assert [c["params"]["alt_text"] for _, c in children] == [ALT, SECOND_ALT]
    assert [c["sha256"] for _, c in children] == [m["sha256"] for m in entry["media"]]
    assert carousel["params"]["media_type"] == "CAROUSEL"
    assert carousel["params"]["children"] == ",".join(i for i, _ in children)
    assert carousel["params"]["caption"] == entry["text"]
    (publish,) = [s for s in graph.seen if s.path.endswith("/media_publish")]
    assert publish.params["creation_id"] == carousel_id


def test_a_refused_bucket_key_names_the_media_variables(
    meta: Path, graph: FakeGraph, run_push: Callable[..., Report]
) -> None:
    report = run_push(meta, PHOTO_AT, {**ENV, "CMB_MEDIA_SECRET": "wrong"}, channels=ONLY)
    (row,) = [r for r in report.rows if r.outcome != "missed"]
    assert row.outcome == "failed"
    assert "CMB_MEDIA_SECRET (channels.instagram-test.credentials.media_secret)" in row.detail
    assert "CMB_INSTAGRAM_TOKEN" not in row.detail
    assert "wrong" not in row.detail
    assert graph.seen == []  # nothing reached Instagram
    assert ledger_lines(meta)[-1]["code"] == "auth"


def test_an_expired_token_names_its_variable(
    meta: Path, graph: FakeGraph, run_push: Callable[..., Report]
) -> None:
    graph.expired.add(IG_TOKEN)
    report = run_push(meta, PHOTO_AT, ENV, channels=ONLY)
    (row,) = [r for r in report.rows if r.outcome != "missed"]
    assert row.outcome == "failed"
    assert "CMB_INSTAGRAM_TOKEN (channels.instagram-test.credentials.token)" in row.detail
    assert "CMB_MEDIA" not in row.detail
    assert IG_TOKEN not in row.detail
    assert graph.of_kind("ig_media") == {}


def test_a_timeout_on_publishing_is_settled_by_the_container_and_the_media_list(
    meta: Path, graph: FakeGraph, run_push: Callable[..., Report]
) -> None:
    graph.faults = [Fault("POST", "/media_publish", "slow", delay=1.5)]
    report = run_push(meta, PHOTO_AT, ENV, channels=ONLY, timeout=0.5)
    assert sent(report) == ["published"]
    ((media_id, _),) = graph.of_kind("ig_media").items()  # found, not published twice
    assert ledger_lines(meta)[-1]["remote_id"] == media_id
    listing = [s for s in graph.seen if s.method == "GET" and s.path == f"/{IG_USER_ID}/media"]
    assert listing and listing[0].params["fields"] == "id,caption,timestamp,permalink"


def test_a_crash_after_publishing_is_reconciled_by_the_next_push(
    meta: Path, graph: FakeGraph
) -> None:
    graph.busy_looks = 0  # a real push waits between looks: keep this one short
    entry = variant(meta, "instagram-test", "meta-photo")
    crashed = cli(
        meta,
        "push",
        "--now",
        PHOTO_AT,
        "--channel",
        "instagram-test",
        env=environ(**ENV),
        kill_after_send=1,
    )
    assert crashed.returncode < 0
    result = cli(meta, "push", "--now", PHOTO_AT, "--channel", "instagram-test", env=environ(**ENV))
    assert result.returncode == 0, result.stdout + result.stderr
    assert kinds(meta)[-2:] == [("pending", entry["id"]), ("reconciled", entry["id"])]
    assert len(graph.of_kind("ig_media")) == 1


def test_retract_reports_that_instagram_cannot_delete(
    meta: Path, graph: FakeGraph, run_push: Callable[..., Report]
) -> None:
    run_push(meta, PHOTO_AT, ENV, channels=ONLY)
    report = retract(PushSettings(root=meta, environ=ENV), "salle", "wrong room")
    (row,) = report.rows
    assert row.outcome == "failed"
    assert "instagram cannot delete a post: remove it by hand" in row.detail
    assert len(graph.of_kind("ig_media")) == 1


def host(s3: S3Peer, **changes: str) -> MediaHost:
    settings = HostSettings(
        bucket=s3.bucket, public_url=s3.public_url, endpoint=s3.endpoint, prefix="unit/"
    )
    return MediaHost(
        replace(settings, **changes),
        key_id=KEY_ID,
        secret=SECRET,
        timeout=5.0,
        refused=lambda detail: PublishError(detail, "auth"),
        option_key=lambda name: f"channels.c.options.{name}",
    )


def test_the_media_host_uploads_an_image_once_under_its_digest(s3: S3Peer) -> None:
    data = b"\xff\xd8\xff" + uuid.uuid4().bytes  # bytes no other test has uploaded
    item = MediaFile("media/x.jpg", data, "image/jpeg", "alt")
    first = host(s3).host(item)
    second = host(s3).host(item)
    digest = hashlib.sha256(data).hexdigest()
    assert (first.key, first.uploaded) == (f"unit/{digest}.jpg", True)
    assert (second.url, second.uploaded) == (first.url, False)  # found by HEAD: not sent again
    assert first.url == f"{s3.public_url}/unit/{digest}.jpg"
    assert s3.read(first.key) == data


def test_a_public_address_that_does_not_serve_the_image_is_named(s3: S3Peer) -> None:
    item = MediaFile("media/y.jpg", b"\xff\xd8\xff" + uuid.uuid4().bytes, "image/jpeg", None)
    with pytest.raises(PublishError) as raised:
        host(s3, public_url=f"{s3.endpoint}/elsewhere").host(item)
    assert raised.value.kind == "config"
    assert "channels.c.options.media_public_url" in raised.value.message
