"""The watch-term matcher: whole words, any case or accents, French word forms."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmbuild.text.terms import Phrases, fold, stemmer_for, tokens


def test_fold_drops_case_accents_and_ligatures() -> None:
    assert fold("Grève ŒUVRE Ærø Straße") == "greve oeuvre aero strasse"


def test_tokens_split_on_apostrophes_hyphens_and_punctuation() -> None:
    assert tokens("L'annulation du vol AF-123, «annulée» !") == [
        "l",
        "annulation",
        "du",
        "vol",
        "af",
        "123",
        "annulee",
    ]


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("grève", "Les GRÈVES continuent"),
        ("grève", "greve generale"),
        ("grèves", "une grève"),
        ("annulé", "la fête est annulée"),
        ("annulée", "concerts annulés"),
        ("annulé", "ANNULEES sans accents"),
        ("rappel produit", "Rappels produits : lait"),
        ("intoxication", "cinq personnes intoxiquées"),
        ("œuf", "des oeufs contaminés"),
        ("strike", "the strikes go on"),
        ("recall", "the milk was recalled"),
    ],
)
def test_word_forms_match(term: str, text: str) -> None:
    assert Phrases({"topic": [term]}).find(text) == {"topic": (term,)}


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("grève", "Grévin museum"),  # part of another word
        ("rappel produit", "produit de rappel"),  # words in another order
        ("rappel produit", "rappel du produit"),  # a word in between
        ("chat", "chateau"),
    ],
)
def test_whole_words_in_order_only(term: str, text: str) -> None:
    assert Phrases({"topic": [term]}).find(text) == {}


def test_find_names_each_key_and_the_phrases_as_written() -> None:
    phrases = Phrases({"grève": ["mouvement social", "grève"], "rappel": ["rappel"], "x": ["y"]})
    found = phrases.find("Grève et rappels : le mouvement social s'étend, grève encore")
    assert found == {"grève": ("mouvement social", "grève"), "rappel": ("rappel",)}
    assert list(found) == ["grève", "rappel"]


@pytest.mark.parametrize("term", ["", "   ", "!!!", "— …"])
def test_a_term_without_a_word_is_refused(term: str) -> None:
    with pytest.raises(ValueError, match="no word"):
        Phrases({"topic": ["grève", term]})


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="no stemmer"):
        stemmer_for("tlh")


def _shout(text: str, upper: list[bool]) -> str:
    return "".join(
        c.upper() if u else c for c, u in zip(text, upper + [False] * len(text), strict=False)
    )


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


WORDS = ["grève", "annulé", "annulée", "rappelés", "intoxiqué", "pénurie", "sécurité", "décès"]
FORMS = ["", "s", "e", "es"]


@given(
    st.sampled_from(WORDS),
    st.lists(st.booleans(), max_size=12),
    st.booleans(),
    st.text(alphabet=" ,.;:!?«»'\n", min_size=1, max_size=3),
    st.text(alphabet=" ,.;:!?«»'\n", min_size=1, max_size=3),
)
def test_case_accents_and_punctuation_never_hide_a_term(
    word: str, upper: list[bool], plain: bool, before: str, after: str
) -> None:
    written = _strip_accents(word) if plain else word
    text = f"avant{before}{_shout(written, upper)}{after}après"
    assert Phrases({"t": [word]}).find(text) == {"t": (word,)}


@given(
    st.sampled_from(["annulé", "rappelé", "intoxiqué", "fermé", "licencié"]), st.sampled_from(FORMS)
)
def test_feminine_and_plural_participles_match_the_masculine(word: str, ending: str) -> None:
    assert Phrases({"t": [word]}).find(f"ils sont {word}{ending} hier") == {"t": (word,)}


@given(st.text(max_size=200))
def test_find_never_fails_and_only_returns_what_was_asked(text: str) -> None:
    found = Phrases({"a": ["grève"], "b": ["rappel produit"]}).find(text)
    assert set(found) <= {"a", "b"}
    for key, phrases in found.items():
        assert phrases == {"a": ("grève",), "b": ("rappel produit",)}[key]
