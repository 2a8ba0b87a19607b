"""Instagram's figures: `GET /{ig-media-id}/insights` (the metric names are those of the Graph
API's IG Media Insights reference, as Meta's own SDK `facebook-business` lists them for
`IGMedia.get_insights`) and `GET /{ig-user-id}?fields=followers_count`."""

from __future__ import annotations

from collections.abc import Mapping

from cmbuild.platforms.shared.insights import GraphInsights
from cmbuild.platforms.shared.metrics import Metric, MetricValue, figures


class InstagramMetrics(GraphInsights):
    api = "instagram-graph GET /{ig-media-id}/insights"
    posts = (
        Metric("views", "views", "times the post was shown (replaces impressions since 2025)"),
        Metric("reach", "reach", "accounts that saw the post"),
        Metric("likes", "likes", "likes"),
        Metric("comments", "comments", "comments"),
        Metric("saved", "saved", "saves"),
        Metric("shares", "shares", "shares"),
        Metric("total_interactions", "total_interactions", "likes, saves, comments and shares"),
        Metric("profile_visits", "profile_visits", "profile visits from the post"),
        Metric("follows", "follows", "follows from the post"),
    )
    channel = (Metric("followers", "followers_count", "followers"),)

    def read_channel(self) -> Mapping[str, MetricValue]:
        user = self.publisher.user_id
        answer = self.graph.get("read the account's figures", user, {"fields": "followers_count"})
        return figures(self.channel, answer)
