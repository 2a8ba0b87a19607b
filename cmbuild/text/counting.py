"""Counting primitives: a text's length in each unit a platform counts in.

No platform counts `len(text)`. X weighs code points and prices every link at 23 (twitter-text v3);
Mastodon and Bluesky count grapheme clusters (what a reader sees as one character); others count
UTF-16 code units or UTF-8 bytes. Every function here is exact for its unit and fast on ordinary
text: the expensive machinery (grapheme segmentation, link and emoji matching) runs only when the
text holds a character that needs it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

from cmbuild.text import entities

# Code points that are always a grapheme cluster of their own (Unicode grapheme break property
# Other, Control, CR, LF, LV or LVT): Latin, Greek, Cyrillic, general punctuation (’ « » — …, NBSP,
# NNBSP), symbols, CJK, kana and Hangul syllables. Left out on purpose: combining marks, ZWJ/ZWNJ,
# variation selectors, emoji modifiers, regional indicators, Hangul jamo and the scripts with
# spacing marks. A text made only of these has one cluster per code point, except that CR LF is one.
# tests/text/test_counting.py checks every code point of this list against the `regex` module.
_STANDALONE = (
    "\x00-\u02ff\u0370-\u0482\u048a-\u052f\u1e00-\u1fff\u2000-\u200b\u200e-\u20cf\u2100-\u2bff"
    "\u2e00-\u2e7f\u3000-\u3029\u3030-\u303f\u3041-\u3096\u309b-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7a3\uff01-\uff60"
)
_NOT_STANDALONE = re.compile(f"[^{_STANDALONE}]")
_STANDALONE_CHAR = re.compile(f"[{_STANDALONE}]")
_STANDALONE_PAIR = re.compile(f"[{_STANDALONE}](?=[{_STANDALONE}]|\\Z)")

# twitter-text v3 (config/v3.json): these ranges weigh 1, every other code point 2.
_X_LIGHT = "\x00-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037"
_X_HEAVY = re.compile(f"[^{_X_LIGHT}]")
X_URL_WEIGHT = 23  # transformedURLLength: every link becomes a t.co link
_X_EMOJI_WEIGHT = 2  # defaultWeight / scale: an emoji sequence of any length

MASTODON_URL_WEIGHT = 23  # StatusLengthValidator::URL_PLACEHOLDER = 'x' * 23


def graphemes(text: str) -> int:
    """The number of extended grapheme clusters (Unicode UAX #29): what a reader sees as characters.

    A family emoji, a flag or ``e`` + combining accent is one.
    """
    size = len(text) - text.count("\r\n")
    if text.isascii():
        return size
    run = _NOT_STANDALONE.search(text)
    if run is None:
        return size
    # Two standalone code points always have a cluster boundary between them (CR LF aside). So only
    # the runs of other code points need segmenting, each with its neighbour on either side: the
    # code points there that do not start a cluster are all the text has.
    pattern = _grapheme_pattern()
    while run is not None:
        after = _STANDALONE_CHAR.search(text, run.start())
        end = after.start() + 1 if after else len(text)
        window = text[max(run.start() - 1, 0) : end]
        size -= len(window) - len(pattern.findall(window))
        run = _NOT_STANDALONE.search(text, end) if after else None
    return size


def grapheme_ends(text: str) -> list[int]:
    """Where each grapheme cluster of `text` ends, in order (the last is `len(text)`)."""
    if "\r\n" in text:
        return [match.end() for match in _grapheme_pattern().finditer(text)]
    if text.isascii() or _NOT_STANDALONE.search(text) is None:
        return list(range(1, len(text) + 1))
    # Only the runs of other code points need segmenting, each with the standalone code point
    # before it (an accent joins the letter it follows) and those after it up to the next two
    # standalone ones in a row (a prepended mark joins the letter it precedes).
    pattern = _grapheme_pattern()
    ends: list[int] = []
    done = 0
    run = _NOT_STANDALONE.search(text)
    while run is not None:
        start = max(run.start() - 1, done)
        ends.extend(range(done + 1, start + 1))
        # Two standalone code points in a row always have a boundary between them.
        pair = _STANDALONE_PAIR.search(text, run.start())
        stop = pair.start() + 1 if pair else len(text)
        ends.extend(match.end() for match in pattern.finditer(text, start, stop))
        done = stop
        run = _NOT_STANDALONE.search(text, stop) if pair else None
    ends.extend(range(done + 1, len(text) + 1))
    return ends


def utf16_units(text: str) -> int:
    """The length in UTF-16 code units, JavaScript's ``text.length``: astral characters count 2."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def utf8_bytes(text: str) -> int:
    """The length in UTF-8 bytes."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def x_weighted_length(text: str) -> int:
    """The length X counts against its 280 limit: twitter-text v3's ``parseTweet().weightedLength``.

    The text is NFC-normalised. Code points in 0-4351, 8192-8205, 8208-8223 and 8242-8247 weigh 1,
    all others 2. Every link, with or without protocol (``cm-bordeaux.fr/x``, ``file.py``), weighs
    23. Every emoji sequence (ZWJ family, skin tone, flag, keycap) weighs 2.
    """
    text = unicodedata.normalize("NFC", text)
    # (start, priority, end, weight): at a given position twitter-text tries a link before an emoji.
    found: list[tuple[int, int, int, int]] = [
        (start, 0, end, X_URL_WEIGHT)
        for start, end in entities.url_spans(text, without_protocol=True)
    ]
    found.extend((start, 1, end, _X_EMOJI_WEIGHT) for start, end in _twemoji_spans(text))
    if not found:
        return _x_weight(text, 0, len(text))
    found.sort()
    total = 0
    cursor = 0
    for start, _, end, weight in found:
        if start < cursor:  # inside a link or emoji already counted, as in parseTweet's loop
            continue
        total += _x_weight(text, cursor, start) + weight
        cursor = end
    return total + _x_weight(text, cursor, len(text))


def mastodon_length(text: str, spoiler: str = "") -> int:
    """The length Mastodon counts against its limit (StatusLengthValidator).

    Grapheme clusters of the content warning and the text together, where every ``http(s)://`` link
    counts 23 whatever its length (links without a protocol count as typed) and a remote mention
    ``@user@domain`` counts as ``@user``.
    """
    return graphemes(spoiler + _mastodon_countable(text))


def _mastodon_countable(text: str) -> str:
    if text.isspace():  # Rails' `blank?`: a text of spaces counts nothing
        return ""
    replacements = [
        (start, end, "x" * MASTODON_URL_WEIGHT) for start, end in entities.url_spans(text)
    ]
    replacements.extend(
        (start, end, "@" + account.split("@")[0])
        for start, end, account in entities.mention_spans(text)
    )
    if not replacements:
        return text
    replacements.sort()
    pieces = []
    cursor = 0
    for start, end, replacement in replacements:
        if start < cursor:  # Extractor.remove_overlapping_entities keeps the first
            continue
        pieces.append(text[cursor:start])
        pieces.append(replacement)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _x_weight(text: str, start: int, end: int) -> int:
    return end - start + len(_X_HEAVY.findall(text, start, end))


def _twemoji_spans(text: str) -> list[tuple[int, int]]:
    """The emoji official twitter-text finds (twemoji-parser), searched only around candidates."""
    candidates, pattern = _twemoji()
    first = candidates.search(text)
    if first is None:
        return []
    spans = []
    cursor = 0
    for candidate in candidates.finditer(text, first.start()):
        position = candidate.start()
        if position < cursor:
            continue
        # Only a keycap (#, * or a digit, U+FE0F, U+20E3) or ©/® + U+FE0F starts before a candidate,
        # and then the candidate is U+FE0F or U+20E3.
        earliest = position - 2 if text[position] in "\ufe0f\u20e3" else position
        for start in range(max(cursor, earliest), position + 1):
            match = pattern.match(text, start)
            if match is not None:
                spans.append((start, match.end()))
                cursor = match.end()
                break
    return spans


@cache
def _twemoji() -> tuple[re.Pattern[str], re.Pattern[str]]:
    from cmbuild.text import _twemoji

    return re.compile(_twemoji.CANDIDATES), re.compile(_twemoji.PATTERN)


@cache
def _grapheme_pattern() -> Any:
    import regex

    return regex.compile(r"\X")
