"""What a push did, variant by variant (`cmbuild.cli.show.push_report` shows it as a table)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from cmbuild.manifest.reader import VariantEntry
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


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ")
