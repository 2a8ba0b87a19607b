"""The options of a Facebook Page channel (`cmbuild.platforms.facebook.publisher`)."""

from __future__ import annotations

from cmbuild.platforms.options import Identifier
from cmbuild.platforms.shared.options import GraphOptions


class FacebookOptions(GraphOptions):
    """The Page's id, and the Graph address and version."""

    page_id: Identifier | None = None
    # the inbox also reads the conversations (Messenger, Instagram Direct): docs/inbox.md
    read_direct_messages: bool = False
