"""Pinterest (API v5 pins): a description of 500 characters, a title of 100, and an image.

The variant's text is the pin's description; its `title` field is the pin's title. Links in the
description are not clickable (the pin's `link` is). Sources: pinterest/api-description v5
openapi.json (PinCreate maxLength: title 100, description 800, alt_text 500, link 2048; carousels
of 2-5 images; H) and Ayrshare's media guidelines (20 MB, 2:3, M).
"""

from __future__ import annotations

from cmbuild.platforms.base import Platform
from cmbuild.platforms.spec import FieldSpec, MediaSpec, PublisherSpec
from cmbuild.text.counting import utf16_units


class Pinterest(Platform):
    """Pins: description, title and one image (or a carousel of up to five)."""

    name = "pinterest"
    label = "Pinterest"
    # The OpenAPI description allows 800 since v5.12.0 (2024-02), but Postiz, Ayrshare and
    # upload-post still enforce the former 500: sources disagree, and 500 passes either way.
    text_limit = 500
    unit = "utf-16 units"  # assumed: JSON Schema maxLength; the service is not documented (L)
    links_clickable = False
    fields = (FieldSpec("title", 100, "utf-16 units", note="PinCreate.title maxLength 100 (H)"),)
    media = MediaSpec(
        # image_base64 takes these two; image URLs also take webp, gif, bmp and tiff.
        formats=("jpeg", "png"),
        max_images=5,  # a carousel of 2-5 (multiple_image_urls / multiple_image_base64)
        max_bytes=20_000_000,
        recommended=(1000, 1500),  # 2:3
        shapes=(("portrait", (1000, 1500)), ("square", (1000, 1000))),
        # Pinterest shows 2:3 pins best (its own guidelines); a landscape pin is shown small.
        default_shape="portrait",
        alt_text_limit=500,
        requires_image=True,
    )
    publisher = PublisherSpec(
        "cmbuild.platforms.pinterest.publisher:PinterestPublisher",
        "cmbuild.platforms.pinterest.options:PinterestOptions",
    )
    starter = "starter.j2"
    metrics = "cmbuild.platforms.pinterest.metrics:PinterestMetrics"

    def length(self, text: str) -> int:
        return utf16_units(text)
