"""Finding text in a post's file, ignoring case and accents, to point findings at the right line.

Folding is what makes "Gratuit", "GRATUIT" and "gratüit" the same word: NFKD decomposition,
combining marks dropped, case folded, typographic apostrophes made straight. It works character by
character, so a match in the folded text maps back to the characters of the original.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import cast

import regex

from cmbuild.model import Post

# ’ ‘ ‛ ʼ ′: French keyboards and phones type "n’hésitez" as often as "n'hésitez".
_APOSTROPHES = "\u2019\u2018\u201b\u02bc\u2032"
_MARKS = regex.compile(r"\p{Mn}+")


def fold(text: str) -> str:
    """`text` without accents, case or apostrophe variants: NFKD, marks dropped, casefolded."""
    if text.isascii():
        return text.lower()
    folded = cast(str, _MARKS.sub("", unicodedata.normalize("NFKD", text))).casefold()
    # str.replace is several times faster than str.translate on non-ASCII text.
    for apostrophe in _APOSTROPHES:
        folded = folded.replace(apostrophe, "'")
    return folded


def original_offset(text: str, folded: str, offset: int) -> int:
    """The index in `text` of the character that gave `folded[offset]` (`folded` is `fold(text)`).

    Folding keeps line breaks where they are, so only the line holding `offset` is walked.
    """
    line = folded.count("\n", 0, offset)
    folded_start = folded.rfind("\n", 0, offset) + 1
    start = 0
    for _ in range(line):
        start = text.index("\n", start) + 1
    position = folded_start
    for index in range(start, len(text)):
        position += len(fold(text[index]))
        if position > offset:
            return index
    return len(text)


@lru_cache(maxsize=1024)
def phrase_pattern(phrase: str, whole_words: bool = True) -> re.Pattern[str]:
    """A pattern finding `phrase` in folded text: any run of whitespace between its words.

    With `whole_words`, "gratuit" does not match inside "gratuitement"; the boundary is only
    required where the phrase itself starts or ends with a letter or digit, so "#partenariat" and
    "100 %" behave as written.
    """
    folded = fold(phrase).split()
    body = r"\s+".join(re.escape(word) for word in folded)
    if whole_words and folded:
        if _is_word(folded[0][0]):
            body = r"(?<!\w)" + body
        if _is_word(folded[-1][-1]):
            body = body + r"(?!\w)"
    return re.compile(body)


def find_folded(text: str, phrase: str, whole_words: bool = True) -> tuple[int, int] | None:
    """The (start, end) of the first occurrence of `phrase` in `text`, ignoring case and accents."""
    folded = fold(text)
    span = search_folded(folded, phrase, whole_words)
    if span is None:
        return None
    return original_offset(text, folded, span[0]), original_offset(text, folded, span[1] - 1) + 1


def search_folded(folded: str, phrase: str, whole_words: bool = True) -> tuple[int, int] | None:
    """The span of `phrase` in `folded` (a folded text), or None; see `phrase_pattern`."""
    words = fold(phrase).split()
    if len(words) != 1:  # a phrase, or nothing to find
        match = phrase_pattern(phrase, whole_words).search(folded) if words else None
        return match.span() if match is not None else None
    # One word (a found word, a hashtag, a link): str.find, rather than compiling a pattern
    # for a needle that is probably seen only once.
    word = words[0]
    start = folded.find(word)
    while start >= 0:
        end = start + len(word)
        if not whole_words or _stands_alone(folded, start, end):
            return start, end
        start = folded.find(word, start + 1)
    return None


def _stands_alone(text: str, start: int, end: int) -> bool:
    """No letter or digit glued before or after text[start:end] where it starts or ends with one."""
    before = start > 0 and _is_word(text[start]) and _is_word(text[start - 1])
    after = end < len(text) and _is_word(text[end - 1]) and _is_word(text[end])
    return not before and not after


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"  # what \w matches


def text_line(post: Post, channel: str) -> int | None:
    """The line where the channel's text starts: its `text:` override, else the post's body."""
    override = post.override(channel).text
    if override is not None:
        line = post.line_of(f"channels.{channel}.text")
        if line is not None:
            return line + 1 if "\n" in override else line
        return channel_line(post, channel)
    return post.body_line


def channel_line(post: Post, channel: str) -> int | None:
    """The line of the post's `channels.<channel>` entry, else of its `publish` key."""
    for name, line in post.channel_lines:
        if name == channel and line:
            return line
    return post.line_of(f"channels.{channel}") or post.publish_line


def key_line(post: Post, channel: str, key: str) -> int | None:
    """The line of `channels.<channel>.<key>` when the channel overrides `key`, else of `key`."""
    return post.line_of(f"channels.{channel}.{key}") or post.line_of(key)


def line_of_text(post: Post, channel: str, needle: str) -> int | None:
    """The line of the post's file where `needle` appears (ignoring case and accents).

    The channel's `text:` override is searched when it has one, else the Markdown body; then the
    title the channel uses. None when the needle is nowhere in the file (a template added it).
    """
    override = post.override(channel)
    if override.text is not None:
        start = text_line(post, channel)
        if start is not None:
            found = _line_in(override.text, needle, start)
            if found is not None:
                return found
    else:
        found = _line_in(post.body, needle, post.body_line)
        if found is not None:
            return found
    title = override.title if override.title is not None else post.title
    if find_folded(title, needle) is not None:
        return key_line(post, channel, "title")
    return None


def _line_in(text: str, needle: str, first_line: int) -> int | None:
    folded = fold(text)  # folding keeps line breaks where they are
    span = search_folded(folded, needle)
    return None if span is None else first_line + folded.count("\n", 0, span[0])
