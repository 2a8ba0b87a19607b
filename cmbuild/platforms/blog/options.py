"""The options of a blog channel: a static site folder, or WordPress (`options.publisher`)."""

from __future__ import annotations

from typing import Literal

from cmbuild.platforms.options import ChannelOptions


class BlogOptions(ChannelOptions):
    """The static site (`cmbuild.platforms.blog.publisher`): its folder, address and feed."""

    site_dir: str | None = None
    base_url: str | None = None
    feed: str | None = None
    feed_title: str | None = None


class WordPressOptions(ChannelOptions):
    """WordPress (`cmbuild.platforms.blog.wordpress`): the site, and how articles go out."""

    site: str | None = None
    status: Literal["publish", "draft", "future"] | None = None
    category: str | None = None
    api_root: str | None = None
