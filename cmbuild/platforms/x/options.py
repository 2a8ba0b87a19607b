"""The options of an X channel (`cmbuild.platforms.x.publisher`)."""

from __future__ import annotations

from cmbuild.platforms.shared.options import ApiOptions


class XOptions(ApiOptions):
    """`api_base` (default https://api.x.com); `conversation_search`: the inbox also searches
    the threads of the brand's posts (recent search, a paid X plan: see docs/inbox.md);
    `read_direct_messages`: the inbox also reads the account's direct messages (the token
    needs the `dm.read` scope)."""

    conversation_search: bool = False
    read_direct_messages: bool = False
