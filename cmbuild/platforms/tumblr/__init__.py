"""Tumblr (NPF posts): no documented length limit, up to 30 images.

Sources: tumblr/docs api.md and npf-spec.md (alt text and captions 4096 characters, H); images per
post from Postiz, matching the web editor (M). Postiz caps text blocks at 4096 characters and posts
at 32,768: its own choices, not Tumblr's, so no limit is set here.
"""

from __future__ import annotations

from cmbuild.platforms.base import Platform
from cmbuild.platforms.spec import MediaSpec, PublisherSpec


class Tumblr(Platform):
    """Tumblr posts."""

    name = "tumblr"
    label = "Tumblr"
    text_limit = None
    unit = "characters"
    media = MediaSpec(
        formats=("jpeg", "png", "gif"),
        max_images=30,
        alt_text_limit=4096,  # NPF image block alt_text
    )
    publisher = PublisherSpec(
        "cmbuild.platforms.tumblr.publisher:TumblrPublisher",
        "cmbuild.platforms.tumblr.options:TumblrOptions",
    )
    starter = "starter.j2"

    def length(self, text: str) -> int:
        return len(text)
