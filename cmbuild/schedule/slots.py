"""The schedule: when each variant goes out.

A post (or a channel override) gives an explicit time, or only a date; dated posts take the
channel's
slots in order, each slot used once per channel and day. Slots are handed out in a stable order
(by time already taken, then post path), so the same inputs always give the same schedule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from cmbuild.errors import ErrorCollector, InputError
from cmbuild.load.times import DateOnly, TimeError, at_slot, parse_publish
from cmbuild.model import Channel, Post

Times = dict[str, dict[str, datetime]]  # post source -> channel -> aware datetime


@dataclass(frozen=True)
class Request:
    """When one post wants to go out on one channel, as written (cached between builds)."""

    source: str
    channel: str
    raw: str | None
    zone: str | None  # the post's own `timezone`, if any
    line: int | None
    key: str


def requests_for(post: Post) -> list[Request]:
    found = []
    for name in post.channels:
        override = post.override(name)
        raw = override.publish or post.publish
        key = f"channels.{name}.publish" if override.publish else "publish"
        line = post.line_of(key) or post.publish_line or post.line_of("title")
        found.append(Request(post.source, name, raw, post.timezone, line, key))
    return found


def schedule(requests: Iterable[Request], channels: Mapping[str, Channel]) -> Times:
    """Resolve every (post, channel) publish time; raise InputErrors for those that cannot be."""
    errors = ErrorCollector()
    times: Times = defaultdict(dict)
    dated: list[tuple[Request, date]] = []
    for request in sorted(requests, key=lambda r: (r.source, r.channel)):
        channel = channels[request.channel]
        if request.raw is None:
            errors.add(
                InputError(
                    request.source,
                    "no publish time",
                    line=request.line,
                    key="publish",
                    hint="add `publish: 2026-12-01 09:00` to the post or to the channel's override",
                    channel=request.channel,
                )
            )
            continue
        try:
            when = parse_publish(request.raw, request.zone or channel.timezone)
        except TimeError as error:
            errors.add(
                InputError(
                    request.source,
                    str(error),
                    line=request.line,
                    key=request.key,
                    hint=error.hint,
                    channel=request.channel,
                )
            )
            continue
        if isinstance(when, DateOnly):
            dated.append((request, when.day))
        else:
            times[request.source][request.channel] = when
    _assign_slots(dated, channels, times, errors)
    errors.raise_if_any()
    return {
        source: {name: in_channel_zone(when, channels[name]) for name, when in by_channel.items()}
        for source, by_channel in times.items()
    }


def in_channel_zone(when: datetime, channel: Channel) -> datetime:
    """`when` shown in the channel's zone (or kept in its own named zone, else UTC)."""
    if channel.timezone:
        return when.astimezone(ZoneInfo(channel.timezone))
    if getattr(when.tzinfo, "key", None):
        return when
    return when.astimezone(UTC)


def _assign_slots(
    dated: list[tuple[Request, date]],
    channels: Mapping[str, Channel],
    times: Times,
    errors: ErrorCollector,
) -> None:
    taken: dict[tuple[str, date], set[str]] = defaultdict(set)
    for by_channel in times.values():
        for name, when in by_channel.items():
            local = in_channel_zone(when, channels[name])
            taken[(name, local.date())].add(local.strftime("%H:%M"))
    for request, day in dated:
        name, line, key, source = request.channel, request.line, request.key, request.source
        channel = channels[name]
        zone = request.zone or channel.timezone
        if not channel.slots or zone is None:
            errors.add(
                InputError(
                    source,
                    f"{day.isoformat()} has no time, and channel {name} has no "
                    + ("slots" if zone else "time zone"),
                    line=line,
                    key=key,
                    hint="write a time (2026-12-01 09:00) "
                    "or set `slots` and `timezone` for the channel",
                    channel=name,
                )
            )
            continue
        used = taken[(name, day)]
        free = [slot for slot in channel.slots if slot not in used]
        if not free:
            errors.add(
                InputError(
                    source,
                    f"every slot of {name} on {day.isoformat()} is taken "
                    f"({', '.join(channel.slots)})",
                    line=line,
                    key=key,
                    hint="give this post an explicit time, another day, "
                    "or add a slot to the channel",
                    channel=name,
                )
            )
            continue
        try:
            times[source][name] = at_slot(day, free[0], zone)
        except TimeError as error:
            errors.add(
                InputError(source, str(error), line=line, key=key, hint=error.hint, channel=name)
            )
            continue
        used.add(free[0])
