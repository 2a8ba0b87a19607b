"""The periods a report covers: a month (2026-12), an ISO week (2026-W49) or a range of days.

Periods are in the brand's time zone (channels.toml `[defaults] timezone`), as a community
manager counts them: December is December in Bordeaux, not in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class PeriodError(ValueError):
    """A period that does not parse; the message says what to write instead."""


@dataclass(frozen=True)
class Period:
    label: str  # also the report's folder name
    kind: str  # month, week, range
    first: date  # first day, inclusive
    last: date  # last day, inclusive
    zone: str

    @property
    def start(self) -> datetime:
        return _utc(self.first, self.zone)

    @property
    def end(self) -> datetime:
        """The first instant after the period, UTC."""
        return _utc(self.last + timedelta(days=1), self.zone)

    def contains(self, at: datetime) -> bool:
        return self.start <= at < self.end


def parse_period(text: str, zone: str) -> Period:
    """`2026-12` (a month) or `2026-W49` (an ISO week)."""
    month = _MONTH.match(text.strip())
    if month:
        year, number = int(month.group(1)), int(month.group(2))
        if 1 <= number <= 12:
            return month_period(year, number, zone)
    week = _WEEK.match(text.strip())
    if week:
        try:
            first = date.fromisocalendar(int(week.group(1)), int(week.group(2)), 1)
        except ValueError:
            pass
        else:
            return week_period(first, zone)
    raise PeriodError(
        f"the period {text!r} is not a month or a week: write a month like 2026-12 or an "
        "ISO week like 2026-W49, or give --from and --to dates"
    )


def range_period(first: str, last: str, zone: str) -> Period:
    """The days from `first` to `last`, both included (YYYY-MM-DD)."""
    try:
        start, stop = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        raise PeriodError(
            f"--from {first} --to {last}: write dates as YYYY-MM-DD, like 2026-12-01"
        ) from None
    if stop < start:
        raise PeriodError(f"--to {last} is before --from {first}: swap them")
    return Period(f"{start.isoformat()}_{stop.isoformat()}", "range", start, stop, zone)


def month_period(year: int, number: int, zone: str) -> Period:
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return Period(f"{year:04d}-{number:02d}", "month", first, following - timedelta(days=1), zone)


def week_period(monday: date, zone: str) -> Period:
    year, week, _ = monday.isocalendar()
    return Period(f"{year:04d}-W{week:02d}", "week", monday, monday + timedelta(days=6), zone)


def month_of(at: datetime, zone: str) -> Period:
    local = at.astimezone(ZoneInfo(zone))
    return month_period(local.year, local.month, zone)


def previous(period: Period, count: int) -> list[Period]:
    """The `count` periods of the same kind before `period`, oldest first, then `period`."""
    found = [period]
    current = period
    for _ in range(count):
        if current.kind == "month":
            before = current.first - timedelta(days=1)
            current = month_period(before.year, before.month, period.zone)
        elif current.kind == "week":
            current = week_period(current.first - timedelta(days=7), period.zone)
        else:
            span = current.last - current.first + timedelta(days=1)
            first, last = current.first - span, current.first - timedelta(days=1)
            current = Period(f"{first}_{last}", "range", first, last, period.zone)
        found.append(current)
    return found[::-1]


def split(period: Period, kind: str) -> list[Period]:
    """The weeks or the months (`kind`) that `period` touches, whole."""
    if kind == "week":
        monday = period.first - timedelta(days=period.first.weekday())
        weeks = []
        while monday <= period.last:
            weeks.append(week_period(monday, period.zone))
            monday += timedelta(days=7)
        return weeks
    months = []
    day = period.first.replace(day=1)
    while day <= period.last:
        months.append(month_period(day.year, day.month, period.zone))
        day = months[-1].last + timedelta(days=1)
    return months


def _utc(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(zone)).astimezone(UTC)
