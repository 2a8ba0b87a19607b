"""The preview's files: calendar, cards, findings, drafts, halts, images, and no remote resource."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

from cmbuild.preview import render_preview
from cmbuild.preview.media import media_name
from tests.preview.conftest import Preview, make_preview
from tests.preview.dom import Node, parse

LAUNCH = "posts/2026-12-01-lancement.md"
PROBLEMS = "posts/2026-12-12-problemes.md"
DRAFT = "posts/2026-12-10-brouillon.md"


# LinkedIn shows a mention, ``@[Name](urn:li:...)``, as the name alone.
_LINKEDIN_MENTION = re.compile(r"@\[([^\]]*)\]\(urn:li:[^)]*\)")


def _card(preview: Preview, key: str) -> Node:
    variant = preview.variant(key)
    page = parse(preview.text(f"preview/posts/{variant.slug}.html"))
    return page.find("article", id=f"v-{variant.id}")


def test_the_site_has_a_calendar_a_page_per_post_findings_and_one_stylesheet(
    preview: Preview,
) -> None:
    slugs = sorted({v.slug for v in preview.variants})
    assert sorted(preview.files) == sorted(
        [
            "index.html",
            "preview/findings.html",
            "preview/style.css",
            *(f"preview/posts/{slug}.html" for slug in slugs),
            *{media_name(m) for v in preview.variants for m in v.media},
        ]
    )


def test_every_non_draft_variant_is_in_both_calendar_views(preview: Preview) -> None:
    index = parse(preview.text("index.html"))
    for view in ("month", "week"):
        panel = index.find(id=f"view-{view}")
        listed = [e.attrs["data-variant"] for e in panel.find_all("li", cls="entry")]
        assert sorted(listed) == sorted(v.id for v in preview.variants), view
    for variant in preview.variants:
        if variant.status != "draft":
            entry = index.find("li", cls="entry", data_variant=variant.id)
            assert variant.title in entry.text()
            assert variant.channel in entry.text()


def test_the_calendar_is_in_the_brand_zone_and_says_so(preview: Preview) -> None:
    index = parse(preview.text("index.html"))
    assert "in Europe/Paris" in index.find(id="calendar-title").text()
    # The blog posts at 10:00 in New York: 16:00 in Paris, its own time shown beside it.
    blog = preview.variant("posts/2026-12-08-english.md#blog")
    entry = index.find(id="view-week").find("li", cls="entry", data_variant=blog.id)
    assert "16:00" in entry.text()
    assert "10:00 America/New_York" in entry.text()


def test_entries_link_to_their_card(preview: Preview) -> None:
    index = parse(preview.text("index.html"))
    for entry in index.find(id="view-month").find_all("li", cls="entry"):
        href = entry.find("a").attrs["href"]
        page, _, anchor = href.partition("#")
        assert f'id="{anchor}"' in preview.text(page)


def test_a_card_shows_its_whole_text_and_its_image(preview: Preview) -> None:
    for variant in preview.variants:
        if variant.text_format != "plain":
            continue
        card = _card(preview, variant.key)
        shown = card.find("p", cls="text").text(skip=("button",))
        assert shown == _LINKEDIN_MENTION.sub(r"\1", variant.text), variant.key
        images = card.find_all("img")
        assert len(images) == len(variant.media)
        for image, media in zip(images, variant.media, strict=True):
            assert image.attrs["alt"] == (media.alt or "")
            assert image.attrs["src"] == "../../" + media_name(media)


def test_image_copies_are_the_channel_images(preview: Preview) -> None:
    variant = preview.variant(f"{LAUNCH}#x-test")
    media = variant.media[0]
    card = _card(preview, variant.key)
    src = card.find("img").attrs["src"]
    assert src == "../../" + media_name(media)
    copy = preview.out / "preview/posts" / src
    assert copy.resolve().read_bytes() == (preview.out / media.path).read_bytes()
    assert "Une salle de formation lumineuse." in card.find("details", cls="alt").text()


def test_hashtags_mentions_and_links_are_marked(preview: Preview) -> None:
    card = _card(preview, f"{LAUNCH}#x-test")
    text = card.find("p", cls="text")
    assert [n.text() for n in text.find_all(cls="tok-mention")] == ["@laville"]
    assert "#TestBrand" in [n.text() for n in text.find_all(cls="tok-hashtag")]
    links = text.find_all("a", cls="tok-link")
    assert links and all(a.attrs["href"].startswith("https://testbrand.fr/") for a in links)


def test_instagram_links_are_not_clickable(preview: Preview) -> None:
    variant = replace(
        preview.variant(f"{LAUNCH}#instagram-test"), text="Voir https://testbrand.fr/"
    )
    files = render_preview([variant], preview.summary, preview.channels, preview.charter)
    page = parse(files[f"preview/posts/{variant.slug}.html"].decode())
    text = page.find("article", id=f"v-{variant.id}").find("p", cls="text")
    assert not text.find_all("a")
    assert text.find("span", cls="tok-dead").text() == "https://testbrand.fr/"


def test_long_texts_fold_where_the_platform_folds(preview: Preview) -> None:
    folded = _card(preview, f"{PROBLEMS}#linkedin-test")
    assert (
        folded.find("button", cls="see-more").attrs["aria-controls"] == folded.attrs["id"] + "-rest"
    )
    assert folded.find(cls="fold-rest").text()
    assert not _card(preview, f"{PROBLEMS}#x-test").find_all(cls="fold-rest")  # X shows it whole


def test_counts_against_the_limit(preview: Preview) -> None:
    variant = preview.variant(f"{PROBLEMS}#x-test")
    figures = _card(preview, variant.key).find(cls="length-figures").text()
    assert f"{variant.length} / {variant.limit} weighted characters" in figures


def test_every_finding_is_on_its_card_and_in_the_index(preview: Preview) -> None:
    findings_page = parse(preview.text("preview/findings.html"))
    rows = findings_page.find("table").find("tbody").find_all("tr")
    assert len(rows) == len(preview.summary.findings) > 0
    index_text = findings_page.text()
    for variant in preview.variants:
        card = _card(preview, variant.key)
        items = card.find_all("li", cls="finding")
        assert len(items) == len(variant.findings)
        for finding in variant.findings:
            item = next(i for i in items if finding.message in i.text())
            assert finding.severity in item.find(cls="sev").text()
            assert finding.rule in item.text()
            assert finding.hint is None or finding.hint in item.text()
            assert finding.message in index_text


def test_findings_index_links_to_the_card(preview: Preview) -> None:
    variant = preview.variant(f"{PROBLEMS}#bluesky-test")
    page = parse(preview.text("preview/findings.html"))
    hrefs = {a.attrs["href"] for a in page.find("tbody").find_all("a")}
    assert f"posts/{variant.slug}.html#v-{variant.id}" in hrefs


def test_drafts_are_marked(preview: Preview) -> None:
    draft = preview.variant(f"{DRAFT}#linkedin-test")
    index = parse(preview.text("index.html"))
    entry = index.find("li", cls="entry", data_variant=draft.id)
    assert "is-draft" in entry.classes()
    assert "Draft" in entry.find(cls="badge-draft").text()
    card = _card(preview, draft.key)
    assert "is-draft" in card.classes()
    assert card.find(cls="badge-draft")


def test_halted_campaigns_are_marked(preview: Preview) -> None:
    index = parse(preview.text("index.html"))
    for variant in preview.variants:
        entry = index.find("li", cls="entry", data_variant=variant.id)
        assert ("is-halted" in entry.classes()) == (variant.campaign == "conseils"), variant.key
    card = _card(preview, "posts/2026-12-05-conseil.md#x-test")
    shown = (
        "campaign conseils halted since 2026-11-30T08:00:00Z: Client asked to hold the tips series"
    )
    assert shown in card.find(cls="halt-note").text()
    assert shown in index.find(cls="halts").text()


_RESOURCE = re.compile(r"<(\w+)\b[^>]*?\s(src|href|srcset|poster|data)\s*=\s*\"([^\"]*)\"", re.I)


def test_no_resource_is_loaded_from_the_network(preview: Preview) -> None:
    for path, data in preview.files.items():
        if path.endswith(".css"):
            css = data.decode()
            assert "@import" not in css
            assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)
        if not path.endswith(".html"):
            continue
        html = data.decode()
        assert "@import" not in html and "url(" not in html
        for tag, attribute, value in _RESOURCE.findall(html):
            remote = value.startswith(("http://", "https://", "//")) or ":" in value.split("/")[0]
            if tag.lower() == "a" and attribute.lower() == "href":
                continue  # plain anchors, followed only on a click
            assert not remote, f"{path}: <{tag} {attribute}={value!r}>"
            if attribute.lower() in ("src", "href"):
                target = (preview.out / path).parent / value.split("#")[0]
                assert target.resolve().is_file(), f"{path}: {value} does not exist"


def test_links_in_post_text_are_plain_anchors(preview: Preview) -> None:
    page = parse(preview.text("preview/posts/2026-12-08-english.html"))
    anchors = [a for a in page.find_all("a") if a.attrs["href"].startswith("https://")]
    assert {a.attrs["href"] for a in anchors} >= {"https://news.example.org/article"}
    assert all(a.attrs.get("rel") == "noopener noreferrer" for a in anchors)


def test_same_inputs_same_bytes(preview: Preview) -> None:
    again = render_preview(
        preview.variants,
        preview.summary,
        preview.channels,
        preview.charter,
        halts=(),
        root=preview.out,
    )
    assert again.keys() == preview.files.keys()
    changed = [p for p in again if again[p] != preview.files[p]]
    assert changed == sorted(  # only the pages that show the halted campaign
        ["index.html", "preview/posts/2026-12-05-conseil.html"]
    )
    assert again == render_preview(
        preview.variants,
        preview.summary,
        preview.channels,
        preview.charter,
        root=preview.out,
    )


def test_without_the_repository_images_are_placeholders(preview: Preview) -> None:
    files = render_preview(preview.variants, preview.summary, preview.channels, preview.charter)
    assert not [p for p in files if p.startswith("preview/media/")]
    page = parse(files["preview/posts/2026-12-01-lancement.html"].decode())
    placeholder = page.find(cls="media-missing")
    assert placeholder.attrs["aria-label"] == "Une salle de formation lumineuse."


def test_an_empty_build_gives_an_empty_calendar(tmp_path: Path, preview: Preview) -> None:
    root = tmp_path / "site"
    shutil.copytree(preview.root, root)
    for post in (root / "posts").glob("*.md"):
        post.unlink()
    empty = make_preview(root, tmp_path / "out")
    assert "No variant is scheduled yet." in empty.text("index.html")
    assert "No findings" in empty.text("preview/findings.html")
