"""The counting primitives: graphemes, UTF-16, UTF-8, X (known values) and Mastodon."""

from __future__ import annotations

import re

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from cmbuild.text import counting
from cmbuild.text.counting import (
    grapheme_ends,
    graphemes,
    mastodon_length,
    utf8_bytes,
    utf16_units,
    x_weighted_length,
)

FAMILY = "👨‍👩‍👧‍👦"
CLUSTER = regex.compile(r"\X")

# Pieces that join into clusters in every way UAX #29 allows: combining marks, ZWJ sequences, skin
# tones, flags and their parity, keycaps, Hangul jamo, Indic conjuncts and spacing marks, prepended
# marks, CR LF, variation selectors.
JOINING = [
    "e",
    "\u0301",
    "\u0302",
    "\u200d",
    "\u200c",
    "\ufe0f",
    "\ufe0e",
    "👨",
    "👩",
    "🏽",
    "🇫",
    "🇷",
    "1",
    "\u20e3",
    "\u1100",
    "\u1161",
    "\u11a8",
    "가",
    "각",
    "क",
    "्",
    "ष",
    "ि",
    "\u0600",
    "\r",
    "\n",
    " ",
    "’",
    "©",
    "❤",
    "\U000e0067",
    "\U000e007f",
    "🏴",
    "a",
    "日",
]


def test_every_standalone_code_point_is_a_cluster_of_its_own() -> None:
    # The fast path's promise, checked against the Unicode data the `regex` module uses for \X.
    standalone = re.compile(f"[{counting._STANDALONE}]")
    joins = regex.compile(
        r"[\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=SpacingMark}\p{GCB=Prepend}"
        r"\p{GCB=Regional_Indicator}\p{GCB=L}\p{GCB=V}\p{GCB=T}]"
    )
    offenders = [
        f"U+{point:04X}"
        for point in range(0x110000)
        if standalone.match(chr(point)) and joins.match(chr(point))
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("Bonjour", 7),
        ("l’atelier « écrire » — ok…\u00a0!\u202f?", 30),
        ("a\r\nb", 3),
        ("cafe\u0301", 4),
        (FAMILY, 1),
        ("🇫🇷🇩🇪", 2),
        ("🇫🇷🇩", 2),
        ("👍🏽", 1),
        ("1️⃣", 1),
        ("🏴󠁧󠁢󠁳󠁣󠁴󠁿", 1),
        ("क्ष", 1),
        ("\u1100\u1161\u11a8", 1),
        ("각\u11a8", 1),
        ("日本語", 3),
    ],
)
def test_graphemes(text: str, expected: int) -> None:
    assert graphemes(text) == expected


@given(st.lists(st.sampled_from(JOINING), max_size=40).map("".join))
def test_graphemes_agree_with_uax29(text: str) -> None:
    clusters = CLUSTER.findall(text)
    assert graphemes(text) == len(clusters)
    ends = []
    position = 0
    for cluster in clusters:
        position += len(cluster)
        ends.append(position)
    assert grapheme_ends(text) == ends


@given(st.text(st.characters(exclude_categories=["Cs"])))
def test_graphemes_agree_with_uax29_on_any_text(text: str) -> None:
    assert graphemes(text) == len(CLUSTER.findall(text))


@pytest.mark.parametrize(
    ("text", "units", "size"),
    [("", 0, 0), ("abc", 3, 3), ("é", 1, 2), ("€", 1, 3), ("😀", 2, 4), (FAMILY, 11, 25)],
)
def test_utf16_units_and_utf8_bytes(text: str, units: int, size: int) -> None:
    assert utf16_units(text) == units
    assert utf8_bytes(text) == size


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("Bonjour", 7),
        ("日本語", 6),
        ("…", 2),  # U+2026 is outside twitter-text's light ranges
        ("’—", 2),
        ("https://cm-bordeaux.fr/agenda?utm_source=x", 23),
        ("cm-bordeaux.fr/atelier", 23),
        ("file.py", 23),
        (FAMILY, 2),
        ("👍🏽", 2),
        ("🇫🇷", 2),
        ("1️⃣", 2),
        ("©", 1),
        ("©️", 2),
        ("cafe\u0301", 4),  # NFC first: é
        ("a\r\nb", 4),
    ],
)
def test_x_weighted_length(text: str, expected: int) -> None:
    assert x_weighted_length(text) == expected


class TestMastodon:
    def test_counts_graphemes(self) -> None:
        assert mastodon_length(f"Bonjour {FAMILY} à tous") == 16

    def test_a_link_with_protocol_counts_23(self) -> None:
        link = "https://cm-bordeaux.fr/agenda/2026/atelier-ecrire-pour-les-reseaux?utm_source=m"
        assert mastodon_length(f"Infos : {link}") == len("Infos : ") + 23
        assert mastodon_length("http://a.fr") == 23

    def test_a_link_without_protocol_counts_as_typed(self) -> None:
        assert mastodon_length("cm-bordeaux.fr/atelier") == 22

    def test_a_remote_mention_counts_as_the_user(self) -> None:
        assert mastodon_length("Merci @cmbordeaux@mastodon.social !") == len("Merci @cmbordeaux !")
        assert mastodon_length("@bob") == 4

    def test_an_address_is_not_a_mention(self) -> None:
        assert mastodon_length("contact@cm-bordeaux.fr") == 22

    def test_the_content_warning_counts(self) -> None:
        assert mastodon_length("Bonjour", spoiler="Spoiler") == 14

    def test_a_blank_text_counts_nothing(self) -> None:
        assert mastodon_length(" \n ") == 0
        assert mastodon_length(" ", spoiler="CW") == 2

    def test_a_link_inside_a_mention_is_counted_once(self) -> None:
        text = "@alice@example.social https://example.social/@alice"
        assert mastodon_length(text) == len("@alice ") + 23
