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
    MetricsReader,
    MetricValue,
    PostFigures,
    PostRef,
    figures,
    read_each,
)


class MastodonMetrics(MetricsReader[MastodonPublisher]):
    api = "mastodon GET /api/v1/statuses/:id"

    def read_posts(self, refs: Sequence[PostRef], now: datetime) -> dict[str, PostFigures]:
        del now

        def read(ref: PostRef) -> PostFigures:
            status = self.publisher.read("read the post's figures", _status(ref.remote_id))
            return PostFigures(figures(self.posts, dict(status)))

        return read_each(refs, read, gone=(404, 410))

    def read_channel(self) -> Mapping[str, MetricValue]:
        account = self.publisher.read(
            "read the account's figures", lambda api: api.account_verify_credentials()
        )
        return figures(self.channel, dict(account))


def _status(remote_id: str) -> Callable[[Mastodon], Any]:
    return lambda api: api.status(remote_id)
