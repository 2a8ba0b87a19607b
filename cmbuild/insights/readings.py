"""The store, boiled down in one streaming pass: each variant's newest reading, each channel's.

A report needs, per variant, only its newest reading (the 28-day figures replace the 7-day ones),
reduced to what a report counts (cmbuild.insights.vocabulary), and per channel its follower
counts over time. Each month file is read once, line by line (cmbuild.stores.metrics.iter_lines),
into that summary; the summary is cached under output/.cmbuild/insights/ as columns, keyed on
the file's size and modification time, so the next report reads only the months that changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from cmbuild.errors import InputError
from cmbuild.insights.vocabulary import absent, measure
from cmbuild.platforms.shared.metrics import GONE
from cmbuild.stores import metrics
from cmbuild.stores.summaries import cached_summary

CACHE_VERSION = 3

# One variant's newest reading from one source:
# (variant, source, age_hours, at, channel, platform, published,
#  impressions, engagements, clicks, visits, conversions, revenue, absent)
Row = tuple[Any, ...]
VARIANT, SOURCE, AGE, AT, CHANNEL, PLATFORM, PUBLISHED = range(7)
FIGURES = slice(7, 13)
ABSENT = 13


@dataclass
class Readings:
    posts: dict[tuple[str, str], Row] = field(default_factory=dict)
    channels: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    problems: list[InputError] = field(default_factory=list)
    lines: int = 0  # snapshots read (or summarised in the cache)

    def merge(self, other: Readings) -> None:
        posts = self.posts
        # A variant read in both: keep the better reading (the earlier one on a tie). Keys keep
        # their first position, as a loop of assignments would leave them.
        before = {key: posts[key] for key in posts.keys() & other.posts.keys()}
        posts.update(other.posts)
        for key, row in before.items():
            if not _rank(posts[key]) > _rank(row):
                posts[key] = row
        for channel, rows in other.channels.items():
            self.channels.setdefault(channel, []).extend(rows)
        self.problems.extend(other.problems)
        self.lines += other.lines


def read_readings(
    state_dir: Path, cache_dir: Path | None, months: Iterable[str] | None = None
) -> Readings:
    """The summary of the month files (all, or `months`), from the cache where it is current."""
    total = Readings()
    for path in metrics.month_files(state_dir, months):
        total.merge(_month(path, cache_dir))
    for rows in total.channels.values():
        rows.sort(key=lambda row: row[0])
    return total


def read_columns(
    state_dir: Path, cache_dir: Path | None, months: Iterable[str] | None = None
) -> tuple[list[list[list[Any]]], list[InputError]]:
    """Each month's newest readings as the cache holds them (one list per Row field, no rows
    built: `slots` reads a few columns of a million snapshots), and the problems met."""
    found, problems = [], []
    for path in metrics.month_files(state_dir, months):
        data = cached_summary(
            path, cache_dir, CACHE_VERSION, _summarise_data, _stamped, lambda data: data
        )
        found.append(data["columns"])
        problems.extend(_problems(data))
    return found, problems


def _summarise_data(path: Path) -> dict[str, Any]:
    return _to_cache(_summarise(path), [])


def _stamped(data: dict[str, Any], stamp: list[int]) -> dict[str, Any]:
    return {**data, "stamp": stamp}  # "stamp" keeps its first place: the same bytes as _to_cache


def _rank(row: Row) -> tuple[float, str]:
    return (-1.0 if row[AGE] is None else row[AGE], row[AT])


def _month(path: Path, cache_dir: Path | None) -> Readings:
    return cached_summary(path, cache_dir, CACHE_VERSION, _summarise, _to_cache, _from_cache)


def _summarise(path: Path) -> Readings:
    readings = Readings()
    best: dict[tuple[str, str], tuple[tuple[float, str], dict[str, Any]]] = {}
    for item in metrics.iter_lines(path, metrics.display(path)):
        if isinstance(item, InputError):
            readings.problems.append(item)
            continue
        readings.lines += 1
        if item["metrics"].get(GONE):  # deleted on the platform: its earlier figures stand
            continue
        if item["variant"] is None:
            readings.channels.setdefault(item["channel"], []).append((item["at"], item["metrics"]))
            continue
        age = item.get("age_hours", None)
        at = item["at"] if item["at"].endswith("Z") else _utc_text(item["at"])
        rank = (-1.0 if age is None else age, at)
        key = (item["variant"], item["source"])
        kept = best.get(key)
        if kept is None or rank > kept[0]:
            best[key] = (rank, item)
    readings.posts = {key: _row(rank[1], item) for key, (rank, item) in best.items()}
    return readings


def _row(at: str, item: dict[str, Any]) -> Row:
    age = item.get("age_hours")
    published = at
    if age is not None and item["source"] == "api":
        published = metrics.iso_utc(metrics.parse_at(at) - timedelta(hours=age))
    figures = measure(item["metrics"])
    return (item["variant"], item["source"], age, at, item["channel"], item["platform"],
            published, *figures, absent(item["metrics"]))  # fmt: skip


def _utc_text(at: str) -> str:
    return metrics.iso_utc(metrics.parse_at(at))


def _to_cache(readings: Readings, stamp: list[int]) -> dict[str, Any]:
    rows = list(readings.posts.values())
    return {
        "stamp": stamp,
        "lines": readings.lines,
        "columns": [list(column) for column in zip(*rows, strict=True)] if rows else [],
        "channels": readings.channels,
        "problems": [[p.file, p.line, p.key, p.message, p.hint] for p in readings.problems],
    }


def _from_cache(data: dict[str, Any]) -> Readings:
    readings = Readings(lines=data["lines"])
    columns = data["columns"]
    if columns:
        keys = zip(columns[VARIANT], columns[SOURCE], strict=True)
        readings.posts = dict(zip(keys, zip(*columns, strict=True), strict=True))
    readings.channels = {k: [(at, m) for at, m in rows] for k, rows in data["channels"].items()}
    readings.problems = _problems(data)
    return readings


def _problems(data: dict[str, Any]) -> list[InputError]:
    return [InputError(f, m, line=n, key=k, hint=h) for f, n, k, m, h in data["problems"]]
