"""What a Bluesky post record (`app.bsky.feed.post`) holds besides its text: rich-text facets and
a record key. Pure functions, no client, so that they can be checked on their own.

- Bluesky does not find links or hashtags in a text: the client marks them with facets
  (`app.bsky.richtext.facet`), indexed in UTF-8 bytes, not characters (lexicons
  richtext/facet.json). Links are found as X finds them (`cmbuild.text.entities`), so the links a
  community manager sees counted are the ones made clickable.
- Posts have no idempotency key, but records have keys. A post's key is derived from the
  variant's idempotency key, so a second send of the same variant writes the same record instead
  of a new post, and the post can be looked up after a crash from the key alone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Literal

from cmbuild.text.counting import graphemes
from cmbuild.text.entities import hashtag_spans, url_spans

COLLECTION = "app.bsky.feed.post"

# The TID alphabet (base32-sortable) and the time part of the derived keys. A post's key must be
# a TID (its lexicon says `"key": "tid"`), whose top 53 bits are microseconds. Only the idempotency
# key is known when a post is looked up again, so the time part cannot be the post's own time: it
# is taken from the digest within a fixed window in the past (from 2023-01-01, 2^44 us, about
# 200 days). A key in the future might be refused by some server; one in the past never is.
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_TID_EPOCH_US = 1_672_531_200_000_000
_TID_WINDOW_BITS = 44
_TAG_MAX_GRAPHEMES = 64  # facet.json #tag: maxGraphemes 64, maxLength 640 (bytes)
_TAG_MAX_BYTES = 640


@dataclass(frozen=True)
class Facet:
    """A link or a hashtag, as a range of UTF-8 bytes of the text."""

    byte_start: int
    byte_end: int
    kind: Literal["link", "tag"]
    value: str  # the link's URI, or the tag without its `#`

    def as_json(self) -> dict[str, Any]:
        feature: dict[str, Any] = (
            {"$type": "app.bsky.richtext.facet#link", "uri": self.value}
            if self.kind == "link"
            else {"$type": "app.bsky.richtext.facet#tag", "tag": self.value}
        )
        return {
            "index": {"byteStart": self.byte_start, "byteEnd": self.byte_end},
            "features": [feature],
        }


def facets(text: str) -> list[Facet]:
    """The links (with a protocol) and hashtags of `text`, in order, without overlaps."""
    found: list[tuple[int, int, Literal["link", "tag"], str]] = [
        (start, end, "link", text[start:end]) for start, end in url_spans(text)
    ]
    for start, end in hashtag_spans(text):
        tag = text[start + 1 : end]
        # A longer tag would make the server refuse the whole post: leave it as plain text.
        if graphemes(tag) <= _TAG_MAX_GRAPHEMES and len(tag.encode()) <= _TAG_MAX_BYTES:
            found.append((start, end, "tag", tag))
    found.sort()
    result: list[Facet] = []
    last_end = 0
    for start, end, kind, value in found:
        if start < last_end:  # a `#` inside a link belongs to the link
            continue
        byte_start = len(text[:start].encode())
        byte_end = byte_start + len(text[start:end].encode())
        result.append(Facet(byte_start, byte_end, kind, value))
        last_end = end
    return result


def record_key(idempotency_key: str) -> str:
    """The TID under which the post sent with `idempotency_key` is written (13 characters)."""
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:8], "big")
    micros = _TID_EPOCH_US + ((digest >> 10) % (1 << _TID_WINDOW_BITS))
    value = (micros << 10) | (digest & 0x3FF)  # 53 bits of time, 10 of "clock id"; top bit 0
    return "".join(_TID_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(13)))
