"""Facebook Pages: 63,206 characters, clickable links, photos up to 4 MB.

Sources: developers.facebook.com/documentation/pages-api/posts (publishing, H); the 63,206 limit
from Postiz and Ayrshare (M, widely cited but not on an official page); photo size from the Graph
error 1366046 "smaller than 4 MB" (Late says 10 MB: the lower value is kept). The counting unit is
not documented: UTF-16 code units are assumed (L).
"""

from __future__ import annotations

from cmbuild.platforms.base import Platform
from cmbuild.platforms.spec import Fold, MediaSpec, PublisherSpec
from cmbuild.text.counting import utf16_units


class Facebook(Platform):
    """Posts on a Facebook Page."""

    name = "facebook"
    # Messenger private replies to a Page comment (Graph `/{page-id}/messages`)
    direct_messages = True
    label = "Facebook"
    text_limit = 63_206
    unit = "utf-16 units"  # assumed (L)
    media = MediaSpec(
        formats=("jpeg", "png", "gif", "tiff", "heif", "webp"),
        max_images=10,  # multi-photo posts through attached_media; 10 per third parties (M)
        max_bytes=4_000_000,
        recommended=(1200, 630),  # 1.91:1 for link images; 1080x1080 or 1080x1350 in the feed
        shapes=(("landscape", (1200, 630)), ("square", (1080, 1080)), ("portrait", (1080, 1350))),
        alt_text_limit=None,  # the Pages API takes no alt text
    )
    publisher = PublisherSpec(
        "cmbuild.platforms.facebook.publisher:FacebookPublisher",
        "cmbuild.platforms.facebook.options:FacebookOptions",
    )
    fold = Fold(chars=480, lines=5)
    starter = "starter.j2"
    metrics = "cmbuild.platforms.facebook.metrics:FacebookMetrics"
    inbox = "cmbuild.platforms.facebook.inbox:FacebookInbox"
    reply = "cmbuild.platforms.facebook.reply:FacebookReply"

    def length(self, text: str) -> int:
        return utf16_units(text)
