"""X (formerly Twitter): 280 weighted characters, every link 23, four images.

Counting is twitter-text v3's (`cmbuild.text.counting.x_weighted_length`), checked against the
official JavaScript library in tests/platforms/x/test_oracle.py. Sources: twitter/twitter-text
config/v3.json and docs.x.com "Counting characters", media best practices and the API's OpenAPI
description (confidence H unless noted).
"""

from __future__ import annotations

from cmbuild.platforms.base import Platform
from cmbuild.platforms.spec import MediaSpec, PublisherSpec
from cmbuild.text.counting import x_weighted_length


class X(Platform):
    """X posts: weighted length (CJK and emoji weigh 2, a link 23)."""

    name = "x"
    # POST /2/dm_conversations/with/:participant_id/messages, or /2/dm_conversations/:id/messages
    # for a group conversation (X API v2 Direct Messages)
    direct_messages = True
    label = "X"
    # maxWeightedTweetLength. Premium accounts may post up to 25,000 (Ayrshare, M; the X API docs do
    # not give it): channels are held to the limit every account has.
    text_limit = 280
    unit = "weighted characters"
    media = MediaSpec(
        formats=("jpeg", "png", "gif", "webp"),
        max_images=4,  # or 1 animated GIF, or 1 video
        max_bytes=5_000_000,  # 15 MB for an animated GIF
        alt_text_limit=1000,  # POST /2/media/metadata alt_text.text maxLength
        recommended=(1600, 900),  # 16:9 shows uncropped in the timeline (common practice, M)
        shapes=(("landscape", (1600, 900)),),
    )
    metrics = "cmbuild.platforms.x.metrics:XMetrics"
    inbox = "cmbuild.platforms.x.inbox:XInbox"
    reply = "cmbuild.platforms.x.reply:XReply"
    publisher = PublisherSpec(
        "cmbuild.platforms.x.publisher:XPublisher",
        "cmbuild.platforms.x.options:XOptions",
    )
    links_without_protocol = True  # X links `example.org/page` as it is typed
    starter = "starter.j2"

    def length(self, text: str) -> int:
        return x_weighted_length(text)
