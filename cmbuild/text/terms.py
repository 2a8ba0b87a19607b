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

Speed: a text is split on white space (which folding never joins nor turns into a letter, so the
words are the same as folding the whole text), and each piece's folded words and their stems are
cached, since people write the same words again and again. One set intersection tells whether any
phrase starts with one of an item's words, and phrases are indexed by the stems of their first
one or two words, so 500 terms cost little more than 5; a phrase of three words or more is looked
for in order only when all its words are in the text, and a set of phrases with none in it (a
watch without exclusions) reads nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import chain, pairwise

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
    return list(chain.from_iterable(map(_piece_tokens, text.split())))


@lru_cache(maxsize=200_000)
def _piece_tokens(piece: str) -> tuple[str, ...]:
    """The folded words of a piece of text without white space."""
    return tuple(_WORD.findall(fold(piece)))


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


# A phrase's stems, its key and the phrase as written.
_Phrase = tuple[tuple[str, ...], str, str]


@dataclass
class _Index:
    """One language's phrases: those of one word by its stem, the longer ones by their first two."""

    singles: dict[str, list[_Phrase]] = field(default_factory=dict)
    pairs: dict[tuple[str, str], list[_Phrase]] = field(default_factory=dict)

    def add(self, stems: tuple[str, ...], key: str, phrase: str) -> None:
        if len(stems) == 1:
            self.singles.setdefault(stems[0], []).append((stems, key, phrase))
        else:
            self.pairs.setdefault((stems[0], stems[1]), []).append((stems, key, phrase))

    def collect(self, stems: list[str], found: dict[str, set[str]]) -> None:
        """Add to `found` the phrases that occur in `stems`."""
        # Set intersections run in C: most items share no word, or no two words, with a phrase.
        for first in self.singles.keys() & stems:
            for _, key, phrase in self.singles[first]:
                found.setdefault(key, set()).add(phrase)
        hits = self.pairs.keys() & pairwise(stems) if self.pairs else None
        if not hits:
            return
        present = set(stems)
        trigrams: set[tuple[str, ...]] | None = None
        for pair in hits:
            for wanted, key, phrase in self.pairs[pair]:
                if len(wanted) > 2:
                    # A longer phrase is looked for in order only when all its words are there.
                    if not present.issuperset(wanted[2:]):
                        continue
                    if trigrams is None:
                        trigrams = set(zip(stems, stems[1:], stems[2:], strict=False))
                    if wanted[:3] not in trigrams or not _occurs(wanted, stems):
                        continue
                found.setdefault(key, set()).add(phrase)


def _occurs(wanted: tuple[str, ...], stems: list[str]) -> bool:
    size = len(wanted)
    if size == 3:  # the caller checked its three words
        return True
    return any(
        tuple(stems[start : start + size]) == wanted
        for start in range(len(stems) - size + 1)
        if stems[start] == wanted[0]
    )


class Phrases:
    """Phrases to look for, grouped under keys (a topic, an intent): `find` tells which matched."""

    def __init__(
        self, phrases: Mapping[str, Sequence[str]], languages: Sequence[str] = ("fr", "en")
    ) -> None:
        """ValueError naming the phrase when one has no word in it (empty, only punctuation)."""
        stemmers = [stemmer_for(language) for language in languages]
        self._piece_stems = [_piece_stems_function(stem) for stem in stemmers]
        # Per language. Two words narrow the candidates of phrases that start with a common word
        # ("rappel produit", "rappel conso").
        self._index = [_Index() for _ in stemmers]
        self._keys = {key: rank for rank, key in enumerate(phrases) if phrases[key]}
        self._written = {key: tuple(written) for key, written in phrases.items()}
        for key, written in phrases.items():
            for phrase in written:
                words = tokens(phrase)
                if not words:
                    raise ValueError(
                        f"the term {phrase!r} has no word in it: write letters or digits"
                    )
                for stem, index in zip(stemmers, self._index, strict=True):
                    index.add(tuple(stem(word) for word in words), key, phrase)

    def find(self, text: str) -> dict[str, tuple[str, ...]]:
        """Key → the phrases, as written, found in `text` (keys and phrases in the given order)."""
        if not self._keys:  # no phrase at all (a watch without exclusions): nothing to split
            return {}
        pieces = text.split()
        found: dict[str, set[str]] = {}
        for piece_stems, index in zip(self._piece_stems, self._index, strict=True):
            index.collect(list(chain.from_iterable(map(piece_stems, pieces))), found)
        return {
            key: tuple(phrase for phrase in self._written[key] if phrase in found[key])
            for key in sorted(found, key=self._keys.__getitem__)
        }


@cache
def _piece_stems_function(stem: Callable[[str], str]) -> Callable[[str], tuple[str, ...]]:
    @lru_cache(maxsize=200_000)
    def piece_stems(piece: str) -> tuple[str, ...]:
        return tuple(stem(word) for word in _piece_tokens(piece))

    return piece_stems
