"""Pointing findings at the line of the post's file where the text is."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cmbuild.check.locate import find_folded, fold, line_of_text, phrase_pattern, search_folded
from cmbuild.model import ChannelOverride
from tests.check import factories as make


def test_fold_drops_case_accents_and_apostrophe_variants() -> None:
    assert fold("N’HÉSITEZ pas, Gratüit ﬁn") == "n'hesitez pas, gratuit fin"


def test_find_folded_returns_the_span_in_the_original_text() -> None:
    text = "Œuvre : N’hésitez\u00a0pas !"
    start, end = find_folded(text, "n'hesitez pas") or (0, 0)
    assert text[start:end] == "N’hésitez\u00a0pas"


def test_find_folded_maps_back_through_expanding_characters() -> None:
    text = "Straße, ﬂeurs\nEncore une ﬁn GRATUITE, ﬁn gratuit."
    start, end = find_folded(text, "fin gratuit") or (0, 0)
    assert text[start:end] == "ﬁn gratuit"


@given(st.text("ab _-éÉ'’\u00a0\n1", max_size=30), st.text("abé_-'1", min_size=1, max_size=4))
def test_one_word_search_agrees_with_the_phrase_pattern(text: str, word: str) -> None:
    folded = fold(text)
    match = phrase_pattern(word).search(folded)
    assert search_folded(folded, word) == (match.span() if match else None)


def test_line_in_the_body() -> None:
    post = make.post("Première ligne.\n\nUn atelier GRATUIT.\nFin.\n", body_line=9)
    assert line_of_text(post, "facebook-cmb", "gratuit") == 11


def test_expression_across_a_line_break_is_found_at_its_start() -> None:
    post = make.post("Alors n'hésitez\npas à écrire.\n", body_line=9)
    assert line_of_text(post, "facebook-cmb", "n’hésitez pas") == 9


def test_whole_words_only() -> None:
    post = make.post("Entrée gratuitement.\nAtelier gratuit.\n", body_line=9)
    assert line_of_text(post, "facebook-cmb", "gratuit") == 10


def test_line_in_an_override_block_scalar() -> None:
    # channels:          line 5
    #   x-cmb:           line 6
    #     text: |        line 7
    #       Première...  line 8
    #       Atelier...   line 9
    override = ChannelOverride(text="Première ligne.\nAtelier gratuit.\n")
    post = make.post(
        "Le corps gratuit.\n",
        channels=("x-cmb",),
        overrides={"x-cmb": override},
        lines={"channels.x-cmb": 6, "channels.x-cmb.text": 7},
        body_line=12,
    )
    assert line_of_text(post, "x-cmb", "Gratuit") == 9
    assert line_of_text(post, "facebook-cmb", "Gratuit") == 12  # no override: the body


def test_line_of_a_one_line_override_is_its_key() -> None:
    post = make.post(
        overrides={"x-cmb": ChannelOverride(text="Atelier gratuit")},
        channels=("x-cmb",),
        lines={"channels.x-cmb.text": 7},
    )
    assert line_of_text(post, "x-cmb", "gratuit") == 7


def test_falls_back_to_the_title_then_none() -> None:
    post = make.post("Rien ici.\n", title="Atelier gratuit")
    assert line_of_text(post, "facebook-cmb", "gratuit") == 2
    assert line_of_text(post, "facebook-cmb", "#CMBordeaux") is None
