from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cmbuild.load.times import DateOnly, TimeError, localize, parse_publish


def utc(when: datetime | DateOnly) -> str:
    assert isinstance(when, datetime)
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("raw", "zone", "expected"),
    [
        ("2026-12-01 09:00", "Europe/Paris", "2026-12-01 08:00"),
        ("2026-07-01 09:00", "Europe/Paris", "2026-07-01 07:00"),
        ("2026-12-01 9:00", "Europe/Paris", "2026-12-01 08:00"),
        ("2026-12-01 09:00 America/New_York", "Europe/Paris", "2026-12-01 14:00"),
        ("2026-12-01T09:00:00+01:00", None, "2026-12-01 08:00"),
        ("2026-12-01T09:00Z", None, "2026-12-01 09:00"),
        (datetime(2026, 12, 1, 9, 0), "Europe/Paris", "2026-12-01 08:00"),
    ],
)
def test_publish_forms(raw: object, zone: str | None, expected: str) -> None:
    assert utc(parse_publish(raw, zone)) == expected


def test_date_only_is_left_to_the_slots() -> None:
    assert parse_publish("2026-12-01", None) == DateOnly(date(2026, 12, 1))
    assert parse_publish(date(2026, 12, 1), None) == DateOnly(date(2026, 12, 1))


def test_no_zone_anywhere_is_an_error() -> None:
    with pytest.raises(TimeError, match="has no time zone") as caught:
        parse_publish("2026-12-01 09:00", None)
    assert "timezone" in caught.value.hint


def test_nonexistent_local_time() -> None:
    with pytest.raises(TimeError) as caught:
        localize(datetime(2026, 3, 29, 2, 30), "Europe/Paris")
    assert str(caught.value) == (
        "2026-03-29 02:30 does not exist in Europe/Paris (clocks go forward from 02:00 to 03:00)"
    )
    assert "outside 02:00–03:00" in caught.value.hint


def test_ambiguous_local_time() -> None:
    with pytest.raises(TimeError) as caught:
        localize(datetime(2026, 10, 25, 2, 30), "Europe/Paris")
    assert "happens twice in Europe/Paris" in str(caught.value)
    assert "2026-10-25T02:30+02:00 (first)" in caught.value.hint
    assert "2026-10-25T02:30+01:00 (second)" in caught.value.hint


def test_explicit_offset_resolves_an_ambiguous_time() -> None:
    assert utc(parse_publish("2026-10-25T02:30+01:00", "Europe/Paris")) == "2026-10-25 01:30"


@pytest.mark.parametrize("raw", ["tomorrow", "2026-13-01 09:00", "2026-02-30", 42])
def test_garbage(raw: object) -> None:
    with pytest.raises(TimeError):
        parse_publish(raw, "Europe/Paris")


def test_unknown_zone() -> None:
    with pytest.raises(TimeError, match="unknown time zone"):
        parse_publish("2026-12-01 09:00 Mars/Olympus", None)
