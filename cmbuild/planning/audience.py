"""state/activity/ boiled down per month: each channel's interaction times, cached.

Reading a month file checks every line (cmbuild/stores/activity.py); `slots` needs only, per
channel, when each interaction happened. That summary (exact times, as whole microseconds since
the epoch, UTC) and the problems met are cached per month under output/.cmbuild/activity/,
keyed on the file's size and modification time like the metrics store's summary
(cmbuild/insights/readings.py): a month changed by `cmbuild collect` is read again, the others
are not. The cache is versioned and safe to delete.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cmbuild.errors import InputError
from cmbuild.stores import activity
from cmbuild.stores.summaries import cached_summary

CACHE_VERSION = 1
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@dataclass
class Audience:
    """One month's interactions: per channel, their times in microseconds since the epoch."""

    times: dict[str, list[int]] = field(default_factory=dict)
    problems: list[InputError] = field(default_factory=list)


def microseconds(at: datetime) -> int:
    """`at` (aware) as whole microseconds since the epoch: exact, unlike a float timestamp."""
    return (at - EPOCH) // MICROSECOND


def from_microseconds(count: int) -> datetime:
    return EPOCH + timedelta(microseconds=count)


def read_month(path: Path, cache_dir: Path | None) -> Audience:
    """The summary of one month file, from the cache when it is current."""
    return cached_summary(path, cache_dir, CACHE_VERSION, _summarise, _to_cache, _from_cache)


def _summarise(path: Path) -> Audience:
    audience = Audience()
    for record in activity.iter_records(path):
        if isinstance(record, InputError):
            audience.problems.append(record)
            continue
        at = datetime.fromisoformat(record["at"])
        audience.times.setdefault(record["channel"], []).append(microseconds(at))
    return audience


def _to_cache(audience: Audience, stamp: list[int]) -> dict[str, Any]:
    return {
        "stamp": stamp,
        "times": audience.times,
        "problems": [[p.file, p.line, p.key, p.message, p.hint] for p in audience.problems],
    }


def _from_cache(data: dict[str, Any]) -> Audience:
    problems = [InputError(f, m, line=n, key=k, hint=h) for f, n, k, m, h in data["problems"]]
    return Audience(dict(data["times"]), problems)
