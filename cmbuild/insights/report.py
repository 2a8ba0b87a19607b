"""A report's contents for one period: KPIs against targets, channels, campaigns, posts, trends.

Plain data, computed from the readings, the catalogue of posts and brand/kpis.toml; the files
(HTML, Markdown, CSV) are written from it by cmbuild.insights.output.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cmbuild.errors import InputError
from cmbuild.insights.catalogue import Catalogue
from cmbuild.insights.figures import (
    Followers,
    PostFigures,
    Timeline,
    Totals,
    post_figures,
    totals,
)
from cmbuild.insights.period import Period, previous, split
from cmbuild.insights.readings import Readings
from cmbuild.load.kpis import LABELS, LOWER_IS_BETTER, Kpi

TREND_PERIODS = 5  # earlier periods shown beside the report's own
if TYPE_CHECKING:
    from cmbuild.insights.response import ResponseRow

LISTED_POSTS = 5  # top and bottom

STATUSES = ("met", "below target", "alert", "not measured")


@dataclass(frozen=True)
class KpiRow:
    label: str  # the week, month or campaign measured
    actual: float | None
    status: str


@dataclass(frozen=True)
class KpiResult:
    kpi: Kpi
    rows: tuple[KpiRow, ...]

    @property
    def status(self) -> str:
        measured = [r.status for r in self.rows if r.status != "not measured"]
        if not measured:
            return "not measured"
        return max(measured, key=STATUSES.index)


@dataclass(frozen=True)
class GroupRow:
    name: str  # a channel or a campaign
    platform: str
    totals: Totals
    followers_growth: float | None


@dataclass(frozen=True)
class PostRow:
    figures: PostFigures
    title: str
    source: str | None
    campaign: str | None
    page: str | None  # output-relative preview page, when there is one


@dataclass(frozen=True)
class Trend:
    labels: tuple[str, ...]
    engagements: dict[str, tuple[float, ...]]  # channel → per period
    impressions: dict[str, tuple[float, ...]]


@dataclass(frozen=True)
class Report:
    period: Period
    scope: str  # "whole brand", "channel x", "campaign y"
    kpis: tuple[KpiResult, ...]
    overall: Totals
    channels: tuple[GroupRow, ...]
    campaigns: tuple[GroupRow, ...]
    top: tuple[PostRow, ...]
    bottom: tuple[PostRow, ...]
    trend: Trend
    unmeasured: tuple[str, ...]
    problems: tuple[InputError, ...]
    lines_read: int
    # Time to first answer per channel and intent (state/inbox.jsonl; none without an inbox).
    responses: tuple[ResponseRow, ...] = ()

    @property
    def alerts(self) -> tuple[KpiResult, ...]:
        return tuple(k for k in self.kpis if k.status == "alert")

    @property
    def empty(self) -> bool:
        return self.overall.posts == 0 and not any(c.followers_growth for c in self.channels)


@dataclass(frozen=True)
class Scope:
    channel: str | None = None
    campaign: str | None = None

    @property
    def label(self) -> str:
        if self.channel:
            return f"channel {self.channel}"
        return f"campaign {self.campaign}" if self.campaign else "whole brand"


def build_report(
    period: Period,
    readings: Readings,
    catalogue: Catalogue,
    kpis: Sequence[Kpi],
    platforms: dict[str, str],
    output: Path,
    scope: Scope = Scope(),
) -> Report:
    """Everything the report shows for `period`, limited to `scope`."""
    followers = Followers(readings)
    chosen = [k for k in kpis if _kpi_in_scope(k, scope)]
    # Nothing published after the period counts; before it, only the trend's periods do, unless
    # a target covers a whole campaign.
    since = None if any(k.period == "campaign" for k in chosen) else _trend_start(period)
    every = [p for p in post_figures(readings, since, period.end) if _in_scope(p, catalogue, scope)]
    index = _Index(every, catalogue)
    posts = index.all.within(period)
    ranked = sorted(posts, key=lambda p: (-(p.engagements or 0), p.variant))
    top = [_post_row(p, catalogue, output) for p in ranked[:LISTED_POSTS]]
    bottom = [_post_row(p, catalogue, output) for p in ranked[::-1][:LISTED_POSTS]]
    return Report(
        period=period,
        scope=scope.label,
        kpis=tuple(_evaluate(k, index, followers, period) for k in chosen),
        overall=totals(posts, followers, period.end),
        channels=_channels(posts, followers, platforms, period, scope),
        campaigns=_campaigns(posts, followers, catalogue, period),
        top=tuple(top),
        bottom=tuple(bottom) if len(ranked) > LISTED_POSTS else (),
        trend=_trend(index, period),
        unmeasured=_unmeasured(posts, followers, period, scope),
        problems=(*readings.problems, *catalogue.problems),
        lines_read=readings.lines,
    )


def _in_scope(post: PostFigures, catalogue: Catalogue, scope: Scope) -> bool:
    if scope.channel and post.channel != scope.channel:
        return False
    return not scope.campaign or _campaign(post, catalogue) == scope.campaign


def _kpi_in_scope(kpi: Kpi, scope: Scope) -> bool:
    if scope.channel:
        return kpi.channel == scope.channel
    if scope.campaign:
        return kpi.campaign == scope.campaign
    return True


def _campaign(post: PostFigures, catalogue: Catalogue) -> str | None:
    info = catalogue.variants.get(post.variant)
    return info.campaign if info else None


class _Index:
    """The posts by channel and by campaign, each in order of publication."""

    def __init__(self, posts: list[PostFigures], catalogue: Catalogue) -> None:
        self.all = Timeline(posts, ordered=True)  # post_figures gives them in order
        channels: dict[str, list[PostFigures]] = {}
        campaigns: dict[str, list[PostFigures]] = {}
        for post in posts:
            channels.setdefault(post.channel, []).append(post)
            campaign = _campaign(post, catalogue)
            if campaign:
                campaigns.setdefault(campaign, []).append(post)
        self.channels = {name: Timeline(mine, ordered=True) for name, mine in channels.items()}
        self.campaigns = {name: Timeline(mine, ordered=True) for name, mine in campaigns.items()}

    def of(self, kpi: Kpi) -> Timeline:
        if kpi.channel:
            return self.channels.get(kpi.channel) or Timeline(())
        if kpi.campaign:
            return self.campaigns.get(kpi.campaign) or Timeline(())
        return self.all


def _evaluate(kpi: Kpi, index: _Index, followers: Followers, period: Period) -> KpiResult:
    covered = index.of(kpi)
    if kpi.period == "campaign":
        # the whole campaign, up to the end of the report's period
        spans = [(f"campaign {kpi.campaign}", covered.before(period.end), period)]
    else:
        spans = [(s.label, covered.within(s), s) for s in split(period, kpi.period)]
    rows = []
    for label, chosen, span in spans:
        actual = _value(kpi, chosen, followers, span)
        rows.append(KpiRow(label, actual, kpi_status(kpi, actual)))
    return KpiResult(kpi, tuple(rows))


def _value(kpi: Kpi, posts: list[PostFigures], followers: Followers, span: Period) -> float | None:
    if kpi.metric in LOWER_IS_BETTER:
        return None  # from the inbox, not the metrics: cmbuild.insights.response
    if kpi.metric == "followers_growth":
        names = [kpi.channel] if kpi.channel else followers.channels()
        if kpi.campaign:
            return None  # followers belong to channels, not to campaigns
        gained = [g for g in (followers.growth(n, span) for n in names) if g is not None]
        return sum(gained) if gained else None
    value: float | None = getattr(totals(posts, followers, span.end), kpi.metric)
    return value


def kpi_status(kpi: Kpi, actual: float | None) -> str:
    if actual is None:
        return "not measured"
    if kpi.metric in LOWER_IS_BETTER:
        if actual <= kpi.target:
            return "met"
        return "alert" if kpi.warn_above is not None and actual > kpi.warn_above else "below target"
    if actual >= kpi.target:
        return "met"
    if kpi.warn_below is not None and actual < kpi.warn_below:
        return "alert"
    return "below target"


def _channels(
    posts: list[PostFigures],
    followers: Followers,
    platforms: dict[str, str],
    period: Period,
    scope: Scope,
) -> tuple[GroupRow, ...]:
    names = {p.channel for p in posts} | {
        c for c in followers.channels() if followers.growth(c, period) is not None
    }
    if scope.channel:
        names &= {scope.channel}
    if scope.campaign:
        names &= {p.channel for p in posts}
    rows = []
    for name in sorted(names):
        mine = [p for p in posts if p.channel == name]
        platform = platforms.get(name) or (mine[0].platform if mine else "")
        rows.append(
            GroupRow(
                name, platform, totals(mine, followers, period.end), followers.growth(name, period)
            )
        )
    return tuple(rows)


def _campaigns(
    posts: list[PostFigures], followers: Followers, catalogue: Catalogue, period: Period
) -> tuple[GroupRow, ...]:
    grouped: dict[str, list[PostFigures]] = {}
    for post in posts:
        grouped.setdefault(_campaign(post, catalogue) or "", []).append(post)
    return tuple(
        GroupRow(name or "(no campaign)", "", totals(mine, followers, period.end), None)
        for name, mine in sorted(grouped.items(), key=lambda item: (item[0] == "", item[0]))
    )


def _post_row(post: PostFigures, catalogue: Catalogue, output: Path) -> PostRow:
    info = catalogue.variants.get(post.variant)
    return PostRow(
        post,
        info.title if info else f"variant {post.variant}",
        info.source if info else None,
        info.campaign if info else None,
        catalogue.preview_page(post.variant, output),
    )


def _trend_start(period: Period) -> datetime:
    starts = [span.start for span in previous(period, TREND_PERIODS)]
    starts += [span.start for kind in ("week", "month") for span in split(period, kind)]
    return min(starts)


def _trend(index: _Index, period: Period) -> Trend:
    spans = previous(period, TREND_PERIODS)
    engagements: dict[str, tuple[float, ...]] = {}
    impressions: dict[str, tuple[float, ...]] = {}
    for channel, timeline in sorted(index.channels.items()):
        inside = [timeline.within(span) for span in spans]
        engaged = tuple(sum(p.engagements or 0 for p in mine) for mine in inside)
        seen = tuple(sum(p.impressions or 0 for p in mine) for mine in inside)
        if any(engaged):
            engagements[channel] = engaged
        if any(seen):
            impressions[channel] = seen
    return Trend(tuple(s.label for s in spans), engagements, impressions)


def _unmeasured(
    posts: list[PostFigures],
    followers: Followers,
    period: Period,
    scope: Scope,
) -> tuple[str, ...]:
    notes: list[str] = []
    by_channel: dict[str, list[PostFigures]] = {}
    for post in posts:
        by_channel.setdefault(post.channel, []).append(post)
    for channel, mine in sorted(by_channel.items()):
        absent = sorted({name for p in mine for name in p.absent.split(",") if name})
        if absent:
            notes.append(f"{channel}: {', '.join(absent)} not given by the platform")
        if all(p.impressions is None for p in mine):
            basis = "followers" if followers.at(channel, period.end) else "nothing"
            notes.append(
                f"{channel}: no impressions, so engagement rate is measured against {basis}"
                " and click-through rate cannot be measured"
            )
        if all(p.visits is None for p in mine):
            notes.append(f"{channel}: no visits to the site imported from web analytics")
    for name in sorted(by_channel):
        if not scope.campaign and followers.growth(name, period) is None:
            notes.append(f"{name}: no follower count read in {period.label}")
    return tuple(notes)


def label(metric: str) -> str:
    return LABELS.get(metric, metric)
