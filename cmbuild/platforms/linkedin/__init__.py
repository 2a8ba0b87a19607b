"""LinkedIn (member and organisation posts): 3000 characters of "little" text.

The Posts API parses `commentary` as Little Text Format: the characters ``| { } @ [ ] ( ) < > # \\ *
_ ~`` are reserved, and an unescaped one can silently cut the post short. A mention is written
``@[Name](urn:li:organization:123)`` (or ``urn:li:person:...``). `escape_little_text` prepares a
text for the API. Sources: learn.microsoft.com LinkedIn community management docs, shares/little-
text-format, multiimage-post-api and images-api (li-lms-2026-05, confidence H); the 3000 limit from
Postiz and Ayrshare (M): LinkedIn does not document its unit, UTF-16 code units are assumed (L).
"""

from __future__ import annotations

import re

from cmbuild.platforms.base import Platform
from cmbuild.platforms.spec import Fold, MediaSpec, PublisherSpec
from cmbuild.text.counting import utf16_units

_RESERVED = re.compile(r"([|{}@\[\]()<>#\\*_~])")
# What cmbuild itself writes in little syntax: mentions of URNs, and hashtags.
# A mention as the preview shows it: the name, unescaped.
_MENTION = re.compile(r"@\[((?:[^\]\\]|\\.)*)\]\((urn:li:[a-zA-Z]+:[\w-]+)\)")
_UNESCAPE = re.compile(r"\\(.)")
_SYNTAX = re.compile(r"@\[(?:[^\]\\]|\\.)*\]\(urn:li:[a-zA-Z]+:[\w-]+\)|(?<![\w#])#\w+")


def escape_little_text(text: str) -> str:
    """`text` with every reserved character backslash-escaped, except in mentions and hashtags."""
    pieces = []
    cursor = 0
    for match in _SYNTAX.finditer(text):
        pieces.append(_RESERVED.sub(r"\\\1", text[cursor : match.start()]))
        pieces.append(match.group())
        cursor = match.end()
    pieces.append(_RESERVED.sub(r"\\\1", text[cursor:]))
    return "".join(pieces)


class LinkedIn(Platform):
    """LinkedIn posts, for a member or an organisation page."""

    name = "linkedin"
    label = "LinkedIn"
    text_limit = 3000
    unit = "utf-16 units"  # assumed: LinkedIn does not say what it counts (L)
    media = MediaSpec(
        formats=("jpeg", "png", "gif"),
        max_images=20,  # one image, or a MultiImage post of 2-20
        max_bytes=5_000_000,  # Ayrshare (M); another source says 8 MB
        max_pixels=36_152_319,  # must be under 36,152,320 pixels (images API)
        recommended=(1200, 627),
        # 1.91:1, or 1:1 and 4:5 in the feed (common practice, M)
        shapes=(("landscape", (1200, 627)), ("square", (1080, 1080)), ("portrait", (1080, 1350))),
        alt_text_limit=4086,  # a third-party validator quoting LinkedIn's limit (M)
    )
    publisher = PublisherSpec(
        "cmbuild.platforms.linkedin.publisher:LinkedInPublisher",
        "cmbuild.platforms.linkedin.options:LinkedInOptions",
    )
    fold = Fold(chars=210, lines=3)
    starter = "starter.j2"
    metrics = "cmbuild.platforms.linkedin.metrics:LinkedInMetrics"
    # No direct messages through the API: a private answer falls back to the approved public one.
    inbox = "cmbuild.platforms.linkedin.inbox:LinkedInInbox"
    reply = "cmbuild.platforms.linkedin.reply:LinkedInReply"

    def length(self, text: str) -> int:
        return utf16_units(text)

    def mention(self, name: str, handle: str | None) -> str:
        """A URN handle becomes a real mention, ``@[Name](urn:li:organization:123)``."""
        if handle and handle.startswith("urn:li:"):
            shown = _RESERVED.sub(r"\\\1", name)
            return f"@[{shown}]({handle})"
        return super().mention(name, handle)

    def shown_mentions(self, text: str) -> list[tuple[int, int, str]]:
        """``@[Name](urn:li:organization:123)`` shows as the name."""
        return [
            (m.start(), m.end(), _UNESCAPE.sub(r"\1", m.group(1))) for m in _MENTION.finditer(text)
        ]

    def api_text(self, text: str) -> str:
        """The Posts API parses little text: reserved characters escaped."""
        return escape_little_text(text)
