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

Each occurrence of a `repeat:` asks on its own, from its own first day, and may not be moved past
the repeat's `until`. Posts are taken in a stable order (first day, occurrence, then path), so the
same inputs give the same plan, and each placement says why it sits where it does. A post no slot
takes within the horizon is an error finding naming the rules that blocked it (a halted one, a
warning), never dropped silently.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
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
    """One background post (or one recurrence of it) asking for a place on one channel."""

    source: str
    channel: str
    first: date  # the first day it may go out
    line: int | None
    campaign: str | None = None
    own_text: bool = False  # the post gives this channel its own text (no complementarity clash)
    occurrence: int = 0  # 0, or the number of a `repeat:` recurrence (1 is the second time out)
    last: date | None = None  # a recurrence may not be moved past its repeat's `until`


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


class _Days:
    """One channel's closed days (full, a public holiday, or every slot refused for good), to
    skip them at once.

    `skip` points a closed day to a later day that may be open (a disjoint-set forest, its paths
    shortened as they are followed), so that a post never walks again the run of full days the
    posts before it filled: placing n posts costs about n look-ups, not n times the full days.
    """

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.count: dict[date, int] = defaultdict(int)
        self.skip: dict[date, date] = {}
        self.closed: list[date] = []  # sorted, to count and name the days a post moved past
        self.why: dict[date, tuple[str, str]] = {}  # closed day -> (which rule, why in words)
        self.seen: set[date] = set()  # days whose holiday status is known

    def add(self, day: date) -> None:
        self.count[day] += 1
        if day not in self.why and self.count[day] >= self.most(day):
            self._close(day, "full", f"{day.isoformat()} is full ({self.most(day)} a day)")

    def most(self, day: date) -> int:
        settings = self.channel.queue
        if settings.max_per_day is not None:
            return settings.max_per_day
        return len(slots_of_day(self.channel, day))

    def next_open(self, day: date) -> date:
        """The first day from `day` on that is neither full nor a holiday."""
        while True:
            if day not in self.seen:
                self.seen.add(day)
                self._holiday(day)
            later = self.skip.get(day)
            if later is None:
                return day
            self.skip[day] = self.skip.get(later, later)  # path halving
            day = later

    def moved_past(self, begin: date, end: date) -> list[tuple[str, str]]:
        """Which rule closed each day from `begin` to `end` (excluded), and why in words."""
        low = bisect.bisect_left(self.closed, begin)
        high = bisect.bisect_left(self.closed, end)
        return [self.why[day] for day in self.closed[low:high]]

    def refused_all(self, day: date, problems: list[str]) -> bool:
        """Close `day` when each of its slots was refused by a rule no later post can lift.

        A slot taken, too close to another post, in a blackout or lost to a clock change stays
        refused (posts are only added); only complementarity depends on the post asking. Returns
        whether the day is now closed.
        """
        if any(_PER_POST in problem for problem in problems):
            return False
        if problems and all(problem.endswith(" of an event") for problem in problems):
            self._close(day, "event", f"{day.isoformat()} is {problems[0]}")
        else:
            self._close(day, "no slot", f"{day.isoformat()} has no free slot left")
        return True

    def _holiday(self, day: date) -> None:
        if day in self.why:
            return
        country = self.channel.queue.country
        if country and day in _holidays(country, day.year):
            self._close(day, "holiday", f"{day.isoformat()} is a public holiday")
        elif self.most(day) <= self.count[day]:
            self._close(day, "full", f"{day.isoformat()} is full ({self.most(day)} a day)")

    def _close(self, day: date, rule: str, why: str) -> None:
        if day in self.why:
            return
        self.why[day] = (rule, why)
        self.skip[day] = day + timedelta(days=1)
        bisect.insort(self.closed, day)


class _Board:
    """What is already taken: per channel, the instants (sorted) and the closed days."""

    def __init__(self, channels: Mapping[str, Channel]) -> None:
        self.channels = channels
        self.instants: dict[str, list[datetime]] = defaultdict(list)
        self.days = {name: _Days(channel) for name, channel in channels.items()}
        self.of_post: dict[str, list[tuple[str, datetime, bool]]] = defaultdict(list)

    def take(self, source: str, channel: str, when: datetime, own_text: bool) -> None:
        bisect.insort(self.instants[channel], when)
        self.days[channel].add(when.date())
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
    days = board.days[want.channel]
    zone = channel.timezone or "UTC"
    end = want.first + timedelta(weeks=channel.queue.horizon_weeks)
    if want.last is not None:
        end = min(end, want.last + timedelta(days=1))
    refused: Counter[str] = Counter()
    day = days.next_open(want.first)
    while day < end:
        taken: list[str] = []
        problems: list[str] = []
        for rank, (text, score) in enumerate(slots_of_day(channel, day)):
            try:
                when = _at(day, text[-5:], zone)
            except TimeError:
                taken.append(f"{text} does not exist that day (clock change)")
                problems.append("does not exist (clock change)")
                continue
            problem = _problem(want, when, board, events, rules)
            if problem is None:
                passed = [why for _, why in days.moved_past(want.first, day)]
                return Placement(when, _reason(rank, text, score, taken, passed)), ""
            taken.append(f"{text} {problem}")
            problems.append(problem)
        if not days.refused_all(day, problems):
            refused.update(problems)  # a closed day is counted once, by its rule
        day = days.next_open(day + timedelta(days=1))
    return None, _nowhere(want.first, end, days.moved_past(want.first, end), refused)


_CLOSED = {
    "full": "days full",
    "holiday": "public holidays",
    "event": "days in an event's blackout",
    "no slot": "days with no free slot left",
}
_PER_POST = " of the same text on "  # the complementarity refusal, the only one per post


def _nowhere(first: date, end: date, closed: list[tuple[str, str]], refused: Counter[str]) -> str:
    """Why no slot took a post from `first` to `end`: the rules that refused it, most first."""
    if end <= first:
        return f"its repeat ends before {first.isoformat()}"
    rules = Counter(rule for rule, _ in closed)
    blocked = [(count, f"{count} {_CLOSED[rule]}") for rule, count in rules.items()]
    blocked += [(count, f"{count} slots {problem}") for problem, count in refused.items()]
    shown = [text for _, text in sorted(blocked, key=lambda b: (-b[0], b[1]))]
    last = (end - timedelta(days=1)).isoformat()
    return f"no free slot from {first.isoformat()} to {last}" + (
        f" ({', '.join(shown)})" if shown else " (no slot on those days)"
    )


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
    halted = " is halted (" in why
    return Finding(
        rule=RULE,
        # A post no slot takes is an error, as a variant over a platform's limit: it cannot be
        # published as it stands. A halted one waits on purpose (a crisis): a warning, so that
        # the builds of a halt do not fail, yet it is listed.
        severity="warning" if halted else "error",
        message=f"not placed on {want.channel}{recurrence}: {why}",
        file=want.source,
        line=want.line,
        channel=want.channel,
        hint="resume it (`cmbuild resume`) once the reason is over, or take it off this channel"
        if halted
        else "add a slot to the channel, raise its max_per_day or horizon_weeks, shorten "
        "blackout_hours, or give the post a date further on",
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
def _at(day: date, slot: str, zone: str) -> datetime:
    # The same (day, slot) is tried by every post that reaches that day: localise it once.
    return at_slot(day, slot, zone)


@cache
def _holidays(country: str, year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays(country, years=year))
