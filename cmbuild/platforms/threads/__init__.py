"""Threads (Meta): 500 characters, each emoji counted as its UTF-8 bytes, five links, one topic tag.

Meta's posts documentation says "Emojis are counted as the number of UTF-8 bytes" while pointing to
a grapheme splitter; we take the conservative reading: a grapheme cluster counts 1, an emoji
sequence its UTF-8 length (a flag 8, a family 18). Sources: developers.facebook.com/documentation/
threads posts (2026-04-14) and text attachments (2026-07-02), link limit enforced since 2025-12-22
(confidence H for the limits, M for emoji); topic tag and media from Ayrshare and Late/Zernio (M).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from cmbuild.platforms.base import Platform
from cmbuild.platforms.spec import MediaSpec, Problem, PublisherSpec
from cmbuild.text.counting import graphemes, utf8_bytes
from cmbuild.text.entities import emoji_spans, urls


class Threads(Platform):
    """Threads posts."""

    name = "threads"
    label = "Threads"
    text_limit = 500
    unit = "characters"
    # One topic tag per post: the API's `topic_tag` field or the first hashtag (M).
    hashtag_limit = 1
    max_links: ClassVar[int] = 5  # unique links; more fail with THREADS_API__LINK_LIMIT_EXCEEDED
    media = MediaSpec(
        formats=("jpeg", "png"),
        max_images=20,  # carousel of 2-20 (Ayrshare, Late; Zernio's SDK docs say 10)
        max_bytes=8_000_000,
        min_width=320,
        max_width=1440,
        aspect_min=0.1,
        aspect_max=10.0,
        recommended=(1080, 1350),
        shapes=(("portrait", (1080, 1350)), ("square", (1080, 1080))),
        # The API takes `alt_text`, but no length limit was found (L): Instagram's 1000, the same
        # company's, stands in until one is.
        alt_text_limit=1000,
    )
    metrics = "cmbuild.platforms.threads.metrics:ThreadsMetrics"
    publisher = PublisherSpec(
        "cmbuild.platforms.threads.publisher:ThreadsPublisher",
        "cmbuild.platforms.threads.options:ThreadsOptions",
    )
    starter = "starter.j2"

    def length(self, text: str) -> int:
        extra = sum(utf8_bytes(text[start:end]) - 1 for start, end in emoji_spans(text))
        return graphemes(text) + extra

    def check(
        self, text: str, fields: Mapping[str, str], alt_texts: Sequence[str | None]
    ) -> list[Problem]:
        problems = super().check(text, fields, alt_texts)
        # Bare domains are counted too: Threads links them, and a false link errs on the safe side.
        links = list(dict.fromkeys(urls(text, without_protocol=True)))
        if len(links) > self.max_links:
            problems.append(
                Problem(
                    "platform.links",
                    "error",
                    f"{len(links)} different links: {self.label} takes at most {self.max_links}",
                    hint="remove links, or keep the details on a page linked once",
                )
            )
        return problems
