"""What is due at a given time: the plan a push carries out, and `cmbuild plan` shows.

A variant is due when it is scheduled at or before now, `publishable` in the manifest, not in the
ledger as published (or retracted), not halted, and not stale: more than `stale_after_hours` (the
channel's, default 6) past its time, it is reported as missed instead of being published late.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cmbuild.manifest.reader import VariantEntry
from cmbuild.model import Channel
from cmbuild.platforms import NoPublisher, publisher_name
from cmbuild.stores.halts import Halt, halted_by
from cmbuild.stores.ledger import Record

DEFAULT_STALE_HOURS = 6.0


@dataclass(frozen=True)
class Planned:
    """A variant and what the plan does with it (and why)."""

    entry: VariantEntry
    reason: str = ""


@dataclass(frozen=True)
class Plan:
    now: datetime
    due: tuple[Planned, ...]  # to publish, in schedule order (reason: a known problem, if any)
    skipped: tuple[Planned, ...]  # not published now, and why
    missed: tuple[Planned, ...]  # stale: newly reported as missed
    pending: tuple[Planned, ...]  # a send interrupted earlier: checked before anything else
    counts: dict[str, int] = field(default_factory=dict)  # later, already published...
    upcoming: tuple[Planned, ...] = ()  # within the horizon asked for (`plan --week`), and why not


@dataclass(frozen=True)
class Held:
    """A halt written by veille, and the posts it holds that are not published yet."""

    halt: Halt
    posts: tuple[str, ...]  # their sources
    variants: int


def held_by_veille(
    entries: Sequence[VariantEntry], records: Mapping[str, Record], halts: tuple[Halt, ...]
) -> tuple[Held, ...]:
    """Each halt veille wrote (`cmbuild watch`, on a crisis) with what it holds back."""
    found = []
    for halt in halts:
        if halt.veille is None:
            continue
        held = [
            entry
            for entry in entries
            if halt.matches(entry)
            and (entry.id not in records or records[entry.id].state not in _DONE)
        ]
        found.append(Held(halt, tuple(sorted({e.source for e in held})), len(held)))
    return tuple(found)


_DONE = ("published", "retracted")


def stale_hours(channel: Channel | None) -> float:
    if channel is None or channel.stale_after_hours is None:
        return DEFAULT_STALE_HOURS
    return channel.stale_after_hours


def make_plan(
    entries: Sequence[VariantEntry],
    records: Mapping[str, Record],
    halts: tuple[Halt, ...],
    channels: Mapping[str, Channel],
    now: datetime,
    only: Sequence[str] = (),
    reported: Collection[str] = (),
    horizon: timedelta | None = None,
) -> Plan:
    """The plan at `now` for `entries` (in schedule order), restricted to channels `only`.

    Variants in `reported` (reconciled by this push, already listed one by one) are not counted
    again among the ones "already published". With a `horizon`, the variants scheduled after now
    and within it are listed as upcoming (with what would stop them: a status other than
    approved, error findings, a halt).
    """
    upcoming: list[Planned] = []
    due: list[Planned] = []
    skipped: list[Planned] = []
    missed: list[Planned] = []
    pending: list[Planned] = []
    counts = {"later": 0, "already published": 0, "missed earlier": 0, "never approved": 0}
    for entry in entries:
        if only and entry.channel not in only:
            continue
        if entry.scheduled > now:
            if horizon is not None and entry.scheduled <= now + horizon:
                upcoming.append(Planned(entry, _upcoming(entry, halts)))
            else:
                counts["later"] += 1
            continue
        record = records.get(entry.id)
        state = record.state if record else None
        late = now - entry.scheduled
        stale = late > timedelta(hours=stale_hours(channels.get(entry.channel)))
        if state in ("published", "retracted"):
            counts["already published"] += entry.id not in reported
        elif state == "pending":
            pending.append(Planned(entry, "a send was interrupted: checking the platform first"))
        elif record is not None and record.last.code == "missed":
            counts["missed earlier"] += 1
        elif not entry.publishable:
            if stale:
                counts["never approved"] += 1
            else:
                skipped.append(Planned(entry, _unpublishable(entry)))
        elif stale:
            missed.append(Planned(entry, _late(late, stale_hours(channels.get(entry.channel)))))
        elif (halt := halted_by(halts, entry)) is not None:
            skipped.append(Planned(entry, halt.describe()))
        else:
            due.append(Planned(entry, _problem(entry, channels)))
    return Plan(
        now, tuple(due), tuple(skipped), tuple(missed), tuple(pending), counts, tuple(upcoming)
    )


def _upcoming(entry: VariantEntry, halts: tuple[Halt, ...]) -> str:
    queued = f"queued: {entry.plan}" if entry.plan else ""
    if not entry.publishable:
        why = _unpublishable(entry).replace("not publishable", "will not go out", 1)
    else:
        halt = halted_by(halts, entry)
        why = f"will not go out while {halt.describe()}" if halt is not None else ""
    return "; ".join(part for part in (why, queued) if part)


def _unpublishable(entry: VariantEntry) -> str:
    if entry.status != "approved":
        return f"not publishable: status is {entry.status}, not approved"
    return "not publishable: it has error-level findings (see `cmbuild check`)"


def _late(late: timedelta, hours: float) -> str:
    return (
        f"missed: due {late.total_seconds() / 3600:.1f} h ago, "
        f"more than the {hours:g} h its channel allows (stale_after_hours): not published late"
    )


def _problem(entry: VariantEntry, channels: Mapping[str, Channel]) -> str:
    """What will stop a due variant from being published, known before trying (else "")."""
    channel = channels.get(entry.channel)
    if channel is None:
        return f"channel {entry.channel} is not in channels.toml"
    try:
        publisher_name(channel)
    except NoPublisher as error:
        return str(error)
    return ""
