"""Pinterest's figures: `GET /v5/pins/{pin_id}/analytics` for each pin and `GET /v5/user_account`
for the followers (pinterest/api-description v5: `pins/analytics`, `user_account/get`).

A pin's figures are its `summary_metrics` from the day it was published to today (UTC dates),
and its `lifetime_metrics` for comments and reactions. Pinterest serves no day more than 90 days
back (`start_date`): for a pin older than that, the period totals would be those of the last
90 days only, so they are recorded as absent and only comments and reactions kept. A metric
Pinterest leaves out of the answer is absent. A pin Pinterest no longer has answers 404
("Pin not found."): gone.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from cmbuild.platforms.pinterest.publisher import PinterestPublisher
from cmbuild.platforms.shared.metrics import (
    MetricsReader,
    MetricValue,
    PostFigures,
    PostRef,
    figures,
    read_each,
)

KEPT_FOR = timedelta(days=90)  # query_start_date: "Cannot be more than 90 days back from today"
LIFETIME = ("TOTAL_COMMENTS", "TOTAL_REACTIONS")


class PinterestMetrics(MetricsReader[PinterestPublisher]):
    api = "pinterest-v5 GET /pins/{pin_id}/analytics"

    def read_posts(self, refs: Sequence[PostRef], now: datetime) -> dict[str, PostFigures]:
        today = now.astimezone(UTC).date()

        def read(ref: PostRef) -> PostFigures:
            day = min(ref.published_at.astimezone(UTC).date(), today)
            whole = today - day <= KEPT_FOR
            query = {
                "start_date": max(day, today - KEPT_FOR).isoformat(),
                "end_date": today.isoformat(),
                "metric_types": ",".join(m.field for m in self.posts),
            }
            path = f"/pins/{urllib.parse.quote(ref.remote_id, safe='')}/analytics"
            values = _values(self.publisher.read("read the pin's figures", path, query))
            if not whole:  # the last 90 days only: not the pin's totals
                values = {k: v for k, v in values.items() if k in LIFETIME}
            return PostFigures(figures(self.posts, values))

        return read_each(refs, read)

    def read_channel(self) -> Mapping[str, MetricValue]:
        answer = self.publisher.read("read the account's figures", "/user_account")
        return figures(self.channel, answer)


def _values(answer: Mapping[str, Any]) -> dict[str, object]:
    """The metrics of an answer `{"all": {"summary_metrics": {...}, "lifetime_metrics": {...}}}`
    (keyed by app type; without `split_field` there is one)."""
    groups = [g for g in answer.values() if isinstance(g, dict)]
    group = answer.get("all") if isinstance(answer.get("all"), dict) else None
    chosen: Mapping[str, Any] = group or (groups[0] if len(groups) == 1 else {})
    values: dict[str, object] = {}
    for part in ("lifetime_metrics", "summary_metrics"):
        inner = chosen.get(part)
        if isinstance(inner, dict):
            values.update(inner)
    return values
