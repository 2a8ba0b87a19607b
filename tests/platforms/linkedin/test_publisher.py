"""The LinkedIn publisher, through `cmbuild push` on a built site, against a fake of the Posts and
Images APIs that checks every request against LinkedIn's documentation (linkedin_fake.py)."""

from __future__ import annotations

import hashlib
import json
import signal
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmbuild.platforms.linkedin.little_text import commentary, plain_text
from cmbuild.platforms.linkedin.publisher import LINKEDIN_VERSION
from cmbuild.push.report import Report
from cmbuild.push.retract import retract
from cmbuild.push.session import PushSettings
from tests.platforms.linkedin.fake import AUTHOR, TOKEN, FakeLinkedIn, little_text_error
from tests.push.built_site import built_site, jpeg, processed, variants
from tests.push.fake_http import Fault, call
from tests.push.fixtures import Sleeps, cli
from tests.push.servers import environ
from tests.push.sites import kinds, ledger_lines

ENV = {"CMB_LINKEDIN_TOKEN": TOKEN}
CHANNEL = "linkedin-test"
TEXT_ONLY_DUE = "2026-12-01T07:05:00Z"  # only the text post (08:00 in Paris) is due
ALL_DUE = "2026-12-01T07:35:00Z"

TEMPLATE = """\
{{ body }}
{% if post.link %}

→ {{ post.link }}
{% endif %}

{{ post.tags | hashtags }}
"""


def post(title: str, time: str, body: str, extra: str = "") -> str:
    return (
        f'---\ntitle: "{title}"\npublish: 2026-12-01 {time}\ncampaign: ateliers\n{extra}'
        f"status: approved\nchannels: [{CHANNEL}]\n---\n{body}\n"
    )


POSTS = {
    "2026-12-01-texte.md": post(
        "Atelier (niveau 1)",
        "08:00",
        "Nos ateliers (niveau 1) ouvrent avec @[ville] : 20 places \\[limitées\\], durée > 2 h "
        "et < 3 h | tarif ~réduit~ {étudiants} \\* c\\_m \\\\ fin #Bordeaux !",
        "tags: [CommunityManagement, réseaux sociaux]\n",
    ),
    "2026-12-01-photo.md": post(
        "La salle est prête",
        "08:10",
        "La salle est prête.",
        "link: https://atelier.example/salle\nimage:\n  path: media/salle.jpg\n"
        '  alt: "Une salle lumineuse, des chaises en cercle."\n',
    ),
    "2026-12-01-lien.md": post(
        "Le programme complet",
        "08:20",
        "Tout le programme est en ligne.",
        "link: https://atelier.example/programme\n",
    ),
    "2026-12-01-album.md": post(
        "Deux photos",
        "08:30",
        "Deux photos de la journée.",
        'images:\n  - path: media/salle.jpg\n    alt: "La salle."\n'
        '  - path: media/cour.jpg\n    alt: "La cour."\n',
    ),
}


@pytest.fixture
def fake() -> Iterator[FakeLinkedIn]:
    with FakeLinkedIn() as running:
        yield running


@pytest.fixture
def site(tmp_path: Path, fake: FakeLinkedIn) -> Path:
    channels = f"""
[defaults]
timezone = "Europe/Paris"
lang = "fr"

[channels.{CHANNEL}]
platform = "linkedin"
credentials = {{ token = "CMB_LINKEDIN_TOKEN" }}
options = {{ author = "{AUTHOR}", api_base = "{fake.url}" }}
"""
    images = {
        "salle.jpg": jpeg(1200, 627, (200, 120, 40)),
        "cour.jpg": jpeg(1200, 627, (40, 90, 200)),
    }
    return built_site(tmp_path / "site", channels, {"linkedin.j2": TEMPLATE}, POSTS, images)


def calls(fake: FakeLinkedIn) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in fake.seen]


def created(fake: FakeLinkedIn) -> list[dict[str, Any]]:
    """The bodies of the posts created, in order."""
    return [json.loads(r.body) for r in fake.seen if (r.method, r.path) == ("POST", "/rest/posts")]


def test_a_text_post_escapes_reserved_characters_and_keeps_hashtags_and_mentions(
    site: Path, fake: FakeLinkedIn, run_push: Callable[..., Report]
) -> None:
    entry = variants(site, CHANNEL)["2026-12-01-texte"]
    report = run_push(site, TEXT_ONLY_DUE, ENV)
    assert fake.rejected == []
    assert [(r.outcome, r.variant) for r in report.rows] == [("published", entry["id"])]
    (sent,) = created(fake)
    assert sent["commentary"] == (
        r"Nos ateliers \(niveau 1\) ouvrent avec @[La Ville](urn:li:organization:42) : 20 places "
        r"\[limitées\], durée \> 2 h et \< 3 h \| tarif \~réduit\~ \{étudiants\} \* c\_m \\ fin "
        r"{hashtag|\#|Bordeaux} !"
        "\n\n"
        r"{hashtag|\#|CommunityManagement} {hashtag|\#|RéseauxSociaux}"
    )
    assert {k: v for k, v in sent.items() if k != "commentary"} == {
        "author": AUTHOR,
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    request = fake.seen[-1]
    assert request.header("LinkedIn-Version") == LINKEDIN_VERSION
    assert request.header("X-Restli-Protocol-Version") == "2.0.0"
    (urn,) = fake.posts
    (published,) = [line for line in ledger_lines(site) if line["kind"] == "published"]
    assert published["remote_id"] == urn
    assert published["url"] == f"https://www.linkedin.com/feed/update/{urn}/"

    again = run_push(site, TEXT_ONLY_DUE, ENV)
    assert again.rows == [] and len(fake.posts) == 1


def test_images_go_up_with_their_alt_text_and_a_lone_link_becomes_an_article(
    site: Path, fake: FakeLinkedIn, run_push: Callable[..., Report]
) -> None:
    by_slug = variants(site, CHANNEL)
    report = run_push(site, ALL_DUE, ENV)
    assert fake.rejected == []
    assert [r.outcome for r in report.rows] == ["published"] * 4
    bodies = {body["commentary"].split(" ")[0]: body for body in created(fake)}
    uploads = fake.uploads()

    photo = bodies["La"]["content"]
    assert list(photo) == ["media"]
    assert photo["media"]["altText"] == "Une salle lumineuse, des chaises en cercle."
    assert uploads[photo["media"]["id"]] == processed(site, by_slug["2026-12-01-photo"])[0]
    photo_media = by_slug["2026-12-01-photo"]["media"][0]
    assert hashlib.sha256(uploads[photo["media"]["id"]]).hexdigest() == photo_media["sha256"]

    album = bodies["Deux"]["content"]["multiImage"]["images"]
    assert [image["altText"] for image in album] == ["La salle.", "La cour."]
    assert [uploads[image["id"]] for image in album] == processed(site, by_slug["2026-12-01-album"])

    article = bodies["Tout"]["content"]
    assert article == {
        "article": {"source": by_slug["2026-12-01-lien"]["link"], "title": "Le programme complet"}
    }
    assert "content" not in bodies["Nos"]
    # Each image: registered, uploaded to the URL LinkedIn gave, checked; then the post.
    assert calls(fake)[1:5] == [
        ("POST", "/rest/images"),
        ("PUT", "/dms-uploads/1-upload"),
        ("GET", f"/rest/images/{urllib.parse.quote(photo['media']['id'], safe='')}"),
        ("POST", "/rest/posts"),
    ]


def test_a_refused_token_stops_the_channel_and_names_the_variable(
    site: Path, fake: FakeLinkedIn
) -> None:
    fake.refuse_token = True
    result = cli(site, "push", "--now", ALL_DUE, env=environ(**ENV))
    assert result.returncode == 1, result.stderr
    assert "CMB_LINKEDIN_TOKEN (channels.linkedin-test.credentials.token)" in result.stdout
    assert "Invalid access token" in result.stdout
    assert result.stdout.count("not attempted") == 3
    assert fake.posts == {} and TOKEN not in result.stdout + result.stderr
    assert ledger_lines(site)[-1]["code"] == "auth"


def test_rate_limits_and_server_errors_are_retried_honouring_retry_after(
    site: Path, fake: FakeLinkedIn, run_push: Callable[..., Report], sleeps: Sleeps
) -> None:
    fake.faults = [
        Fault("POST", "/rest/posts", 429, {"Retry-After": "7"}, {"status": 429, "message": "x"}),
        Fault("POST", "/rest/posts", 503, body={"status": 503, "message": "Service Unavailable"}),
    ]
    report = run_push(site, TEXT_ONLY_DUE, ENV)
    assert [r.outcome for r in report.rows] == ["published"]
    assert sleeps == [7.0, 4.0]  # Retry-After, then the backoff's second step
    assert len(fake.posts) == 1 and fake.rejected == []


def test_a_daily_limit_longer_than_a_push_waits_is_left_to_the_next_push(
    site: Path, fake: FakeLinkedIn, run_push: Callable[..., Report]
) -> None:
    fake.faults = [Fault("POST", "/rest/posts", 429, {"Retry-After": "3600"}, {"status": 429})]
    report = run_push(site, TEXT_ONLY_DUE, ENV)
    assert [r.outcome for r in report.rows] == ["failed"]
    assert "daily limits are reset at 00:00 UTC" in report.rows[0].detail
    assert "the next push will try again" in report.rows[0].detail
    assert ledger_lines(site)[-1]["code"] == "transient"
    assert [r.outcome for r in run_push(site, TEXT_ONLY_DUE, ENV).rows] == ["published"]


def test_a_lost_answer_is_settled_by_finding_the_post_not_by_sending_it_again(
    site: Path, fake: FakeLinkedIn, run_push: Callable[..., Report]
) -> None:
    fake.faults = [Fault("POST", "/rest/posts", carry_out=True, drop=True)]
    report = run_push(site, TEXT_ONLY_DUE, ENV)
    assert [r.outcome for r in report.rows] == ["published"]
    (urn,) = fake.posts
    assert calls(fake)[-1] == ("GET", "/rest/posts")
    assert "author=urn%3Ali%3Aorganization%3A10457832" in fake.seen[-1].raw_query
    assert [line["remote_id"] for line in ledger_lines(site) if line.get("remote_id")] == [urn]
    assert fake.rejected == []


def test_a_push_killed_after_sending_finds_the_post_on_the_next_run(
    site: Path, fake: FakeLinkedIn
) -> None:
    env = environ(**ENV)
    killed = cli(site, "push", "--now", ALL_DUE, env=env, kill_after_send=2)
    assert killed.returncode == -signal.SIGKILL
    assert [k for k, _ in kinds(site)] == ["pending", "published", "pending"]
    assert len(fake.posts) == 2

    again = cli(site, "push", "--now", ALL_DUE, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reconciled" in again.stdout
    assert [k for k, _ in kinds(site)][3:] == ["reconciled", *["pending", "published"] * 2]
    texts = [p["commentary"] for p in fake.posts.values()]
    assert len(texts) == 4 == len(set(texts))  # every post once
    assert fake.rejected == []


def test_retract_deletes_the_posts(
    site: Path, fake: FakeLinkedIn, run_push: Callable[..., Report]
) -> None:
    run_push(site, ALL_DUE, ENV)
    urns = set(fake.posts)
    report = retract(PushSettings(root=site, environ=ENV), "ateliers", "wrong date")
    assert [r.outcome for r in report.rows] == ["retracted"] * 4
    deleted = {r.path for r in fake.seen if r.method == "DELETE"}
    assert deleted == {f"/rest/posts/{urllib.parse.quote(urn, safe='')}" for urn in urns}
    assert fake.posts == {} and fake.rejected == []
    assert [k for k, _ in kinds(site)][-4:] == ["retracted"] * 4


def test_a_sunset_api_version_is_a_configuration_error(
    site: Path, fake: FakeLinkedIn, run_push: Callable[..., Report]
) -> None:
    fake.oldest_active = "209901"
    report = run_push(site, TEXT_ONLY_DUE, ENV)
    assert [r.outcome for r in report.rows] == ["failed"]
    assert f"no longer accepts API version {LINKEDIN_VERSION}" in report.rows[0].detail


def send(fake: FakeLinkedIn, path: str, body: Any, **headers: str) -> int:
    request = urllib.request.Request(
        fake.url + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "Content-Type": "application/json",
            "LinkedIn-Version": LINKEDIN_VERSION,
            "X-Restli-Protocol-Version": "2.0.0",
            **headers,
        },
    )
    return call(request)[0]


def test_the_fake_refuses_what_linkedin_documents_as_wrong(fake: FakeLinkedIn) -> None:
    good = {
        "author": AUTHOR,
        "commentary": "Bonjour \\(tout le monde\\) {hashtag|\\#|CM}",
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED"},
        "lifecycleState": "PUBLISHED",
    }
    assert send(fake, "/rest/posts", {**good, "commentary": "Bonjour (tout le monde)"}) == 422
    assert send(fake, "/rest/posts", {**good, "visibility": "EVERYONE"}) == 422
    assert send(fake, "/rest/posts", {k: v for k, v in good.items() if k != "author"}) == 422
    one = {"multiImage": {"images": [{"id": "urn:li:image:C4D1"}]}}
    assert send(fake, "/rest/posts", {**good, "content": one}) == 422  # 2 to 20 images
    assert send(fake, "/rest/posts", good, **{"LinkedIn-Version": "202401"}) == 426
    assert send(fake, "/rest/posts", good, **{"X-Restli-Protocol-Version": "1.0.0"}) == 400
    assert send(fake, "/rest/images?action=initializeUpload", {"owner": AUTHOR}) == 422
    assert len(fake.rejected) == 7
    assert send(fake, "/rest/posts", good) == 201


PIECES = [*"ab #_\\()[]{}@|<>*~é\n:/.", "https://", "@[N](urn:li:person:1)", "{hashtag|\\#|x}"]


@given(st.lists(st.sampled_from(PIECES)).map("".join))
def test_commentary_is_little_text_that_shows_the_text_sent(text: str) -> None:
    little = commentary(text)
    assert little_text_error(little) is None
    assert plain_text(little) == text


def test_commentary_hashtags_and_mentions() -> None:
    text = "Voir https://a.example/#x_y, #CM2026 #2026 C# @[A \\(B\\)](urn:li:person:a-1) @b"
    assert commentary(text) == (
        r"Voir https://a.example/\#x\_y, {hashtag|\#|CM2026} \#2026 C\# "
        r"@[A \(B\)](urn:li:person:a-1) \@b"
    )
