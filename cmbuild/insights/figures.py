"""From readings to figures: each post's results, then sums and rates over a set of posts.

Which platform metric counts as what is below (and in docs/insights.md): an engagement is any
interaction a platform counts on a post (likes, reposts, replies, quotes, comments, shares,
saves...); impressions are `impressions`, else `views`. Engagement rate is engagements over
impressions where the platform gives impressions, else over the channel's followers (Bluesky,
Mastodon give none). Click-through rate is link clicks (from the platform, else the visits web
analytics attribute to the variant through `utm_content`) over impressions; without impressions
it cannot be measured.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cmbuild.insights.period import Period
from cmbuild.insights.readings import PostReading, Readings
from cmbuild.stores.metrics import iso_utc, parse_at

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


@dataclass(frozen=True)
class PostFigures:
    """One variant's results: its newest platform reading joined with its web analytics."""

    variant: str
    channel: str
    platform: str
    published: str  # ISO UTC (reading time minus its age)
    impressions: float | None
    engagements: float | None
    clicks: float | None
    visits: float | None
    conversions: float | None
    revenue: float | None
    age_hours: float | None
    absent: tuple[str, ...]  # metrics the platform recorded as not given


def post_figures(readings: Readings) -> list[PostFigures]:
    """Every variant that has a reading, in variant order."""
    api: dict[str, PostReading] = {}
    imported: dict[str, PostReading] = {}
    for (variant, source), reading in readings.posts.items():
        (api if source == "api" else imported)[variant] = reading
    return [_figures(api.get(v), imported.get(v)) for v in sorted(api.keys() | imported.keys())]


def _figures(api: PostReading | None, imported: PostReading | None) -> PostFigures:
    first = api or imported
    assert first is not None
    own: Mapping[str, Any] = api.metrics if api else {}
    web: Mapping[str, Any] = imported.metrics if imported else {}
    published = first.at
    if api is not None and api.age_hours is not None:
        published = iso_utc(parse_at(api.at) - timedelta(hours=api.age_hours))
    return PostFigures(
        variant=first.variant,
        channel=first.channel,
        platform=first.platform,
        published=published,
        impressions=_first(own, IMPRESSIONS),
        engagements=_sum(own, ENGAGEMENTS),
        clicks=_first(own, CLICKS),
        visits=_first(web, ("visits", "visitors")),
        conversions=_first(web, ("conversions", "goals")),
        revenue=_first(web, ("revenue",)),
        age_hours=api.age_hours if api else None,
        absent=tuple(sorted(name for name, value in own.items() if value is None)),
    )


def _first(metrics: Mapping[str, Any], names: Sequence[str]) -> float | None:
    for name in names:
        value = metrics.get(name)
        if value is not None:
            return float(value)
    return None


def _sum(metrics: Mapping[str, Any], names: Sequence[str]) -> float | None:
    values = [metrics[name] for name in names if metrics.get(name) is not None]
    return float(sum(values)) if values else None


class Followers:
    """Each channel's follower counts over time, from the channel lines of the store."""

    def __init__(self, readings: Readings) -> None:
        self._series: dict[str, tuple[list[str], list[float]]] = {}
        for channel, rows in readings.channels.items():
            kept = [(at, float(m["followers"])) for at, m in rows if m.get("followers") is not None]
            self._series[channel] = ([at for at, _ in kept], [v for _, v in kept])

    def at(self, channel: str, when: datetime) -> float | None:
        """The last count read before `when`."""
        times, values = self._series.get(channel, ([], []))
        index = bisect.bisect_left(times, iso_utc(when))
        return values[index - 1] if index else None

    def growth(self, channel: str, period: Period) -> float | None:
        """Followers gained over `period` (from the last count before it, or its first one)."""
        times, values = self._series.get(channel, ([], []))
        start, end = iso_utc(period.start), iso_utc(period.end)
        inside = [i for i in range(bisect.bisect_left(times, start), len(times)) if times[i] < end]
        if not inside:
            return None
        before = bisect.bisect_left(times, start)
        base = values[before - 1] if before else values[inside[0]]
        return values[inside[-1]] - base

    def channels(self) -> list[str]:
        return sorted(self._series)


@dataclass(frozen=True)
class Totals:
    """Sums and rates over a set of posts; None where nothing was measured."""

    posts: int
    impressions: float | None
    engagements: float | None
    clicks: float | None
    visits: float | None
    conversions: float | None
    revenue: float | None
    engagement_rate: float | None  # percent
    click_through_rate: float | None  # percent


def totals(posts: Iterable[PostFigures], followers: Followers, end: datetime) -> Totals:
    chosen = list(posts)
    reach: list[tuple[float, float]] = []  # (engagements, denominator) for the rate
    clicked: list[tuple[float, float]] = []
    for post in chosen:
        denominator = post.impressions
        if denominator is None:
            denominator = followers.at(post.channel, end)
        if post.engagements is not None and denominator:
            reach.append((post.engagements, denominator))
        clicks = post.clicks if post.clicks is not None else post.visits
        if clicks is not None and post.impressions:
            clicked.append((clicks, post.impressions))
    return Totals(
        posts=len(chosen),
        impressions=_total(p.impressions for p in chosen),
        engagements=_total(p.engagements for p in chosen),
        clicks=_total(p.clicks for p in chosen),
        visits=_total(p.visits for p in chosen),
        conversions=_total(p.conversions for p in chosen),
        revenue=_total(p.revenue for p in chosen),
        engagement_rate=_rate(reach),
        click_through_rate=_rate(clicked),
    )


def _total(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _rate(pairs: list[tuple[float, float]]) -> float | None:
    denominator = sum(d for _, d in pairs)
    return 100 * sum(n for n, _ in pairs) / denominator if denominator else None


def published_in(posts: Iterable[PostFigures], period: Period) -> list[PostFigures]:
    start, end = iso_utc(period.start), iso_utc(period.end)
    return [p for p in posts if start <= p.published < end]
