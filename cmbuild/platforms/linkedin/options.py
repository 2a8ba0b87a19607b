"""The options of a LinkedIn channel (`cmbuild.platforms.linkedin.publisher`)."""

from __future__ import annotations

from cmbuild.platforms.shared.options import ApiOptions


class LinkedInOptions(ApiOptions):
    """`author`: urn:li:organization:ID or urn:li:person:ID."""

    author: str | None = None
