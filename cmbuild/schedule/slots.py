"""The schedule: when each variant goes out.

A post (or a channel override) gives an explicit time, or only a date; dated posts take the
channel's
slots in order, each slot used once per channel and day. Slots are handed out in a stable order
(by time already taken, then post path), so the same inputs always give the same schedule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from cmbuild.errors import ErrorCollector, InputError
from cmbuild.load.times import DateOnly, TimeError, at_slot, parse_publish
from cmbuild.model import Channel, Post
from cmbuild.schedule.queue import Plan, Rules, Wanted, place, slots_of_day

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
    queued: bool = False  # background content: the queue places it when it gives no time
    campaign: str | None = None
    own_text: bool = False  # the post gives this channel its own text
    event: bool = False  # `kind: event`: background posts keep away from it
    repeat_weeks: int = 0  # `repeat:`: it comes back every so many weeks (0: once)
    repeat_until: str | None = None  # ISO date, the last day it may come back


def requests_for(post: Post) -> list[Request]:
    found = []
    for name in post.channels:
        override = post.override(name)
        raw = override.publish or post.publish
        key = f"channels.{name}.publish" if override.publish else "publish"
        line = post.line_of(key) or post.publish_line or post.line_of("title")
        found.append(
            Request(
                post.source,
                name,
                raw,
                post.timezone,
                line,
                key,
                post.queued,
                post.campaign,
                override.text is not None,
                post.kind == "event",
                post.repeat.weeks if post.repeat else 0,
                post.repeat.until if post.repeat else None,
            )
        )
    return found


def schedule(
    requests: Iterable[Request], channels: Mapping[str, Channel], rules: Rules | None = None
) -> Times:
    """Resolve every (post, channel) publish time; raise InputErrors for those that cannot be."""
    return schedule_plan(requests, channels, rules or Rules())[0]


def schedule_plan(
    requests: Iterable[Request], channels: Mapping[str, Channel], rules: Rules
) -> tuple[Times, Plan]:
    """Every publish time, and the queue's plan (its reasons, the posts it could not place)."""
    requests = list(requests)
    errors = ErrorCollector()
    times: Times = defaultdict(dict)
    dated: list[tuple[Request, date]] = []
    wanted: list[Wanted] = []
    for request in sorted(requests, key=lambda r: (r.source, r.channel)):
        channel = channels[request.channel]
        if request.queued and request.raw is None:
            wanted.extend(_queue_start(request, channel, errors))
            continue
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
        if isinstance(when, DateOnly) and request.queued:
            wanted.extend(_occurrences(request, when.day))
        elif isinstance(when, DateOnly):
            dated.append((request, when.day))
        else:
            times[request.source][request.channel] = when
    _assign_slots(dated, channels, times, errors)
    errors.raise_if_any()
    plan = _place_queue(requests, wanted, times, channels, rules)
    resolved = {
        source: {name: in_channel_zone(when, channels[name]) for name, when in by_channel.items()}
        for source, by_channel in times.items()
    }
    return resolved, plan


def _place_queue(
    requests: list[Request],
    wanted: list[Wanted],
    times: Times,
    channels: Mapping[str, Channel],
    rules: Rules,
) -> Plan:
    """The queue's plan around the timed posts, its first placements put into `times`.

    A post the queue could not place has no time on that channel and a finding in the plan: the
    build goes on without that variant, and fails on the finding (an error, as a variant that
    breaks a platform's limit), never dropping it silently.
    """
    events = [
        times[r.source][r.channel]
        for r in requests
        if r.event and r.channel in times.get(r.source, {})
    ]
    plan = place(wanted, times, channels, replace(rules, events=[*rules.events, *events]))
    for (source, name, occurrence), placement in plan.placed.items():
        if occurrence == 0:
            times[source][name] = placement.when
    return plan


def _occurrences(request: Request, first: date) -> list[Wanted]:
    """The asks of a queued post: its first day and, with `repeat:`, every recurrence.

    Recurrence n asks from `first + n × every` on, up to the repeat's `until`; each is placed
    under the same rules as the first, and may be moved on within its horizon but never past
    `until`.
    """
    one = Wanted(
        request.source, request.channel, first, request.line, request.campaign, request.own_text
    )
    if not request.repeat_weeks or request.repeat_until is None:
        return [one]
    until = date.fromisoformat(request.repeat_until)
    step = timedelta(weeks=request.repeat_weeks)
    later = (
        replace(one, first=first + step * n, occurrence=n, last=until)
        for n in range(1, (until - first) // step + 1)
    )
    return [one, *later]


def _queue_start(request: Request, channel: Channel, errors: ErrorCollector) -> list[Wanted]:
    """A queued post without any date starts at the queue's `start`; without one, an error."""
    if channel.queue.start is None:
        errors.add(
            InputError(
                request.source,
                f"this background post gives no date, and the queue of {request.channel} "
                "has no start",
                line=request.line,
                key="publish",
                hint="add `publish: 2026-12-01` (the first day it may go out), "
                "or `start = 2026-12-01` under [queue] in channels.toml",
                channel=request.channel,
            )
        )
        return []
    return _occurrences(request, date.fromisoformat(channel.queue.start))


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
        free = [slot[-5:] for slot, _ in slots_of_day(channel, day) if slot[-5:] not in used]
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
