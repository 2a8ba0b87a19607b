"""The options of a Mastodon channel (`cmbuild.platforms.mastodon.publisher`)."""

from __future__ import annotations

from typing import Literal

from cmbuild.platforms.options import ChannelOptions


class MastodonOptions(ChannelOptions):
    """The server, and who sees the posts (Mastodon's four visibilities)."""

    instance: str | None = None  # the server's URL, https://...
    visibility: Literal["public", "unlisted", "private", "direct"] | None = None
