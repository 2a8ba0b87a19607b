"""X's figures: `GET /2/tweets?ids=...&tweet.fields=public_metrics` (up to 100 ids a call) and
`GET /2/users/me?user.fields=public_metrics` for the followers.

`non_public_metrics` and `organic_metrics` (impressions, link clicks, profile clicks) are asked
for posts under 30 days old: X serves them only for the token's own posts, and only for 30 days
after publication (docs.x.com, "Metrics": "non_public_metrics ... only available for Posts
created in the last 30 days"). A token that may not read them gets the public figures only.
A post X no longer has comes back in `errors` (`resource_id`, "Not Found Error"): gone.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from cmbuild.platforms.shared.metrics import (
    MetricsReader,
    MetricValue,
    PostFigures,
    PostRef,
    figures,
    tables,
)
from cmbuild.platforms.shared.publisher import PublishError
from cmbuild.platforms.x.publisher import XPublisher

PRIVATE_FOR = timedelta(days=30)

TABLES = tables(__name__)
PUBLIC = TABLES["public"]
PRIVATE = TABLES["private"]


class XMetrics(MetricsReader[XPublisher]):
    api = "x-api-v2 GET /2/tweets"
    posts = PUBLIC + PRIVATE
    channel = TABLES["channel"]
    batch = 100  # GET /2/tweets: ids maxItems 100

    def __init__(self, publisher: XPublisher) -> None:
        super().__init__(publisher)
        self._private_refused = False

    def read_posts(self, refs: Sequence[PostRef], now: datetime) -> dict[str, PostFigures]:
        recent = [r for r in refs if now - r.published_at < PRIVATE_FOR]
        public = [r for r in refs if now - r.published_at >= PRIVATE_FOR]
        found: dict[str, PostFigures] = {}
        if recent and not self._private_refused:
            try:
                found.update(self._read(recent, private=True))
            except PublishError as error:
                if error.kind != "auth" and error.status not in (400, 403):
                    raise
                self._private_refused = True  # this token reads public figures only
        if self._private_refused:
            public = list(refs)
        found.update(self._read(public, private=False))
        return found

    def read_channel(self) -> Mapping[str, MetricValue]:
        answer = self.publisher.call(
            "read the account's figures", "GET", "/2/users/me?user.fields=public_metrics"
        )
        return figures(self.channel, _flat(answer.get("data") or {}))

    def _read(self, refs: Sequence[PostRef], private: bool) -> dict[str, PostFigures]:
        if not refs:
            return {}
        fields = (
            "public_metrics,non_public_metrics,organic_metrics" if private else "public_metrics"
        )
        query = urllib.parse.urlencode(
            {"ids": ",".join(r.remote_id for r in refs), "tweet.fields": fields}
        )
        answer = self.publisher.call("read the posts' figures", "GET", f"/2/tweets?{query}")
        table = self.posts if private else PUBLIC
        found: dict[str, PostFigures] = {}
        for post in answer.get("data") or []:
            if isinstance(post, dict) and isinstance(post.get("id"), str):
                values = figures(table, _flat(post))
                found[post["id"]] = PostFigures({m.name: values.get(m.name) for m in self.posts})
        for error in answer.get("errors") or []:
            if isinstance(error, dict) and _not_found(error):
                found[str(error.get("resource_id") or error.get("value"))] = PostFigures({}, True)
        return found


def _not_found(error: Mapping[str, Any]) -> bool:
    kind = str(error.get("type") or "")
    return kind.endswith("/resource-not-found") or error.get("title") == "Not Found Error"


def _flat(data: Mapping[str, Any]) -> dict[str, object]:
    """`{"public_metrics": {"like_count": 3}}` as `{"public_metrics.like_count": 3}`."""
    flat: dict[str, object] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{inner}": v for inner, v in value.items()})
    return flat
