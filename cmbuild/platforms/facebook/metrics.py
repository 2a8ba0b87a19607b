"""Facebook's figures: `GET /{page-post-id}/insights?metric=...` for each post (the Page post
metrics of the Graph API's Page Insights reference, asked through the `PagePost.get_insights`
edge of Meta's SDK `facebook-business`) and `GET /{page-id}?fields=followers_count`.

`post_reactions_by_type_total` is an object of counts per reaction (`{"like": 3, "love": 1}`):
cmbuild records their sum. Meta has retired impression metrics of Pages in favour of views;
where Graph refuses one, it is recorded as absent (shared/insights.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cmbuild.platforms.shared.insights import GraphInsights, value_of
from cmbuild.platforms.shared.metrics import MetricValue, figures

_REACTIONS = "post_reactions_by_type_total"


class FacebookMetrics(GraphInsights):
    api = "facebook-graph GET /{page-post-id}/insights"

    def item_value(self, item: dict[str, Any]) -> MetricValue:
        values = item.get("values")
        if item.get("name") == _REACTIONS and isinstance(values, list) and values:
            counts = values[0].get("value") if isinstance(values[0], dict) else None
            if isinstance(counts, dict):
                numbers = [n for n in counts.values() if isinstance(n, int)]
                return sum(numbers) if len(numbers) == len(counts) else None
        return value_of(item)

    def read_channel(self) -> Mapping[str, MetricValue]:
        page = self.publisher.page_id
        answer = self.graph.get("read the Page's figures", page, {"fields": "followers_count"})
        return figures(self.channel, answer)
