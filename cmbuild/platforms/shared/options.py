"""Channel options shared by several platforms: Meta's Graph, the S3 media host, the webhook."""

from __future__ import annotations

from cmbuild.platforms.options import ChannelOptions


class ApiOptions(ChannelOptions):
    """A publisher that talks to one HTTP API; a channel may point it elsewhere (a test)."""

    api_base: str | None = None


class GraphOptions(ApiOptions):
    """Meta's Graph APIs (Facebook, Instagram, Threads)."""

    graph_version: str | None = None


class MediaHostOptions(ChannelOptions):
    """Where a platform that downloads images finds them (`cmbuild.platforms.shared.mediahost`)."""

    media_bucket: str | None = None
    media_public_url: str | None = None
    media_endpoint: str | None = None
    media_region: str | None = None
    media_prefix: str | None = None


class WebhookOptions(ChannelOptions):
    """The generic webhook (`options.publisher = "webhook"`), on a channel of any platform."""

    webhook_url: str | None = None
    media_base_url: str | None = None
