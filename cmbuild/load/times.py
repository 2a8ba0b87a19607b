"""Publish times as writers write them, resolved to aware datetimes.

Accepted: `2026-12-01 09:00` (local, in the post's or channel's zone),
`2026-12-01 09:00 Europe/Paris`,
ISO 8601 with an offset (`2026-12-01T09:00:00+01:00`), or a date alone (`2026-12-01`: the channel's
first free slot that day, assigned by the schedule stage). Local times that do not exist (clocks
going forward) or that happen twice (clocks going back) are errors: guessing would publish at the
wrong hour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from cmbuild.errors import did_you_mean

_LOCAL = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2}(?::\d{2})?)(?:\s+([A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)*))?$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# 15/12/2026, 15.12.2026 or 15-12-2026, maybe with a time: a date written the way people write it.
_WRITTEN = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+(\d{1,2}[:h]\d{2}))?$")


class TimeError(ValueError):
    """A publish time that cannot be resolved; the message says why and the hint how to fix it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class DateOnly:
    """A day without a time: the schedule stage picks the channel's slot."""

    day: date


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimeError(
            f"unknown time zone {name!r}{did_you_mean(name, _zone_names())}",
            "use a time zone name such as Europe/Paris or America/New_York",
        ) from None


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def parse_publish(raw: object, default_zone: str | None) -> datetime | DateOnly:
    """Resolve a front-matter publish value; `default_zone` is the post's or the channel's zone."""
    when = _parse(raw, default_zone)
    if not _in_range(when):
        raise TimeError(
            f"{raw} is not a usable publish time (the year must be between {FIRST_YEAR} "
            f"and {LAST_YEAR})",
            "check the year, e.g. 2026-12-01 09:00",
        )
    return when


# Times near year 1 or 9999 cannot be moved to another zone; no post is scheduled there.
FIRST_YEAR, LAST_YEAR = 1900, 9998


def _in_range(when: datetime | DateOnly) -> bool:
    if isinstance(when, DateOnly):
        return FIRST_YEAR <= when.day.year <= LAST_YEAR
    try:
        return FIRST_YEAR <= when.astimezone(UTC).year <= LAST_YEAR
    except OverflowError:
        return False


def _parse(raw: object, default_zone: str | None) -> datetime | DateOnly:
    if isinstance(raw, datetime):
        if raw.tzinfo is not None:
            return raw
        return localize(raw, _need_zone(default_zone, raw.isoformat(sep=" ")))
    if isinstance(raw, date):
        return DateOnly(raw)
    if not isinstance(raw, str):
        raise TimeError(f"expected a date and time, got {raw!r}", "write it like 2026-12-01 09:00")
    text = raw.strip()
    if _DATE.match(text):
        try:
            return DateOnly(date.fromisoformat(text))
        except ValueError:
            raise TimeError(f"{text!r} is not a valid date", "write it like 2026-12-01") from None
    match = _LOCAL.match(text)
    if match:
        day, clock, zone_name = match.groups()
        try:
            naive = datetime.fromisoformat(f"{day} {clock.zfill(5) if len(clock) < 5 else clock}")
        except ValueError:
            raise TimeError(
                f"{text!r} is not a valid date and time", "write it like 2026-12-01 09:00"
            ) from None
        return localize(naive, zone_name or _need_zone(default_zone, text))
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise TimeError(
            f"{text!r} is not a date and time",
            _year_first(text)
            or "write it like 2026-12-01 09:00, 2026-12-01 09:00 Europe/Paris "
            "or 2026-12-01T09:00+01:00",
        ) from None
    if ":" not in text:  # `20261216`: a compact date, not a time of day
        raise TimeError(
            f"{text!r} has no time of day",
            "write it like 2026-12-01 09:00, or 2026-12-01 for the channel's first slot",
        )
    if parsed.tzinfo is None:
        return localize(parsed, _need_zone(default_zone, text))
    return parsed


def _year_first(text: str) -> str | None:
    """The hint for a day-month-year date: the same date written year first."""
    match = _WRITTEN.match(text)
    if match is None:
        return None
    first, second, year = (int(part) for part in match.groups()[:3])
    clock = f" {match.group(4).replace('h', ':').zfill(5)}" if match.group(4) else ""
    readings = []
    for day, month in ((first, second), (second, first)):
        try:
            readings.append(date(year, month, day))
        except ValueError:
            continue
    if not readings:
        return None
    shown = [f"{d.isoformat()}{clock}" for d in dict.fromkeys(readings)]
    if len(shown) == 1:
        return f"write the year first: {shown[0]}"
    return (
        f"write the year first: {shown[0]} (day {first}, month {second}) "
        f"or {shown[1]} (month {first}, day {second})"
    )


def _need_zone(zone_name: str | None, text: str) -> str:
    if zone_name is None:
        raise TimeError(
            f"{text} has no time zone and neither the post nor the channel sets one",
            "add `timezone: Europe/Paris` to the post, or `timezone` to the channel or to "
            "[defaults] in channels.toml",
        )
    return zone_name


def localize(naive: datetime, zone_name: str) -> datetime:
    """Attach `zone_name` to a wall-clock time, refusing times that do not exist or happen twice."""
    tz = zone(zone_name)
    early = naive.replace(tzinfo=tz, fold=0)
    late = naive.replace(tzinfo=tz, fold=1)
    if early.utcoffset() == late.utcoffset():
        return early
    round_trip = early.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    shown = naive.strftime("%Y-%m-%d %H:%M")
    if round_trip != naive:
        before, after = _gap(naive, tz)
        raise TimeError(
            f"{shown} does not exist in {zone_name} (clocks go forward from {before} to {after})",
            f"choose a time outside {before}–{after}, or write an explicit offset",
        )
    first = early.strftime("%z")
    second = late.strftime("%z")
    raise TimeError(
        f"{shown} happens twice in {zone_name} (clocks go back)",
        f"write the offset explicitly: {naive.strftime('%Y-%m-%dT%H:%M')}{_colon(first)} "
        f"(first) or {naive.strftime('%Y-%m-%dT%H:%M')}{_colon(second)} (second)",
    )


def _gap(naive: datetime, tz: ZoneInfo) -> tuple[str, str]:
    """The wall-clock bounds of the skipped interval around `naive`."""
    before = naive.replace(tzinfo=tz, fold=0)
    offset_before = (before - timedelta(hours=3)).utcoffset() or timedelta()
    offset_after = (before + timedelta(hours=3)).utcoffset() or timedelta()
    skipped = offset_after - offset_before
    # The gap starts at the first wall time that does not round-trip, on a whole minute.
    start = naive.replace(second=0, microsecond=0)
    while start.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) != start:
        start -= timedelta(minutes=1)
    start += timedelta(minutes=1)
    return start.strftime("%H:%M"), (start + skipped).strftime("%H:%M")


def _colon(offset: str) -> str:
    return f"{offset[:3]}:{offset[3:]}" if len(offset) == 5 else offset


def at_slot(day: date, slot: str, zone_name: str) -> datetime:
    """The aware datetime of a channel slot (`HH:MM`) on `day`."""
    hour, minute = (int(part) for part in slot.split(":"))
    return localize(datetime(day.year, day.month, day.day, hour, minute), zone_name)
