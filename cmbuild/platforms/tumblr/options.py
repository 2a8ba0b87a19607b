"""The options of a Tumblr channel (`cmbuild.platforms.tumblr.publisher`)."""

from __future__ import annotations

from cmbuild.platforms.shared.options import ApiOptions


class TumblrOptions(ApiOptions):
    """`blog`: the blog's name or address."""

    blog: str | None = None
