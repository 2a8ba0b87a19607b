"""Histories to score: posts at chosen hours of the week, written to the real metrics store."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cmbuild.stores import metrics
from cmbuild.stores.metrics import Snapshot

END = datetime.fromisoformat("2026-01-01T00:00:00+00:00")


def local_times(cell: int, weeks: int, zone: str, end: datetime = END) -> list[datetime]:
    """The UTC instants of local `cell` (weekday*24+hour, minute 15) in each of the `weeks`."""
    tz = ZoneInfo(zone)
    last = end.astimezone(tz)
    found = []
    for week in range(1, weeks + 1):
        day = (last - timedelta(weeks=week)).date()
        day += timedelta(days=(cell // 24 - day.weekday()) % 7)
        local = datetime(day.year, day.month, day.day, cell % 24, 15, tzinfo=tz)
        found.append(local.astimezone(ZoneInfo("UTC")))
    return [t for t in found if t < end]


def write_posts(state: Path, channel: str, posts: Iterable[tuple[datetime, int]]) -> int:
    """Each (publish time, likes) as a 24 h reading of its own variant in state/metrics/."""
    snapshots = [
        Snapshot(f"{channel}-{i}", channel, "bluesky", f"at://{i}", at + timedelta(hours=24), 24,
                 {"likes": likes, "reposts": 0}, "api", "app.bsky.feed.getPosts")
        for i, (at, likes) in enumerate(sorted(posts))
    ]  # fmt: skip
    return metrics.append_snapshots(state, snapshots)
