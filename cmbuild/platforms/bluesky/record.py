"""What a Bluesky post record (`app.bsky.feed.post`) holds besides its text: rich-text facets and
a record key. Pure functions, no client, so that they can be checked on their own.

- Bluesky does not find links or hashtags in a text: the client marks them with facets
  (`app.bsky.richtext.facet`), indexed in UTF-8 bytes, not characters (lexicons
  richtext/facet.json). Links are found as X finds them (`cmbuild.text.entities`), so the links a
  community manager sees counted are the ones made clickable.
- Mentions are found as the Bluesky app finds them (the `atproto` library's port of its detector:
  `@` after a space or `(`, then a handle with a known top-level domain, or `.test`). A mention
  facet names the account by its DID, which only a server knows: the publisher resolves the
  handles and passes the DIDs in; a handle without one stays plain text.
- Posts have no idempotency key, but records have keys. A post's key is derived from the
  variant's idempotency key, so a second send of the same variant writes the same record instead
  of a new post, and the post can be looked up after a crash from the key alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from atproto_client.utils import detect_mentions  # type: ignore[import-untyped]

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


FacetKind = Literal["link", "tag", "mention"]
_NO_DIDS: Mapping[str, str] = MappingProxyType({})
# The lexicon's field that holds each kind's value (facet.json #link, #tag, #mention).
_FEATURE_FIELD: dict[FacetKind, str] = {"link": "uri", "tag": "tag", "mention": "did"}


@dataclass(frozen=True)
class Facet:
    """A link, a hashtag or a mention, as a range of UTF-8 bytes of the text."""

    byte_start: int
    byte_end: int
    kind: FacetKind
    value: str  # the link's URI, the tag without its `#`, or the mentioned account's DID

    def as_json(self) -> dict[str, Any]:
        feature = {
            "$type": f"app.bsky.richtext.facet#{self.kind}",
            _FEATURE_FIELD[self.kind]: self.value,
        }
        return {
            "index": {"byteStart": self.byte_start, "byteEnd": self.byte_end},
            "features": [feature],
        }


def mentioned_handles(text: str) -> list[str]:
    """The handles `text` mentions, in order, each once, in lower case (handles ignore case)."""
    return list(dict.fromkeys(match.handle.lower() for match in detect_mentions(text)))


def facets(text: str, dids: Mapping[str, str] = _NO_DIDS) -> list[Facet]:
    """The links (with a protocol), hashtags and mentions of `text`, in order, without overlaps.

    `dids` maps each handle (lower case) to its account's DID; a mention of a handle missing
    from it gets no facet.
    """
    found: list[Facet] = [
        _facet(text, start, end, "link", text[start:end]) for start, end in url_spans(text)
    ]
    for start, end in hashtag_spans(text):
        tag = text[start + 1 : end]
        # A longer tag would make the server refuse the whole post: leave it as plain text.
        if graphemes(tag) <= _TAG_MAX_GRAPHEMES and len(tag.encode()) <= _TAG_MAX_BYTES:
            found.append(_facet(text, start, end, "tag", tag))
    for match in detect_mentions(text) if dids else ():
        did = dids.get(match.handle.lower())
        if did:
            found.append(Facet(match.byte_start, match.byte_end, "mention", did))
    # Byte offsets keep the order of character offsets, so overlaps are found the same way.
    found.sort(key=lambda facet: (facet.byte_start, facet.byte_end))
    result: list[Facet] = []
    last_end = 0
    for facet in found:
        if facet.byte_start < last_end:  # a `#` or `@` inside a link belongs to the link
            continue
        result.append(facet)
        last_end = facet.byte_end
    return result


def _facet(text: str, start: int, end: int, kind: FacetKind, value: str) -> Facet:
    """A facet over the characters [start, end) of `text`, in UTF-8 bytes."""
    byte_start = len(text[:start].encode())
    return Facet(byte_start, byte_start + len(text[start:end].encode()), kind, value)


def record_key(idempotency_key: str) -> str:
    """The TID under which the post sent with `idempotency_key` is written (13 characters)."""
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:8], "big")
    micros = _TID_EPOCH_US + ((digest >> 10) % (1 << _TID_WINDOW_BITS))
    value = (micros << 10) | (digest & 0x3FF)  # 53 bits of time, 10 of "clock id"; top bit 0
    return "".join(_TID_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(13)))
