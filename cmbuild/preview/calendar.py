"""The editorial calendar as the preview draws it: month and week grids in the brand's zone.

The brand's zone is the zone most channels use (ties: the one more variants use, then the
name). Counting channels rather than posts keeps the calendar's zone stable as posts come and go.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cmbuild.model import Channel
from cmbuild.preview.shown import Shown

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class Entry:
    """One variant in its slot, at its time in the brand's zone."""

    variant: Shown
    local: datetime  # in the brand's zone

    @property
    def time(self) -> str:
        return self.local.strftime("%H:%M")

    @property
    def own_time(self) -> str | None:
        """The time in the channel's own zone, when it differs from the brand's."""
        if self.variant.scheduled.utcoffset() == self.local.utcoffset():
            return None
        return f"{self.variant.scheduled.strftime('%H:%M')} {self.variant.timezone}"


@dataclass(frozen=True)
class Day:
    day: date
    entries: tuple[Entry, ...]
    outside: bool = False  # belongs to the previous or next month (month view)

    @property
    def label(self) -> str:
        return long_date(self.day)

    @property
    def weekday(self) -> str:
        return WEEKDAYS[self.day.weekday()]

    @property
    def short(self) -> str:
        return short_date(self.day)


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    weeks: tuple[tuple[Day, ...], ...]

    @property
    def label(self) -> str:
        return f"{MONTHS[self.month - 1]} {self.year}"

    @property
    def anchor(self) -> str:
        return f"m-{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Week:
    monday: date
    days: tuple[Day, ...]

    @property
    def label(self) -> str:
        year, number, _ = self.monday.isocalendar()
        sunday = self.monday + timedelta(days=6)
        return f"Week {number}, {year}: {short_date(self.monday)} – {short_date(sunday)}"

    @property
    def anchor(self) -> str:
        year, number, _ = self.monday.isocalendar()
        return f"w-{year:04d}-{number:02d}"


def brand_zone(channels: Sequence[Channel], variants: Sequence[Shown]) -> str:
    """The zone the calendar is drawn in: the one most channels use (see the module docstring)."""
    by_channels = Counter(c.timezone for c in channels if c.timezone)
    by_variants = Counter(v.timezone for v in variants)
    zones = set(by_channels) | set(by_variants)
    if not zones:
        return "UTC"
    return min(zones, key=lambda z: (-by_channels[z], -by_variants[z], z))


def entries(variants: Sequence[Shown], zone: str) -> list[Entry]:
    """Every variant at its time in `zone`, in calendar order (time, channel, id)."""
    tz = ZoneInfo(zone)
    ordered = sorted(variants, key=lambda v: (v.scheduled, v.channel, v.id))
    return [Entry(v, v.scheduled.astimezone(tz)) for v in ordered]


def months(listed: Sequence[Entry]) -> list[Month]:
    """Every month from the first entry's to the last one's, as weeks of seven days."""
    if not listed:
        return []
    by_day = _by_day(listed)
    first, last = listed[0].local.date(), listed[-1].local.date()
    found = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        start = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        monday = start - timedelta(days=start.weekday())
        weeks = []
        while monday < following:
            weeks.append(
                tuple(
                    _day(monday + timedelta(days=i), by_day, outside_month=(year, month))
                    for i in range(7)
                )
            )
            monday += timedelta(days=7)
        found.append(Month(year, month, tuple(weeks)))
        year, month = following.year, following.month
    return found


def weeks(listed: Sequence[Entry]) -> list[Week]:
    """The weeks (Monday to Sunday) that hold at least one entry."""
    by_day = _by_day(listed)
    mondays = sorted({d - timedelta(days=d.weekday()) for d in by_day})
    return [Week(m, tuple(_day(m + timedelta(days=i), by_day) for i in range(7))) for m in mondays]


def long_date(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1][:3]}"


def _by_day(listed: Sequence[Entry]) -> dict[date, list[Entry]]:
    found: dict[date, list[Entry]] = {}
    for entry in listed:
        found.setdefault(entry.local.date(), []).append(entry)
    return found


def _day(
    day: date, by_day: dict[date, list[Entry]], outside_month: tuple[int, int] | None = None
) -> Day:
    outside = outside_month is not None and (day.year, day.month) != outside_month
    # A day of the next or previous month is drawn empty: its entries are in that month's grid.
    listed = () if outside else tuple(by_day.get(day, ()))
    return Day(day, listed, outside)
