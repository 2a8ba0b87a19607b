"""What a push did, variant by variant, and how to show it: a plain table and a count line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from cmbuild.push.manifest import VariantEntry
from cmbuild.push.plan import Plan

Outcome = Literal[
    "due", "published", "reconciled", "skipped", "missed", "failed", "retracted", "pending"
]
_FAILING = ("failed", "missed")


@dataclass(frozen=True)
class Row:
    outcome: Outcome
    channel: str
    variant: str
    post: str
    scheduled: str
    detail: str = ""


@dataclass
class Report:
    """The rows of a push, plan, retract or resolve, and notes (warnings) to show first."""

    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # variants not listed one by one
    # The push's redactor, set by its session: every line shown passes through it once more.
    redact: Callable[[str], str] = field(default=str, repr=False)

    def add(self, outcome: Outcome, entry: VariantEntry, detail: str = "") -> None:
        self.rows.append(
            Row(outcome, entry.channel, entry.id, entry.source, _when(entry.scheduled), detail)
        )

    def add_row(self, row: Row) -> None:
        self.rows.append(row)

    @property
    def failed(self) -> bool:
        return any(row.outcome in _FAILING for row in self.rows)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)


def plan_report(plan: Plan, title: str) -> Report:
    """A plan as a report: what is due, what is not and why."""
    report = Report(title, counts=dict(plan.counts))
    for planned in plan.pending:
        report.add("pending", planned.entry, planned.reason)
    for planned in plan.due:
        report.add("due", planned.entry, planned.reason)
    for planned in plan.missed:
        report.add("missed", planned.entry, planned.reason)
    for planned in plan.skipped:
        report.add("skipped", planned.entry, planned.reason)
    return report


def render(report: Report, show: Callable[[str], None]) -> None:
    """Print the report as a table: outcome, scheduled time, channel, variant, post, detail."""

    def echo(line: str) -> None:
        show(report.redact(line))

    for note in report.notes:
        echo(f"warning: {note}")
    echo(report.title)
    rows = sorted(report.rows, key=lambda r: (_ORDER.index(r.outcome), r.scheduled, r.channel))
    if rows:
        widths = [max(len(getattr(r, name)) for r in rows) for name in _COLUMNS]
        for row in rows:
            cells = [
                getattr(row, name).ljust(width)
                for name, width in zip(_COLUMNS, widths, strict=True)
            ]
            line = "  ".join(cells)
            echo(f"  {line}  {row.detail}".rstrip())
    echo(_summary(report))


_ORDER: list[Outcome] = [
    "published",
    "reconciled",
    "retracted",
    "due",
    "pending",
    "failed",
    "missed",
    "skipped",
]
_COLUMNS = ("outcome", "scheduled", "channel", "variant", "post")


def _summary(report: Report) -> str:
    parts = [f"{report.count(o)} {o}" for o in _ORDER if report.count(o)]
    parts += [f"{n} {what}" for what, n in report.counts.items() if n]
    return ", ".join(parts) if parts else "nothing to do"


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ")
