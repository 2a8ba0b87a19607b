"""The options of a Bluesky channel (`cmbuild.platforms.bluesky.publisher`)."""

from __future__ import annotations

from cmbuild.platforms.options import ChannelOptions


class BlueskyOptions(ChannelOptions):
    """`service`: the account's PDS (default https://bsky.social); `read_direct_messages`: the
    inbox also reads the account's direct messages (an app password with access to them);
    `chat_service`: the DID of the chat service the account's server forwards direct messages
    to (default did:web:api.bsky.chat, Bluesky's own)."""

    service: str | None = None
    read_direct_messages: bool = False
    chat_service: str | None = None
