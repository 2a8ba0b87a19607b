"""Find a brand's watch terms in what people write: whole words, any case, any accents, any form.

A community manager writes a term once ("grève", "produit annulé") and expects it found in
"GREVES", "grève" or "produits annulés". Each word is folded (case and accents dropped, "œ" read
as "oe") and reduced to its stem with the Snowball stemmers (the `snowballstemmer` package: the
stemmers Sphinx and most search engines use, pure Python, and faster still when PyStemmer is
installed). A phrase matches when its stems follow each other in the text, in one of the
languages given.

French feminine past participles ("annulée", "annulées") are written "annulee" once folded; the
French stemmer only knows their accented form, so a folded "-ee"/"-ees" ending is read as "-e"
first, which gives "annulé", "annulée" and "annulees" the same stem.

An item is tokenised and stemmed once per language (stems are cached); one set intersection tells
whether any phrase starts with one of its words, and phrases are indexed by the stems of their
first one or two words, so 500 terms cost little more than 5.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache, lru_cache

import regex
import snowballstemmer

# Letters and digits, with their combining marks; apostrophes, hyphens and punctuation split words
# ("l'annulation" is "l" and "annulation").
_WORD = regex.compile(r"[\p{L}\p{N}\p{M}]+")
_MARKS = regex.compile(r"\p{M}+")
# Letters NFKD leaves whole.
_LIGATURES = (("œ", "oe"), ("æ", "ae"), ("ø", "o"), ("ł", "l"), ("đ", "d"), ("ı", "i"))
_SNOWBALL = {
    "fr": "french",
    "en": "english",
    "de": "german",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "nl": "dutch",
}


def fold(text: str) -> str:
    """`text` without case or accents: "Grève ŒUVRE" → "greve oeuvre"."""
    lowered = text.casefold()
    if lowered.isascii():
        return lowered
    for letter, written in _LIGATURES:  # str.replace is much faster than str.translate here
        lowered = lowered.replace(letter, written)
    decomposed = unicodedata.normalize("NFKD", lowered)
    folded: str = _MARKS.sub("", decomposed)
    return folded


def tokens(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    words: list[str] = _WORD.findall(fold(text))
    return words


def stemmer_for(language: str) -> Callable[[str], str]:
    """The stemmer of a language ("fr", "en"...), for folded words; ValueError if unknown."""
    name = _SNOWBALL.get(language)
    if name is None:
        known = ", ".join(sorted(_SNOWBALL))
        raise ValueError(f"no stemmer for the language {language!r}: use one of {known}")
    return _stem_function(name)


@cache
def _stem_function(name: str) -> Callable[[str], str]:
    stemmer = snowballstemmer.stemmer(name)
    french = name == "french"

    @lru_cache(maxsize=200_000)
    def stem(word: str) -> str:
        if french:
            if word.endswith("ees"):
                word = word[:-2]
            elif word.endswith("ee"):
                word = word[:-1]
        return str(stemmer.stemWord(word))

    return stem


class Phrases:
    """Phrases to look for, grouped under keys (a topic, an intent): `find` tells which matched."""

    def __init__(
        self, phrases: Mapping[str, Sequence[str]], languages: Sequence[str] = ("fr", "en")
    ) -> None:
        """ValueError naming the phrase when one has no word in it (empty, only punctuation)."""
        self._stemmers = [stemmer_for(language) for language in languages]
        # Per language: the stems of a phrase's first word, or of its first two words → (stems of
        # the whole phrase, key, phrase as written). Two words narrow the candidates of phrases
        # that start with a common word ("rappel produit", "rappel conso").
        self._index: list[dict[tuple[str, ...], list[tuple[tuple[str, ...], str, str]]]] = [
            {} for _ in self._stemmers
        ]
        self._firsts: list[set[str]] = [set() for _ in self._stemmers]
        self._keys = {key: rank for rank, key in enumerate(phrases)}
        self._written = {key: tuple(written) for key, written in phrases.items()}
        for key, written in phrases.items():
            for phrase in written:
                words = tokens(phrase)
                if not words:
                    raise ValueError(
                        f"the term {phrase!r} has no word in it: write letters or digits"
                    )
                for stem, index, firsts in zip(
                    self._stemmers, self._index, self._firsts, strict=True
                ):
                    stems = tuple(stem(word) for word in words)
                    index.setdefault(stems[:2], []).append((stems, key, phrase))
                    firsts.add(stems[0])

    def find(self, text: str) -> dict[str, tuple[str, ...]]:
        """Key → the phrases, as written, found in `text` (keys and phrases in the given order)."""
        words = tokens(text)
        found: dict[str, set[str]] = {}
        for stem, index, firsts in zip(self._stemmers, self._index, self._firsts, strict=True):
            stems = [stem(word) for word in words]
            present = firsts.intersection(stems)  # in C: most items share no word with a term
            if not present:
                continue
            for key, phrase in _matches(stems, present, index):
                found.setdefault(key, set()).add(phrase)
        return {
            key: tuple(phrase for phrase in self._written[key] if phrase in found[key])
            for key in sorted(found, key=self._keys.__getitem__)
        }


def _matches(
    stems: list[str],
    present: set[str],
    index: Mapping[tuple[str, ...], list[tuple[tuple[str, ...], str, str]]],
) -> Iterable[tuple[str, str]]:
    for start, first in enumerate(stems):
        if first not in present:
            continue
        for _, key, phrase in index.get((first,), ()):
            yield key, phrase
        if start + 1 < len(stems):
            for wanted, key, phrase in index.get((first, stems[start + 1]), ()):
                if len(wanted) == 2 or tuple(stems[start : start + len(wanted)]) == wanted:
                    yield key, phrase
