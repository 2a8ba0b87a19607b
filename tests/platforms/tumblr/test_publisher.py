"""The Tumblr publisher, through `cmbuild push` on a built site, against a fake of the API v2 that
checks NPF bodies against Tumblr's documentation and OAuth 1.0a signatures with oauthlib's server
side (tumblr_fake.py)."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from oauthlib.oauth1 import Client

from cmbuild.push.report import Report
from cmbuild.push.retract import retract
from cmbuild.push.session import PushSettings
from tests.platforms.tumblr.fake import (
    BLOG,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    TOKEN,
    TOKEN_SECRET,
    FakeTumblr,
)
from tests.push.built_site import built_site, jpeg, processed, variants
from tests.push.fake_http import Fault, call
from tests.push.fixtures import cli
from tests.push.servers import environ
from tests.push.sites import kinds, ledger_lines

CHANNEL = "tumblr-test"
ENV = {
    "CMB_TUMBLR_CONSUMER_KEY": CONSUMER_KEY,
    "CMB_TUMBLR_CONSUMER_SECRET": CONSUMER_SECRET,
    "CMB_TUMBLR_TOKEN": TOKEN,
    "CMB_TUMBLR_TOKEN_SECRET": TOKEN_SECRET,
}
NOW = "2026-12-01T07:30:00Z"
ALT = "Une salle lumineuse, des chaises en cercle."

POSTS = {
    "2026-12-01-salle.md": """---
title: "La salle est prête"
publish: 2026-12-01 08:00
campaign: ateliers
tags: [formation, Bordeaux]
link: https://atelier.example/salle
image:
  path: media/salle.jpg
  alt: "Une salle lumineuse, des chaises en cercle."
status: approved
channels: [tumblr-test]
---
La salle est prête : voir [le plan](https://atelier.example/plan) avant de venir. #atelier #bordeaux
""",
    "2026-12-01-merci.md": """---
title: "Merci"
publish: 2026-12-01 08:10
campaign: ateliers
status: approved
channels: [tumblr-test]
---
Merci à toutes et à tous.

À bientôt.
""",
}


@pytest.fixture
def fake() -> Iterator[FakeTumblr]:
    with FakeTumblr() as running:
        yield running


@pytest.fixture
def site(tmp_path: Path, fake: FakeTumblr) -> Path:
    channels = f"""
[defaults]
timezone = "Europe/Paris"
lang = "fr"

[channels.{CHANNEL}]
platform = "tumblr"
options = {{ blog = "{BLOG}", api_base = "{fake.url}" }}

[channels.{CHANNEL}.credentials]
consumer_key = "CMB_TUMBLR_CONSUMER_KEY"
consumer_secret = "CMB_TUMBLR_CONSUMER_SECRET"
token = "CMB_TUMBLR_TOKEN"
token_secret = "CMB_TUMBLR_TOKEN_SECRET"
"""
    templates = {"tumblr.j2": "{{ post.title }}\n\n{{ body }}\n"}
    images = {"salle.jpg": jpeg(1200, 900, (200, 120, 40))}
    return built_site(tmp_path / "site", channels, templates, POSTS, images)


def test_a_post_goes_out_as_npf_blocks_with_its_image_alt_text_and_tags(
    site: Path, fake: FakeTumblr, run_push: Callable[..., Report]
) -> None:
    entries = variants(site, CHANNEL)
    entry = entries["2026-12-01-salle"]
    report = run_push(site, NOW, ENV)
    assert fake.rejected == []
    assert [r.outcome for r in report.rows] == ["published", "published"]
    first = next(p for p in fake.posts.values() if p["content"][0]["text"] == entry["title"])
    heading, paragraph, image, link = first["content"]
    assert heading == {"type": "text", "text": "La salle est prête", "subtype": "heading1"}
    plan_url = entry["text"].split("(", 1)[1].split(")", 1)[0]  # with its UTM parameters
    sentence = f"La salle est prête : voir le plan ({plan_url}) avant de venir."
    assert paragraph["text"] == sentence + " #atelier #bordeaux"
    start = paragraph["text"].index(plan_url)
    assert paragraph["formatting"] == [
        {"start": start, "end": start + len(plan_url), "type": "link", "url": plan_url}
    ]
    assert image["alt_text"] == ALT
    (media,) = image["media"]
    assert (media["type"], media["width"], media["height"]) == (
        "image/jpeg",
        entry["media"][0]["width"],
        entry["media"][0]["height"],
    )
    assert fake.uploads[media["url"]] == processed(site, entry)[0]
    assert hashlib.sha256(fake.uploads[media["url"]]).hexdigest() == entry["media"][0]["sha256"]
    assert link == {"type": "link", "url": entry["link"], "title": "La salle est prête"}
    assert first["tags"] == ["formation", "Bordeaux", "atelier"]  # #bordeaux is Bordeaux
    assert first["state"] == "published"

    second = next(p for p in fake.posts.values() if p is not first)
    assert [b["text"] for b in second["content"]] == [
        "Merci",
        "Merci à toutes et à tous.",
        "À bientôt.",
    ]
    assert second["tags"] == []
    published = [line for line in ledger_lines(site) if line["kind"] == "published"]
    assert {line["remote_id"] for line in published} == set(fake.posts)
    assert published[0]["url"] == f"https://www.tumblr.com/atelier-test/{published[0]['remote_id']}"

    assert run_push(site, NOW, ENV).rows == [] and len(fake.posts) == 2


def test_a_bad_signature_is_an_auth_error_naming_the_variables(
    site: Path, fake: FakeTumblr
) -> None:
    env = environ(**{**ENV, "CMB_TUMBLR_TOKEN_SECRET": "not-the-token-secret"})
    result = cli(site, "push", "--now", NOW, env=env)
    assert result.returncode == 1, result.stderr
    for purpose in ("consumer_key", "consumer_secret", "token", "token_secret"):
        variable = f"CMB_TUMBLR_{purpose.upper()}"
        assert f"{variable} (channels.tumblr-test.credentials.{purpose})" in result.stdout
    assert "not attempted" in result.stdout
    assert fake.posts == {}
    for secret in (CONSUMER_SECRET, TOKEN_SECRET, "not-the-token-secret"):
        assert secret not in result.stdout + result.stderr
    assert ledger_lines(site)[-1]["code"] == "auth"


def test_retract_deletes_the_posts(
    site: Path, fake: FakeTumblr, run_push: Callable[..., Report]
) -> None:
    run_push(site, NOW, ENV)
    ids = set(fake.posts)
    report = retract(PushSettings(root=site, environ=ENV), "ateliers", "wrong room")
    assert [r.outcome for r in report.rows] == ["retracted", "retracted"]
    deletes = [r for r in fake.seen if r.path.endswith("/post/delete")]
    assert {r.body.decode() for r in deletes} == {f"id={i}" for i in ids}
    assert fake.posts == {} and fake.rejected == []
    assert [k for k, _ in kinds(site)][-2:] == ["retracted", "retracted"]


def test_a_lost_answer_is_settled_by_finding_the_post(
    site: Path, fake: FakeTumblr, run_push: Callable[..., Report]
) -> None:
    fake.faults = [Fault("POST", f"/v2/blog/{BLOG}/posts", carry_out=True, drop=True)]
    report = run_push(site, NOW, ENV)
    assert [r.outcome for r in report.rows] == ["published", "published"]
    assert len(fake.posts) == 2
    assert [(r.method, r.path) for r in fake.seen][1] == ("GET", f"/v2/blog/{BLOG}/posts")
    remote = [line["remote_id"] for line in ledger_lines(site) if line["kind"] == "published"]
    assert sorted(remote) == sorted(fake.posts) and fake.rejected == []


def test_the_daily_post_limit_waits_for_the_next_push(
    site: Path, fake: FakeTumblr, run_push: Callable[..., Report]
) -> None:
    limit = {
        "meta": {"status": 403, "msg": "Forbidden"},
        "response": [],
        "errors": [{"title": "Forbidden", "code": 8023, "detail": "daily posting limit"}],
    }
    fake.faults = [Fault("POST", f"/v2/blog/{BLOG}/posts", 403, body=limit)]
    report = run_push(site, NOW, ENV)
    assert report.rows[0].outcome == "failed"
    assert "daily limit of posts is reached" in report.rows[0].detail
    assert "the next push will try again" in report.rows[0].detail
    assert report.rows[1].outcome == "published"  # not an auth error: the channel goes on


def test_rate_limits_are_retried(
    site: Path, fake: FakeTumblr, run_push: Callable[..., Report], sleeps: list[float]
) -> None:
    fake.faults = [Fault("POST", f"/v2/blog/{BLOG}/posts", 429, {"Retry-After": "5"})]
    report = run_push(site, NOW, ENV)
    assert [r.outcome for r in report.rows] == ["published", "published"]
    assert sleeps == [5.0] and len(fake.posts) == 2


def signed_post(fake: FakeTumblr, body: Any, *, secret: str = TOKEN_SECRET) -> int:
    url = f"{fake.url}/v2/blog/{BLOG}/posts"
    client = Client(
        CONSUMER_KEY,
        client_secret=CONSUMER_SECRET,
        resource_owner_key=TOKEN,
        resource_owner_secret=secret,
    )
    _, headers, _ = client.sign(url, http_method="POST")
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={**headers, "Content-Type": "application/json"},
    )
    return call(request)[0]


def test_the_fake_refuses_what_tumblr_documents_as_wrong(fake: FakeTumblr) -> None:
    text = {"type": "text", "text": "Bonjour"}
    assert signed_post(fake, {"content": [text]}, secret="wrong") == 401
    assert signed_post(fake, {"content": []}) == 400  # content is required for a new post
    assert signed_post(fake, {"content": [{**text, "alt_text": "x"}]}) == 400
    assert signed_post(fake, {"content": [{**text, "subtype": "heading3"}]}) == 400
    assert signed_post(fake, {"content": [text], "tags": ["a", "b"]}) == 400  # one string
    bad_range = {**text, "formatting": [{"start": 3, "end": 40, "type": "bold"}]}
    assert signed_post(fake, {"content": [bad_range]}) == 400
    missing = {"type": "image", "media": [{"identifier": "image-1", "type": "image/jpeg"}]}
    assert signed_post(fake, {"content": [missing]}) == 400  # no such part
    assert len(fake.rejected) == 6
    assert signed_post(fake, {"content": [text], "tags": "a,b"}) == 201


def test_the_fake_answers_an_unsigned_request_401_instead_of_failing(fake: FakeTumblr) -> None:
    url = f"{fake.url}/v2/blog/{BLOG}/posts"
    for authorization in (None, "Bearer abc", 'OAuth oauth_consumer_key="x"'):
        headers = {"Content-Type": "application/json"}
        if authorization:
            headers["Authorization"] = authorization
        request = urllib.request.Request(url, data=b"{}", method="POST", headers=headers)
        assert call(request)[0] == 401, authorization
    assert fake.posts == {}
