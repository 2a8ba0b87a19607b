"""The options of an Instagram channel (`cmbuild.platforms.instagram.publisher`)."""

from __future__ import annotations

from cmbuild.platforms.options import Identifier
from cmbuild.platforms.shared.options import GraphOptions, MediaHostOptions


class InstagramOptions(GraphOptions, MediaHostOptions):
    """The professional account's id, the Graph address and version, and the media host."""

    ig_user_id: Identifier | None = None
    # the inbox also reads the conversations (Messenger, Instagram Direct): docs/inbox.md
    read_direct_messages: bool = False
