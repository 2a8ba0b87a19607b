"""The few words templates add to a post themselves ("Link in bio."), in the post's language.

A template writes `{{ "link_in_bio" | phrase }}`; the words come from the charter's
`[strings.<lang>]` table when it has them, else from the built-in ones below. The language is the
post's (front matter `lang`, else the charter's `[brand] lang`), else the channel's, else English;
`fr-CA` falls back to `fr`. A phrase with no words in that language is an error naming the key
and the fix, never English slipped into a French post.
"""

from __future__ import annotations

from collections.abc import Iterable

BUILT_IN: dict[str, dict[str, str]] = {
    "link_in_bio": {"en": "Link in bio.", "fr": "Lien en bio."},
    "read_more": {"en": "Read more", "fr": "Lire la suite"},
    "sponsored": {"en": "Sponsored", "fr": "Sponsorisé"},
}


def phrase(key: str, lang: str | None, brand: Iterable[tuple[str, str, str]] = ()) -> str:
    """The words of `key` in `lang`; `brand` are the charter's (lang, key, words), which win."""
    wanted = (lang or "en").lower()
    languages = [wanted] if "-" not in wanted else [wanted, wanted.split("-")[0]]
    brand = tuple(brand)
    own = {(language.lower(), name): words for language, name, words in brand}
    for language in languages:
        found = own.get((language, key)) or BUILT_IN.get(key, {}).get(language)
        if found is not None:
            return found
    known = sorted(set(BUILT_IN) | {name for _, name, _ in brand})
    if key not in known:
        raise ValueError(f"unknown phrase {key!r} (phrases: {', '.join(known)})")
    raise ValueError(
        f"no {languages[-1]!r} words for the phrase {key!r}: add "
        f'{key} = "..." under [strings.{languages[-1]}] in brand/charter.toml'
    )
