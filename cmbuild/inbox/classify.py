"""The intent of what someone said, from the trigger terms of brand/replies.toml.

Terms are matched as `cmbuild.text.terms` matches them: whole words, ignoring case and accents,
tolerant of French and English word forms. Intents are tried in the order of the file, so the
first one whose triggers match is the item's intent. An item in a language the wording has
triggers for is matched against that language's triggers only; any other item (no language, or
one without triggers) against every language's.
"""

from __future__ import annotations

from functools import lru_cache

from cmbuild.load.replies import Intent, Wording
from cmbuild.text.terms import Phrases


class Classifier:
    """The triggers of one wording, indexed once per language."""

    def __init__(self, wording: Wording) -> None:
        self._order = {intent.name: index for index, intent in enumerate(wording.intents)}
        self._intents = wording.intents
        languages = sorted({lang for intent in wording.intents for lang in intent.triggers})
        self._phrases = {
            lang: Phrases(
                {i.name: i.triggers[lang] for i in wording.intents if i.triggers.get(lang)},
                languages=(lang,),
            )
            for lang in languages
        }

    def matches(self, text: str, language: str | None) -> dict[str, tuple[str, ...]]:
        """Intent name -> the triggers, as written, found in `text`."""
        base = (language or "").split("-")[0].split("_")[0].lower()
        chosen = [self._phrases[base]] if base in self._phrases else self._phrases.values()
        found: dict[str, tuple[str, ...]] = {}
        for phrases in chosen:
            for name, terms in phrases.find(text).items():
                found[name] = (*found.get(name, ()), *terms)
        return found

    def classify(self, text: str, language: str | None) -> Intent | None:
        """The first intent of the file whose triggers are in `text`, or None."""
        found = self.matches(text, language)
        if not found:
            return None
        return self._intents[min(self._order[name] for name in found)]


@lru_cache(maxsize=4)
def classifier(wording: Wording) -> Classifier:
    """The classifier of a loaded wording, built once (a wording is hashed by identity)."""
    return Classifier(wording)


def classify(text: str, language: str | None, wording: Wording) -> Intent | None:
    """The intent of `text` (said in `language`, when known) by the wording's triggers."""
    return classifier(wording).classify(text, language)
