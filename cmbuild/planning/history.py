"""What the stores say of each channel over a window: its posts and its audience's interactions.

Posts come from the metrics store through the report's streaming summary
(cmbuild/insights/readings.py: each variant's newest reading, cached per month), so `slots` and
`report` read the store the same way and share the cache. Interactions come from
state/activity/, only the month files the window touches, through their per-month summary
(cmbuild/planning/audience.py, cached under output/.cmbuild/activity/).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cmbuild.errors import InputError
from cmbuild.insights.readings import (
    AGE,
    AT,
    CHANNEL,
    FIGURES,
    PUBLISHED,
    SOURCE,
    VARIANT,
    read_columns,
)
from cmbuild.planning.audience import microseconds, read_month
from cmbuild.stores import activity, metrics

ENGAGEMENTS = FIGURES.start + 1  # (impressions, engagements, ...): a post's interactions


@dataclass(frozen=True)
class History:
    """One channel's posts and interaction times (whole microseconds since the epoch, UTC), oldest
    first: arrays, since a channel of two years has hundreds of thousands of them."""

    published: NDArray[np.int64]  # each post's publish time
    engagements: NDArray[np.float64]  # its engagements (ties: by these)
    interactions: NDArray[np.int64]


@dataclass(frozen=True)
class Histories:
    channels: dict[str, History]
    problems: tuple[InputError, ...]  # store lines that could not be read (file:line)


def read_histories(
    state_dir: Path,
    cache_dir: Path | None,  # output/.cmbuild/: the stores' per-month summaries (None: none)
    start: datetime,
    end: datetime,
    channels: Iterable[str],
) -> Histories:
    """The history of each of `channels` in [start, end)."""
    names = list(channels)
    months = _months(start, end)
    columns, problems = read_columns(state_dir, cache_dir and cache_dir / "insights", months)
    posts = _posts(columns, set(names), _iso(start), _iso(end))
    low_us, high_us = microseconds(start), microseconds(end)
    heard: dict[str, list[NDArray[np.int64]]] = {}
    audience_cache = cache_dir and cache_dir / "activity"
    for path in activity.month_files(state_dir):
        if path.stem not in months:
            continue
        audience = read_month(path, audience_cache)
        problems.extend(audience.problems)
        for name, times in audience.times.items():
            at = np.array(times, np.int64)
            heard.setdefault(name, []).append(at[(low_us <= at) & (at < high_us)])
    found = {}
    for name in names:
        published, engagements = posts.get(name, ([], []))
        when, value = _us(published), np.array(engagements, np.float64)
        order = np.lexsort((value, when))  # as sorting (time, engagements) pairs
        interactions = np.sort(np.concatenate(heard.get(name, [np.empty(0, np.int64)])))
        found[name] = History(when[order], value[order], interactions)
    return Histories(found, tuple(problems))


def _posts(
    months: Sequence[list[list[Any]]], names: set[str], low: str, high: str
) -> dict[str, tuple[list[str], list[float]]]:
    """Per channel, the publish time and engagements of each post's newest API reading."""
    variants: list[str] = []
    ages: list[Any] = []
    columns: dict[int, list[Any]] = {AT: [], CHANNEL: [], PUBLISHED: [], ENGAGEMENTS: []}
    for month in months:
        if not month:
            continue
        api = [i for i, source in enumerate(month[SOURCE]) if source == "api"]
        variants.extend(month[VARIANT][i] for i in api)
        ages.extend(month[AGE][i] for i in api)
        for number, column in columns.items():
            column.extend(month[number][i] for i in api)
    found: dict[str, tuple[list[str], list[float]]] = {}
    at, channel, published = columns[AT], columns[CHANNEL], columns[PUBLISHED]
    engagements = columns[ENGAGEMENTS]
    for i in _newest(variants, ages, at):
        value = engagements[i]
        if value is None or channel[i] not in names or not low <= published[i] < high:
            continue
        pair = found.setdefault(channel[i], ([], []))
        pair[0].append(published[i])
        pair[1].append(float(value))
    return found


def _newest(variants: list[str], ages: list[Any], at: list[str]) -> list[int]:
    """The index of each variant's best reading: the oldest age, then the latest time, then the
    first read (the report's rule, cmbuild/insights/readings.py), without a loop per reading."""
    codes: dict[str, int] = {}
    code = np.fromiter((codes.setdefault(v, len(codes)) for v in variants), np.int64, len(variants))
    age = np.fromiter((-1.0 if a is None else a for a in ages), np.float64, len(ages))
    order = np.lexsort((age, code))  # stable: equal (variant, age) stay in reading order
    ordered_code, ordered_age = code[order], age[order]
    last = np.ones(len(order), bool)
    last[:-1] = ordered_code[1:] != ordered_code[:-1]
    tied = np.zeros(len(order), bool)
    tied[1:] = (ordered_code[1:] == ordered_code[:-1]) & (ordered_age[1:] == ordered_age[:-1])
    chosen: list[int] = order[last & ~tied].tolist()
    for end in np.flatnonzero(last & tied).tolist():  # the same age read twice: by time
        begin = end
        while begin > 0 and tied[begin]:
            begin -= 1
        chosen.append(max(order[begin : end + 1].tolist(), key=at.__getitem__))
    return chosen


def _us(texts: list[str]) -> NDArray[np.int64]:
    """ISO times (UTC, as the store writes them) as microseconds since the epoch."""
    if all(text.endswith("Z") for text in texts):
        parsed = np.array([text[:-1] for text in texts], "datetime64[us]")
        return parsed.astype(np.int64)
    return np.fromiter((microseconds(_utc(t)) for t in texts), np.int64, len(texts))


def has_history(state_dir: Path) -> bool:
    """Whether there is any month file of metrics or activity to learn from."""
    return bool(metrics.month_files(state_dir) or activity.month_files(state_dir))


def _months(start: datetime, end: datetime) -> list[str]:
    """`YYYY-MM` of every month [start, end) touches (UTC)."""
    year, month = start.astimezone(UTC).year, start.astimezone(UTC).month
    last = end.astimezone(UTC).strftime("%Y-%m")
    found = []
    while True:
        found.append(f"{year:04d}-{month:02d}")
        if found[-1] >= last:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
