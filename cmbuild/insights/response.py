"""Response times: how long people waited for the brand's first answer, per channel and intent.

An item counts in the period it was said in (`Period.start` ≤ at < `Period.end`). Its time to
first answer is from when it was said to the first answer `cmbuild.stores.inbox.answered` found
(a reply sent through the ledger, or the brand's own account answering on the platform). Items
by the brand's own accounts are not waiting for anyone and are left out. The intent is the one
the triggers of brand/replies.toml give ("none" when no trigger matched).

An item still waiting has waited at least from when it was said to `as_of` (the report's "now"):
the row says how long the oldest one has waited, and the KPI `response_hours` counts each at
that wait so far, so that not answering can never make the median look better.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cmbuild.inbox.classify import classifier
from cmbuild.insights.period import Period, split
from cmbuild.insights.report import KpiResult, KpiRow, kpi_status
from cmbuild.load.kpis import LOWER_IS_BETTER
from cmbuild.load.replies import Wording
from cmbuild.stores.inbox import InboxItem

NO_INTENT = "none"


@dataclass(frozen=True)
class ResponseRow:
    """Time to first answer of the items of one channel and intent said in the period."""

    channel: str
    intent: str
    items: int
    answered: int
    median_hours: float | None  # None: nothing answered yet
    slowest_hours: float | None
    waiting_hours: float | None = None  # how long the oldest item still waiting has waited
    # The answered items' times and the waiting ones' waits so far: what the KPI's median counts.
    counted: tuple[float, ...] = field(default=(), compare=False, repr=False)

    @property
    def waiting(self) -> int:
        return self.items - self.answered


def response_times(
    items: Iterable[InboxItem],
    answered: Mapping[str, datetime],
    wording: Wording,
    period: Period,
    own_accounts: Mapping[str, str] | None = None,
    as_of: datetime | None = None,
) -> tuple[ResponseRow, ...]:
    """One row per (channel, intent) with items in the period, by channel then intent name.

    With `as_of`, an item still waiting counts as waited until then (see the module's doc)."""
    classify = classifier(wording).classify
    own = own_accounts or {}
    groups: dict[tuple[str, str], list[tuple[bool, float | None]]] = {}
    for item in items:
        if not period.start <= item.at < period.end or own.get(item.channel) == item.author_id:
            continue
        intent = classify(item.text, item.language)
        first = answered.get(item.id)
        until = first or as_of
        hours = None if until is None else max(0.0, (until - item.at).total_seconds() / 3600)
        key = (item.channel, intent.name if intent else NO_INTENT)
        groups.setdefault(key, []).append((first is not None, hours))
    return tuple(_row(key, waits) for key, waits in sorted(groups.items()))


def overall_median(rows: Iterable[ResponseRow], channel: str | None = None) -> float | None:
    """The KPI `response_hours`: the median time to first answer over the rows' items, an item
    still waiting counted at its wait so far."""
    values = [
        hours for row in rows if channel is None or row.channel == channel for hours in row.counted
    ]
    return round(statistics.median(values), 2) if values else None


def _row(key: tuple[str, str], waits: list[tuple[bool, float | None]]) -> ResponseRow:
    done = sorted(hours for answered, hours in waits if answered and hours is not None)
    waiting = sorted(hours for answered, hours in waits if not answered and hours is not None)
    return ResponseRow(
        channel=key[0],
        intent=key[1],
        items=len(waits),
        answered=len(done),
        median_hours=round(statistics.median(done), 2) if done else None,
        slowest_hours=round(done[-1], 2) if done else None,
        waiting_hours=round(waiting[-1], 2) if waiting else None,
        counted=tuple(done + waiting),
    )


def response_lines(rows: Iterable[ResponseRow]) -> list[str]:
    """The Markdown table of the report's "Response times" section."""
    rows = list(rows)
    if not rows:
        return ["No one wrote to the brand in this period (state/inbox.jsonl)."]
    lines = [
        "| channel | intent | items | answered | waiting | median time to answer | slowest "
        "| waiting for |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.channel} | {row.intent} | {row.items} | {row.answered} | {row.waiting} "
            f"| {_hours(row.median_hours)} | {_hours(row.slowest_hours)} "
            f"| {_hours(row.waiting_hours)} |"
        )
    return lines


def _hours(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 1:
        return f"{round(value * 60)} min"
    return f"{value:.1f} h"


def response_kpis(
    results: Iterable[KpiResult],
    period: Period,
    items: Sequence[InboxItem],
    answered: Mapping[str, datetime],
    wording: Wording,
    as_of: datetime | None = None,
) -> tuple[KpiResult, ...]:
    """`results` with each `response_hours` target measured: the median per week or month
    (an item still waiting at `as_of` counted at its wait so far)."""
    evaluated = []
    for result in results:
        kpi = result.kpi
        if kpi.metric not in LOWER_IS_BETTER:
            evaluated.append(result)
            continue
        rows = []
        for span in split(period, kpi.period):
            spanned = response_times(items, answered, wording, span, as_of=as_of)
            actual = overall_median(spanned, kpi.channel)
            rows.append(KpiRow(span.label, actual, kpi_status(kpi, actual)))
        evaluated.append(KpiResult(kpi, tuple(rows)))
    return tuple(evaluated)
