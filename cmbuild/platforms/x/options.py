"""The options of an X channel (`cmbuild.platforms.x.publisher`)."""

from __future__ import annotations

from cmbuild.platforms.shared.options import ApiOptions


class XOptions(ApiOptions):
    """`api_base` (default https://api.x.com); `conversation_search`: the inbox also searches
    the threads of the brand's posts (recent search, a paid X plan: see docs/inbox.md)."""

    conversation_search: bool = False
