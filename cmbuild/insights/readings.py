"""The store, boiled down in one streaming pass: each variant's newest reading, each channel's.

A report needs, per variant, only its newest reading (the 28-day figures replace the 7-day ones),
and per channel its follower counts over time. Each month file is read once, line by line
(cmbuild.stores.metrics.iter_lines), into that summary; the summary is cached under
output/.cmbuild/insights/, keyed on the file's size and modification time, so the next report
reads only the months that changed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from cmbuild.errors import InputError
from cmbuild.stores import metrics

CACHE_VERSION = 1


@dataclass(frozen=True)
class PostReading:
    """The newest reading of one variant from one source (api or import)."""

    variant: str
    source: str
    age_hours: float | None
    at: str  # ISO UTC, as stored: it sorts as time does
    channel: str
    platform: str
    metrics: dict[str, int | float | None]


@dataclass
class Readings:
    posts: dict[tuple[str, str], PostReading] = field(default_factory=dict)
    channels: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    problems: list[InputError] = field(default_factory=list)
    lines: int = 0  # snapshots read (or summarised in the cache)

    def add(self, reading: PostReading) -> None:
        key = (reading.variant, reading.source)
        best = self.posts.get(key)
        if best is None or _rank(reading) > _rank(best):
            self.posts[key] = reading

    def merge(self, other: Readings) -> None:
        for reading in other.posts.values():
            self.add(reading)
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


def _rank(reading: PostReading) -> tuple[float, str]:
    return (-1.0 if reading.age_hours is None else reading.age_hours, reading.at)


def _month(path: Path, cache_dir: Path | None) -> Readings:
    stat = path.stat()
    stamp = [CACHE_VERSION, stat.st_size, stat.st_mtime_ns]
    cached = cache_dir / f"{path.stem}.json" if cache_dir is not None else None
    if cached is not None:
        try:
            data = orjson.loads(cached.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            data = None
        if isinstance(data, dict) and data.get("stamp") == stamp:
            return _from_cache(data)
    readings = _summarise(path)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_suffix(".tmp")
        temporary.write_bytes(orjson.dumps(_to_cache(readings, stamp)))
        os.replace(temporary, cached)
    return readings


def _summarise(path: Path) -> Readings:
    readings = Readings()
    add, posts = readings.add, readings.posts
    for item in metrics.iter_lines(path, metrics.display(path)):
        if isinstance(item, InputError):
            readings.problems.append(item)
            continue
        readings.lines += 1
        variant = item["variant"]
        if variant is None:
            readings.channels.setdefault(item["channel"], []).append((item["at"], item["metrics"]))
            continue
        age = item.get("age_hours")
        best = posts.get((variant, item["source"]))
        if best is not None and _rank(best) >= (-1.0 if age is None else age, item["at"]):
            continue
        add(
            PostReading(
                variant,
                item["source"],
                age,
                _utc_text(item["at"]),
                item["channel"],
                item["platform"],
                item["metrics"],
            )
        )
    return readings


def _utc_text(at: str) -> str:
    # Stored times are UTC with a Z (the store writes them so); anything else is normalised.
    return at if at.endswith("Z") else metrics.iso_utc(metrics.parse_at(at))


def _to_cache(readings: Readings, stamp: list[int]) -> dict[str, Any]:
    return {
        "stamp": stamp,
        "lines": readings.lines,
        "posts": [
            [r.variant, r.source, r.age_hours, r.at, r.channel, r.platform, r.metrics]
            for r in readings.posts.values()
        ],
        "channels": readings.channels,
        "problems": [[p.file, p.line, p.key, p.message, p.hint] for p in readings.problems],
    }


def _from_cache(data: dict[str, Any]) -> Readings:
    readings = Readings(lines=data["lines"])
    for row in data["posts"]:
        readings.posts[(row[0], row[1])] = PostReading(*row)
    readings.channels = {k: [(at, m) for at, m in rows] for k, rows in data["channels"].items()}
    readings.problems = [
        InputError(f, m, line=n, key=k, hint=h) for f, n, k, m, h in data["problems"]
    ]
    return readings
