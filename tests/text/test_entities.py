"""Entities: hashtags, links, mentions and emoji."""

from __future__ import annotations

import re

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st
from twitter_text import extract_urls_with_indices

from cmbuild.text import _urls, counting, entities
from cmbuild.text.entities import emoji_count, emoji_spans, hashtags, mentions, url_spans, urls

TEXT = (
    "Atelier « écrire » le 15/12 ! Infos : https://cm-bordeaux.fr/agenda?utm_source=x, "
    "cm-bordeaux.fr/atelier ou www.example.org. Contact : contact@cm-bordeaux.fr #CM #Bordeaux2026"
)

PIECES = [
    "https://cm-bordeaux.fr/agenda?utm_source=x&utm_medium=social",
    "http://example.com/path_(wiki)",
    "HTTPS://EXAMPLE.COM",
    "https://t.co/abcdef",
    "cm-bordeaux.fr/atelier",
    "www.example.org",
    "example.com",
    "file.py",
    "bücher.de",
    "http://日本語.jp",
    "日本語",
    "a.b",
    ".",
    ",",
    "(",
    ")",
    "/",
    ":",
    "-",
    "_",
    "@",
    "#",
    "?",
    "=",
    "é",
    "x",
    "com",
    "fr",
    " ",
    "\n",
    "\u00a0",
]


class TestHashtags:
    def test_as_written(self) -> None:
        assert hashtags(TEXT) == ["#CM", "#Bordeaux2026"]
        assert hashtags("#café #cafe\u0301s ＃全角 #Étudiants_2026") == [
            "#café",
            "#cafe\u0301s",
            "＃全角",
            "#Étudiants_2026",
        ]

    @pytest.mark.parametrize(
        "text",
        ["#2026", "page.html#section", "https://x.com/#/route", "&#38;", "a=#b", "##", "# CM", ""],
    )
    def test_not_hashtags(self, text: str) -> None:
        assert hashtags(text) == []

    def test_ends_at_punctuation(self) -> None:
        assert hashtags("(#CM), #CM. #l’atelier") == ["#CM", "#CM", "#l"]


class TestUrls:
    def test_with_protocol_only_by_default(self) -> None:
        assert urls(TEXT) == ["https://cm-bordeaux.fr/agenda?utm_source=x"]

    def test_without_protocol_as_x_links_them(self) -> None:
        assert urls(TEXT, without_protocol=True) == [
            "https://cm-bordeaux.fr/agenda?utm_source=x",
            "cm-bordeaux.fr/atelier",
            "www.example.org",
        ]
        assert urls("main.py et notes.txt", without_protocol=True) == ["main.py"]

    def test_none(self) -> None:
        assert urls("Rien ici. Fin.", without_protocol=True) == []
        assert urls("") == []

    @settings(deadline=None)  # the first link compiles the link patterns (~0.1 s)
    @given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join), st.booleans())
    def test_same_links_as_the_twitter_text_port(self, text: str, bare: bool) -> None:
        # The port and this module agree on texts without astral characters (where JavaScript's
        # UTF-16 matching differs, this module follows JavaScript: see
        # tests/platforms/x/test_oracle.py).
        expected = [
            (link["indices"][0], link["indices"][0] + len(link["url"]))
            for link in extract_urls_with_indices(text, bare)
        ]
        assert url_spans(text, without_protocol=bare) == expected

    @settings(deadline=None)
    @given(st.lists(st.sampled_from([*PIECES, "😀", "\u017f"]), max_size=30).map("".join))
    def test_the_prefix_tree_matches_like_the_original_lists(self, text: str) -> None:
        from twitter_text.regexp.extract_url import extract_url
        from twitter_text.regexp.valid_ascii_domain import valid_ascii_domain

        faster_url, faster_domain, _ = _urls._patterns()
        assert faster_url.pattern != extract_url.pattern  # the optimisation is in use
        assert [m.groups() for m in faster_url.finditer(text)] == [
            m.groups() for m in extract_url.finditer(text)
        ]
        assert [m.span() for m in faster_domain.finditer(text)] == [
            m.span() for m in valid_ascii_domain.finditer(text)
        ]


class TestMentions:
    def test_local_and_remote(self) -> None:
        assert mentions("Merci @cmbordeaux et @alice@mastodon.social !") == [
            "cmbordeaux",
            "alice@mastodon.social",
        ]
        assert mentions("@name.bsky.social") == ["name.bsky.social"]

    @pytest.mark.parametrize(
        "text", ["contact@cm-bordeaux.fr", "a=@b", "/@b", "@", "@é", "@bob@", ""]
    )
    def test_not_mentions(self, text: str) -> None:
        assert mentions(text) == []


class TestEmoji:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Bonjour, l’atelier… « ok » — 2026 !", 0),
            ("😀", 1),
            ("😀😀", 2),
            ("👨‍👩‍👧‍👦", 1),
            ("👍🏽", 1),
            ("🧑🏽‍💻", 1),
            ("🇫🇷🇩🇪", 2),
            ("1️⃣ #️⃣", 2),
            ("🏴󠁧󠁢󠁳󠁣󠁴󠁿", 1),
            ("❤️‍🔥", 1),
            ("© 2026 ® ™ ↔ ☺ ❤", 0),
            ("©️ ❤️ ☺️", 3),
            ("🫠", 1),
        ],
    )
    def test_count(self, text: str, expected: int) -> None:
        assert emoji_count(text) == expected

    def test_the_hint_covers_every_emoji_code_point(self) -> None:
        emoji = regex.compile(
            r"[\p{Extended_Pictographic}\p{Regional_Indicator}\p{Emoji_Modifier}\u20e3]"
        )
        missed = [
            f"U+{point:04X}"
            for point in range(0x110000)
            if emoji.match(chr(point)) and not entities._EMOJI_HINT.match(chr(point))
        ]
        assert missed == []

    @given(
        st.lists(
            st.sampled_from(
                ["😀", "\u200d", "🏽", "🇫", "1", "\ufe0f", "\u20e3", "©", "#", "a", " "]
            ),
            max_size=30,
        ).map("".join)
    )
    def test_searching_around_hints_finds_what_a_full_scan_finds(self, text: str) -> None:
        full = [m.span() for m in entities._emoji_pattern().finditer(text)]
        assert emoji_spans(text) == full


@given(
    st.lists(
        st.sampled_from(["😀", "\u200d", "🏽", "🇫", "1", "\ufe0f", "\u20e3", "©", "#", "a", "👨"]),
        max_size=30,
    ).map("".join)
)
def test_twemoji_search_around_candidates_finds_what_a_full_scan_finds(text: str) -> None:
    candidates, pattern = counting._twemoji()
    assert candidates.pattern  # compiled from the generated module
    full = [m.span() for m in pattern.finditer(text)]
    assert counting._twemoji_spans(text) == full


def test_nothing_heavy_is_imported_with_the_platforms() -> None:
    import subprocess
    import sys

    code = (
        "import sys, cmbuild.platforms as p; p.get('x').count('Bonjour'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('twitter_text', 'regex')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr
    assert re.fullmatch(r"\[\]", result.stdout.strip())
