"""From readings to figures: each post's results, then sums and rates over a set of posts.

Which platform metric counts as what is in cmbuild.insights.vocabulary (and docs/insights.md).
Engagement rate is engagements over
impressions where the platform gives impressions, else over the channel's followers (Bluesky,
Mastodon give none). Click-through rate is link clicks (from the platform, else the visits web
analytics attribute to the variant through `utm_content`) over impressions; without impressions
it cannot be measured.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from cmbuild.insights.period import Period
from cmbuild.insights.readings import (
    ABSENT,
    AGE,
    CHANNEL,
    FIGURES,
    PLATFORM,
    PUBLISHED,
    Readings,
)
from cmbuild.stores.metrics import iso_utc


class PostFigures(NamedTuple):
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
    absent: str  # metrics the platform recorded as not given, comma-separated


def post_figures(
    readings: Readings, since: datetime | None = None, until: datetime | None = None
) -> list[PostFigures]:
    """Every variant with a reading published in [since, until), in order of publication."""
    imported = {v: row for (v, source), row in readings.posts.items() if source != "api"}
    low = iso_utc(since) if since else ""
    high = iso_utc(until) if until else "~"  # after every ISO time
    found = []
    for (variant, source), own in readings.posts.items():
        if source != "api" or not low <= own[PUBLISHED] < high:
            continue
        web = imported.pop(variant, None)
        impressions, engagements, clicks = own[FIGURES][:3]
        visits, conversions, revenue = web[FIGURES][3:] if web else (None, None, None)
        found.append(
            PostFigures(variant, own[CHANNEL], own[PLATFORM], own[PUBLISHED], impressions,
                        engagements, clicks, visits, conversions, revenue, own[AGE], own[ABSENT])
        )  # fmt: skip
    for variant, web in imported.items():  # web analytics only: no platform reading yet
        if not low <= web[PUBLISHED] < high:
            continue
        found.append(
            PostFigures(variant, web[CHANNEL], web[PLATFORM], web[PUBLISHED], None, None, None,
                        web[10], web[11], web[12], None, "")
        )  # fmt: skip
    found.sort(key=_ORDER)
    return found


_ORDER = operator.itemgetter(3, 0)  # published, variant


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


class Timeline:
    """Posts in order of publication, cut into periods by bisection (no scan of every post)."""

    def __init__(self, posts: Iterable[PostFigures], *, ordered: bool = False) -> None:
        self.posts = list(posts) if ordered else sorted(posts, key=_ORDER)
        self._times = [p.published for p in self.posts]

    def within(self, period: Period) -> list[PostFigures]:
        return self.posts[self._index(period.start) : self._index(period.end)]

    def before(self, end: datetime) -> list[PostFigures]:
        return self.posts[: self._index(end)]

    def _index(self, when: datetime) -> int:
        return bisect.bisect_left(self._times, iso_utc(when))
