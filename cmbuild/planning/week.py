"""The hours of a week in a channel's time zone: 7 days × 24 hours, cell = weekday * 24 + hour.

A real hour is an hour of UTC time; its cell is the local weekday and hour at which it starts.
Each real hour belongs to exactly one cell, so nothing is counted twice or lost across a change
of clocks: when clocks go back, the repeated local hour (01:00-02:00 twice) is one cell that
saw two real hours that week; when they go forward, the skipped local hour saw none. Rates are
taken per real hour of exposure (`exposure`), so neither week is over- or under-weighted.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

CELLS = 7 * 24
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOUR = timedelta(hours=1)
QUARTER = 900  # seconds


def cell_of(at: datetime, zone: ZoneInfo) -> int:
    """The cell of `at` (aware): its local weekday and hour in `zone`."""
    # Every zone's offset is a whole number of quarter hours, so the local hour is the same
    # through a UTC quarter hour: one conversion per quarter, however many posts and likes.
    return _quarter_cell(int(at.timestamp() // QUARTER), zone)


@dataclass(frozen=True)
class Calendar:
    """The cell of every UTC quarter hour of a span in one zone, looked up as a table."""

    first: int  # the span's first quarter (quarters since the epoch)
    table: NDArray[np.intp]  # the cell of quarter first + i

    def cells(self, times: Sequence[datetime]) -> NDArray[np.intp]:
        """The cell of each of `times` (aware, within the span), as `cell_of` gives it."""
        seconds = np.fromiter((at.timestamp() for at in times), float, count=len(times))
        found: NDArray[np.intp] = self.table[
            np.floor_divide(seconds, QUARTER).astype(np.int64) - self.first
        ]
        return found

    def cells_us(self, times: NDArray[np.int64]) -> NDArray[np.intp]:
        """The cell of each of `times` (microseconds since the epoch, within the span)."""
        found: NDArray[np.intp] = self.table[times // (QUARTER * 1_000_000) - self.first]
        return found


def calendar(start: datetime, end: datetime, zone: ZoneInfo) -> Calendar:
    """The Calendar of [start, end] in `zone`: one conversion per quarter hour of the span."""
    first, last = int(start.timestamp() // QUARTER), int(end.timestamp() // QUARTER)
    count = last - first + 1
    cells = (_quarter_cell(q, zone) for q in range(first, last + 1))
    return Calendar(first, np.fromiter(cells, np.intp, count=count))


@functools.lru_cache(maxsize=1 << 18)
def _quarter_cell(quarter: int, zone: ZoneInfo) -> int:
    local = datetime.fromtimestamp(quarter * QUARTER, zone)
    return local.weekday() * 24 + local.hour


def label(cell: int) -> str:
    """`Tue 12:00`: the form of a weekly slot in channels.toml."""
    return f"{DAYS[cell // 24]} {cell % 24:02d}:00"


def parse_label(text: str) -> int | None:
    """The cell of `Tue 12:30` (or None if it is not that form)."""
    day, _, clock = text.strip().partition(" ")
    if day not in DAYS or len(clock) != 5 or clock[2] != ":":
        return None
    hour = clock[:2]
    return DAYS.index(day) * 24 + int(hour) if hour.isdigit() and int(hour) < 24 else None


def exposure(start: datetime, end: datetime, zone: ZoneInfo) -> list[int]:
    """Real hours of [start, end) in each cell; their sum is the number of real hours."""
    counts = [0] * CELLS
    at = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    if at < start:
        at += HOUR
    stop = end.astimezone(UTC)
    # Whole weeks between two instants map each cell the same number of times except around a
    # change of offset, so walk the hours: 16 weeks are 2,688 steps.
    while at < stop:
        counts[cell_of(at, zone)] += 1
        at += HOUR
    return counts
