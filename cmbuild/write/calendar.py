"""The editorial calendar, ``output/calendar.ics``: one event per variant, as iCalendar (RFC 5545).

Writing happens in two steps so that the incremental builder can cache: `event_ics` serialises one
variant's event once, and `calendar_ics` wraps the cached events, in the caller's order, with the
calendar's properties and one VTIMEZONE per zone. Splicing the cached bytes gives exactly what
icalendar writes for the whole calendar, because a component serialises the same on its own and
inside its parent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component, Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.parser import dquote
from icalendar.prop import vCategory, vText, vUri

from cmbuild import __version__
from cmbuild.model import Variant
from cmbuild.text.html import read_html

DURATION = timedelta(minutes=15)

_STATUS = {"review": "TENTATIVE", "approved": "CONFIRMED"}
_PLAN_CATEGORY = {"evergreen": "background", "event": "event"}
_END_CALENDAR = b"END:VCALENDAR\r\n"

# RFC 5545 §3.3.11: TEXT admits no control character but HTAB (line breaks are escaped as \n).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAKS = re.compile("\r\n?")


def event_ics(variant: Variant, *, dtstamp: datetime) -> bytes:
    """One VEVENT for `variant`, serialised (folded, CRLF line endings), ready for `calendar_ics`.

    The event lasts 15 minutes from ``variant.scheduled``, written in ``variant.timezone``.
    `dtstamp` (timezone-aware) is the DTSTAMP: passed in, never read from the clock, so that the
    same inputs give the same bytes. Review variants are TENTATIVE, approved ones CONFIRMED;
    drafts (normally left out of the calendar) get no STATUS.

    Every value is encoded by icalendar's property types; the event's lines are assembled here in
    the order icalendar's `Event` writes them (its canonical properties, then the others sorted),
    because building an `Event` costs ~300 µs, and a build has one event per variant. The tests
    check the bytes against `Event.to_ical()`.
    """
    if variant.scheduled.tzinfo is None or dtstamp.tzinfo is None:
        raise ValueError(f"{variant.key}: scheduled time and DTSTAMP must be timezone-aware")
    start = variant.scheduled.astimezone(UTC)
    text = _html_to_text(variant.text) if variant.text_format == "html" else variant.text
    categories = [variant.campaign, variant.platform] if variant.campaign else [variant.platform]
    # The plan told apart: background (evergreen, series) or event communication; news is the
    # default and adds nothing. A placed post says why it sits there, first in the description.
    categories += [_PLAN_CATEGORY[variant.kind]] if variant.kind in _PLAN_CATEGORY else []
    if variant.plan:
        text = f"[{variant.plan}]\n\n{text}"
    lines = [
        ("SUMMARY", vText(_clean(f"[{variant.channel}] {variant.title}")).to_ical()),
        _time_line("DTSTART", start, variant.timezone),
        _time_line("DTEND", start + DURATION, variant.timezone),
        ("DTSTAMP", _utc(dtstamp)),
        ("UID", vText(variant.id).to_ical()),
        ("CATEGORIES", vCategory([_clean(c) for c in categories]).to_ical()),
        ("DESCRIPTION", vText(_clean(text)).to_ical()),
    ]
    if variant.status in _STATUS:
        lines.append(("STATUS", vText(_STATUS[variant.status]).to_ical()))
    if variant.link:
        lines.append(("URL", vUri(variant.link).to_ical()))
    body = b"".join(_fold(f"{name}:{value.decode()}") + b"\r\n" for name, value in lines)
    return b"BEGIN:VEVENT\r\n" + body + b"END:VEVENT\r\n"


def _time_line(name: str, instant: datetime, tzid: str) -> tuple[str, bytes]:
    local, value = _time_value(instant, tzid)
    # A local time with an explicit TZID: icalendar would write UTC instead of a TZID for zones
    # it finds equivalent to UTC (Africa/Abidjan, Atlantic/Reykjavik...).
    return (f"{name};TZID={dquote(tzid)}" if local else name), value


@lru_cache(maxsize=1024)  # a post's variants often share their time
def _time_value(instant: datetime, tzid: str) -> tuple[bool, bytes]:
    """Whether `instant` is written as a local time in `tzid`, and its value."""
    local = instant.astimezone(ZoneInfo(tzid))
    if local.fold and local.utcoffset() != local.replace(fold=0).utcoffset():
        # The second pass through a repeated hour: RFC 5545 §3.3.5 reads a local time there as
        # the first pass, so only UTC says it right.
        return False, _utc(instant)
    return True, local.strftime(_DATE_TIME).encode()


# RFC 5545 §3.3.5 DATE-TIME, as icalendar's vDatetime writes it (its property objects cost ~10 µs
# each, three per event; the tests compare whole events with icalendar's own serialisation).
_DATE_TIME = "%Y%m%dT%H%M%S"


def _utc(instant: datetime) -> bytes:
    return instant.astimezone(UTC).strftime(_DATE_TIME + "Z").encode()


def calendar_ics(
    events: Iterable[bytes],
    timezones: Iterable[str],
    *,
    name: str,
    span: tuple[date, date] | None,
) -> bytes:
    """The whole calendar: its properties, one VTIMEZONE per zone, then `events` in the given order.

    `events` are `event_ics` results, already sorted by the caller. `timezones` are the IANA zones
    the events use, the calendar's own zone first (it becomes X-WR-TIMEZONE); the VTIMEZONE blocks
    are written in name order. `span` is the first and last local dates of the events (None when
    there are none): the VTIMEZONE blocks cover whole years around it, so that they depend only on
    the events, never on today's date, and change rarely.
    """
    zones = list(dict.fromkeys(timezones))
    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", f"-//cmbuild//cmbuild {__version__}//EN")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("X-WR-CALNAME", _clean(name))
    if zones:
        calendar.add("X-WR-TIMEZONE", zones[0])
    parts = [_serialise(calendar).removesuffix(_END_CALENDAR)]
    if span is not None:
        # A day's margin: other zones' dates, an event ending after midnight.
        first_year = (span[0] - timedelta(days=1)).year
        end_year = (span[1] + timedelta(days=1)).year + 1
        parts.extend(_vtimezone_ics(zone, first_year, end_year) for zone in sorted(zones))
    header = len(parts)
    for number, event in enumerate(events):
        if not (event.startswith(b"BEGIN:VEVENT\r\n") and event.endswith(b"END:VEVENT\r\n")):
            raise ValueError(f"event {number} is not a serialised VEVENT")
        parts.append(event)
    if span is None and len(parts) > header:
        raise ValueError("span is required when there are events")
    parts.append(_END_CALENDAR)
    return b"".join(parts)


def _html_to_text(html: str) -> str:
    """Readable text: paragraphs and list items on their own lines, links followed by their
    address when it differs from their text, scripts and styles left out."""
    return read_html(html).readable


def _clean(text: str) -> str:
    # A leading U+FEFF reads as a byte-order mark: icalendar drops it, and so do we.
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text)).removeprefix("\ufeff")


def _serialise(component: Component) -> bytes:
    """What ``component.to_ical()`` returns, folded by `_fold`: icalendar folds character by
    character, about a millisecond per kilobyte of text, which dominated the cost of an event."""
    return b"".join(_fold(line) + b"\r\n" for line in component.content_lines() if line)


def _fold(line: str) -> bytes:
    """`line` folded byte for byte as icalendar folds it, in slices rather than per character.

    Like icalendar: at most 74 octets a line (plus the folding space), never inside a UTF-8
    sequence, and never right after a backslash or caret, so that escapes stay on one line.
    """
    data = line.encode()
    if len(data) <= 74:
        return data
    pieces = []
    start = 0
    while len(data) - start > 74:
        end = start + 74
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte
            end -= 1
        if end - start > 1 and data[end - 1] in b"\\^":
            end -= 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return b"\r\n ".join(pieces)


@lru_cache(maxsize=64)
def _vtimezone_ics(zone: str, first_year: int, end_year: int) -> bytes:
    """The VTIMEZONE of `zone` from 1 January `first_year` to 1 January `end_year`, serialised.

    Built from zoneinfo's transitions rather than with ``Timezone.from_tzinfo``, whose DAYLIGHT
    onsets are the new local time (03:00 for Paris in March) where RFC 5545 §3.6.5 wants the
    onset in TZOFFSETFROM's time (02:00): clients that read the VTIMEZONE would start summer time
    an hour late.
    """
    tz = ZoneInfo(zone)
    start = datetime(first_year, 1, 1, tzinfo=tz).astimezone(UTC)
    end = datetime(end_year, 1, 1, tzinfo=tz).astimezone(UTC)
    # The observance in force on 1 January starts at its real onset when that is within a year:
    # clients (dateutil among them) take the DST amount from TZOFFSETTO - TZOFFSETFROM.
    changes = list(_transitions(start - timedelta(days=366), end, tz))
    earlier = [instant for instant in changes if instant <= start]
    changes = changes[len(earlier) - 1 :] if earlier else changes
    offset, tzname, dst = _observance(start, tz)
    # (offset from, offset to, name, daylight) -> local onsets, in order of first onset
    observances: dict[tuple[timedelta, timedelta, str, bool], list[datetime]] = {}
    if not earlier:
        observances[offset, offset, tzname, dst > _ZERO] = [datetime(first_year, 1, 1)]
    for instant in changes:
        old_offset, _, old_dst = _observance(instant - timedelta(seconds=1), tz)
        offset, tzname, dst = _observance(instant, tz)
        # Negative DST (Europe/Dublin's winter, Morocco's Ramadan) is written the other way
        # round, as tzdata's "rearguard" format does: clients expect DAYLIGHT to be ahead.
        daylight = dst > _ZERO or (dst == _ZERO and old_dst < _ZERO)
        onset = (instant + old_offset).replace(tzinfo=None)
        observances.setdefault((old_offset, offset, tzname, daylight), []).append(onset)
    component = Timezone()
    component.add("TZID", zone)
    for (offset_from, offset_to, tzname, daylight), onsets in observances.items():
        observance = TimezoneDaylight() if daylight else TimezoneStandard()
        observance.add("DTSTART", onsets[0])
        if onsets[1:]:
            observance.add("RDATE", onsets[1:])
        observance.add("TZNAME", tzname)
        observance.add("TZOFFSETFROM", offset_from)
        observance.add("TZOFFSETTO", offset_to)
        component.add_component(observance)
    return _serialise(component)


_ZERO = timedelta()
_STEP = 6 * 3600  # seconds; no zone changes observance twice within six hours


def _observance(instant: datetime, tz: ZoneInfo) -> tuple[timedelta, str, timedelta]:
    """UTC offset, name and DST amount of `tz` at `instant`."""
    local = instant.astimezone(tz)
    return local.utcoffset() or _ZERO, local.tzname() or "", local.dst() or _ZERO


def _transitions(start: datetime, end: datetime, tz: ZoneInfo) -> Iterator[datetime]:
    """The UTC instants in [start, end) where `tz` changes offset, name or DST, to the second."""

    def observance(seconds: int) -> tuple[timedelta, str, timedelta]:
        return _observance(datetime.fromtimestamp(seconds, UTC), tz)

    before, stop = int(start.timestamp()), int(end.timestamp())
    current = observance(before)
    while before < stop:
        after = min(before + _STEP, stop)
        following = observance(after)
        if following != current:
            low, high = before, after  # low is in the current observance, high in a later one
            while high - low > 1:
                middle = (low + high) // 2
                if observance(middle) == current:
                    low = middle
                else:
                    high = middle
            yield datetime.fromtimestamp(high, UTC)
        before, current = after, following
