"""truncate_to_fit: always fits, never splits a grapheme cluster, cuts at words when cheap."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from cmbuild.text.counting import (
    graphemes,
    mastodon_length,
    utf8_bytes,
    utf16_units,
    x_weighted_length,
)
from cmbuild.text.truncate import truncate_to_fit

LENGTHS: list[Callable[[str], int]] = [
    len,
    graphemes,
    utf16_units,
    utf8_bytes,
    x_weighted_length,
    mastodon_length,
]
PIECES = [
    "Bonjour",
    "atelier",
    "écrire",
    "l’équipe",
    " ",
    " ",
    "\n",
    "\r\n",
    "\u00a0",
    ",",
    "…",
    "cafe\u0301",
    "👨‍👩‍👧‍👦",
    "👍🏽",
    "🇫🇷",
    "1️⃣",
    "日本語",
    "https://cm-bordeaux.fr/agenda?utm_source=x",
    "cm-bordeaux.fr/atelier",
    "@alice@mastodon.social",
]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
CLUSTER = regex.compile(r"\X")


def boundaries(text: str) -> set[int]:
    ends = {0}
    position = 0
    for cluster in CLUSTER.findall(text):
        position += len(cluster)
        ends.add(position)
    return ends


# No deadline: the first link counted compiles the link patterns (about a tenth of a second).
@settings(deadline=None)
@given(TEXTS, st.integers(min_value=0, max_value=300), st.sampled_from(LENGTHS))
def test_always_fits_and_never_splits_a_cluster(
    text: str, limit: int, length_fn: Callable[[str], int]
) -> None:
    result = truncate_to_fit(text, limit, length_fn)
    assert length_fn(result) <= limit
    if result == text:
        return
    kept = result.removesuffix("…")
    assert text.startswith(kept)
    assert len(kept) in boundaries(text)
    assert kept == "" or not CLUSTER.findall(kept)[-1].isspace()


@settings(deadline=None)
@given(TEXTS, st.sampled_from(LENGTHS))
def test_no_ellipsis_when_the_text_fits(text: str, length_fn: Callable[[str], int]) -> None:
    assert truncate_to_fit(text, length_fn(text), length_fn) == text
    assert truncate_to_fit(text, length_fn(text) + 5, length_fn) == text


@given(TEXTS, st.integers(min_value=1, max_value=300))
def test_an_ellipsis_marks_every_cut(text: str, limit: int) -> None:
    result = truncate_to_fit(text, limit, graphemes)
    assert result == text or result.endswith("…")


def test_cuts_at_a_word_boundary_when_it_costs_little() -> None:
    text = "Rendez-vous samedi à Bordeaux pour l’atelier « écrire pour les réseaux »"
    assert truncate_to_fit(text, 40, graphemes) == "Rendez-vous samedi à Bordeaux pour…"
    assert truncate_to_fit(text, 12, graphemes) == "Rendez-vous…"


def test_cuts_inside_a_word_when_the_boundary_is_too_far() -> None:
    text = "Anticonstitutionnellement parlant"
    assert truncate_to_fit(text, 20, graphemes) == "Anticonstitutionnel…"


def test_strips_spaces_before_the_ellipsis() -> None:
    assert truncate_to_fit("abc     defghij", 8, len) == "abc…"


def test_keeps_clusters_whole() -> None:
    family = "👨‍👩‍👧‍👦"
    assert truncate_to_fit(family * 3, 2 * 11 + 1, utf16_units) == family * 2 + "…"
    assert truncate_to_fit("e\u0301" * 5, 4, len) == "e\u0301" + "…"


def test_x_counts_a_whole_link_or_none_of_it() -> None:
    text = "Inscriptions : https://cm-bordeaux.fr/agenda/atelier-ecrire?utm_source=x et la suite"
    result = truncate_to_fit(text, 40, x_weighted_length)
    assert x_weighted_length(result) <= 40
    assert result == "Inscriptions : https://cm-bordeaux.fr/agenda/atelier-ecrire?utm_source=x…"


def test_leaves_out_an_ellipsis_that_does_not_fit() -> None:
    assert truncate_to_fit("abcdef", 2, len, ellipsis="...") == "ab"


def test_rejects_an_impossible_limit() -> None:
    with pytest.raises(ValueError, match="no text fits"):
        truncate_to_fit("abc", -1, len)
