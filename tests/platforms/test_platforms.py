"""What each platform counts and checks beyond the shared rules."""

from __future__ import annotations

import pytest

import cmbuild.platforms as registry
from cmbuild.platforms.linkedin import escape_little_text
from cmbuild.platforms.spec import Problem

FAMILY = "👨‍👩‍👧‍👦"  # 7 code points, 11 UTF-16 units, 25 UTF-8 bytes, 1 grapheme


def rules(problems: list[Problem]) -> list[str]:
    return [problem.rule for problem in problems]


class TestBluesky:
    def test_counts_graphemes(self) -> None:
        bluesky = registry.get("bluesky")
        assert bluesky.length(FAMILY) == 1
        assert bluesky.length("🇫🇷 e\u0301") == 3
        assert bluesky.count("a" * 300).fits
        assert not bluesky.count("a" * 301).fits

    def test_the_byte_limit_is_checked_too(self) -> None:
        bluesky = registry.get("bluesky")
        text = FAMILY * 120  # 120 graphemes but 3000 bytes
        assert bluesky.check(text, {}, []) == []
        problems = bluesky.check(text + "é", {}, [])
        assert rules(problems) == ["platform.bytes"]
        assert problems[0].message == "3002/3000 utf-8 bytes: 2 over"

    def test_truncation_respects_both_limits(self) -> None:
        bluesky = registry.get("bluesky")
        result = bluesky.truncate(FAMILY * 200, 300)
        assert len(result.encode()) <= 3000
        assert result == FAMILY * 119 + "…"


class TestMastodon:
    def test_links_and_remote_mentions(self) -> None:
        mastodon = registry.get("mastodon")
        text = "Merci @alice@mastodon.social ! https://cm-bordeaux.fr/agenda/2026/ateliers?x=1"
        assert mastodon.length(text) == len("Merci @alice ! ") + 23
        assert mastodon.unit == "graphemes"
        assert mastodon.text_limit == 500


class TestX:
    def test_weighted_length(self) -> None:
        x = registry.get("x")
        count = x.count("日本語 https://cm-bordeaux.fr/x " + FAMILY)
        assert (count.length, count.limit, count.unit) == (
            6 + 1 + 23 + 1 + 2,
            280,
            "weighted characters",
        )


class TestThreads:
    def test_an_emoji_counts_its_utf8_bytes(self) -> None:
        threads = registry.get("threads")
        assert threads.length("Bonjour") == 7
        assert threads.length(f"Bonjour {FAMILY}") == 8 + 25
        assert threads.length("🇫🇷") == 8

    def test_at_most_five_different_links(self) -> None:
        threads = registry.get("threads")
        five = " ".join(f"https://cm-bordeaux.fr/{n}" for n in range(5))
        assert threads.check(five + " https://cm-bordeaux.fr/0", {}, []) == []
        problems = threads.check(five + " cm-bordeaux.fr/5", {}, [])
        assert rules(problems) == ["platform.links"]
        assert problems[0].message == "6 different links: Threads takes at most 5"

    def test_one_topic_tag(self) -> None:
        threads = registry.get("threads")
        assert rules(threads.check("#CM #Bordeaux", {}, [])) == ["platform.hashtags"]


class TestYouTube:
    def test_the_description_counts_bytes(self) -> None:
        youtube = registry.get("youtube")
        assert youtube.count("é" * 2500).fits
        count = youtube.count("é" * 2501)
        assert (count.length, count.unit) == (5002, "utf-8 bytes")
        assert rules(youtube.check("é" * 2501, {"title": "Titre"}, [])) == ["platform.length"]

    def test_angle_brackets_are_forbidden(self) -> None:
        youtube = registry.get("youtube")
        problems = youtube.check("Voir <ici>", {"title": "Titre"}, [])
        assert rules(problems) == ["platform.forbidden-chars"]
        assert problems[0].message == "the description contains `<` `>`, which YouTube rejects"

    def test_the_title_has_100_characters(self) -> None:
        youtube = registry.get("youtube")
        assert youtube.check("ok", {"title": "é" * 100}, []) == []
        assert rules(youtube.check("ok", {"title": "é" * 101}, [])) == ["platform.field"]


class TestLinkedIn:
    def test_counts_utf16_units(self) -> None:
        assert registry.get("linkedin").length(FAMILY) == 11

    def test_mentions_an_urn_handle(self) -> None:
        linkedin = registry.get("linkedin")
        assert (
            linkedin.mention("CM Bordeaux", "urn:li:organization:123")
            == "@[CM Bordeaux](urn:li:organization:123)"
        )
        assert linkedin.mention("Café (Bordeaux)", "urn:li:person:abc") == (
            "@[Café \\(Bordeaux\\)](urn:li:person:abc)"
        )
        assert linkedin.mention("CM Bordeaux", None) == "CM Bordeaux"
        assert linkedin.mention("CM Bordeaux", "cm-bordeaux") == "cm-bordeaux"

    def test_escapes_reserved_characters_but_not_mentions_and_hashtags(self) -> None:
        text = "Atelier (gratuit) avec @[CM](urn:li:organization:1) #CM a_b *x* <3 | ~ {} \\"
        assert escape_little_text(text) == (
            "Atelier \\(gratuit\\) avec @[CM](urn:li:organization:1) #CM "
            "a\\_b \\*x\\* \\<3 \\| \\~ \\{\\} \\\\"
        )


class TestInstagramAndPinterest:
    def test_instagram(self) -> None:
        instagram = registry.get("instagram")
        assert not instagram.links_clickable
        assert instagram.media.formats == ("jpeg",)
        assert instagram.hashtag_limit == 5
        assert rules(instagram.check("ok", {}, [])) == ["platform.image-required"]

    def test_pinterest(self) -> None:
        pinterest = registry.get("pinterest")
        assert (pinterest.text_limit, pinterest.links_clickable) == (500, False)
        assert [(f.name, f.limit) for f in pinterest.fields] == [("title", 100)]
        assert rules(pinterest.check("é" * 501, {}, [None])) == ["platform.length"]


@pytest.mark.parametrize("name", ["tumblr", "blog", "newsletter"])
def test_no_text_limit(name: str) -> None:
    platform = registry.get(name)
    assert platform.text_limit is None
    assert platform.check("a" * 100_000, {}, []) == []


@pytest.mark.parametrize("name", ["blog", "newsletter"])
def test_html_platforms(name: str) -> None:
    platform = registry.get(name)
    assert (platform.text_format, platform.extension) == ("html", ".html")


@pytest.mark.parametrize(
    ("name", "limit", "unit"),
    [
        ("x", 280, "weighted characters"),
        ("mastodon", 500, "graphemes"),
        ("bluesky", 300, "graphemes"),
        ("threads", 500, "characters"),
        ("linkedin", 3000, "utf-16 units"),
        ("facebook", 63_206, "utf-16 units"),
        ("instagram", 2200, "utf-16 units"),
        ("pinterest", 500, "utf-16 units"),
        ("youtube", 5000, "utf-8 bytes"),
    ],
)
def test_limits(name: str, limit: int, unit: str) -> None:
    platform = registry.get(name)
    assert (platform.text_limit, platform.unit) == (limit, unit)
    assert platform.count("a" * limit).fits
    assert not platform.count("a" * (limit + 1)).fits
    truncated = platform.truncate("Bonjour " * (limit // 4), limit)
    assert platform.count(truncated).fits and truncated.endswith("…")
