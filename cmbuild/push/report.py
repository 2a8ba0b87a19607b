"""What a push did, variant by variant, as a table's lines, JSON or CSV (the CLI shows them).

A person reads the table: each variant's time in its channel's zone, its post's title, what
happened and why; many missed variants are one line. `--json` gives the same report as data
(`to_dict`, documented in docs/push.md), `--csv` the listed variants as a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from cmbuild.manifest.reader import VariantEntry
from cmbuild.push.plan import Held, Plan

Outcome = Literal[
    "due",
    "published",
    "reconciled",
    "skipped",
    "missed",
    "failed",
    "retracted",
    "pending",
    "upcoming",
]
_FAILING = ("failed", "missed")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # not strftime: locale-free
TITLE_WIDTH = 40  # the table shortens longer titles (JSON and CSV keep them whole)
MISSED_LISTED = 3  # more missed variants than this are summed up in one line


@dataclass(frozen=True)
class Row:
    outcome: Outcome
    channel: str
    variant: str
    post: str
    scheduled: str  # UTC, "2026-12-01 08:00Z" (sorting, and shown when the zone is unknown)
    detail: str = ""
    title: str = ""
    platform: str = ""
    timezone: str = ""  # the channel's zone
    moment: datetime | None = None  # the scheduled time, when known
    kind: str = ""  # the post's kind: news, event, evergreen
    queued: bool = False  # placed by the queue (a background post with no time of its own)

    @property
    def local(self) -> str:
        """The scheduled time in the channel's zone: "Wed 2026-12-09 10:00 CET"."""
        if self.moment is None or not self.timezone:
            return self.scheduled
        local = self.moment.astimezone(ZoneInfo(self.timezone))
        return f"{_WEEKDAYS[local.weekday()]} {local:%Y-%m-%d %H:%M} {local:%Z}"

    def to_dict(self) -> dict[str, Any]:
        moment = self.moment
        return {
            "outcome": self.outcome,
            "channel": self.channel,
            "platform": self.platform or None,
            "variant": self.variant,
            "post": self.post,
            "title": self.title or None,
            "scheduled": _utc(moment) if moment else None,
            "scheduled_local": (
                moment.astimezone(ZoneInfo(self.timezone)).isoformat()
                if moment and self.timezone
                else None
            ),
            "timezone": self.timezone or None,
            "detail": self.detail,
            "kind": self.kind or None,
        }


def row_of(outcome: Outcome, entry: VariantEntry, detail: str = "") -> Row:
    """The row of a manifest variant."""
    return Row(
        outcome,
        entry.channel,
        entry.id,
        entry.source,
        _when(entry.scheduled),
        detail,
        title=entry.title,
        platform=entry.platform,
        timezone=entry.timezone,
        moment=entry.scheduled,
        kind=entry.kind,
        queued=entry.plan is not None,
    )


@dataclass
class Report:
    """The rows of a push, plan, retract or resolve, and notes (warnings) to show first."""

    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # variants not listed one by one
    command: str = ""  # "plan", "dry run", "push"... for the JSON
    now: datetime | None = None
    held: list[Held] = field(default_factory=list)  # what veille holds (plan and dry run)
    # The push's redactor, set by its session: every line shown passes through it once more.
    redact: Callable[[str], str] = field(default=str, repr=False)

    def add(self, outcome: Outcome, entry: VariantEntry, detail: str = "") -> None:
        self.rows.append(row_of(outcome, entry, detail))

    def add_row(self, row: Row) -> None:
        self.rows.append(row)

    @property
    def failed(self) -> bool:
        return any(row.outcome in _FAILING for row in self.rows)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    def totals(self) -> dict[str, int]:
        """How many variants had each outcome, then the counts of those not listed."""
        totals: dict[str, int] = {o: self.count(o) for o in _ORDER if self.count(o)}
        totals.update({what: n for what, n in self.counts.items() if n})
        return totals

    def to_dict(self) -> dict[str, Any]:
        """The report as data (`--json`); its shape is documented in docs/push.md."""
        return {
            "command": self.command or None,
            "now": _utc(self.now) if self.now else None,
            "title": self.title,
            "notes": list(self.notes),
            "counts": self.totals(),
            "variants": [row.to_dict() for row in _by_time(self.rows)],
            "held_by_veille": [_held_dict(held) for held in self.held],
        }


def _held_dict(held: Held) -> dict[str, Any]:
    halt, veille = held.halt, held.halt.veille
    return {
        "scope": halt.scope,
        "name": halt.name,
        "since": halt.since,
        "topic": veille.topic if veille else None,
        "item": veille.item if veille else None,
        "url": veille.url if veille else None,
        "posts": list(held.posts),
        "variants": held.variants,
    }


def plan_report(plan: Plan, command: str = "plan") -> Report:
    """A plan as a report: what is due, what is not and why, and what comes next."""
    report = Report(_plan_title(plan, command), counts=dict(plan.counts), command=command)
    report.now = plan.now
    for planned in plan.pending:
        report.add("pending", planned.entry, planned.reason)
    for planned in plan.due:
        report.add("due", planned.entry, planned.reason)
    for planned in plan.missed:
        report.add("missed", planned.entry, planned.reason)
    for planned in plan.skipped:
        report.add("skipped", planned.entry, planned.reason)
    for planned in plan.upcoming:
        report.add("upcoming", planned.entry, planned.reason)
    return report


def _plan_title(plan: Plan, command: str) -> str:
    due = len(plan.due) + len(plan.pending)
    at = f"{command} at {_utc(plan.now)}"
    if not due:
        return f"{at}: nothing due now"
    what, them = ("1 variant is", "it") if due == 1 else (f"{due} variants are", "them")
    if command == "dry run":
        return f"{at}: {what} due; a real push would publish {them} (this dry run sends nothing)"
    return f"{at}: {what} due; `cmbuild push` publishes {them} (a plan sends nothing)"


def lines(report: Report) -> list[str]:
    """The report as a person reads it: notes, title, one line per variant, the counts.

    A variant's line: outcome, time in its channel's zone, channel, title, variant id (for
    `cmbuild resolve`), and why.
    """
    shown = [f"warning: {note}" for note in report.notes]
    shown.append(report.title)
    ordered = sorted(report.rows, key=lambda r: (_ORDER.index(r.outcome), r.scheduled, r.channel))
    rows = [r for r in ordered if r.outcome != "upcoming"]
    missed = [r for r in rows if r.outcome == "missed"]
    summed = len(missed) > MISSED_LISTED
    listed = [r for r in rows if not (summed and r.outcome == "missed")]
    cells = [(r.outcome, r.local, r.channel, _short(r.title or r.post), r.variant) for r in listed]
    widths = [max((len(c[i]) for c in cells), default=0) for i in range(5)]
    widths[0] = max(widths[0], len("missed") if summed else 0)
    for row, cell in zip(listed, cells, strict=True):
        if summed and row is _first_after(rows, "missed"):
            shown.append(_missed_line(missed, widths[0]))
            summed = False
        line = "  ".join(text.ljust(width) for text, width in zip(cell, widths, strict=True))
        shown.append(f"  {line}  {row.detail}".rstrip())
    if summed:
        shown.append(_missed_line(missed, widths[0]))
    shown += _week_lines([r for r in ordered if r.outcome == "upcoming"])
    shown += _held_lines(report.held)
    shown.append(_summary(report))
    return shown


def _week_lines(upcoming: list[Row]) -> list[str]:
    """`plan --week`: the coming days channel by channel, each in its own local time."""
    if not upcoming:
        return []
    shown = ["coming up, channel by channel, in each channel's local time:"]
    for channel in sorted({r.channel for r in upcoming}):
        rows = [r for r in upcoming if r.channel == channel]
        shown.append(f"  {channel} ({rows[0].timezone or 'UTC'})")
        cells = [(r.local, _short(r.title or r.post), _kind(r), r.variant) for r in rows]
        widths = [max(len(c[i]) for c in cells) for i in range(4)]
        for row, cell in zip(rows, cells, strict=True):
            line = "  ".join(text.ljust(width) for text, width in zip(cell, widths, strict=True))
            shown.append(f"    {line}  {row.detail}".rstrip())
    return shown


def _kind(row: Row) -> str:
    """`event`, `evergreen, queued`: its kind, and whether the queue placed it."""
    return ", ".join(part for part in (row.kind or "news", "queued" if row.queued else "") if part)


def _held_lines(held: list[Held]) -> list[str]:
    """What veille holds back: the halt, the topic and the item heard, and the posts it holds."""
    shown = ["held by veille (`cmbuild resume` lifts a hold):"] if held else []
    for one in held:
        halt, veille = one.halt, one.halt.veille
        assert veille is not None
        where = f" {veille.url}" if veille.url else ""
        posts = ", ".join(one.posts) or "no post to publish"
        shown.append(
            f"  {halt.what}: topic {veille.topic} in crisis since {halt.since}, after"
            f" “{veille.item}”{where}: {one.variants} variant(s) held: {posts}"
        )
    return shown


def _first_after(rows: list[Row], outcome: Outcome) -> Row | None:
    """The first row after those with `outcome` (rows in _ORDER), where their summary goes."""
    after = [r for r in rows if _ORDER.index(r.outcome) > _ORDER.index(outcome)]
    return after[0] if after else None


CSV_COLUMNS = (
    "scheduled_local",
    "timezone",
    "scheduled",
    "channel",
    "platform",
    "title",
    "post",
    "outcome",
    "detail",
    "variant",
)


def to_csv(report: Report) -> str:
    """The report's variants as CSV (RFC 4180, a header line, in time order)."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n"
    )
    writer.writeheader()
    for row in _by_time(report.rows):
        data = row.to_dict()
        writer.writerow({k: "" if data.get(k) is None else data[k] for k in CSV_COLUMNS})
    return out.getvalue()


_ORDER: list[Outcome] = [
    "published",
    "reconciled",
    "retracted",
    "due",
    "pending",
    "failed",
    "missed",
    "skipped",
    "upcoming",
]


def _missed_line(missed: list[Row], width: int) -> str:
    posts = len({r.post for r in missed})
    first, last = missed[0], max(missed, key=lambda r: r.scheduled)
    return (
        f"  {'missed'.ljust(width)}  {len(missed)} variants of {posts} "
        f"post{'s' if posts > 1 else ''}, due from {first.local} to {last.local}: "
        "more than their channel's stale_after_hours late, not published late "
        "(`--json` lists them)"
    )


def _by_time(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (r.scheduled, r.channel, _ORDER.index(r.outcome)))


def _short(text: str) -> str:
    return text if len(text) <= TITLE_WIDTH else text[: TITLE_WIDTH - 1].rstrip() + "…"


def _summary(report: Report) -> str:
    parts = [f"{n} {what}" for what, n in report.totals().items()]
    return ", ".join(parts) if parts else "nothing to do"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ")
