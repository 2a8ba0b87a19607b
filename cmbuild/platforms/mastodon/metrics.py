"""Mastodon's figures: `GET /api/v1/statuses/:id` (favourites, reblogs and replies, as the
post's own server counts them) and `GET /api/v1/accounts/verify_credentials` (followers).
Mastodon gives no impressions. A status the server answers 404 for was deleted: gone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from mastodon import Mastodon

from cmbuild.platforms.mastodon.publisher import MastodonPublisher
from cmbuild.platforms.shared.metrics import (
    Metric,
    MetricsReader,
    MetricValue,
    PostFigures,
    PostRef,
    figures,
)
from cmbuild.platforms.shared.publisher import PublishError


class MastodonMetrics(MetricsReader[MastodonPublisher]):
    api = "mastodon GET /api/v1/statuses/:id"
    posts = (
        Metric("favourites", "favourites_count", "favourites (likes)"),
        Metric("reblogs", "reblogs_count", "boosts"),
        Metric("replies", "replies_count", "replies"),
        Metric("quotes", "quotes_count", "quote posts (servers from 4.5 on)"),
    )
    channel = (
        Metric("followers", "followers_count", "followers"),
        Metric("posts", "statuses_count", "posts on the account"),
    )

    def read_posts(self, refs: Sequence[PostRef], now: datetime) -> dict[str, PostFigures]:
        del now
        found: dict[str, PostFigures] = {}
        for ref in refs:
            try:
                status = self.publisher.read("read the post's figures", _status(ref.remote_id))
            except PublishError as error:
                if error.status in (404, 410):
                    found[ref.remote_id] = PostFigures({}, gone=True)
                    continue
                raise
            found[ref.remote_id] = PostFigures(figures(self.posts, dict(status)))
        return found

    def read_channel(self) -> Mapping[str, MetricValue]:
        account = self.publisher.read(
            "read the account's figures", lambda api: api.account_verify_credentials()
        )
        return figures(self.channel, dict(account))


def _status(remote_id: str) -> Callable[[Mastodon], Any]:
    return lambda api: api.status(remote_id)
