"""The WordPress publisher against a real WordPress (Debian's package, MariaDB, `php -S`).

The sample site's English article is given an image with alt text and tags, and a date in the
past (WordPress itself turns a post dated in the future into a scheduled one), built, pushed with
`cmbuild push`, and read back through WordPress's REST API as its administrator.
"""

from __future__ import annotations

import hashlib
import json
import signal
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from cmbuild.build import build
from cmbuild.errors import InputErrors
from cmbuild.load.config import load_channels
from cmbuild.push.report import Report
from cmbuild.push.retract import retract
from cmbuild.push.session import PushSettings
from tests.platforms.blog.wordpress_peer import WordPress
from tests.push.fake_http import LocalServer, drop, forward, read_body, relay, send
from tests.push.fixtures import cli
from tests.push.servers import environ
from tests.push.sites import add_to_channel, kinds, ledger_lines

NOW = "2025-03-10T15:05:00Z"  # five minutes after the article's time
PUBLISH = "2025-03-10T10:00:00-05:00"
DATE_GMT = "2025-03-10T15:00:00"
ALT = "A bright training room."
TITLE = "Winter session: applications are open"


@pytest.fixture
def wp(wordpress: WordPress) -> WordPress:
    """The WordPress, without the posts and images earlier tests left."""
    for route in ("/wp/v2/posts", "/wp/v2/media"):
        for item in wordpress.api("GET", route, status="any" if "posts" in route else "inherit"):
            wordpress.api("DELETE", f"{route}/{item['id']}", force="true")
    return wordpress


def env(wp: WordPress, password: str | None = None) -> dict[str, str]:
    return {"CMB_WP_USER": wp.user, "CMB_WP_APP_PASSWORD": password or wp.app_password}


def configure(root: Path, options: str) -> None:
    """Point the `blog` channel of tests/sites/basic at WordPress; give the article an image."""
    add_to_channel(
        root,
        '[channels.blog]\nplatform = "blog"\n',
        f'options = {{ publisher = "wordpress", {options} }}\n'
        'credentials = { user = "CMB_WP_USER", app_password = "CMB_WP_APP_PASSWORD" }\n',
    )
    post = root / "posts" / "2026-12-08-english.md"
    text = post.read_text(encoding="utf-8")
    assert "publish: 2026-12-08T10:00:00-05:00\n" in text
    text = text.replace("publish: 2026-12-08T10:00:00-05:00\n", f"publish: {PUBLISH}\n")
    text = text.replace(
        "status: approved\n",
        f'image:\n  path: media/photo.jpg\n  alt: "{ALT}"\ntags: [training, Winter]\n'
        "status: approved\n",
    )
    post.write_text(text, encoding="utf-8")
    build(root, jobs=1)


@pytest.fixture
def wp_site(basic: Path, wp: WordPress) -> Path:
    """tests/sites/basic with its blog published to WordPress (API root found by discovery)."""
    configure(basic, f'site = "{wp.url}"')
    return basic


def blog_variant(root: Path) -> dict[str, Any]:
    manifest = json.loads((root / "output" / "manifest.json").read_text(encoding="utf-8"))
    (found,) = [v for v in manifest["variants"] if v["channel"] == "blog"]
    return dict(found)


def posts(wp: WordPress) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = wp.api("GET", "/wp/v2/posts", status="any", context="edit")
    return found


def test_an_article_is_published_with_its_image_alt_text_date_and_tags(
    wp_site: Path, wp: WordPress
) -> None:
    entry = blog_variant(wp_site)
    assert entry["publishable"] and entry["media"][0]["alt"] == ALT
    result = cli(wp_site, "push", "--now", NOW, "--channel", "blog", env=environ(**env(wp)))
    assert result.returncode == 0, result.stdout + result.stderr
    # The API root the site announces (pretty permalinks here) is the one used.
    assert ("POST", "/wp-json/wp/v2/posts") in wp.requests()

    (post,) = posts(wp)
    assert post["title"]["raw"] == TITLE
    assert post["status"] == "publish"
    assert post["date_gmt"] == DATE_GMT
    assert post["slug"] == entry["slug"]
    content = post["content"]["raw"]
    # The article alone: no document around it, no second title, the key in a comment.
    assert "<html" not in content and "<h1" not in content
    assert "Our winter session starts on <strong>12 January</strong>" in content
    key = f"<!-- cmbuild-key: {entry['id']}-{entry['content_hash'][7:]} -->"
    assert content.endswith(f"the press coverage</a>.{key}</p>")
    assert f"<p>{key}" not in post["content"]["rendered"]  # no empty paragraph for it

    media = wp.api("GET", f"/wp/v2/media/{post['featured_media']}", context="edit")
    assert media["alt_text"] == ALT
    assert media["mime_type"] == "image/jpeg"
    assert media["post"] == post["id"]  # attached: a retraction deletes it with the post
    assert f'src="{media["source_url"]}"' in content
    assert f"wp-image-{media['id']}" in content
    with urllib.request.urlopen(media["source_url"], timeout=10) as answer:
        assert hashlib.sha256(answer.read()).hexdigest() == entry["media"][0]["sha256"]
    tags = {wp.api("GET", f"/wp/v2/tags/{tag}")["name"] for tag in post["tags"]}
    assert tags == {"training", "Winter"}

    (published,) = [line for line in ledger_lines(wp_site) if line["kind"] == "published"]
    assert published["remote_id"] == str(post["id"])
    assert published["url"] == post["link"]
    assert published["published_at"] == DATE_GMT + "Z"

    again = cli(wp_site, "push", "--now", NOW, "--channel", "blog", env=environ(**env(wp)))
    assert again.returncode == 0 and len(posts(wp)) == 1


def test_a_push_killed_after_the_send_is_reconciled_from_the_key_not_sent_twice(
    wp_site: Path, wp: WordPress
) -> None:
    entry = blog_variant(wp_site)
    killed = cli(
        wp_site,
        "push",
        "--now",
        NOW,
        "--channel",
        "blog",
        env=environ(**env(wp)),
        kill_after_send=1,
    )
    assert killed.returncode == -signal.SIGKILL
    assert kinds(wp_site) == [("pending", entry["id"])]
    (post,) = posts(wp)

    again = cli(wp_site, "push", "--now", NOW, "--channel", "blog", env=environ(**env(wp)))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reconciled" in again.stdout
    assert kinds(wp_site)[1:] == [("reconciled", entry["id"])]
    assert ledger_lines(wp_site)[-1]["remote_id"] == str(post["id"])
    assert [p["id"] for p in posts(wp)] == [post["id"]]


def test_retract_deletes_the_post_and_its_images(
    wp_site: Path, wp: WordPress, run_push: Callable[..., Report]
) -> None:
    entry = blog_variant(wp_site)
    run_push(wp_site, NOW, env(wp), channels=("blog",))
    (post,) = posts(wp)
    assert wp.api("GET", "/wp/v2/media", parent=str(post["id"]))

    report = retract(PushSettings(root=wp_site, environ=env(wp)), "hiver", "wrong date")
    assert [r.outcome for r in report.rows] == ["retracted"]
    assert posts(wp) == []
    assert wp.api("GET", "/wp/v2/media") == []
    assert kinds(wp_site)[-1] == ("retracted", entry["id"])


def test_a_refused_app_password_names_the_variables_and_sends_nothing(
    wp_site: Path, wp: WordPress
) -> None:
    wrong = "abcd EFGH ijkl MNOP qrst UVWX"
    result = cli(wp_site, "push", "--now", NOW, "--channel", "blog", env=environ(**env(wp, wrong)))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "CMB_WP_APP_PASSWORD (channels.blog.credentials.app_password)" in result.stdout
    assert "CMB_WP_USER (channels.blog.credentials.user)" in result.stdout
    assert wrong not in result.stdout + result.stderr
    assert posts(wp) == [] and wp.api("GET", "/wp/v2/media") == []
    assert ledger_lines(wp_site)[-1]["code"] == "auth"


class Proxy(LocalServer):
    """Forwards requests to WordPress, but answers some itself: a fault before or after them."""

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target
        # (method, route) -> what to do once: "503" (not forwarded) or "drop" (forwarded, the
        # connection then closed without an answer).
        self.faults: dict[tuple[str, str], str] = {}
        self.seen: list[tuple[str, str]] = []

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = read_body(handler)
        route = handler.path.split("rest_route=", 1)[-1].split("&", 1)[0]
        self.seen.append((handler.command, route))
        fault = self.faults.pop((handler.command, route), None)
        if fault == "503":
            send(handler, 503, b"", {"Retry-After": "3"})
            return
        status, headers, data = forward(handler, self.target, body)
        if fault == "drop":
            drop(handler)
            return
        relay(handler, status, headers, data)


@pytest.fixture
def proxied(basic: Path, wp: WordPress) -> Iterator[tuple[Path, Proxy]]:
    """The site published through a faulty proxy, with `?rest_route=` named as the API root."""
    with Proxy(wp.url) as proxy:
        configure(basic, f'site = "{proxy.url}", api_root = "{proxy.url}/?rest_route=/"')
        yield basic, proxy


def test_a_503_is_retried_after_the_wait_it_asks(
    proxied: tuple[Path, Proxy],
    wp: WordPress,
    run_push: Callable[..., Report],
    sleeps: list[float],
) -> None:
    root, proxy = proxied
    proxy.faults[("POST", "/wp/v2/posts")] = "503"
    report = run_push(root, NOW, env(wp), channels=("blog",))
    assert [r.outcome for r in report.rows] == ["published"]
    assert sleeps == [3.0]
    assert len(posts(wp)) == 1
    # The image uploaded before the 503 is not uploaded again.
    assert [s for s in proxy.seen if s == ("POST", "/wp/v2/media")] == [("POST", "/wp/v2/media")]
    assert len(wp.api("GET", "/wp/v2/media")) == 1


def test_an_answer_lost_after_the_post_was_made_is_found_not_sent_again(
    proxied: tuple[Path, Proxy], wp: WordPress, run_push: Callable[..., Report]
) -> None:
    root, proxy = proxied
    entry = blog_variant(root)
    proxy.faults[("POST", "/wp/v2/posts")] = "drop"
    report = run_push(root, NOW, env(wp), channels=("blog",))
    assert [r.outcome for r in report.rows] == ["published"]
    (post,) = posts(wp)
    assert ("GET", "/wp/v2/posts") in proxy.seen  # asked WordPress before sending again
    assert kinds(root)[-1] == ("published", entry["id"])
    assert ledger_lines(root)[-1]["remote_id"] == str(post["id"])


def test_the_publisher_is_for_blog_channels_only(basic: Path) -> None:
    # Known when channels.toml loads: the build says so, before any push.
    add_to_channel(
        basic,
        'platform = "x"\nhandle = "@TestBrand"\n',
        'options = { publisher = "wordpress", site = "http://127.0.0.1:9" }\n',
    )
    with pytest.raises(InputErrors) as raised:
        load_channels(basic)
    (error,) = raised.value.errors
    assert error.key == "channels.x-test.options.publisher"
    assert error.line is not None
    assert error.message == "unknown publisher 'wordpress' for X (known: webhook, x)"


def test_a_draft_filed_under_the_channel_category(
    basic: Path, wp: WordPress, run_push: Callable[..., Report]
) -> None:
    configure(basic, f'site = "{wp.url}", status = "draft", category = "news"')
    missing = run_push(basic, NOW, env(wp), channels=("blog",))
    assert [r.outcome for r in missing.rows] == ["failed"]
    assert "channels.blog.options.category" in missing.rows[0].detail
    assert posts(wp) == []

    news = wp.api("POST", "/wp/v2/categories", {"name": "News", "slug": "news"})
    try:
        report = run_push(basic, NOW, env(wp), channels=("blog",))
        assert [r.outcome for r in report.rows] == ["published"]
        (post,) = posts(wp)
        assert post["status"] == "draft" and post["categories"] == [news["id"]]
    finally:
        wp.api("DELETE", f"/wp/v2/categories/{news['id']}", force="true")
