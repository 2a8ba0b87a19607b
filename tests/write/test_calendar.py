"""Tests for the editorial calendar (cmbuild.write.calendar)."""

from __future__ import annotations

import importlib
import io
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dateutil.tz  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Component, Event, Timezone
from icalendar.parser import Contentline

import cmbuild
from cmbuild.build import build as build_site
from cmbuild.model import Variant
from cmbuild.write.calendar import _fold, calendar_ics, event_ics
from cmbuild.write.outputs import calendar_zones
from tests.helpers import edit

try:  # a second iCalendar parser, independent of icalendar
    vobject: Any = importlib.import_module("vobject")
except ImportError:
    vobject = None

DTSTAMP = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


def make_variant(**changes: object) -> Variant:
    """A plain-text Instagram variant on 2026-10-24 09:30 in Paris; `changes` replace fields."""
    variant = Variant(
        id="3f2a9c1e5b7d4e8f",
        key="posts/2026-10-24-launch.md#instagram-fr",
        source="posts/2026-10-24-launch.md",
        slug="launch",
        channel="instagram-fr",
        platform="instagram",
        title="Nouvelle collection",
        text="Découvrez la collection d'automne 🍂",
        text_format="plain",
        output="instagram-fr/launch.txt",
        scheduled=datetime(2026, 10, 24, 9, 30, tzinfo=PARIS),
        timezone="Europe/Paris",
        link="https://example.com/automne?utm_source=instagram&utm_medium=social",
        media=(),
        campaign="automne-2026",
        tags=("mode",),
        status="approved",
        sponsored=False,
        lang="fr",
    )
    return replace(variant, **changes)  # type: ignore[arg-type]


def at(
    zone: str, year: int, month: int, day: int, hour: int, minute: int, *, fold: int = 0
) -> dict[str, object]:
    """The `scheduled` and `timezone` fields for a local time in `zone`."""
    scheduled = datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone), fold=fold)
    return {"scheduled": scheduled, "timezone": zone}


def parse_event(data: bytes) -> Event:
    event = Event.from_ical(data)
    assert isinstance(event, Event)
    return event


def prop(component: Component, name: str) -> Any:
    """A property as icalendar parsed it: its type depends on the property."""
    return component[name]


def categories(event: Component) -> list[str]:
    return [str(category) for category in prop(event, "CATEGORIES").cats]


def start_of(event: Component) -> datetime:
    start = prop(event, "DTSTART").dt
    assert isinstance(start, datetime)
    return start


def build(variants: list[Variant], zones: list[str] | None = None) -> bytes:
    """The calendar of `variants`, as the builder makes it: events sorted by time, then id."""
    ordered = sorted(variants, key=lambda v: (v.scheduled.astimezone(UTC), v.id))
    dates = [v.scheduled.date() for v in ordered]
    return calendar_ics(
        [event_ics(v, dtstamp=DTSTAMP) for v in ordered],
        zones if zones is not None else sorted({v.timezone for v in ordered}),
        name="Brand editorial calendar",
        span=(min(dates), max(dates)) if dates else None,
    )


def physical_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


# --- one event ---------------------------------------------------------------------------------


def test_event_properties() -> None:
    event = parse_event(event_ics(make_variant(), dtstamp=DTSTAMP))

    assert str(event["UID"]) == "3f2a9c1e5b7d4e8f"
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event["DTEND"].params["TZID"] == "Europe/Paris"
    assert start_of(event) == datetime(2026, 10, 24, 9, 30, tzinfo=PARIS)
    assert prop(event, "DTEND").dt - start_of(event) == timedelta(minutes=15)
    assert prop(event, "DTSTAMP").dt == DTSTAMP
    assert str(event["SUMMARY"]) == "[instagram-fr] Nouvelle collection"
    assert str(event["DESCRIPTION"]) == "Découvrez la collection d'automne 🍂"
    assert str(event["URL"]) == "https://example.com/automne?utm_source=instagram&utm_medium=social"
    assert categories(event) == ["automne-2026", "instagram"]
    assert str(event["STATUS"]) == "CONFIRMED"


def test_event_raw_form() -> None:
    data = event_ics(make_variant(), dtstamp=DTSTAMP)

    assert data.startswith(b"BEGIN:VEVENT\r\n")
    assert data.endswith(b"END:VEVENT\r\n")
    assert b"\r\nUID:3f2a9c1e5b7d4e8f\r\n" in data
    assert b"\r\nDTSTART;TZID=Europe/Paris:20261024T093000\r\n" in data
    assert b"\r\nDTEND;TZID=Europe/Paris:20261024T094500\r\n" in data
    assert b"\r\nDTSTAMP:20260901T120000Z\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_event_dtstamp_is_written_in_utc() -> None:
    stamp = datetime(2026, 9, 1, 14, 0, tzinfo=PARIS)
    assert b"\r\nDTSTAMP:20260901T120000Z\r\n" in event_ics(make_variant(), dtstamp=stamp)


@pytest.mark.parametrize(
    ("status", "expected"), [("review", "TENTATIVE"), ("approved", "CONFIRMED"), ("draft", None)]
)
def test_event_status(status: str, expected: str | None) -> None:
    event = parse_event(event_ics(make_variant(status=status), dtstamp=DTSTAMP))
    assert (str(event["STATUS"]) if "STATUS" in event else None) == expected


def test_event_without_link_or_campaign() -> None:
    event = parse_event(event_ics(make_variant(link=None, campaign=None), dtstamp=DTSTAMP))
    assert "URL" not in event
    assert categories(event) == ["instagram"]


def test_event_escapes_commas_semicolons_and_backslashes() -> None:
    title = r"Soldes, -50 % ; tout doit partir \o/"
    campaign = "soldes, hiver; 2026"
    data = event_ics(make_variant(title=title, campaign=campaign), dtstamp=DTSTAMP)

    assert rb"SUMMARY:[instagram-fr] Soldes\, -50 % \; tout doit partir \\o/" in data
    assert rb"CATEGORIES:soldes\, hiver\; 2026,instagram" in data
    event = parse_event(data)
    assert str(event["SUMMARY"]) == f"[instagram-fr] {title}"
    assert categories(event) == [campaign, "instagram"]


def test_event_folds_long_text() -> None:
    text = "Été 🌞 à Paris, déjà ; " * 300 + "\n\nFin.\\"
    data = event_ics(make_variant(text=text), dtstamp=DTSTAMP)
    lines = physical_lines(data)

    assert max(len(line) for line in lines) <= 75
    assert sum(line.startswith(b" ") for line in lines) > 100
    for line in lines:
        line.decode()  # never folded inside a UTF-8 sequence
    assert str(parse_event(data)["DESCRIPTION"]) == text


def test_event_matches_icalendar_serialisation() -> None:
    text = "Été 🌞 à Paris, déjà ; \\ ^ " * 50
    data = event_ics(make_variant(text=text, title="é" * 100), dtstamp=DTSTAMP)
    assert parse_event(data).to_ical() == data


def test_event_html_text_becomes_readable_text() -> None:
    html = (
        "<h2>Automne</h2><p>La <strong>nouvelle</strong> collection&nbsp;est là &amp; "
        'elle est <a href="https://example.com/a">en ligne</a>.</p>\n'
        "<ul>\n  <li>Pulls</li>\n  <li>Écharpes</li>\n</ul>"
        "<p>Écrivez-nous : <a href='mailto:contact@example.com'>contact@example.com</a>"
        "<br>À bientôt</p><style>p { color: red }</style><script>track()</script>"
    )
    event = parse_event(event_ics(make_variant(text=html, text_format="html"), dtstamp=DTSTAMP))
    assert str(event["DESCRIPTION"]) == (
        "Automne\n\n"
        "La nouvelle collection\xa0est là & elle est en ligne (https://example.com/a).\n\n"
        "• Pulls\n"
        "• Écharpes\n\n"
        "Écrivez-nous : contact@example.com\n"
        "À bientôt"
    )


def test_event_keeps_tzid_of_a_zone_equal_to_utc() -> None:
    # icalendar alone writes Africa/Abidjan times as UTC, without the zone.
    data = event_ics(make_variant(**at("Africa/Abidjan", 2026, 10, 24, 9, 30)), dtstamp=DTSTAMP)
    assert b"\r\nDTSTART;TZID=Africa/Abidjan:20261024T093000\r\n" in data


def test_event_in_the_repeated_hour() -> None:
    first = event_ics(make_variant(**at("Europe/Paris", 2026, 10, 25, 2, 30)), dtstamp=DTSTAMP)
    second = event_ics(
        make_variant(**at("Europe/Paris", 2026, 10, 25, 2, 30, fold=1)), dtstamp=DTSTAMP
    )

    assert b"\r\nDTSTART;TZID=Europe/Paris:20261025T023000\r\n" in first
    # A local time there means its first pass (RFC 5545 §3.3.5): the second pass is said in UTC.
    assert b"\r\nDTSTART:20261025T013000Z\r\n" in second
    assert b"\r\nDTEND:20261025T014500Z\r\n" in second
    assert start_of(parse_event(first)).astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert start_of(parse_event(second)).astimezone(UTC) == datetime(
        2026, 10, 25, 1, 30, tzinfo=UTC
    )


def test_event_in_the_skipped_hour_is_written_as_the_real_time() -> None:
    data = event_ics(make_variant(**at("Europe/Paris", 2026, 3, 29, 2, 30)), dtstamp=DTSTAMP)
    # zoneinfo reads 02:30, which does not exist, with the winter offset: 01:30Z is 03:30 CEST.
    assert b"\r\nDTSTART;TZID=Europe/Paris:20260329T033000\r\n" in data


def test_event_needs_aware_times() -> None:
    with pytest.raises(ValueError, match=re.escape(make_variant().key)):
        event_ics(make_variant(scheduled=datetime(2026, 10, 24, 9, 30)), dtstamp=DTSTAMP)
    with pytest.raises(ValueError):
        event_ics(make_variant(), dtstamp=datetime(2026, 9, 1))


def test_event_strips_control_characters() -> None:
    event = parse_event(event_ics(make_variant(text="a\x00b\x1bc\r\nd\re\tf"), dtstamp=DTSTAMP))
    assert str(event["DESCRIPTION"]) == "abc\nd\ne\tf"


# --- the calendar ------------------------------------------------------------------------------


def test_calendar_properties() -> None:
    data = build([make_variant()], zones=["America/New_York", "Europe/Paris"])
    calendar = Calendar.from_ical(data)

    assert data.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == f"-//cmbuild//cmbuild {cmbuild.__version__}//EN"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Brand editorial calendar"
    assert str(calendar["X-WR-TIMEZONE"]) == "America/New_York"


def test_calendar_has_one_vtimezone_per_zone_then_events_in_order() -> None:
    variants = [
        make_variant(id="b", **at("Asia/Tokyo", 2026, 10, 24, 9, 0)),
        make_variant(id="a", **at("Europe/Paris", 2026, 10, 24, 9, 0)),
        make_variant(id="c", **at("America/New_York", 2026, 10, 24, 9, 0)),
        make_variant(id="d", **at("Europe/Paris", 2026, 10, 24, 9, 0)),
    ]
    calendar = Calendar.from_ical(build(variants))

    assert [tz.tz_name for tz in calendar.timezones] == [
        "America/New_York",
        "Asia/Tokyo",
        "Europe/Paris",
    ]
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE"] * 3 + ["VEVENT"] * 4
    assert [str(e["UID"]) for e in calendar.events] == ["b", "a", "d", "c"]
    assert calendar.get_missing_tzids() == set()


def test_calendar_is_what_icalendar_writes() -> None:
    variants = [
        make_variant(id="1", text="Été 🌞, déjà ; " * 40),
        make_variant(id="2", text_format="html", text="<p>Un <em>texte</em></p>", status="review"),
        make_variant(id="3", link=None, campaign=None, **at("Asia/Tokyo", 2027, 2, 1, 8, 0)),
    ]
    data = build(variants)
    assert Calendar.from_ical(data).to_ical() == data


def test_calendar_is_deterministic() -> None:
    variants = [
        make_variant(id=str(i), **at(zone, 2026, 3 + i, 10, 9, 0))
        for i, zone in enumerate(["Europe/Paris", "America/New_York", "Asia/Tokyo"] * 2)
    ]
    first = build(variants)
    assert build(variants) == first
    assert build(list(reversed(variants))) == first
    events = [event_ics(v, dtstamp=DTSTAMP) for v in variants]
    span = (date(2026, 3, 10), date(2026, 8, 10))
    zones = ["Europe/Paris", "Asia/Tokyo", "America/New_York"]
    # Only the first zone's place matters (X-WR-TIMEZONE); repeated zones are written once.
    assert calendar_ics(events, zones, name="n", span=span) == calendar_ics(
        events, [*zones[:1], *reversed(zones), "Asia/Tokyo"], name="n", span=span
    )


def test_calendar_without_events() -> None:
    data = calendar_ics([], ["Europe/Paris"], name="Empty", span=None)
    calendar = Calendar.from_ical(data)
    assert calendar.timezones == []
    assert calendar.events == []
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"


def test_calendar_needs_a_span_for_events() -> None:
    with pytest.raises(ValueError, match="span"):
        calendar_ics(
            [event_ics(make_variant(), dtstamp=DTSTAMP)], ["Europe/Paris"], name="n", span=None
        )


def test_calendar_rejects_what_is_not_an_event() -> None:
    with pytest.raises(ValueError, match="event 1"):
        calendar_ics(
            [event_ics(make_variant(), dtstamp=DTSTAMP), b"BEGIN:VTODO\r\nEND:VTODO\r\n"],
            ["Europe/Paris"],
            name="n",
            span=(date(2026, 1, 1), date(2026, 1, 1)),
        )


@pytest.mark.parametrize(
    ("span", "first_onset", "last_year"),
    [
        ((date(2026, 3, 10), date(2027, 6, 1)), b"20251026T030000", 2027),
        ((date(2027, 1, 2), date(2027, 12, 30)), b"20261025T030000", 2027),
        ((date(2027, 1, 1), date(2027, 12, 31)), b"20251026T030000", 2028),
    ],
)
def test_vtimezone_covers_whole_years_around_the_span(
    span: tuple[date, date], first_onset: bytes, last_year: int
) -> None:
    data = calendar_ics([], ["Europe/Paris"], name="n", span=span)
    onsets = re.findall(rb"(?:DTSTART|RDATE):([\dT,]+)", data)
    years = {int(value[:4]) for group in onsets for value in group.split(b",")}

    # The first onset is the change that began the observance in force on 1 January.
    assert onsets[0] == first_onset
    assert max(years) == last_year
    # Onsets are in TZOFFSETFROM's time: summer time starts at 02:00 CET, ends at 03:00 CEST.
    assert b"20270328T020000" in data
    assert b"20271031T030000" in data


def test_events_around_dst_changes_resolve_to_the_right_instants() -> None:
    expected_utc = {
        "paris-summer": (at("Europe/Paris", 2026, 10, 24, 9, 30), datetime(2026, 10, 24, 7, 30)),
        "paris-change": (at("Europe/Paris", 2026, 10, 25, 9, 30), datetime(2026, 10, 25, 8, 30)),
        "paris-winter": (at("Europe/Paris", 2026, 11, 1, 9, 30), datetime(2026, 11, 1, 8, 30)),
        "paris-spring": (at("Europe/Paris", 2026, 3, 29, 3, 30), datetime(2026, 3, 29, 1, 30)),
        "ny-summer": (at("America/New_York", 2026, 10, 31, 9, 30), datetime(2026, 10, 31, 13, 30)),
        "ny-winter": (at("America/New_York", 2026, 11, 1, 9, 30), datetime(2026, 11, 1, 14, 30)),
        "tokyo": (at("Asia/Tokyo", 2026, 11, 1, 9, 30), datetime(2026, 11, 1, 0, 30)),
    }
    variants = [make_variant(id=uid, **fields) for uid, (fields, _) in expected_utc.items()]
    calendar = Calendar.from_ical(build(variants))
    # Read the times with the calendar's own VTIMEZONE blocks, as a client without tzdata would.
    own_zones = {tz.tz_name: tz.to_tz(lookup_tzid=False) for tz in calendar.timezones}

    assert sorted(str(event["UID"]) for event in calendar.events) == sorted(expected_utc)
    for event in calendar.events:
        own_zone = own_zones[prop(event, "DTSTART").params["TZID"]]
        instant = start_of(event).replace(tzinfo=own_zone).astimezone(UTC)
        assert instant == expected_utc[str(event["UID"])][1].replace(tzinfo=UTC)
        assert start_of(event).astimezone(UTC) == instant


ZONES = [
    "Europe/Paris",
    "America/New_York",
    "Asia/Tokyo",
    "Europe/Dublin",  # negative DST in winter
    "Australia/Lord_Howe",  # 30-minute DST
    "America/Sao_Paulo",  # DST abolished in 2019
    "Africa/Casablanca",  # offset changes around Ramadan
    "Pacific/Chatham",  # +12:45
]


def rfc_reader(vtimezone: Timezone) -> Callable[[datetime], timedelta]:
    """The UTC offset at an instant, read from a VTIMEZONE word for word as RFC 5545 §3.6.5 says:
    each onset is a local time in TZOFFSETFROM's offset, and TZOFFSETTO holds until the next."""
    onsets: list[tuple[datetime, timedelta]] = []
    for observance in vtimezone.subcomponents:
        offset_from = prop(observance, "TZOFFSETFROM").td
        offset_to = prop(observance, "TZOFFSETTO").td
        rdates = observance.get("RDATE", [])
        local_times = [prop(observance, "DTSTART").dt] + [
            value.dt
            for rdate in (rdates if isinstance(rdates, list) else [rdates])
            for value in rdate.dts
        ]
        onsets.extend((local.replace(tzinfo=UTC) - offset_from, offset_to) for local in local_times)
    onsets.sort()

    def offset(instant: datetime) -> timedelta:
        index = bisect_right([onset for onset, _ in onsets], instant) - 1
        assert index >= 0, f"{instant} is before the VTIMEZONE's first onset"
        return onsets[index][1]

    return offset


def sample_instants(zone: ZoneInfo, start: datetime, end: datetime) -> Iterator[datetime]:
    """Every third hour, and every second of the minutes in which `zone` changes offset."""
    step = timedelta(hours=3)
    while start < end:
        yield start
        if (start + step).astimezone(zone).utcoffset() != start.astimezone(zone).utcoffset():
            for size in (timedelta(minutes=1), timedelta(seconds=1)):  # narrow down the change
                while (start + size).astimezone(zone).utcoffset() == start.astimezone(
                    zone
                ).utcoffset():
                    start += size
                    yield start
            yield start + timedelta(seconds=1)
        start += step


@pytest.mark.parametrize("zone", ZONES)
def test_vtimezone_matches_tzdata(zone: str) -> None:
    data = calendar_ics([], [zone], name="n", span=(date(2026, 6, 1), date(2027, 6, 1)))
    (vtimezone,) = Calendar.from_ical(data).timezones
    # Two readers that use the VTIMEZONE, not tzdata: RFC 5545 read literally, and dateutil's
    # tzical, which icalendar, vobject and others rely on.
    by_rfc = rfc_reader(vtimezone)
    by_dateutil = dateutil.tz.tzical(io.StringIO(vtimezone.to_ical().decode())).get()
    tzdata = ZoneInfo(zone)

    # The span's dates, a day's margin on each side, widened to whole local years.
    start = datetime(2026, 1, 1, tzinfo=tzdata).astimezone(UTC)
    end = datetime(2028, 1, 1, tzinfo=tzdata).astimezone(UTC)
    for instant in sample_instants(tzdata, start, end):
        expected = instant.astimezone(tzdata).utcoffset()
        assert by_rfc(instant) == expected, (zone, instant)
        assert instant.astimezone(by_dateutil).utcoffset() == expected, (zone, instant)


def test_vtimezone_without_dst() -> None:
    data = calendar_ics([], ["Asia/Tokyo"], name="n", span=(date(2026, 6, 1), date(2026, 6, 1)))
    (vtimezone,) = Calendar.from_ical(data).timezones
    assert isinstance(vtimezone, Timezone)
    assert vtimezone.daylight == []
    (standard,) = vtimezone.standard
    assert standard["TZOFFSETFROM"].to_ical() == standard["TZOFFSETTO"].to_ical() == "+0900"


# --- a second, independent parser --------------------------------------------------------------


@pytest.mark.skipif(vobject is None, reason="vobject is not installed")
def test_vobject_reads_the_calendar() -> None:
    variants = [
        make_variant(id="a", title="Été, déjà ; 🌞", text="Ligne 1\nLigne 2 " + "é" * 200),
        make_variant(id="b", **at("America/New_York", 2026, 11, 1, 1, 30, fold=1)),
        make_variant(id="c", **at("Europe/Paris", 2026, 3, 29, 3, 30)),
        make_variant(id="d", **at("Asia/Tokyo", 2027, 1, 1, 0, 5)),
    ]
    calendar = vobject.readOne(build(variants).decode())
    events = {e.uid.value: e for e in calendar.vevent_list}

    assert set(events) == {"a", "b", "c", "d"}
    assert events["a"].summary.value == "[instagram-fr] Été, déjà ; 🌞"
    assert events["a"].description.value == "Ligne 1\nLigne 2 " + "é" * 200
    assert events["a"].categories.value == ["automne-2026", "instagram"]
    for variant in variants:
        event = events[variant.id]
        assert event.dtstart.value.astimezone(UTC) == variant.scheduled.astimezone(UTC)
        assert event.dtend.value - event.dtstart.value == timedelta(minutes=15)


# --- properties --------------------------------------------------------------------------------

# Text as people type it: any character but surrogates; control characters are dropped on writing.
TEXT = st.text(st.characters(codec="utf-8"), max_size=400)


def cleaned(text: str) -> str:
    return re.sub("[\x00-\x08\x0b-\x1f\x7f]", "", re.sub("\r\n?", "\n", text))


@settings(max_examples=150, deadline=None)
@given(title=TEXT, text=TEXT, campaign=TEXT.filter(bool))
def test_any_text_round_trips_through_the_calendar(title: str, text: str, campaign: str) -> None:
    variant = make_variant(title=title, text=text, campaign=campaign)
    data = build([variant])

    (event,) = Calendar.from_ical(data).events
    assert str(event["SUMMARY"]) == cleaned(f"[instagram-fr] {title}")
    assert str(event["DESCRIPTION"]) == cleaned(text)
    assert categories(event) == [cleaned(campaign), "instagram"]
    assert max(len(line) for line in physical_lines(data)) <= 75
    if vobject is not None:
        event = vobject.readOne(data.decode()).vevent
        assert event.summary.value == cleaned(f"[instagram-fr] {title}")
        assert event.description.value == cleaned(text)


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("a\\^,;é€🌞 ") | st.characters(codec="utf-8")))
def test_fold_is_icalendars_folding(line: str) -> None:
    line = line.replace("\r", "").replace("\n", "")
    content_line: Any = Contentline(line)  # type: ignore[no-untyped-call]
    assert _fold(line) == content_line.to_ical()


def reference_event(variant: Variant, dtstamp: datetime) -> bytes:
    """The same event built as an icalendar `Event`, serialised by icalendar itself."""
    from cmbuild.write.calendar import _STATUS, _clean, _html_to_text

    zone = ZoneInfo(variant.timezone)
    start = variant.scheduled.astimezone(UTC)
    event = Event()
    event.add("UID", variant.id)
    event.add("DTSTAMP", dtstamp.astimezone(UTC))
    for name, instant in (("DTSTART", start), ("DTEND", start + timedelta(minutes=15))):
        local = instant.astimezone(zone)
        if local.fold and local.utcoffset() != local.replace(fold=0).utcoffset():
            event.add(name, instant)
        else:
            event.add(name, local.replace(tzinfo=None), parameters={"TZID": variant.timezone})
    event.add("SUMMARY", _clean(f"[{variant.channel}] {variant.title}"))
    text = _html_to_text(variant.text) if variant.text_format == "html" else variant.text
    event.add("DESCRIPTION", _clean(text))
    if variant.link:
        event.add("URL", variant.link)
    categories = [variant.campaign, variant.platform] if variant.campaign else [variant.platform]
    event.add("CATEGORIES", [_clean(category) for category in categories])
    if variant.status in _STATUS:
        event.add("STATUS", _STATUS[variant.status])
    return bytes(event.to_ical())


@settings(max_examples=300, deadline=None)
@given(
    title=st.text(max_size=120),
    text=st.text(max_size=600),
    campaign=st.one_of(st.none(), st.text(min_size=1, max_size=30)),
    link=st.one_of(st.none(), st.just("https://cm-bordeaux.fr/a?utm_source=x&b=1,2;3")),
    status=st.sampled_from(["review", "approved", "draft"]),
    zone=st.sampled_from(["Europe/Paris", "America/New_York", "Africa/Abidjan", "Asia/Tokyo"]),
    minutes=st.integers(min_value=0, max_value=60 * 24 * 400),
    html=st.booleans(),
)
def test_event_bytes_are_what_icalendar_writes(
    title: str,
    text: str,
    campaign: str | None,
    link: str | None,
    status: str,
    zone: str,
    minutes: int,
    html: bool,
) -> None:
    when = (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)).astimezone(
        ZoneInfo(zone)
    )
    variant = make_variant(
        title=title,
        text=f"<p>{text}</p>" if html else text,
        text_format="html" if html else "plain",
        campaign=campaign,
        link=link,
        status=status,
        timezone=zone,
        scheduled=when,
    )
    assert event_ics(variant, dtstamp=when) == reference_event(variant, when)


def test_built_calendar_declares_the_brands_zone_not_the_first_in_name_order(
    basic: Path,
) -> None:
    # tests/sites/basic: [defaults] timezone = "Europe/Paris", one channel in America/New_York.
    build_site(basic)
    calendar = Calendar.from_ical((basic / "output/calendar.ics").read_bytes())
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    edit(basic / "channels.toml", 'timezone = "Europe/Paris"', 'timezone = "Asia/Tokyo"')
    build_site(basic)
    calendar = Calendar.from_ical((basic / "output/calendar.ics").read_bytes())
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Tokyo"


def test_without_a_brand_zone_the_calendar_takes_the_zone_most_variants_use() -> None:
    used = ["America/New_York", "Europe/Paris", "Europe/Paris"]
    assert calendar_zones(None, used) == ["Europe/Paris", "America/New_York"]
    assert calendar_zones("Europe/London", used) == [
        "Europe/London",
        "America/New_York",
        "Europe/Paris",
    ]


@pytest.mark.parametrize(
    ("kind", "extra"), [("news", []), ("event", ["event"]), ("evergreen", ["background"])]
)
def test_the_plan_is_told_apart_in_categories(kind: str, extra: list[str]) -> None:
    event = parse_event(event_ics(make_variant(kind=kind), dtstamp=DTSTAMP))
    assert categories(event) == ["automne-2026", "instagram", *extra]


def test_a_placed_post_says_why_in_its_description() -> None:
    reason = "2nd choice: Tue 12:30, score 0.82; 09:00 taken"
    variant = make_variant(kind="evergreen", plan=reason)
    event = parse_event(event_ics(variant, dtstamp=DTSTAMP))
    assert str(event["DESCRIPTION"]) == f"[{reason}]\n\n{variant.text}"
