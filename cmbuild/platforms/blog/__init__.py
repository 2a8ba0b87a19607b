"""The brand's blog: an HTML page, no length limit.

The blog is the brand's own site, so no platform sets its limits; the image bounds here are sanity
checks, not rules of a service.
"""

from __future__ import annotations

from types import MappingProxyType

from cmbuild.platforms.base import Platform
from cmbuild.platforms.spec import MediaSpec, PublisherSpec


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
    publisher = PublisherSpec(
        "cmbuild.platforms.blog.publisher:BlogPublisher",
        "cmbuild.platforms.blog.options:BlogOptions",
    )
    alternatives = MappingProxyType(
        {
            "wordpress": PublisherSpec(
                "cmbuild.platforms.blog.wordpress:WordPressPublisher",
                "cmbuild.platforms.blog.options:WordPressOptions",
                inbox="cmbuild.platforms.blog.inbox:WordPressInbox",
                reply="cmbuild.platforms.blog.reply:WordPressReply",
            )
        }
    )
    starter = "starter.html.j2"

    def length(self, text: str) -> int:
        return len(text)
