"""The blog as a static site folder: pages, images beside them, an Atom feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from cmbuild.push.report import Report
from cmbuild.push.retract import retract
from cmbuild.push.session import PushSettings
from tests.push.sites import PNG, image, kinds, make_site, variant

ATOM = "{http://www.w3.org/2005/Atom}"


def channels() -> str:
    return """
[defaults]
timezone = "UTC"

[channels.blog]
platform = "blog"
stale_after_hours = 48
options = { site_dir = "site", base_url = "https://blog.example/", feed_title = "Le blog" }
"""


def page(slug: str, body: str, image_path: str | None = None) -> str:
    figure = f'<img src="{image_path}" alt="x">' if image_path else ""
    return (
        '<!doctype html>\n<html lang="fr">\n<head>\n  <meta charset="utf-8">\n'
        f'  <meta name="description" content="About {slug} &amp; more">\n'
        f"  <title>{slug}</title>\n</head>\n<body>{figure}<p>{body}</p></body>\n</html>\n"
    )


def feed_entries(root: Path) -> list[tuple[str, str]]:
    feed = ET.parse(root / "site" / "feed.xml").getroot()
    assert feed.findtext(f"{ATOM}title") == "Le blog"
    return [
        (e.findtext(f"{ATOM}title") or "", e.find(f"{ATOM}link").get("href"))  # type: ignore[union-attr]
        for e in feed.findall(f"{ATOM}entry")
    ]


def test_push_writes_pages_images_and_feed_once(
    tmp_path: Path, run_push: Callable[..., Report]
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    pixel = image(root)
    first = variant(
        "blog",
        "blog",
        "2026-12-01T07:00:00Z",
        slug="hello",
        text_format="html",
        title="Hello",
        text=page("hello", "Bonjour", pixel["path"]),
        media=[pixel],
    )
    second = variant(
        "blog",
        "blog",
        "2026-12-02T07:00:00Z",
        slug="again",
        text_format="html",
        title="Again",
        text=page("again", "Encore"),
        campaign="other",
    )
    later = variant(
        "blog",
        "blog",
        "2026-12-09T07:00:00Z",
        slug="later",
        text_format="html",
        text=page("later", "Plus tard"),
    )
    make_site(root, channels(), [first, second, later])

    report = run_push(root, "2026-12-02T08:00:00Z")
    assert [(r.outcome, r.detail) for r in report.rows] == [
        ("published", "https://blog.example/hello.html"),
        ("published", "https://blog.example/again.html"),
    ]
    written = (root / "site" / "hello.html").read_text(encoding="utf-8")
    assert '<meta name="cmbuild-key" content="' + first["id"] in written
    assert "<p>Bonjour</p>" in written
    assert (root / "site" / "media" / "pixel.png").read_bytes() == PNG
    assert feed_entries(root) == [
        ("Again", "https://blog.example/again.html"),
        ("Hello", "https://blog.example/hello.html"),
    ]
    assert not (root / "site" / "later.html").exists()

    again = run_push(root, "2026-12-02T09:00:00Z")
    assert again.rows == []
    assert len(kinds(root)) == 4


def test_retract_deletes_the_pages_and_their_feed_entries(
    tmp_path: Path, run_push: Callable[..., Report]
) -> None:
    kept = variant(
        "blog",
        "blog",
        "2026-12-01T07:00:00Z",
        slug="kept",
        text_format="html",
        title="Kept",
        text=page("kept", "Kept"),
        campaign="other",
    )
    gone = variant(
        "blog",
        "blog",
        "2026-12-01T07:30:00Z",
        slug="gone",
        text_format="html",
        title="Gone",
        text=page("gone", "Gone"),
    )
    root = make_site(tmp_path / "repo", channels(), [kept, gone])
    run_push(root, "2026-12-01T08:00:00Z")
    assert len(feed_entries(root)) == 2

    report = retract(PushSettings(root=root), "launch", "legal asked")
    assert [(r.outcome, r.variant) for r in report.rows] == [("retracted", gone["id"])]
    assert not (root / "site" / "gone.html").exists()
    assert (root / "site" / "kept.html").exists()
    assert feed_entries(root) == [("Kept", "https://blog.example/kept.html")]
    assert kinds(root)[-1] == ("retracted", gone["id"])
    assert "legal asked" in (root / "state" / "halt.toml").read_text(encoding="utf-8")


def test_a_halted_campaign_writes_nothing(tmp_path: Path, run_push: Callable[..., Report]) -> None:
    from cmbuild.stores.halts import Halt, add_halt

    held = variant(
        "blog",
        "blog",
        "2026-12-01T07:00:00Z",
        slug="held",
        text_format="html",
        text=page("held", "Held"),
    )
    root = make_site(tmp_path / "repo", channels(), [held])
    add_halt(root / "state" / "halt.toml", "halt", Halt("campaign", "launch", "embargo", "now"))
    report = run_push(root, "2026-12-01T08:00:00Z")
    assert [(r.outcome, r.detail) for r in report.rows] == [
        ("skipped", "halted (campaign launch) since now: embargo")
    ]
    assert not (root / "site").exists()
    assert kinds(root) == []
