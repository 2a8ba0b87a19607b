"""Instagram's figures: `GET /{ig-media-id}/insights` (the metric names are those of the Graph
API's IG Media Insights reference, as Meta's own SDK `facebook-business` lists them for
`IGMedia.get_insights`) and `GET /{ig-user-id}?fields=followers_count`."""

from __future__ import annotations

from collections.abc import Mapping

from cmbuild.platforms.shared.insights import GraphInsights
from cmbuild.platforms.shared.metrics import MetricValue, figures


class InstagramMetrics(GraphInsights):
    api = "instagram-graph GET /{ig-media-id}/insights"

    def read_channel(self) -> Mapping[str, MetricValue]:
        user = self.publisher.user_id
        answer = self.graph.get("read the account's figures", user, {"fields": "followers_count"})
        return figures(self.channel, answer)
