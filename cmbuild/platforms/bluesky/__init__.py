"""Bluesky (app.bsky.feed.post): 300 grapheme clusters and 3000 UTF-8 bytes, both enforced.

A link counts as displayed: Bluesky does not shorten links, although a link facet may show a shorter
text than its URI. Sources: bluesky-social/atproto lexicons app/bsky/feed/post.json (`maxGraphemes:
300`, `maxLength: 3000`, in UTF-8 bytes per lexicon/src/validators/primitives.ts) and
embed/images.json; the official app's constants for alt text (confidence H unless noted).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from cmbuild.platforms.base import Platform
from cmbuild.platforms.checks import SHORTEN_HINT, over_limit
from cmbuild.platforms.spec import MediaSpec, Problem, PublisherSpec
from cmbuild.text.counting import graphemes, utf8_bytes
from cmbuild.text.truncate import truncate_to_fit


class Bluesky(Platform):
    """Bluesky posts: a grapheme limit for readers and a byte limit for the protocol."""

    name = "bluesky"
    label = "Bluesky"
    text_limit = 300
    unit = "graphemes"
    byte_limit: ClassVar[int] = 3000  # the lexicon's maxLength, counted in UTF-8 bytes
    media = MediaSpec(
        formats=("jpeg", "png", "webp"),  # the lexicon accepts image/*; these display everywhere
        max_images=4,
        # 2,000,000 since 2026-04-08 (atproto d8801e2), but older PDS deployments still reject
        # images over 1,000,000: staying under the old limit costs little at 2000 px.
        max_bytes=1_000_000,
        max_width=2000,  # the app resizes to at most 2000x2000 (M)
        max_height=2000,
        alt_text_limit=2000,  # the official app's cap; the protocol sets none
    )
    metrics = "cmbuild.platforms.bluesky.metrics:BlueskyMetrics"
    activity = "cmbuild.platforms.bluesky.activity:BlueskyActivity"
    direct_messages = True  # chat.bsky.convo.sendMessage (cmbuild.platforms.bluesky.message)
    inbox = "cmbuild.platforms.bluesky.inbox:BlueskyInbox"
    reply = "cmbuild.platforms.bluesky.reply:BlueskyReply"
    publisher = PublisherSpec(
        "cmbuild.platforms.bluesky.publisher:BlueskyPublisher",
        "cmbuild.platforms.bluesky.options:BlueskyOptions",
    )
    starter = "starter.j2"

    def length(self, text: str) -> int:
        return graphemes(text)

    def check(
        self, text: str, fields: Mapping[str, str], alt_texts: Sequence[str | None]
    ) -> list[Problem]:
        problems = super().check(text, fields, alt_texts)
        size = utf8_bytes(text)
        if size > self.byte_limit:
            problems.append(
                Problem(
                    "platform.bytes",
                    "error",
                    over_limit(size, self.byte_limit, "utf-8 bytes"),
                    hint=SHORTEN_HINT,
                )
            )
        return problems

    def truncate(self, text: str, limit: int, ellipsis: str = "…") -> str:
        def length(candidate: str) -> int:
            # Over the byte limit counts as too long whatever the grapheme count.
            if utf8_bytes(candidate) > self.byte_limit:
                return limit + 1
            return graphemes(candidate)

        return truncate_to_fit(text, limit, length, ellipsis)
