"""Against a real WordPress (Debian's package, MariaDB, `php -S`): the brand publishes an article
with `cmbuild push`; a visitor without an account comments on it through the site's own comment
form. Held for moderation, the comment is not read; approved, `cmbuild inbox` lists it with its
intent, `cmbuild reply` answers it, and the answer is read back from WordPress as a comment under
it (`parent`). Reading again adds nothing, and an answer is never sent twice, even when the process
dies between the send and the ledger's line."""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cmbuild.inbox.answer import Outgoing, send_answer
from cmbuild.inbox.fetch import InboxSettings, read_inbox
from cmbuild.load.config import load_channels
from cmbuild.push.report import Report
from cmbuild.push.retry import RetryPolicy
from cmbuild.push.session import PushSettings
from cmbuild.stores import inbox
from tests.helpers import cli
from tests.inbox.steps import killed_after_send
from tests.inbox.test_wire import REPLIES
from tests.platforms.blog.wordpress_peer import WordPress
from tests.push.sites import ledger_lines, make_site, variant

# After the article's time (WordPress publishes it at once), and within the inbox's 30 days of
# the tests' CMBUILD_NOW (2026-01-01).
NOW = "2025-12-20T15:05:00Z"
QUESTION = "Bonjour, où en est ma commande ?"


@pytest.fixture
def wp(wordpress: WordPress) -> WordPress:
    """The WordPress, without the posts (and so the comments) earlier tests left."""
    for post in wordpress.api("GET", "/wp/v2/posts", status="any"):
        wordpress.api("DELETE", f"/wp/v2/posts/{post['id']}", force="true")
    return wordpress


def site(root: Path, wp: WordPress) -> Path:
    channels = (
        '[channels.blog]\nplatform = "blog"\n'
        f'options = {{ publisher = "wordpress", site = "{wp.url}" }}\n'
        'credentials = { user = "CMB_WP_USER", app_password = "CMB_WP_APP_PASSWORD" }\n'
    )
    article = variant(
        "blog", "blog", "2025-12-20T15:00:00Z", text="<p>Notre nouveauté</p>", text_format="html"
    )
    made = make_site(root, channels, [article])
    (made / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
    return made


def env(wp: WordPress) -> dict[str, str]:
    return {"CMB_WP_USER": wp.user, "CMB_WP_APP_PASSWORD": wp.app_password}


def read(root: Path, wp: WordPress) -> Any:
    return read_inbox(InboxSettings(root, environ=env(wp), retry=RetryPolicy(sleep=lambda _: None)))


def answer(root: Path, wp: WordPress, item: str, text: str, name: str) -> Any:
    settings = PushSettings(root=root, environ=env(wp), retry=RetryPolicy(sleep=lambda _: None))
    channels = {c.name: c for c in load_channels(root)}
    return send_answer(replace(settings, timeout=10.0), Outgoing(item, name, text), channels)


def comment_as_visitor(wp: WordPress, post: str, text: str) -> None:
    """What a visitor's browser sends from the article's comment form (wp-comments-post.php)."""
    form = {
        "comment_post_ID": post,
        "comment_parent": "0",
        "author": "Camille",
        "email": "camille@example.test",
        "url": "",
        "comment": text,
    }
    data = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(f"{wp.url}/wp-comments-post.php", data=data, method="POST")
    with urllib.request.urlopen(request, timeout=30) as reply:
        assert reply.status == 200  # after the redirection to the article


def test_an_approved_comment_is_listed_answered_under_it_and_never_twice(
    tmp_path: Path,
    wp: WordPress,
    run_push: Callable[..., Report],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = site(tmp_path / "site", wp)
    assert [r.outcome for r in run_push(root, NOW, env(wp)).rows] == ["published"]
    (published,) = [line for line in ledger_lines(root) if line["kind"] == "published"]
    post = published["remote_id"]
    comment_as_visitor(wp, post, QUESTION)
    (held,) = wp.api("GET", "/wp/v2/comments", post=post, status="hold")
    assert read(root, wp).channels["blog"].read == 0  # waiting for moderation: not read
    wp.api("POST", f"/wp/v2/comments/{held['id']}", {"status": "approved"})

    for key, value in env(wp).items():
        monkeypatch.setenv(key, value)
    listed = cli("inbox", "--root", str(root))
    assert listed.code == 0, listed.err
    item_id = inbox.item_id("blog", str(held["id"]))
    assert "[question]" in listed.out
    assert f"send it: cmbuild reply {item_id} --with suivi --var order=..." in listed.out
    stored = inbox.read_items(root / "state" / "inbox.jsonl", "inbox").by_id()[item_id]
    assert (stored.kind, stored.text, stored.author_name) == ("comment", QUESTION, "Camille")
    assert (stored.variant, dict(stored.refs)) == (
        published["variant"],
        {"post": post, "comment": str(held["id"])},
    )
    assert read(root, wp).channels["blog"].written == 0  # read again: nothing new

    sent = cli("reply", "--root", str(root), item_id, "--with", "suivi", "--var", "order=42")
    assert sent.code == 0 and sent.out.startswith(f"sent: reply:{item_id}"), sent.out + sent.err
    (threaded,) = wp.api("GET", "/wp/v2/comments", parent=str(held["id"]))
    assert threaded["post"] == int(post) and threaded["author_name"] == wp.user
    assert "votre commande 42 est en route." in threaded["content"]["rendered"]
    after = read(root, wp)
    assert after.channels["blog"].written == 1 and item_id in after.answered
    again = cli("reply", "--root", str(root), item_id, "--with", "suivi", "--var", "order=42")
    assert "already sent" in again.out, again.out + again.err

    # The process dies after the send, before the ledger's `published` line.
    killed_after_send(
        monkeypatch,
        lambda: answer(root, wp, item_id, "Un complément : livraison demain.", "second"),
    )
    settled = answer(root, wp, item_id, "Un complément : livraison demain.", "second")
    assert settled.outcome == "reconciled", settled
    texts = [
        c["content"]["rendered"] for c in wp.api("GET", "/wp/v2/comments", parent=str(held["id"]))
    ]
    assert len(texts) == 2 and sum("Un complément" in t for t in texts) == 1  # once


def test_a_deleted_comment_is_not_answered_and_refused_credentials_are_named(
    tmp_path: Path, wp: WordPress, run_push: Callable[..., Report]
) -> None:
    root = site(tmp_path / "site", wp)
    assert [r.outcome for r in run_push(root, NOW, env(wp)).rows] == ["published"]
    (published,) = [line for line in ledger_lines(root) if line["kind"] == "published"]
    made = wp.api(
        "POST", "/wp/v2/comments", {"post": int(published["remote_id"]), "content": "Super !"}
    )
    wrong = {**env(wp), "CMB_WP_APP_PASSWORD": "abcd efgh ijkl mnop qrst uvwx"}
    refused = read_inbox(
        InboxSettings(root, environ=wrong, retry=RetryPolicy(sleep=lambda _: None))
    )
    error = refused.channels["blog"].error or ""
    assert "CMB_WP_APP_PASSWORD" in error and "abcd efgh" not in error
    assert not (root / "state" / "inbox.jsonl").exists()

    assert read(root, wp).channels["blog"].written == 1
    wp.api("DELETE", f"/wp/v2/comments/{made['id']}", force="true")
    gone = answer(root, wp, inbox.item_id("blog", str(made["id"])), "Merci !", "merci")
    assert gone.outcome == "gone", gone
    assert wp.api("GET", "/wp/v2/comments", post=published["remote_id"]) == []
