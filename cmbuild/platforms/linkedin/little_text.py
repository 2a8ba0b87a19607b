"""LinkedIn's `commentary` in "little" text, the format the Posts API parses, and back.

In little text the characters ``| { } @ [ ] ( ) < > # \\ * _ ~`` are syntax: an unescaped one can
cut the post short without any error, so every one of them is backslash-escaped, except in the two
elements cmbuild writes on purpose:

- mentions, ``@[Name](urn:li:organization:123)`` (or ``urn:li:person:...``), kept as they are
  (`cmbuild.platforms.linkedin` already escaped the name);
- hashtags, written as LinkedIn's hashtag template ``{hashtag|\\#|tag}`` so that they stay
  hashtags whatever surrounds them.

Links are escaped like any other text: LinkedIn removes the escapes before it finds the links.
`plain_text` undoes `commentary`, so that a post read back from LinkedIn can be recognised by the
digest of the text that was sent. Source: learn.microsoft.com/linkedin/marketing/
community-management/shares/little-text-format (li-lms-2026-05).
"""

from __future__ import annotations

import re

_RESERVED = re.compile(r"([|{}@\[\]()<>#\\*_~])")
_MENTION = r"@\[(?:[^\]\\]|\\.)*\]\(urn:li:(?:person|organization):[\w-]+\)"
# A hashtag needs a letter (`#2026` is not one); `&#38;`, `page#anchor` and `/#/route` are not
# hashtags (the same rule as `cmbuild.text.entities`).
_TAG_CHAR = r"[\w\u0300-\u036f]"
_HASHTAG = rf"(?<![=/)\w&#])#(?P<tag>{_TAG_CHAR}*[^\W\d_]{_TAG_CHAR}*)"
_URL = r"https?://[^\s<>\"]+"
_ELEMENTS = re.compile(rf"(?P<url>{_URL})|(?P<mention>{_MENTION})|{_HASHTAG}")
_TEMPLATE = re.compile(
    rf"(?P<mention>{_MENTION})|\{{hashtag\|\\#\|(?P<tag>(?:[^}}\\]|\\.)*)\}}|\\(?P<escaped>.)",
    re.DOTALL,
)


def escape(text: str) -> str:
    """`text` with every reserved character backslash-escaped: plain text in little text."""
    return _RESERVED.sub(r"\\\1", text)


def commentary(text: str) -> str:
    """A variant's text as the Posts API's `commentary`: escaped, mentions and hashtags kept."""
    pieces: list[str] = []
    cursor = 0
    for match in _ELEMENTS.finditer(text):
        pieces.append(escape(text[cursor : match.start()]))
        if match.group("mention"):
            pieces.append(match.group())
        elif match.group("tag"):
            pieces.append("{hashtag|\\#|" + escape(match.group("tag")) + "}")
        else:  # a link: plain text, so that `#anchor` and `(...)` in it stay the link's own
            pieces.append(escape(match.group()))
        cursor = match.end()
    pieces.append(escape(text[cursor:]))
    return "".join(pieces)


def plain_text(little: str) -> str:
    """The text a `commentary` shows: escapes removed, hashtag templates back to ``#tag``."""

    def replace(match: re.Match[str]) -> str:
        if match.group("mention"):
            return match.group()
        if match.group("tag") is not None:
            return "#" + re.sub(r"\\(.)", r"\1", match.group("tag"), flags=re.DOTALL)
        return match.group("escaped")

    return _TEMPLATE.sub(replace, little)
