"""The options of an X channel (`cmbuild.platforms.x.publisher`)."""

from __future__ import annotations

from cmbuild.platforms.shared.options import ApiOptions


class XOptions(ApiOptions):
    """`api_base` (default https://api.x.com)."""
