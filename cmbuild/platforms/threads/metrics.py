"""Threads' figures: `GET /{threads-media-id}/insights` (views, likes, replies, reposts, quotes,
shares: the metrics of the Threads API's media insights reference,
https://developers.facebook.com/docs/threads/insights) and the account's followers from
`GET /{threads-user-id}/threads_insights?metric=followers_count`."""

from __future__ import annotations

from collections.abc import Mapping

from cmbuild.platforms.shared.insights import GraphInsights, value_of
from cmbuild.platforms.shared.metrics import MetricValue


class ThreadsMetrics(GraphInsights):
    api = "threads-graph GET /{threads-media-id}/insights"

    def read_channel(self) -> Mapping[str, MetricValue]:
        answer = self.graph.get(
            "read the account's followers",
            f"{self.publisher.user_id}/threads_insights",
            {"metric": ["followers_count"]},
        )
        for item in answer.get("data") or []:
            if isinstance(item, dict) and item.get("name") == "followers_count":
                return {"followers": value_of(item)}
        return {"followers": None}
