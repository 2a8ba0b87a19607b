"""What the stores say of each channel over a window: its posts and its audience's interactions.

Posts come from the metrics store through the report's streaming summary
(cmbuild/insights/readings.py: each variant's newest reading, cached per month), so `slots` and
`report` read the store the same way and share the cache. Interactions come from
state/activity/, only the month files the window touches, through their per-month summary
(cmbuild/planning/audience.py, cached under output/.cmbuild/activity/).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cmbuild.errors import InputError
from cmbuild.insights.readings import CHANNEL, FIGURES, PUBLISHED, SOURCE, read_readings
from cmbuild.planning.audience import from_microseconds, microseconds, read_month
from cmbuild.stores import activity, metrics

ENGAGEMENTS = FIGURES.start + 1  # (impressions, engagements, ...): a post's interactions


@dataclass
class History:
    """One channel's posts (publish time UTC, engagements) and interaction times, oldest first."""

    posts: list[tuple[datetime, float]] = field(default_factory=list)
    interactions: list[datetime] = field(default_factory=list)


@dataclass(frozen=True)
class Histories:
    channels: dict[str, History]
    problems: tuple[InputError, ...]  # store lines that could not be read (file:line)


def read_histories(
    state_dir: Path,
    cache_dir: Path | None,  # output/.cmbuild/: the stores' per-month summaries (None: none)
    start: datetime,
    end: datetime,
    channels: Iterable[str],
) -> Histories:
    """The history of each of `channels` in [start, end)."""
    found = {name: History() for name in channels}
    low, high = _iso(start), _iso(end)
    months = _months(start, end)
    readings = read_readings(state_dir, cache_dir and cache_dir / "insights", months)
    for row in readings.posts.values():
        history = found.get(row[CHANNEL])
        engagements = row[ENGAGEMENTS]
        if history is None or engagements is None or row[SOURCE] != "api":
            continue
        published = row[PUBLISHED]
        if low <= published < high:
            history.posts.append((_utc(published), float(engagements)))
    problems = list(readings.problems)
    low_us, high_us = microseconds(start), microseconds(end)
    audience_cache = cache_dir and cache_dir / "activity"
    for path in activity.month_files(state_dir):
        if path.stem not in months:
            continue
        audience = read_month(path, audience_cache)
        problems.extend(audience.problems)
        for name, times in audience.times.items():
            history = found.get(name)
            if history is not None:
                history.interactions.extend(
                    from_microseconds(t) for t in times if low_us <= t < high_us
                )
    for history in found.values():
        history.posts.sort()
        history.interactions.sort()
    return Histories(found, tuple(problems))


def has_history(state_dir: Path) -> bool:
    """Whether there is any month file of metrics or activity to learn from."""
    return bool(metrics.month_files(state_dir) or activity.month_files(state_dir))


def _months(start: datetime, end: datetime) -> list[str]:
    """`YYYY-MM` of every month [start, end) touches (UTC)."""
    year, month = start.astimezone(UTC).year, start.astimezone(UTC).month
    last = end.astimezone(UTC).strftime("%Y-%m")
    found = []
    while True:
        found.append(f"{year:04d}-{month:02d}")
        if found[-1] >= last:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
