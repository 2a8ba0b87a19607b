"""The Facebook Page publisher through `cmbuild push`, against the fake Graph server, whose every
request is checked against the parameter tables of Meta's facebook-business SDK."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from cmbuild.push.report import Report
from cmbuild.push.retract import retract
from cmbuild.push.session import PushSettings
from tests.push.fake_http import call
from tests.push.fixtures import Sleeps, cli
from tests.push.graph_fake import PAGE_ID, PAGE_TOKEN, FakeGraph, Fault
from tests.push.meta_site import (
    ALBUM_AT,
    ALT,
    PHOTO_AT,
    SECOND_ALT,
    TEXT_AT,
    meta_site,
    sent,
    variant,
)
from tests.push.servers import environ
from tests.push.sites import kinds, ledger_lines

ENV = {"CMB_FACEBOOK_PAGE_TOKEN": PAGE_TOKEN}
ONLY = ("facebook-test",)


@pytest.fixture
def meta(basic: Path, graph: FakeGraph) -> Path:
    return meta_site(basic, graph.url, None)


def posts(graph: FakeGraph) -> dict[str, dict[str, object]]:
    return graph.of_kind("post")


def test_a_text_post_goes_to_the_feed_with_its_link_once(
    meta: Path, graph: FakeGraph, run_push: Callable[..., Report]
) -> None:
    entry = variant(meta, "facebook-test", "meta-texte")
    report = run_push(meta, TEXT_AT, ENV, channels=ONLY)
    assert graph.rejected == []
    assert [(r.outcome, r.variant) for r in report.rows] == [("published", entry["id"])]
    assert graph.calls() == [("POST", f"/{PAGE_ID}/feed"), ("GET", f"/{graph_post(graph)}")]
    sent = graph.seen[0].params
    assert sent == {"message": entry["text"], "link": entry["link"], "access_token": PAGE_TOKEN}
    assert entry["link"].startswith("https://testbrand.fr/portes")
    ((post_id, post),) = posts(graph).items()
    assert post["message"] == entry["text"]
    (published,) = [line for line in ledger_lines(meta) if line["kind"] == "published"]
    assert published["remote_id"] == post_id
    assert published["url"] == f"https://www.facebook.com/{PAGE_ID}/posts/{post_id.split('_')[1]}"

    again = run_push(meta, "2026-12-01T10:00:00Z", ENV, channels=ONLY)
    assert again.rows == [] and len(posts(graph)) == 1


def graph_post(graph: FakeGraph) -> str:
    (post_id,) = posts(graph)
    return post_id


def test_one_photo_is_uploaded_with_its_caption_and_alt_text(
    meta: Path, graph: FakeGraph, run_push: Callable[..., Report]
) -> None:
    entry = variant(meta, "facebook-test", "meta-photo")
    report = run_push(meta, PHOTO_AT, ENV, channels=ONLY)
    assert graph.rejected == []
    assert sent(report) == ["published"]
    upload = graph.seen[0]
    assert (upload.method, upload.path) == ("POST", f"/{PAGE_ID}/photos")
    assert upload.params["caption"] == entry["text"]
    assert upload.params["alt_text_custom"] == ALT
    assert hashlib.sha256(upload.files["source"]).hexdigest() == entry["media"][0]["sha256"]
    ((photo_id, photo),) = graph.of_kind("photo").items()
    assert photo["published"] is True
    ((post_id, post),) = posts(graph).items()
    assert post["attached_media"] == [photo_id]
    assert ledger_lines(meta)[-1]["remote_id"] == post_id


def test_several_photos_are_uploaded_unpublished_then_attached_to_one_post(
    meta: Path, graph: FakeGraph, run_push: Callable[..., Report]
) -> None:
    entry = variant(meta, "facebook-test", "meta-album")
    report = run_push(meta, ALBUM_AT, ENV, channels=ONLY)
    assert graph.rejected == []
    assert sent(report) == ["published"]
    uploads = [s for s in graph.seen if s.path.endswith("/photos")]
    assert [u.params["published"] for u in uploads] == ["false", "false"]
    assert [u.params["alt_text_custom"] for u in uploads] == [ALT, SECOND_ALT]
    digests = [hashlib.sha256(u.files["source"]).hexdigest() for u in uploads]
    assert digests == [m["sha256"] for m in entry["media"]]
    (feed,) = [s for s in graph.seen if s.path.endswith("/feed")]
    assert feed.params["message"] == entry["text"]
    attached = json.loads(feed.params["attached_media"])
    assert attached == [{"media_fbid": photo} for photo in graph.of_kind("photo")]
    assert "link" not in feed.params


def test_an_expired_token_stops_the_channel_names_the_variable_and_is_never_shown(
    meta: Path, graph: FakeGraph
) -> None:
    graph.expired.add(PAGE_TOKEN)  # and the fake quotes the token in its error
    result = cli(meta, "push", "--now", TEXT_AT, "--channel", "facebook-test", env=environ(**ENV))
    assert result.returncode == 1, result.stderr
    output = result.stdout + result.stderr
    assert "CMB_FACEBOOK_PAGE_TOKEN (channels.facebook-test.credentials.page_token)" in output
    assert "code 190" in output
    assert PAGE_TOKEN not in output
    assert PAGE_TOKEN not in (meta / "state" / "ledger.jsonl").read_text(encoding="utf-8")
    assert posts(graph) == {}
    assert ledger_lines(meta)[-1]["kind"] == "failed"
    assert ledger_lines(meta)[-1]["code"] == "auth"


def test_a_rate_limit_and_a_server_error_are_retried_after_the_time_graph_asks(
    meta: Path, graph: FakeGraph, run_push: Callable[..., Report], sleeps: Sleeps
) -> None:
    graph.faults = [Fault("POST", "/feed", "rate_limit"), Fault("POST", "/feed", "server_error")]
    report = run_push(meta, TEXT_AT, ENV, channels=ONLY)
    assert sent(report) == ["published"]
    assert [c for c in graph.calls() if c[0] == "POST"] == [("POST", f"/{PAGE_ID}/feed")] * 3
    assert sleeps[:2] == [60.0, 4.0]  # X-Business-Use-Case-Usage: 1 minute; then backoff
    assert len(posts(graph)) == 1


def test_a_timeout_after_the_post_was_made_is_settled_by_reading_the_page(
    meta: Path, graph: FakeGraph, run_push: Callable[..., Report]
) -> None:
    graph.faults = [Fault("POST", "/feed", "slow", delay=1.5)]
    report = run_push(meta, TEXT_AT, ENV, channels=ONLY, timeout=0.5)
    assert sent(report) == ["published"]
    assert len(posts(graph)) == 1  # found, not posted again
    listing = [s for s in graph.seen if s.path.endswith("/published_posts")]
    assert listing and listing[0].params["fields"] == "id,message,created_time,permalink_url"
    assert ledger_lines(meta)[-1]["remote_id"] == graph_post(graph)


def test_a_crash_after_sending_is_reconciled_by_the_next_push(meta: Path, graph: FakeGraph) -> None:
    entry = variant(meta, "facebook-test", "meta-texte")
    env = environ(**ENV)
    crashed = cli(
        meta, "push", "--now", TEXT_AT, "--channel", "facebook-test", env=env, kill_after_send=1
    )
    assert crashed.returncode < 0  # killed right after the send, before the ledger knew
    assert kinds(meta) == [("pending", entry["id"])]
    result = cli(meta, "push", "--now", TEXT_AT, "--channel", "facebook-test", env=environ(**ENV))
    assert result.returncode == 0, result.stdout + result.stderr
    assert kinds(meta) == [("pending", entry["id"]), ("reconciled", entry["id"])]
    assert ledger_lines(meta)[-1]["remote_id"] == graph_post(graph)
    assert len(posts(graph)) == 1


def test_retract_deletes_the_post(
    meta: Path, graph: FakeGraph, run_push: Callable[..., Report]
) -> None:
    entry = variant(meta, "facebook-test", "meta-texte")
    run_push(meta, TEXT_AT, ENV, channels=ONLY)
    post_id = graph_post(graph)
    report = retract(PushSettings(root=meta, environ=ENV), "portes", "wrong date")
    assert graph.rejected == []
    assert sent(report) == ["retracted"]
    assert graph.calls()[-1] == ("DELETE", f"/{post_id}")
    assert posts(graph) == {}
    assert kinds(meta)[-1] == ("retracted", entry["id"])


def test_the_fake_refuses_what_the_sdk_tables_do_not_allow(graph: FakeGraph) -> None:
    def post(edge: str, **params: str) -> tuple[int, dict[str, object]]:
        body = urllib.parse.urlencode({**params, "access_token": PAGE_TOKEN}).encode()
        request = urllib.request.Request(f"{graph.url}/v26.0/{PAGE_ID}/{edge}", data=body)
        status, answer = call(request)
        return status, json.loads(answer)

    assert post("feed", message="hi", alt_text="no such parameter")[0] == 400
    assert post("feed", message="hi", published="maybe")[0] == 400  # bool
    assert post("feed", message="hi", attached_media="{}")[0] == 400  # list<Object>
    status, answer = post("photos", caption="hi", alt_text="not the name: alt_text_custom")
    assert status == 400 and answer["error"]["code"] == 100  # type: ignore[index]
    assert post("feed", message="hi")[0] == 200
    assert len(graph.rejected) == 4


def test_the_fake_holds_posts_to_meta_limits_and_tokens_to_their_account(
    graph: FakeGraph,
) -> None:
    from tests.push.graph_fake import (
        FACEBOOK_MESSAGE_LIMIT,
        IG_TOKEN,
        IG_USER_ID,
        INSTAGRAM_CAPTION_LIMIT,
    )

    def post(node: str, edge: str, token: str, **params: str) -> tuple[int, int | None]:
        body = urllib.parse.urlencode({**params, "access_token": token}).encode()
        request = urllib.request.Request(f"{graph.url}/v26.0/{node}/{edge}", data=body)
        status, answer = call(request)
        error = json.loads(answer).get("error") or {}
        return status, error.get("code")

    assert post(PAGE_ID, "feed", PAGE_TOKEN, message="x" * (FACEBOOK_MESSAGE_LIMIT + 1))[0] == 400
    assert post(PAGE_ID, "feed", PAGE_TOKEN, message="x" * FACEBOOK_MESSAGE_LIMIT)[0] == 200
    # An Instagram token does not open the Page's feed (a permission error, code 200).
    assert post(PAGE_ID, "feed", IG_TOKEN, message="hi") == (400, 200)
    assert post(IG_USER_ID, "media", PAGE_TOKEN, image_url="https://x.test/a.jpg") == (400, 200)
    tags = " ".join(f"#t{n}" for n in range(31))
    image = {"image_url": f"{graph.url}/missing.jpg"}
    assert post(IG_USER_ID, "media", IG_TOKEN, caption=tags, **image)[0] == 400
    long = "x" * (INSTAGRAM_CAPTION_LIMIT + 1)
    assert post(IG_USER_ID, "media", IG_TOKEN, caption=long, **image)[0] == 400
    assert "(#100) Param message is longer than 63206 characters" in graph.rejected
    assert "(#100) a caption has at most 30 hashtags" in graph.rejected
    assert "(#100) Param caption is longer than 2200 characters" in graph.rejected
