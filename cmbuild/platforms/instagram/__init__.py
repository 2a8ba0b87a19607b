"""Instagram (professional accounts, feed and carousel posts): 2200 characters, 5 hashtags, JPEG.

Links in captions are not clickable, and every post needs an image. Sources:
developers.facebook.com Instagram content publishing (alt_text since 2025-03-24, H) and ads media
requirements (2200 caption, aspect ratio 4:5 to 1.91:1, H); hashtags cut from 30 to 5 per post on
2025-12-19 (Mosseri's announcement in the press; Ayrshare's 2026 pages agree, M/H); size, widths
and alt text length from Ayrshare (M). The counting unit is not documented: UTF-16 code units are
assumed (L).
"""

from __future__ import annotations

from cmbuild.platforms.base import Platform
from cmbuild.platforms.spec import Fold, MediaSpec, PublisherSpec
from cmbuild.text.counting import utf16_units


class Instagram(Platform):
    """Instagram image and carousel posts."""

    name = "instagram"
    # Instagram private replies to a comment (Graph `/{ig-user-id}/messages`)
    direct_messages = True
    label = "Instagram"
    text_limit = 2200
    unit = "utf-16 units"  # assumed (L)
    links_clickable = False
    # 5 since 2025-12-19; the API reference still says 30, which Instagram no longer accepts.
    hashtag_limit = 5
    media = MediaSpec(
        formats=("jpeg",),  # the official API takes JPEG only (others convert before upload)
        max_images=10,  # a single image, or a carousel of 2-10 through the API
        max_bytes=8_000_000,
        min_width=320,  # narrower images are scaled up, wider ones down to 1440
        max_width=1440,
        aspect_min=0.8,  # 4:5
        aspect_max=1.91,
        recommended=(1080, 1350),
        # 4:5, 1:1 and 1.91:1 as Instagram documents them (ig-ads, M)
        shapes=(("portrait", (1080, 1350)), ("square", (1080, 1080)), ("landscape", (1080, 566))),
        alt_text_limit=1000,  # `alt_text`, images only (length: Ayrshare, M)
        requires_image=True,
    )
    metrics = "cmbuild.platforms.instagram.metrics:InstagramMetrics"
    inbox = "cmbuild.platforms.instagram.inbox:InstagramInbox"
    reply = "cmbuild.platforms.instagram.reply:InstagramReply"
    publisher = PublisherSpec(
        "cmbuild.platforms.instagram.publisher:InstagramPublisher",
        "cmbuild.platforms.instagram.options:InstagramOptions",
    )
    fold = Fold(chars=125, lines=2)
    starter = "starter.j2"

    def length(self, text: str) -> int:
        return utf16_units(text)
