"""The options of a Bluesky channel (`cmbuild.platforms.bluesky.publisher`)."""

from __future__ import annotations

from cmbuild.platforms.options import ChannelOptions


class BlueskyOptions(ChannelOptions):
    """`service`: the account's PDS (default https://bsky.social)."""

    service: str | None = None
