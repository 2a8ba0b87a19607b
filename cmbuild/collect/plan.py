"""What a collect has to read now: the (variant, age) readings that are due, and the channels.

A variant published at T with ages (1, 24, 168, 672) hours is read once at each age, by the
first collect at or after T + age. A reading is due for the highest age reached that the store
does not hold yet: a collect that did not run for two days takes the 24 h reading, not a late
and wrong 1 h one. A variant recorded as gone is never read again. The plan reads the ledger and
the store once each: time linear in their size.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cmbuild.model import Channel
from cmbuild.platforms.shared.metrics import GONE
from cmbuild.stores.ledger import Record
from cmbuild.stores.metrics import Key, Snapshot, snapshot_key

CHANNEL_EVERY = timedelta(hours=24)  # a channel's own figures are read at least this often


@dataclass(frozen=True)
class Due:
    """One reading to take: a published variant at one of its ages."""

    variant: str
    channel: str
    platform: str
    remote_id: str
    published_at: datetime
    age_hours: float


@dataclass(frozen=True)
class Plan:
    readings: tuple[Due, ...]  # in channel, then publication order
    channels: tuple[str, ...]  # whose own figures to read
    waiting: int  # published variants with no reading due now


@dataclass(frozen=True)
class Held:
    """What the store already holds, as the plan needs it."""

    keys: frozenset[Key]
    gone: frozenset[str]  # variants recorded as gone
    channel_read: Mapping[str, datetime]  # each channel's newest own reading


def held(snapshots: Iterable[Snapshot]) -> Held:
    keys: set[Key] = set()
    gone: set[str] = set()
    channel_read: dict[str, datetime] = {}
    for s in snapshots:
        if s.source != "api":
            continue
        keys.add(snapshot_key(s))
        if s.variant is None:
            if s.channel not in channel_read or s.at > channel_read[s.channel]:
                channel_read[s.channel] = s.at
        elif s.metrics.get(GONE):
            gone.add(s.variant)
    return Held(frozenset(keys), frozenset(gone), channel_read)


def make_plan(
    records: Mapping[str, Record],
    channels: Mapping[str, Channel],
    ages: Mapping[str, Sequence[float]],
    store: Held,
    now: datetime,
    only: Sequence[str] = (),
) -> Plan:
    """The readings due at `now` for the channels of `only` (all when empty)."""
    readings: list[Due] = []
    waiting = 0
    published: set[str] = set()
    for record in records.values():
        receipt = record.receipt
        if record.state != "published" or receipt is None or not receipt.remote_id:
            continue
        if receipt.channel not in channels or (only and receipt.channel not in only):
            continue
        published.add(receipt.channel)
        if record.variant in store.gone:
            continue
        when = receipt.published_at or receipt.at
        age = _due_age(ages[receipt.channel], now - when)
        if age is None or ("api", record.variant, receipt.channel, f"age:{age:g}") in store.keys:
            waiting += 1
            continue
        readings.append(
            Due(record.variant, receipt.channel, receipt.platform, receipt.remote_id, when, age)
        )
    readings.sort(key=lambda d: (d.channel, d.published_at, d.variant))
    busy = {d.channel for d in readings}
    own = [
        name
        for name in sorted(published)
        if name in busy
        or name not in store.channel_read
        or now - store.channel_read[name] >= CHANNEL_EVERY
    ]
    return Plan(tuple(readings), tuple(own), waiting)


def _due_age(ages: Sequence[float], elapsed: timedelta) -> float | None:
    """The highest of `ages` (hours) that `elapsed` has reached, or None."""
    hours = elapsed.total_seconds() / 3600
    reached = [age for age in ages if age <= hours]
    return max(reached) if reached else None
