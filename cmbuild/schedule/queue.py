"""The queue: background posts (evergreen, series) placed into their channels' best free slots.

A queued post gives no time (a date at most: the first day it may go out). For each of its
channels, in name order, the days from that first day to the end of the horizon are tried in
turn, and in each day the channel's slots in rank order (the order of `slots` in channels.toml);
the first slot that breaks no rule is taken:

* no more than `max_per_day` posts on the channel that local day (fixed posts count);
* at least `min_gap_hours` from every other post on the channel;
* not within `blackout_hours` of an event post (`kind: event`) on any channel;
* not on a public holiday of the channel's `country`;
* not within the charter's complementarity window of the same post on another channel (the
  same text twice), unless the two channels share an exempt group or one has its own text;
* not while its campaign or channel is halted (state/halt.toml): such a post waits, unplaced.

Posts are taken in a stable order (first day, then path), so the same inputs give the same plan,
and each placement says why it sits where it does. A post no slot takes within the horizon is a
finding, never dropped silently.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from cmbuild.load.queue import WEEKDAYS
from cmbuild.load.times import TimeError, at_slot
from cmbuild.model import Channel, Finding

RULE = "schedule.queue"


@dataclass(frozen=True)
class Wanted:
    """One background post asking for a place on one channel."""

    source: str
    channel: str
    first: date  # the first day it may go out
    line: int | None
    campaign: str | None = None
    own_text: bool = False  # the post gives this channel its own text (no complementarity clash)
    occurrence: int = 0  # 0, or the number of a `repeat:` recurrence


@dataclass(frozen=True)
class Placement:
    """Where the queue put one post on one channel, and why."""

    when: datetime
    reason: str


@dataclass(frozen=True)
class Rules:
    """What the queue must keep clear of, beside each channel's own rules."""

    events: Sequence[datetime] = ()  # every event post's time, on any channel
    window_hours: float = 24.0  # the charter's complementarity window
    exempt: tuple[tuple[str, ...], ...] = ()  # channel groups that may share a text
    halted: Mapping[str, str] = field(default_factory=dict)  # "campaign X"/"channel Y" -> why


@dataclass
class Plan:
    """The placements made, and the posts left out with the reason."""

    placed: dict[tuple[str, str, int], Placement] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


class _Board:
    """What is already taken: per channel, the instants (sorted) and the count per local day."""

    def __init__(self, channels: Mapping[str, Channel]) -> None:
        self.channels = channels
        self.instants: dict[str, list[datetime]] = defaultdict(list)
        self.per_day: dict[tuple[str, date], int] = defaultdict(int)
        self.of_post: dict[str, list[tuple[str, datetime, bool]]] = defaultdict(list)
        # Per channel, the first day not known to be full or a holiday: days only fill up, so a
        # later post starts its search there instead of walking every full day again.
        self.open_from: dict[str, date] = {}

    def take(self, source: str, channel: str, when: datetime, own_text: bool) -> None:
        bisect.insort(self.instants[channel], when)
        self.per_day[(channel, when.date())] += 1
        self.of_post[source].append((channel, when, own_text))

    def nearest_gap(self, channel: str, when: datetime) -> timedelta | None:
        taken = self.instants[channel]
        at = bisect.bisect_left(taken, when)
        gaps = [abs(taken[i] - when) for i in (at - 1, at) if 0 <= i < len(taken)]
        return min(gaps) if gaps else None


def place(
    wanted: Iterable[Wanted],
    fixed: Mapping[str, Mapping[str, datetime]],
    channels: Mapping[str, Channel],
    rules: Rules,
) -> Plan:
    """Place every wanted (post, channel) into a free slot, or say why it could not be."""
    board = _Board(channels)
    for source, by_channel in sorted(fixed.items()):
        for name, when in sorted(by_channel.items()):
            board.take(source, name, _local(when, channels[name]), own_text=False)
    events = sorted(rules.events)
    plan = Plan()
    order = sorted(wanted, key=lambda w: (w.first, w.occurrence, w.source, w.channel))
    for want in order:
        why_not = _halted(want, rules)
        if why_not is None:
            placement, why_not = _first_free(want, board, events, rules)
            if placement is not None:
                plan.placed[(want.source, want.channel, want.occurrence)] = placement
                board.take(want.source, want.channel, placement.when, want.own_text)
                continue
        plan.findings.append(_unplaced(want, why_not))
    return plan


def _halted(want: Wanted, rules: Rules) -> str | None:
    for what in (f"campaign {want.campaign}" if want.campaign else "", f"channel {want.channel}"):
        if what in rules.halted:
            return f"{what} is halted ({rules.halted[what]})"
    return rules.halted.get("everything")


def _first_free(
    want: Wanted, board: _Board, events: list[datetime], rules: Rules
) -> tuple[Placement | None, str]:
    channel = board.channels[want.channel]
    settings = channel.queue
    zone = channel.timezone or "UTC"
    passed: list[str] = []
    end = want.first + timedelta(weeks=settings.horizon_weeks)
    begin = want.first
    known = board.open_from.get(want.channel, begin)
    if known > begin:
        passed.append(f"{(known - begin).days} days full or holidays")
        begin = known
    for day in (begin + timedelta(days=n) for n in range((end - begin).days)):
        closed = _closed(channel, day, board.per_day[(want.channel, day)])
        if closed is not None:
            passed.append(closed)
            if board.open_from.get(want.channel, day) == day:
                board.open_from[want.channel] = day + timedelta(days=1)
            continue
        slots = slots_of_day(channel, day)
        taken: list[str] = []
        for rank, (text, score) in enumerate(slots):
            try:
                when = at_slot(day, text[-5:], zone)
            except TimeError:
                taken.append(f"{text} does not exist that day (clock change)")
                continue
            problem = _problem(want, when, board, events, rules)
            if problem is None:
                return Placement(when, _reason(rank, text, score, taken, passed)), ""
            taken.append(f"{text} {problem}")
    last = (end - timedelta(days=1)).isoformat()
    return None, f"no free slot from {want.first.isoformat()} to {last}"


def _closed(channel: Channel, day: date, count: int) -> str | None:
    """Why no background post may go out on `day` at all (a holiday, a full day), else None."""
    settings = channel.queue
    if settings.country and day in _holidays(settings.country, day.year):
        return f"{day.isoformat()} is a public holiday"
    most = (
        settings.max_per_day
        if settings.max_per_day is not None
        else len(slots_of_day(channel, day))
    )
    return f"{day.isoformat()} is full ({most} a day)" if count >= most else None


def _problem(
    want: Wanted, when: datetime, board: _Board, events: list[datetime], rules: Rules
) -> str | None:
    settings = board.channels[want.channel].queue
    gap = board.nearest_gap(want.channel, when)
    if gap is not None and gap == timedelta(0):
        return "taken"
    if gap is not None and gap < timedelta(hours=settings.min_gap_hours):
        return f"within {settings.min_gap_hours:g} h of another post"
    blackout = timedelta(hours=settings.blackout_hours)
    at = bisect.bisect_left(events, when - blackout)
    if at < len(events) and events[at] <= when + blackout:
        return f"within {settings.blackout_hours:g} h of an event"
    window = timedelta(hours=rules.window_hours)
    for channel, other, own_text in board.of_post[want.source]:
        clash = channel != want.channel and not (own_text or want.own_text)
        if clash and abs(other - when) <= window and not _exempt(channel, want.channel, rules):
            return f"within {rules.window_hours:g} h of the same text on {channel}"
    return None


def _exempt(first: str, second: str, rules: Rules) -> bool:
    return any(first in group and second in group for group in rules.exempt)


def _reason(rank: int, text: str, score: float | None, taken: list[str], passed: list[str]) -> str:
    scored = f", score {score:.2f}" if score is not None else ""
    choice = "best free slot" if rank == 0 else f"{_ordinal(rank + 1)} choice"
    parts = [f"{choice}: {text}{scored}"]
    if taken:
        parts.append(", ".join(taken))
    if passed:
        shown = passed if len(passed) <= 3 else [*passed[:2], f"{len(passed) - 2} more days"]
        parts.append("moved on: " + ", ".join(shown))
    return "; ".join(parts)


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10)
    return f"{number}{suffix or 'th'}"


def _unplaced(want: Wanted, why: str) -> Finding:
    recurrence = f" (recurrence {want.occurrence + 1})" if want.occurrence else ""
    return Finding(
        rule=RULE,
        severity="warning",
        message=f"not placed on {want.channel}{recurrence}: {why}",
        file=want.source,
        line=want.line,
        channel=want.channel,
        hint="add a slot to the channel, raise its max_per_day or horizon_weeks, "
        "or give the post a date further on",
    )


def slots_of_day(channel: Channel, day: date) -> list[tuple[str, float | None]]:
    """The channel's slots that apply on `day` (`09:00` every day, `Tue 12:30` on Tuesdays)."""
    weekday = WEEKDAYS[day.weekday()]
    scores = channel.slot_scores or (None,) * len(channel.slots)
    return [
        (text, score)
        for text, score in zip(channel.slots, scores, strict=True)
        if len(text) == 5 or text[:3] == weekday
    ]


def _local(when: datetime, channel: Channel) -> datetime:
    from zoneinfo import ZoneInfo

    return when.astimezone(ZoneInfo(channel.timezone)) if channel.timezone else when


@cache
def _holidays(country: str, year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays(country, years=year))
