"""Publish times: explicit times, channel slots, zones."""

from __future__ import annotations

import pytest

from cmbuild.errors import InputErrors
from cmbuild.model import Channel, Utm
from cmbuild.schedule.slots import Request, schedule


def channel(
    name: str = "x", slots: tuple[str, ...] = ("09:00", "12:30"), zone: str | None = "Europe/Paris"
) -> Channel:
    return Channel(name, "x", "x.j2", zone, "fr", None, Utm("x"), slots=slots)


def request(source: str, raw: str | None, zone: str | None = None, name: str = "x") -> Request:
    return Request(source, name, raw, zone, 3, "publish")


def test_dated_posts_take_free_slots_in_order() -> None:
    times = schedule(
        [
            request("posts/b.md", "2026-12-01"),
            request("posts/a.md", "2026-12-01"),
            request("posts/c.md", "2026-12-01 09:00"),
        ],
        {"x": channel(slots=("09:00", "12:30", "18:00"))},
    )
    local = {s: t["x"].strftime("%H:%M") for s, t in times.items()}
    assert local == {"posts/c.md": "09:00", "posts/a.md": "12:30", "posts/b.md": "18:00"}


def test_no_free_slot_is_an_error() -> None:
    with pytest.raises(InputErrors) as caught:
        schedule(
            [request(f"posts/{n}.md", "2026-12-01") for n in "abc"],
            {"x": channel()},
        )
    (error,) = caught.value
    assert error.file == "posts/c.md"
    assert "every slot of x on 2026-12-01 is taken (09:00, 12:30)" in error.message


def test_times_are_shown_in_the_channel_zone() -> None:
    times = schedule([request("posts/a.md", "2026-12-01 09:00 America/New_York")], {"x": channel()})
    when = times["posts/a.md"]["x"]
    assert when.isoformat() == "2026-12-01T15:00:00+01:00"
    assert str(when.tzinfo) == "Europe/Paris"


def test_a_post_zone_wins_over_the_channel_zone() -> None:
    times = schedule(
        [request("posts/a.md", "2026-12-01 09:00", zone="Asia/Tokyo")], {"x": channel()}
    )
    assert times["posts/a.md"]["x"].isoformat() == "2026-12-01T01:00:00+01:00"


def test_missing_publish_time() -> None:
    with pytest.raises(InputErrors) as caught:
        schedule([request("posts/a.md", None)], {"x": channel()})
    (error,) = caught.value
    assert (error.message, error.channel) == ("no publish time", "x")


def test_date_without_slots() -> None:
    with pytest.raises(InputErrors) as caught:
        schedule([request("posts/a.md", "2026-12-01")], {"x": channel(slots=())})
    assert "2026-12-01 has no time, and channel x has no slots" in str(caught.value)
