"""Mastodon: 500 grapheme clusters by default, every link 23, a remote mention counts as `@user`.

Every instance sets its own limits (glitch-soc and Hometown forks commonly raise the text limit);
the values here are upstream's defaults, which `GET /api/v2/instance` (configuration.statuses and
configuration.media_attachments) overrides at publish time. Sources: mastodon/documentation
Instance.md (v4.4 example values) and mastodon/mastodon StatusLengthValidator (confidence H).
"""

from __future__ import annotations

from cmbuild.platforms.base import Platform
from cmbuild.platforms.spec import MediaSpec, PublisherSpec
from cmbuild.text.counting import mastodon_length


class Mastodon(Platform):
    """Mastodon statuses, counted as the server's StatusLengthValidator counts them."""

    name = "mastodon"
    # a status with `visibility = direct` reaches only the people it mentions
    direct_messages = True
    label = "Mastodon"
    text_limit = 500  # configuration.statuses.max_characters (upstream default; per instance)
    unit = "graphemes"
    media = MediaSpec(
        formats=("jpeg", "png", "gif", "heic", "heif", "webp", "avif"),
        max_images=4,  # max_media_attachments
        max_bytes=16_777_216,  # image_size_limit, 16 MiB (older instances: 10 MiB)
        max_pixels=33_177_600,  # image_matrix_limit, 7680x4320 (older instances: 4096x4096)
        alt_text_limit=1500,  # description_limit
    )
    metrics = "cmbuild.platforms.mastodon.metrics:MastodonMetrics"
    activity = "cmbuild.platforms.mastodon.activity:MastodonActivity"
    inbox = "cmbuild.platforms.mastodon.inbox:MastodonInbox"
    reply = "cmbuild.platforms.mastodon.reply:MastodonReply"
    publisher = PublisherSpec(
        "cmbuild.platforms.mastodon.publisher:MastodonPublisher",
        "cmbuild.platforms.mastodon.options:MastodonOptions",
    )
    starter = "starter.j2"

    def length(self, text: str) -> int:
        # The content warning counts too; variants carry none, so it is empty here.
        return mastodon_length(text)
