"""Which platform metric counts as what in a report (the table is in docs/insights.md).

An engagement is any interaction a platform counts on a post (likes, reposts, replies, quotes,
comments, shares, saves...); impressions are `impressions`, else `views`; clicks are link clicks.
Web analytics give visits, conversions (goals) and revenue per variant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

ENGAGEMENTS = (
    "likes",
    "reposts",
    "replies",
    "quotes",
    "comments",
    "shares",
    "saves",
    "saved",
    "reactions",
    "favourites",
    "reblogs",
    "retweets",
)
IMPRESSIONS = ("impressions", "views")
CLICKS = ("clicks", "link_clicks", "url_clicks")
VISITS = ("visits", "visitors")
CONVERSIONS = ("conversions", "goals")
REVENUE = ("revenue",)

Measures = tuple[float | None, float | None, float | None, float | None, float | None, float | None]


def measure(metrics: Mapping[str, Any]) -> Measures:
    """(impressions, engagements, clicks, visits, conversions, revenue) of one reading."""
    engaged = [metrics[n] for n in ENGAGEMENTS if metrics.get(n) is not None]
    return (
        first(metrics, IMPRESSIONS),
        float(sum(engaged)) if engaged else None,
        first(metrics, CLICKS),
        first(metrics, VISITS),
        first(metrics, CONVERSIONS),
        first(metrics, REVENUE),
    )


def first(metrics: Mapping[str, Any], names: Sequence[str]) -> float | None:
    for name in names:
        value = metrics.get(name)
        if value is not None:
            return float(value)
    return None


def absent(metrics: Mapping[str, Any]) -> str:
    """The metrics recorded as not given, comma-separated ("" when none)."""
    return ",".join(sorted(name for name, value in metrics.items() if value is None))
