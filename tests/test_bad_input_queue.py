"""Bad planning input (kind, repeat, queue settings): a located error, exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import edit
from tests.test_bad_input import POST, assert_error

QUEUE = "[defaults]\n"


def test_unknown_kind_names_the_nearest(basic: Path) -> None:
    edit(basic / POST, "status: approved", "status: approved\nkind: evergren")
    assert_error(
        basic,
        f"{POST}:11: kind: expected one of 'news', 'event' or 'evergreen', got 'evergren' "
        "(did you mean 'evergreen'?)",
    )


def test_a_repeat_that_never_ends(basic: Path) -> None:
    edit(basic / POST, "status: approved", "status: approved\nrepeat:\n  every: 2 weeks")
    assert_error(basic, f"{POST}:11: repeat.until: this repeat never ends")


def test_a_repeat_that_ends_before_it_starts(basic: Path) -> None:
    edit(basic / POST, "status: approved", "status: approved\nrepeat:\n  until: 2026-01-01")
    assert_error(basic, "repeat.until: this repeat ends (2026-01-01) before the post starts")


def test_max_per_day_zero(basic: Path) -> None:
    edit(basic / "channels.toml", QUEUE, "[queue]\nmax_per_day = 0\n\n" + QUEUE)
    assert_error(
        basic, "channels.toml:2: queue.max_per_day: max_per_day 0 would never let a background"
    )


def test_unknown_holidays_country(basic: Path) -> None:
    edit(basic / "channels.toml", QUEUE, '[queue]\ncountry = "FX"\n\n' + QUEUE)
    assert_error(basic, "channels.toml:2: queue.country: unknown country code 'FX'")


def test_blackout_longer_than_the_horizon(basic: Path) -> None:
    edit(
        basic / "channels.toml",
        QUEUE,
        "[queue]\nblackout_hours = 200\nhorizon_weeks = 1\n\n" + QUEUE,
    )
    assert_error(
        basic,
        "channels.toml:2: queue.blackout_hours: a blackout of 200 hours is longer than the "
        "queue's horizon (1 weeks = 168 hours)",
    )


def test_a_weekday_slot_misspelt(basic: Path) -> None:
    edit(basic / "channels.toml", 'slots = ["09:00"', 'slots = ["Tues 09:00"')
    assert_error(basic, "slot 'Tues 09:00' is not a 24-hour time")
