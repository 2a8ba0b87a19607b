"""The brand's newsletter: an HTML e-mail, no length limit.

No platform sets its limits; the image formats are those every mail client shows (WebP is not), and
the bounds are sanity checks.
"""

from __future__ import annotations

from cmbuild.platforms.base import Platform
from cmbuild.platforms.spec import MediaSpec, PublisherSpec


class Newsletter(Platform):
    """Newsletter issues, rendered as HTML."""

    name = "newsletter"
    label = "Newsletter"
    text_format = "html"
    extension = ".html"
    text_limit = None
    unit = "characters"
    media = MediaSpec(
        formats=("jpeg", "png", "gif"),
        max_images=50,
        recommended=(1200, 630),
        shapes=(("landscape", (1200, 630)),),
        # HTML sets no limit; past a few sentences an alt text should be a caption instead.
        alt_text_limit=1000,
    )
    publisher = PublisherSpec(
        "cmbuild.platforms.newsletter.publisher:Newsletter",
        "cmbuild.platforms.newsletter.options:NewsletterOptions",
    )
    utm_medium = "email"
    direct_messages = True  # an answer by e-mail goes to its reader alone
    inbox = "cmbuild.platforms.newsletter.inbox:NewsletterInbox"  # where options.imap_host is set
    reply = "cmbuild.platforms.newsletter.reply:NewsletterReply"
    starter = "starter.html.j2"

    def length(self, text: str) -> int:
        return len(text)
