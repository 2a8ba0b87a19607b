"""The brand's blog: an HTML page, no length limit.

The blog is the brand's own site, so no platform sets its limits; the image bounds here are sanity
checks, not rules of a service.
"""

from __future__ import annotations

from cmbuild.platforms.base import MediaSpec, Platform


class Blog(Platform):
    """Blog articles, rendered as HTML."""

    name = "blog"
    label = "Blog"
    text_format = "html"
    extension = ".html"
    tags_links = False  # the brand's own site: internal links carry no UTM
    text_limit = None
    unit = "characters"
    media = MediaSpec(
        formats=("jpeg", "png", "webp"),
        max_images=50,
        recommended=(1200, 630),  # the size link previews (Open Graph) use
        shapes=(("landscape", (1200, 630)),),
        # HTML sets no limit; past a few sentences an alt text should be a caption instead.
        alt_text_limit=1000,
    )

    def length(self, text: str) -> int:
        return len(text)
