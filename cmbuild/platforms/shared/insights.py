"""Reading Meta's Graph insights: `GET /{media-id}/insights?metric=a,b,...` for each post.

What Facebook, Instagram and Threads readers share. Graph refuses the whole request when one
metric is not (or no longer) served for that post (error code 100 naming the metric): the
metrics are then asked one at a time, and those refused are recorded as absent. A post Graph
says does not exist (code 100, subcode 33) was deleted: gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from cmbuild.platforms.shared.graph import Graph
from cmbuild.platforms.shared.metrics import MetricsReader, MetricValue, PostFigures, PostRef
from cmbuild.platforms.shared.publisher import PublishError

_MISSING = "subcode 33]"  # "Object with ID ... does not exist": the post was deleted


class GraphInsights(MetricsReader[Any]):
    """Posts read one by one from their `insights` edge; the channel from its own node."""

    follower_fields: ClassVar[str] = "followers_count"

    @property
    def graph(self) -> Graph:
        graph: Graph = self.publisher.graph
        return graph

    def read_posts(self, refs: Sequence[PostRef], now: datetime) -> dict[str, PostFigures]:
        del now
        found: dict[str, PostFigures] = {}
        for ref in refs:
            try:
                values = self._insights(ref.remote_id, [m.field for m in self.posts])
            except PublishError as error:
                if error.kind == "permanent" and _MISSING in error.message:
                    found[ref.remote_id] = PostFigures({}, gone=True)
                    continue
                if error.kind != "permanent" or "metric" not in error.message:
                    raise
                values = self._one_by_one(ref.remote_id)
            found[ref.remote_id] = PostFigures({m.name: values.get(m.field) for m in self.posts})
        return found

    def _one_by_one(self, remote_id: str) -> dict[str, MetricValue]:
        values: dict[str, MetricValue] = {}
        for metric in self.posts:
            try:
                values.update(self._insights(remote_id, [metric.field]))
            except PublishError as error:
                if error.kind != "permanent":
                    raise
                values[metric.field] = None  # not served for this post: absent
        return values

    def _insights(self, remote_id: str, names: Sequence[str]) -> dict[str, MetricValue]:
        answer = self.graph.get(
            "read the post's insights", f"{remote_id}/insights", {"metric": list(names)}
        )
        values: dict[str, MetricValue] = {}
        for item in answer.get("data") or []:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                values[item["name"]] = self.item_value(item)
        return values

    def item_value(self, item: dict[str, Any]) -> MetricValue:
        """The number one `data` item stands for (a platform may read some items its way)."""
        return value_of(item)


def value_of(item: dict[str, Any]) -> MetricValue:
    """A metric's lifetime value: `values[0].value`, or `total_value.value`."""
    total = item.get("total_value")
    if isinstance(total, dict) and isinstance(total.get("value"), int | float):
        return total["value"]  # type: ignore[no-any-return]
    values = item.get("values")
    if isinstance(values, list) and values and isinstance(values[0], dict):
        value = values[0].get("value")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
    return None
