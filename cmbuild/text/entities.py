"""Entities in a text: links, hashtags, mentions and emoji.

The charter checks (hashtag cap, emoji cap, UTM on links) and the platform checks (Threads' five
links, Instagram's five hashtags) read them. Links are found exactly as official twitter-text finds
them (see `_urls`), so that X's counting and these checks agree on what a link is. Each function
returns early, cheaply, on a text that cannot hold its kind of entity.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

Span = tuple[int, int]  # [start, end) in code points

# twitter-text's `spaces_group`: no part of a link can hold one of these, and any of them may
# precede a link. So links are looked for only in the runs of other characters that hold a dot: the
# extractor's cost is then proportional to those runs instead of to the whole text.
_SPACES = "\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE = re.compile(f"[{_SPACES}]")

# twitter-text's `latin_accent_chars`, used by its end-of-mention rule.
_LATIN_ACCENTS = (
    "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263"
    "\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)

# Mastodon's Account::MENTION_RE (4.x): `@user`, or `@user@domain` for a remote account.
_MENTION = re.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)(?:@([\w.-]+\w+))?", re.IGNORECASE
)
# twitter-text's end_mention_match: such a match followed by one of these is not a mention.
_MENTION_END = re.compile(f"[@\uff20{_LATIN_ACCENTS}]|://")
_MAX_DOMAIN_LENGTH = 253  # Mastodon's Extractor::MAX_DOMAIN_LENGTH

# A hashtag needs a letter (`#2026` is not one); `&#38;`, `page#anchor` and `/#/route` are not.
_TAG_CHAR = r"[\w\u0300-\u036f]"
# The look-behind comes after the `#` so that `re` can skip quickly to the next `#`.
_HASHTAG = re.compile(rf"[#\uff03](?<![=/)\w&#\uff03].){_TAG_CHAR}*[^\W\d_]{_TAG_CHAR}*")

# A superset of Extended_Pictographic, Regional_Indicator, Emoji_Modifier and U+20E3 (the keycap):
# a text with none of these holds no emoji. tests/text/test_entities.py checks the superset.
_EMOJI_HINT = re.compile(
    "[\u00a9\u00ae\u203c\u2049\u20e3\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u27bf"
    "\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001fffd]"
)
# An emoji sequence (UTS #51 ED-17, zwj sequences of flags, keycaps, modifier, presentation and tag
# sequences), starting at an emoji code point or at a keycap's base.
_EMOJI_ELEMENT = (
    r"(?:\p{RI}\p{RI}?|[#*0-9]\ufe0f?\u20e3"
    r"|[\p{Extended_Pictographic}\p{Emoji_Modifier}]"
    r"(?:\p{Emoji_Modifier}|\ufe0f|[\U000e0020-\U000e007e]+\U000e007f)?)"
)


def url_spans(text: str, *, without_protocol: bool = False) -> list[Span]:
    """Where the links are, exactly as official twitter-text finds them.

    Only links with a protocol (``https://...``) by default; with `without_protocol`, also bare
    domains such as ``cm-bordeaux.fr/atelier`` or ``file.py``, as X links them.
    """
    dot = text.find(".")
    if dot < 0 or (not without_protocol and "://" not in text):
        return []
    from cmbuild.text import _urls

    spans: list[Span] = []
    size = len(text)
    backwards: str | None = None
    while dot >= 0:
        space = _SPACE.search(text, dot)
        end = space.start() if space else size
        if dot < end - 1:  # a dot that ends the run ("fin.") cannot start a top-level domain
            if backwards is None:
                backwards = text[::-1]
            space = _SPACE.search(backwards, size - dot)
            start = size - space.start() if space else 0
            if without_protocol or text.find("://", start, end) >= 0:
                # Keep the space before the run: the extractor then sees what it sees in the whole
                # text, a run preceded by a space.
                offset = start - 1 if start else 0
                spans.extend(
                    (offset + first, offset + last)
                    for first, last, has_protocol in _urls.extract(text[offset:end])
                    if has_protocol or without_protocol
                )
        dot = text.find(".", end)
    return spans


def urls(text: str, *, without_protocol: bool = False) -> list[str]:
    """The links in `text`, in order (see `url_spans` for `without_protocol`)."""
    return [text[start:end] for start, end in url_spans(text, without_protocol=without_protocol)]


def hashtags(text: str) -> list[str]:
    """The hashtags in `text`, in order, as written: ``Viens ! #CM #Bordeaux2026`` gives #CM, ..."""
    if "#" not in text and "\uff03" not in text:
        return []
    return _HASHTAG.findall(text)


def hashtag_spans(text: str) -> list[Span]:
    """Where the hashtags are (the ones `hashtags` gives), for platforms that mark them up."""
    if "#" not in text and "\uff03" not in text:
        return []
    return [match.span() for match in _HASHTAG.finditer(text)]


def mention_spans(text: str) -> list[tuple[int, int, str]]:
    """Where the mentions are, with the mentioned account (``user`` or ``user@domain``).

    Mastodon's grammar, which covers X (``@user``), Bluesky (``@name.bsky.social``) and the
    fediverse (``@user@instance``); ``contact@example.org`` is an address, not a mention.
    """
    if "@" not in text:
        return []
    found = []
    for match in _MENTION.finditer(text):
        if _MENTION_END.match(text, match.end()):
            continue
        domain = match.group(2)
        if domain and len(domain) > _MAX_DOMAIN_LENGTH:
            continue
        account = match.group(1) + ("@" + domain if domain else "")
        found.append((match.start(), match.end(), account))
    return found


def mentions(text: str) -> list[str]:
    """The accounts mentioned in `text`, in order, without the leading ``@``."""
    return [account for _, _, account in mention_spans(text)]


def emoji_spans(text: str) -> list[Span]:
    """Where the emoji sequences are: a flag, a keycap, a ZWJ family or a skin tone is one span.

    Symbols that are text by default (©, ™, ↔) are included when they stand alone; `emoji_count`
    leaves those out.
    """
    hint = _EMOJI_HINT.search(text)
    if hint is None:
        return []
    pattern = _emoji_pattern()
    spans: list[Span] = []
    cursor = 0
    for candidate in _EMOJI_HINT.finditer(text, hint.start()):
        position = candidate.start()
        if position < cursor:
            continue
        # A keycap starts up to two code points before its U+20E3; anything else starts on a hint.
        earliest = position - 2 if text[position] == "\u20e3" else position
        for start in range(max(cursor, earliest), position + 1):
            match = pattern.match(text, start)
            if match is not None:
                spans.append((start, match.end()))
                cursor = match.end()
                break
    return spans


def emoji_count(text: str) -> int:
    """How many emoji `text` shows: each RGI sequence (flag, keycap, family, skin tone...) is one.

    A symbol that is text by default (©, ®, ™, ↔, ☺) counts only when followed by U+FE0F, the
    emoji presentation selector, because only then do platforms draw it as an emoji.
    """
    spans = emoji_spans(text)
    if not spans:
        return 0
    presentation = _emoji_presentation()
    count = 0
    for start, end in spans:
        if end - start > 1 or presentation(text[start]):
            count += 1
    return count


@cache
def _emoji_pattern() -> Any:
    import regex

    return regex.compile(rf"{_EMOJI_ELEMENT}(?:\u200d{_EMOJI_ELEMENT})*")


@cache
def _emoji_presentation() -> Callable[[str], bool]:
    import regex

    pattern = regex.compile(r"[\p{Emoji_Presentation}\p{Regional_Indicator}\p{Emoji_Modifier}]")
    return lambda char: pattern.match(char) is not None
