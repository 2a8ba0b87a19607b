"""The calendar's zone, months and weeks, and the channel colours."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cmbuild.preview import calendar
from cmbuild.preview.cards import PALETTE, channel_colours
from tests.preview.conftest import Preview


def test_the_brand_zone_is_the_one_most_channels_use(preview: Preview) -> None:
    assert calendar.brand_zone(preview.channels, preview.variants) == "Europe/Paris"
    new_york = tuple(replace(c, timezone="America/New_York") for c in preview.channels[:4])
    channels = new_york + preview.channels[4:]
    assert calendar.brand_zone(channels, preview.variants) == "America/New_York"
    assert calendar.brand_zone((), ()) == "UTC"


def test_months_and_weeks(preview: Preview) -> None:
    entries = calendar.entries(preview.variants, "Europe/Paris")
    months = calendar.months(entries)
    assert [m.label for m in months] == ["December 2026"]
    first_week = months[0].weeks[0]
    assert first_week[0].day == date(2026, 11, 30) and first_week[0].outside
    assert all(len(w) == 7 for w in months[0].weeks)
    weeks = calendar.weeks(entries)
    assert [w.label for w in weeks] == [
        "Week 49, 2026: 30 Nov – 6 Dec",
        "Week 50, 2026: 7 Dec – 13 Dec",
    ]
    listed = [e.variant.id for w in weeks for d in w.days for e in d.entries]
    assert sorted(listed) == sorted(v.id for v in preview.variants)


def test_an_entry_shows_its_own_zone_when_it_differs(preview: Preview) -> None:
    (blog,) = [
        e for e in calendar.entries(preview.variants, "Europe/Paris") if e.variant.channel == "blog"
    ]
    assert (blog.time, blog.own_time) == ("16:00", "10:00 America/New_York")


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_channel_colours_pass_wcag_aa_with_white_text() -> None:
    assert len(set(PALETTE)) == len(PALETTE)
    for colour in PALETTE:
        assert _contrast(colour, "#ffffff") >= 4.5, colour
        assert _contrast(colour, "#f6f7f9") >= 4.5, colour  # the page background


def test_each_channel_has_its_colour(preview: Preview) -> None:
    colours = channel_colours(preview.channels, preview.variants)
    assert list(colours) == sorted(c.name for c in preview.channels)
    assert len(set(colours.values())) == len(colours)
